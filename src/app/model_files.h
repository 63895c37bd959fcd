// Finding and loading model files for commands and the server.
//
// A model is named by a path to a GGUF file or by a name in the models directory
// (`<data_dir>/models/NAME` or `NAME.gguf`), where `savoir model pull` stores downloads.
#ifndef SAVOIR_APP_MODEL_FILES_H_
#define SAVOIR_APP_MODEL_FILES_H_

#include <memory>
#include <string>

#include "app/config.h"
#include "base/status.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/decoder_model.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::app {

// `<data_dir>/models`.
std::string ModelsDir(const Config& config);

// The file `name` refers to. NOT_FOUND names both places looked in.
StatusOr<std::string> ResolveModelPath(const Config& config, const std::string& name);

// Resolves and opens (memory-maps) a GGUF file.
StatusOr<std::unique_ptr<engine::GgufFile>> OpenModelFile(const Config& config,
                                                         const std::string& name);

struct LoadedDecoder {
  std::shared_ptr<const engine::GgufFile> file;
  std::unique_ptr<engine::DecoderModel> model;
  std::unique_ptr<engine::Tokenizer> tokenizer;
};

// Opens a text-generation model with its tokenizer.
StatusOr<LoadedDecoder> LoadDecoder(const Config& config, const std::string& name);

}  // namespace savoir::app

#endif  // SAVOIR_APP_MODEL_FILES_H_
