#include "app/model_host.h"

#include <ctime>
#include <filesystem>

#include "app/model_files.h"
#include "base/cpu_info.h"
#include "base/logging.h"

namespace savoir::app {
namespace {

int Threads(const Config& config) {
  const int64_t n = config.GetInt("engine.threads");
  return n > 0 ? static_cast<int>(n) : PhysicalCoreCount();
}

// The name a model is served under: its file name without ".gguf".
std::string ServedName(const std::string& path) {
  std::string stem = std::filesystem::path(path).filename().string();
  if (stem.size() > 5 && stem.ends_with(".gguf")) stem.resize(stem.size() - 5);
  return stem;
}

std::string TokenText(const engine::Tokenizer& t, int32_t id) {
  return id >= 0 ? std::string(t.TokenToPiece(id, /*render_special=*/true)) : std::string();
}

}  // namespace

ModelHost::~ModelHost() {
  for (auto& chat : chats_) chat->scheduler->Stop();
}

Status ModelHost::Load(const Config& config) {
  if (const std::string& chat = config.GetString("models.chat"); !chat.empty()) {
    SAVOIR_RETURN_IF_ERROR(LoadChat(config, chat));
  }
  for (bool reranker : {false, true}) {
    const std::string& name = config.GetString(reranker ? "models.reranker" : "models.embedding");
    if (name.empty()) continue;
    SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<Encoder> enc, LoadEncoder(config, name, reranker));
    server::openai::EncoderEntry entry{ServedName(enc->file->name()), enc->service.get(),
                                       static_cast<int64_t>(std::time(nullptr)),
                                       enc->file->file_size()};
    (reranker ? registry_.rerank : registry_.embedding).push_back(entry);
    encoders_.push_back(std::move(enc));
  }
  return OkStatus();
}

Status ModelHost::LoadChat(const Config& config, const std::string& name) {
  auto chat = std::make_unique<Chat>();
  SAVOIR_ASSIGN_OR_RETURN(LoadedDecoder loaded, LoadDecoder(config, name));
  chat->file = std::move(loaded.file);
  chat->model = std::move(loaded.model);
  chat->tokenizer = std::move(loaded.tokenizer);
  engine::SchedulerOptions o;
  o.threads = Threads(config);
  o.kv_tokens = config.GetInt("engine.kv_tokens");
  o.max_sequences = static_cast<int>(config.GetInt("engine.max_sequences"));
  o.step_token_budget = static_cast<int>(config.GetInt("engine.step_tokens"));
  o.max_queue = static_cast<size_t>(config.GetInt("engine.max_queue"));
  SAVOIR_ASSIGN_OR_RETURN(chat->scheduler,
                          engine::Scheduler::Start(*chat->model, *chat->tokenizer, o));
  server::openai::ChatModel entry;
  entry.name = ServedName(chat->file->name());
  entry.tokenizer = chat->tokenizer.get();
  entry.scheduler = chat->scheduler.get();
  entry.created = static_cast<int64_t>(std::time(nullptr));
  entry.size_bytes = chat->file->file_size();
  entry.bos_text = TokenText(*chat->tokenizer, chat->tokenizer->bos());
  entry.eos_text = TokenText(*chat->tokenizer, chat->tokenizer->eos());
  if (auto source = chat->file->GetString("tokenizer.chat_template"); source.ok()) {
    auto parsed = engine::ChatTemplate::Parse(*source);
    if (!parsed.ok()) {
      return parsed.status().WithContext(chat->file->name() + ": tokenizer.chat_template");
    }
    entry.chat_template = *std::move(parsed);
  }
  LogInfo("chat model loaded", {{"model", entry.name},
                                {"layers", chat->model->config().n_layer},
                                {"context", chat->scheduler->context()},
                                {"threads", o.threads},
                                {"chat_template", entry.chat_template.has_value()}});
  registry_.chat.push_back(std::move(entry));
  chats_.push_back(std::move(chat));
  return OkStatus();
}

StatusOr<std::unique_ptr<ModelHost::Encoder>> ModelHost::LoadEncoder(const Config& config,
                                                                      const std::string& name,
                                                                      bool reranker) {
  auto enc = std::make_unique<Encoder>();
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<engine::GgufFile> file, OpenModelFile(config, name));
  enc->file = std::move(file);
  SAVOIR_ASSIGN_OR_RETURN(enc->tokenizer, engine::Tokenizer::FromGguf(*enc->file));
  SAVOIR_ASSIGN_OR_RETURN(enc->model, engine::EncoderModel::Load(enc->file));
  if (reranker && !enc->model->is_reranker()) {
    return InvalidArgumentError("{}: not a reranker (no classification head)", enc->file->name());
  }
  enc->service = std::make_unique<engine::EncoderService>(*enc->model, *enc->tokenizer,
                                                          Threads(config));
  LogInfo(reranker ? "reranker loaded" : "embedding model loaded",
          {{"model", ServedName(enc->file->name())}});
  return enc;
}

std::vector<std::pair<std::string, const engine::Scheduler*>> ModelHost::schedulers() const {
  std::vector<std::pair<std::string, const engine::Scheduler*>> out;
  for (size_t i = 0; i < chats_.size(); ++i) {
    out.push_back({registry_.chat[i].name, chats_[i]->scheduler.get()});
  }
  return out;
}

}  // namespace savoir::app
