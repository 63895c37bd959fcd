// The models a `savoir serve` process runs, loaded from the configuration.
//
// ModelHost opens the chat model (models.chat), the embedding model (models.embedding) and the
// reranker (models.reranker), each optional, starts a continuous-batching scheduler for the chat
// model and an encoder service for the others, and fills the ModelRegistry the API serves.
// Weights stay memory-mapped; the KV cache is bounded by engine.kv_tokens.
//
// Thread safety: Load() once, before the registry is published; then read-only. Destruction
// stops the schedulers (their pending requests fail with UNAVAILABLE).
#ifndef SAVOIR_APP_MODEL_HOST_H_
#define SAVOIR_APP_MODEL_HOST_H_

#include <memory>
#include <vector>

#include "app/config.h"
#include "base/status.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/decoder_model.h"
#include "engine/model/encoder_model.h"
#include "engine/serving/encoder_service.h"
#include "engine/serving/scheduler.h"
#include "engine/tokenizer/tokenizer.h"
#include "server/openai/models.h"

namespace savoir::app {

class ModelHost {
 public:
  ModelHost() = default;
  ~ModelHost();
  ModelHost(const ModelHost&) = delete;
  ModelHost& operator=(const ModelHost&) = delete;

  // Loads what the configuration names. Errors name the model file and the problem.
  Status Load(const Config& config);

  const server::openai::ModelRegistry& registry() const { return registry_; }
  // Schedulers, for metrics.
  std::vector<std::pair<std::string, const engine::Scheduler*>> schedulers() const;

 private:
  struct Encoder {
    std::shared_ptr<const engine::GgufFile> file;
    std::unique_ptr<engine::Tokenizer> tokenizer;
    std::unique_ptr<engine::EncoderModel> model;
    std::unique_ptr<engine::EncoderService> service;
  };
  struct Chat {
    std::shared_ptr<const engine::GgufFile> file;
    std::unique_ptr<engine::Tokenizer> tokenizer;
    std::unique_ptr<engine::DecoderModel> model;
    std::unique_ptr<engine::Scheduler> scheduler;
  };

  Status LoadChat(const Config& config, const std::string& name);
  StatusOr<std::unique_ptr<Encoder>> LoadEncoder(const Config& config, const std::string& name,
                                                 bool reranker);

  std::vector<std::unique_ptr<Chat>> chats_;
  std::vector<std::unique_ptr<Encoder>> encoders_;
  server::openai::ModelRegistry registry_;
};

}  // namespace savoir::app

#endif  // SAVOIR_APP_MODEL_HOST_H_
