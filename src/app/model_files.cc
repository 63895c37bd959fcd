#include "app/model_files.h"

#include <filesystem>

namespace savoir::app {

std::string ModelsDir(const Config& config) {
  return (std::filesystem::path(config.GetString("data_dir")) / "models").string();
}

StatusOr<std::string> ResolveModelPath(const Config& config, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (name.empty()) return InvalidArgumentError("no model given");
  if (fs::exists(name, ec)) return name;
  const fs::path dir = ModelsDir(config);
  // A bare name may also be found in the models directory.
  if (name.find('/') == std::string::npos) {
    for (const fs::path candidate : {dir / name, dir / (name + ".gguf")}) {
      if (fs::exists(candidate, ec)) return candidate.string();
    }
  }
  return NotFoundError("model '{}' not found (no such file, and not in {})", name, dir.string());
}

StatusOr<std::unique_ptr<engine::GgufFile>> OpenModelFile(const Config& config,
                                                         const std::string& name) {
  SAVOIR_ASSIGN_OR_RETURN(std::string path, ResolveModelPath(config, name));
  return engine::GgufFile::Open(path);
}

StatusOr<LoadedDecoder> LoadDecoder(const Config& config, const std::string& name) {
  LoadedDecoder loaded;
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<engine::GgufFile> file, OpenModelFile(config, name));
  loaded.file = std::move(file);
  SAVOIR_ASSIGN_OR_RETURN(loaded.tokenizer, engine::Tokenizer::FromGguf(*loaded.file));
  SAVOIR_ASSIGN_OR_RETURN(loaded.model, engine::DecoderModel::Load(loaded.file));
  return loaded;
}

}  // namespace savoir::app
