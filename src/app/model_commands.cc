// Commands that run the inference engine directly: model info, tokenize, generate, embed.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/command.h"
#include "app/model_files.h"
#include "base/cpu_info.h"
#include "base/thread_pool.h"
#include "engine/generate/generator.h"
#include "engine/gguf/model_info.h"
#include "engine/model/decoder_model.h"
#include "engine/model/encoder_model.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::app {
namespace {

using engine::GgufFile;

int ThreadCount(const Config& config) {
  int64_t n = config.GetInt("engine.threads");
  return n > 0 ? static_cast<int>(n) : PhysicalCoreCount();
}

struct ModelInfoOptions {
  std::string model;
  bool json = false;
};

int RunModelInfo(const Config& config, const ModelInfoOptions& o) {
  auto file = OpenModelFile(config, o.model);
  if (!file.ok()) return Fail(file.status());
  engine::ModelInfo info = engine::DescribeModel(**file);
  if (o.json) {
    std::printf("%s\n", engine::ModelInfoToJson(info).c_str());
  } else {
    std::fputs(engine::FormatModelInfo(info).c_str(), stdout);
  }
  return kExitOk;
}

struct TokenizeOptions {
  std::string model;
  std::string text;
  std::string file;
  bool special = false;
};

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read '{}'", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunTokenize(const Config& config, const TokenizeOptions& o) {
  auto file = OpenModelFile(config, o.model);
  if (!file.ok()) return Fail(file.status());
  auto tokenizer = engine::Tokenizer::FromGguf(**file);
  if (!tokenizer.ok()) return Fail(tokenizer.status());
  std::string text = o.text;
  if (!o.file.empty()) {
    auto content = ReadWholeFile(o.file);
    if (!content.ok()) return Fail(content.status());
    text = *std::move(content);
  }
  auto ids = (*tokenizer)->Tokenize(text, {.add_special = o.special, .parse_special = o.special});
  std::printf("%s\n", fmt::format("{}", fmt::join(ids, " ")).c_str());
  return kExitOk;
}

struct GenerateOptions {
  std::string model;
  std::string prompt;
  int n = 128;
  float temp = 0.8f;
  uint64_t seed = 0xC0FFEE;
  int top_k = 40;
  float top_p = 0.95f;
  float min_p = 0.05f;
  float repeat_penalty = 1.0f;
  bool ids = false;
  bool ignore_eos = false;
  std::vector<std::string> stop;
};

int RunGenerate(const Config& config, const GenerateOptions& o) {
  auto loaded = LoadDecoder(config, o.model);
  if (!loaded.ok()) return Fail(loaded.status());
  const LoadedDecoder& m = *loaded;
  engine::GenerationRequest request;
  request.prompt = m.tokenizer->Tokenize(o.prompt, {.add_special = true, .parse_special = true});
  request.max_tokens = o.n;
  request.ignore_eos = o.ignore_eos;
  request.stop = o.stop;
  request.sampling.temperature = o.temp;
  request.sampling.seed = o.seed;
  request.sampling.top_k = o.top_k;
  request.sampling.top_p = o.top_p;
  request.sampling.min_p = o.min_p;
  request.sampling.repetition_penalty = o.repeat_penalty;
  ThreadPool pool(ThreadCount(config));
  engine::TokenCallback stream = nullptr;
  if (!o.ids) {
    std::fputs(o.prompt.c_str(), stdout);
    stream = [](std::string_view text, int32_t) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      return true;
    };
  }
  auto result = engine::Generate(*m.model, *m.tokenizer, pool, request, stream);
  if (!result.ok()) {
    if (!o.ids) std::fputc('\n', stdout);
    return Fail(result.status());
  }
  if (o.ids) {
    std::printf("%s\n", fmt::format("{}", fmt::join(result->tokens, " ")).c_str());
  } else {
    std::fputc('\n', stdout);
  }
  return kExitOk;
}

struct EmbedOptions {
  std::string model;
  std::vector<std::string> texts;
};

