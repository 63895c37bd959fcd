#include "server/openai/models.h"

#include <fmt/format.h>

namespace savoir::server::openai {
namespace {

template <typename T>
StatusOr<const T*> Find(const std::vector<T>& models, const std::string& name,
                        std::string_view kind) {
  if (models.empty()) {
    return NotFoundError("no {} model is loaded (start the server with one)", kind);
  }
  if (name.empty()) return &models.front();
  std::vector<std::string> names;
  for (const T& m : models) {
    if (m.name == name) return &m;
    names.push_back(m.name);
  }
  return NotFoundError("model '{}' not found; {} models: {}", name, kind, fmt::join(names, ", "));
}

}  // namespace

StatusOr<const ChatModel*> ModelRegistry::FindChat(const std::string& name) const {
  return Find(chat, name, "chat");
}

StatusOr<const EncoderEntry*> ModelRegistry::FindEmbedding(const std::string& name) const {
  return Find(embedding, name, "embedding");
}

StatusOr<const EncoderEntry*> ModelRegistry::FindRerank(const std::string& name) const {
  return Find(rerank, name, "reranker");
}

}  // namespace savoir::server::openai
