// Embedding and reranking requests on an encoder model, off the HTTP threads.
//
// EncoderService owns one worker thread and a compute pool. Requests are queued (bounded) and
// answered through a callback on the worker thread, so HTTP handlers return at once and no I/O
// thread ever computes. Inputs longer than the model's context are truncated (documented
// behaviour of OpenAI-compatible servers for embeddings; the usage counts what was embedded).
//
// Thread safety: Submit* may be called from any thread; callbacks run on the worker thread and
// must not block.
#ifndef SAVOIR_ENGINE_SERVING_ENCODER_SERVICE_H_
#define SAVOIR_ENGINE_SERVING_ENCODER_SERVICE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/model/encoder_model.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {

struct EmbedResult {
  std::vector<std::vector<float>> embeddings;  // one per input, L2-normalised
  int tokens = 0;                              // tokens embedded in all
};

struct RerankResult {
  std::vector<float> scores;  // one per document, in input order
  int tokens = 0;
};

class EncoderService {
 public:
  using EmbedCallback = std::function<void(StatusOr<EmbedResult>)>;
  using RerankCallback = std::function<void(StatusOr<RerankResult>)>;

  // The model and tokenizer must outlive the service.
  EncoderService(const EncoderModel& model, const Tokenizer& tokenizer, int threads,
                 size_t max_queue = 256);
  // Finishes the queued requests, then joins the worker.
  ~EncoderService();

  // RESOURCE_EXHAUSTED when the queue is full; INVALID_ARGUMENT for no inputs; then `done`
  // receives the result or an error.
  Status SubmitEmbed(std::vector<std::string> texts, EmbedCallback done);
  // Requires a reranker model (FAILED_PRECONDITION otherwise).
  Status SubmitRerank(std::string query, std::vector<std::string> documents, RerankCallback done);

  // Synchronous forms, for commands and tests (run on the calling thread's pool).
  StatusOr<EmbedResult> Embed(const std::vector<std::string>& texts);
  StatusOr<RerankResult> Rerank(const std::string& query, const std::vector<std::string>& docs);

  const EncoderModel& model() const { return model_; }

 private:
  std::vector<int32_t> EncodeText(const std::string& text) const;
  std::vector<int32_t> EncodePair(const std::string& query, const std::string& doc) const;
  void Loop();

  const EncoderModel& model_;
  const Tokenizer& tokenizer_;
  const size_t max_queue_;
  ThreadPool pool_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::mutex compute_mu_;                    // serialises use of pool_
  std::thread worker_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_SERVING_ENCODER_SERVICE_H_