int RunEmbed(const Config& config, const EmbedOptions& o) {
  auto file = OpenModelFile(config, o.model);
  if (!file.ok()) return Fail(file.status());
  std::shared_ptr<const GgufFile> shared = std::move(file).value();
  auto tokenizer = engine::Tokenizer::FromGguf(*shared);
  if (!tokenizer.ok()) return Fail(tokenizer.status());
  auto model = engine::EncoderModel::Load(shared);
  if (!model.ok()) return Fail(model.status());
  ThreadPool pool(ThreadCount(config));
  for (const std::string& text : o.texts) {
    auto ids = (*tokenizer)->Tokenize(text, {.add_special = true, .parse_special = false});
    auto embedding = (*model)->Embed(ids, pool);
    if (!embedding.ok()) return Fail(embedding.status());
    std::printf("%s\n", nlohmann::json(*embedding).dump().c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterModelCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* model = app.add_subcommand("model", "Inspect and prepare GGUF model files");
  model->require_subcommand(1);
  CLI::App* info = model->add_subcommand("info", "Architecture, parameters, types, context");
  auto info_opts = std::make_shared<ModelInfoOptions>();
  info->add_option("file", info_opts->model, "GGUF file or model name")->required();
  info->add_flag("--json", info_opts->json, "print one JSON object");
  registry.Add(info, [info_opts](const Config& c) { return RunModelInfo(c, *info_opts); });

  CLI::App* tokenize = app.add_subcommand("tokenize", "Print the token ids of a text");
  auto tok = std::make_shared<TokenizeOptions>();
  tokenize->add_option("-m,--model", tok->model, "GGUF file or model name")->required();
  tokenize->add_flag("--special", tok->special,
                     "add BOS/EOS as the model does and parse special-token text");
  auto* text_opt = tokenize->add_option("text", tok->text, "text to tokenize");
  auto* file_opt = tokenize->add_option("--file", tok->file, "read the text from a file");
  text_opt->excludes(file_opt);
  tokenize->callback([text_opt, file_opt] {
    if (text_opt->count() == 0 && file_opt->count() == 0) {
      throw CLI::ValidationError("tokenize", "give a TEXT or --file");
    }
  });
  registry.Add(tokenize, [tok](const Config& c) { return RunTokenize(c, *tok); });

  CLI::App* generate = app.add_subcommand("generate", "Generate text from a prompt");
  auto gen = std::make_shared<GenerateOptions>();
  generate->add_option("-m,--model", gen->model, "GGUF file or model name")->required();
  generate->add_option("-p,--prompt", gen->prompt, "prompt text")->required();
  generate->add_option("-n,--max-tokens", gen->n, "tokens to generate")->check(CLI::Range(0, 1 << 20));
  generate->add_option("--temp", gen->temp, "temperature; 0 is greedy")->check(CLI::Range(0.0, 100.0));
  generate->add_option("--seed", gen->seed, "random seed");
  generate->add_option("--top-k", gen->top_k, "keep the k most likely tokens (0: off)");
  generate->add_option("--top-p", gen->top_p, "nucleus sampling mass")->check(CLI::Range(0.0, 1.0));
  generate->add_option("--min-p", gen->min_p, "drop tokens below min-p x the best")->check(CLI::Range(0.0, 1.0));
  generate->add_option("--repeat-penalty", gen->repeat_penalty, "penalty for repeated tokens");
  generate->add_option("--stop", gen->stop, "stop at this text (repeatable)");
  generate->add_flag("--ids", gen->ids, "print the generated token ids instead of text");
  generate->add_flag("--ignore-eos", gen->ignore_eos, "do not stop at end-of-generation tokens");
  registry.ConfigFlag(generate, "-t,--threads", "engine.threads", "compute threads");
  registry.Add(generate, [gen](const Config& c) { return RunGenerate(c, *gen); });

  CLI::App* embed = app.add_subcommand("embed", "Print embeddings of texts, one JSON array each");
  auto emb = std::make_shared<EmbedOptions>();
  embed->add_option("-m,--model", emb->model, "GGUF embedding model")->required();
  embed->add_option("texts", emb->texts, "texts to embed")->required();
  registry.ConfigFlag(embed, "-t,--threads", "engine.threads", "compute threads");
  registry.Add(embed, [emb](const Config& c) { return RunEmbed(c, *emb); });
}

}  // namespace savoir::app
