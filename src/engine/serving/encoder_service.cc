#include "engine/serving/encoder_service.h"

#include <algorithm>

namespace savoir::engine {

EncoderService::EncoderService(const EncoderModel& model, const Tokenizer& tokenizer, int threads,
                               size_t max_queue)
    : model_(model), tokenizer_(tokenizer), max_queue_(max_queue), pool_(threads) {
  worker_ = std::thread([this] { Loop(); });
}

EncoderService::~EncoderService() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void EncoderService::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

std::vector<int32_t> EncoderService::EncodeText(const std::string& text) const {
  std::vector<int32_t> ids = tokenizer_.Tokenize(text, {.add_special = true});
  const size_t limit = static_cast<size_t>(model_.config().n_ctx_train);
  if (ids.size() > limit) {
    const int32_t last = ids.back();
    ids.resize(limit);
    ids.back() = last;  // keep the closing [SEP]
  }
  return ids;
}

std::vector<int32_t> EncoderService::EncodePair(const std::string& query,
                                                const std::string& doc) const {
  // [CLS] query [SEP] document [SEP], the input cross-encoders are trained on.
  std::vector<int32_t> ids = tokenizer_.Tokenize(query, {.add_special = true});
  std::vector<int32_t> rest = tokenizer_.Tokenize(doc, {.add_special = false});
  const int32_t sep = tokenizer_.vocab().special().sep >= 0 ? tokenizer_.vocab().special().sep
                                                            : tokenizer_.eos();
  const size_t limit = static_cast<size_t>(model_.config().n_ctx_train);
  if (ids.size() + rest.size() + 1 > limit) {
    rest.resize(limit > ids.size() + 1 ? limit - ids.size() - 1 : 0);
  }
  ids.insert(ids.end(), rest.begin(), rest.end());
  if (sep >= 0) ids.push_back(sep);
  if (ids.size() > limit) ids.resize(limit);
  return ids;
}

StatusOr<EmbedResult> EncoderService::Embed(const std::vector<std::string>& texts) {
  if (texts.empty()) return InvalidArgumentError("no input to embed");
  std::lock_guard lock(compute_mu_);
  EmbedResult result;
  for (const std::string& text : texts) {
    std::vector<int32_t> ids = EncodeText(text);
    result.tokens += static_cast<int>(ids.size());
    SAVOIR_ASSIGN_OR_RETURN(std::vector<float> e, model_.Embed(ids, pool_));
    result.embeddings.push_back(std::move(e));
  }
  return result;
}

StatusOr<RerankResult> EncoderService::Rerank(const std::string& query,
                                              const std::vector<std::string>& docs) {
  if (!model_.is_reranker()) {
    return FailedPreconditionError("this model is not a reranker (no classification head)");
  }
  if (docs.empty()) return InvalidArgumentError("no documents to rerank");
  std::lock_guard lock(compute_mu_);
  RerankResult result;
  for (const std::string& doc : docs) {
    std::vector<int32_t> ids = EncodePair(query, doc);
    result.tokens += static_cast<int>(ids.size());
    SAVOIR_ASSIGN_OR_RETURN(float score, model_.Score(ids, pool_));
    result.scores.push_back(score);
  }
  return result;
}

Status EncoderService::SubmitEmbed(std::vector<std::string> texts, EmbedCallback done) {
  if (texts.empty()) return InvalidArgumentError("no input to embed");
  std::lock_guard lock(mu_);
  if (stopping_) return UnavailableError("the server is shutting down");
  if (queue_.size() >= max_queue_) return ResourceExhaustedError("too many embedding requests");
  queue_.push_back([this, texts = std::move(texts), done = std::move(done)] { done(Embed(texts)); });
  cv_.notify_one();
  return OkStatus();
}

Status EncoderService::SubmitRerank(std::string query, std::vector<std::string> documents,
                                    RerankCallback done) {
  if (!model_.is_reranker()) {
    return FailedPreconditionError("this model is not a reranker (no classification head)");
  }
  std::lock_guard lock(mu_);
  if (stopping_) return UnavailableError("the server is shutting down");
  if (queue_.size() >= max_queue_) return ResourceExhaustedError("too many rerank requests");
  queue_.push_back([this, q = std::move(query), d = std::move(documents), done = std::move(done)] {
    done(Rerank(q, d));
  });
  cv_.notify_one();
  return OkStatus();
}

}  // namespace savoir::engine
