// The models the API serves, by name.
//
// app/ loads models and fills a ModelRegistry; the API handlers look models up by the request's
// `model` field (an empty or absent name selects the first model of the kind asked for).
#ifndef SAVOIR_SERVER_OPENAI_MODELS_H_
#define SAVOIR_SERVER_OPENAI_MODELS_H_

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/serving/encoder_service.h"
#include "engine/serving/scheduler.h"
#include "engine/template/chat_template.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::server::openai {

struct ChatModel {
  std::string name;
  const engine::Tokenizer* tokenizer = nullptr;
  engine::Scheduler* scheduler = nullptr;
  // The model's own template; without one, prompts use ChatML.
  std::optional<engine::ChatTemplate> chat_template;
  std::string bos_text;
  std::string eos_text;
  int64_t created = 0;  // Unix time the model was loaded
  uint64_t size_bytes = 0;
};

struct EncoderEntry {
  std::string name;
  engine::EncoderService* service = nullptr;
  int64_t created = 0;
  uint64_t size_bytes = 0;
};

struct ModelRegistry {
  std::vector<ChatModel> chat;
  std::vector<EncoderEntry> embedding;
  std::vector<EncoderEntry> rerank;

  // NOT_FOUND names the model and lists what is available.
  StatusOr<const ChatModel*> FindChat(const std::string& name) const;
  StatusOr<const EncoderEntry*> FindEmbedding(const std::string& name) const;
  StatusOr<const EncoderEntry*> FindRerank(const std::string& name) const;
};

}  // namespace savoir::server::openai

#endif  // SAVOIR_SERVER_OPENAI_MODELS_H_
