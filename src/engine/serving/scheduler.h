// Continuous-batching inference scheduler: many generation requests, one model, one thread.
//
// Requests are submitted from any thread into a bounded queue (interactive before batch
// priority, first come first served within a priority). One scheduler thread owns the model's
// KV cache and runs a loop of steps. Each step:
//   1. admits queued requests while sequences and KV blocks allow, reusing cached prompt
//      prefixes (KvCache::AttachCachedPrefix);
//   2. drops sequences whose client went away (GenerationSink::Cancelled) or whose deadline
//      passed, freeing their KV blocks at once;
//   3. builds one batch: the next token of every decoding sequence, plus prompt chunks of
//      sequences still prefilling within a per-step token budget (so a long new prompt cannot
//      freeze the others);
//   4. runs one forward pass for the whole batch (weights are read once for all sequences),
//      samples, and streams text to each sequence's sink.
// When the cache cannot grow a sequence, the most recently admitted one is preempted: its
// blocks are freed and it is requeued to recompute its prompt and output later (vLLM's
// recompute preemption); its client only sees a pause.
//
// Thread safety: Submit(), stats() and Stop() may be called from any thread. Sinks are called
// on the scheduler thread only and must not block.
#ifndef SAVOIR_ENGINE_SERVING_SCHEDULER_H_
#define SAVOIR_ENGINE_SERVING_SCHEDULER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/generate/generator.h"
#include "engine/model/decoder_model.h"
#include "engine/model/kv_cache.h"
#include "engine/sampling/sampler.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {

enum class Priority { kInteractive = 0, kBatch = 1 };

struct GenerationParams {
  int max_tokens = 256;
  int min_tokens = 0;
  bool ignore_eos = false;
  std::vector<std::string> stop;
  SamplingParams sampling;
  int top_logprobs = -1;  // -1: no logprobs; 0..20: the chosen token's logprob and this many
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct TokenEvent {
  std::string text;  // complete UTF-8, stop strings held back (may be empty)
  int32_t token = -1;
  float logprob = 0.0f;
  std::vector<TokenProbability> top_logprobs;
};

struct FinishEvent {
  FinishReason reason = FinishReason::kLength;
  std::string tail_text;  // text released at the end (held-back bytes), may be empty
  int prompt_tokens = 0;
  int cached_prompt_tokens = 0;  // prompt positions reused from the prefix cache
  int completion_tokens = 0;
  double queue_seconds = 0;         // submission to admission
  double first_token_seconds = 0;   // submission to first token
};

// Where a request's output goes. Implementations must be cheap and non-blocking.
class GenerationSink {
 public:
  virtual ~GenerationSink() = default;
  virtual void OnToken(const TokenEvent& event) = 0;
  // Exactly one of OnFinish or OnError ends every accepted job.
  virtual void OnFinish(const FinishEvent& event) = 0;
  virtual void OnError(const Status& status) = 0;
  // Polled every step; once true the job ends with OnFinish(kCancelled) and its memory is freed.
  virtual bool Cancelled() const = 0;
};

struct GenerationJob {
  std::vector<int32_t> prompt;
  GenerationParams params;
  Priority priority = Priority::kInteractive;
  std::shared_ptr<GenerationSink> sink;
};

struct SchedulerOptions {
  int threads = 1;
  int max_sequences = 32;        // sequences decoding at once
  int step_token_budget = 256;   // prompt tokens prefilled per step, across sequences
  int64_t kv_tokens = 16384;     // KV cache capacity in positions, all sequences together
  int block_tokens = 16;
  size_t max_queue = 256;        // waiting requests; more are refused with RESOURCE_EXHAUSTED
  int64_t context = 0;           // per-sequence context; 0: the model's, capped to kv_tokens
};

struct SchedulerStats {
  size_t queued = 0;
  size_t active = 0;
  int64_t steps = 0;
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
  int64_t preemptions = 0;
  KvCacheStats kv;
};

class Scheduler {
 public:
  // Starts the scheduler thread. The model and tokenizer must outlive the scheduler.
  static StatusOr<std::unique_ptr<Scheduler>> Start(const DecoderModel& model,
                                                    const Tokenizer& tokenizer,
                                                    const SchedulerOptions& options);
  // Stops the thread; unfinished jobs get OnError(UNAVAILABLE).
  ~Scheduler();

  // Queues a job. Errors: INVALID_ARGUMENT (empty prompt, prompt that does not fit the
  // context, bad sampling parameters), RESOURCE_EXHAUSTED (queue full), UNAVAILABLE (stopped).
  Status Submit(GenerationJob job);

  SchedulerStats stats() const;
  int64_t context() const { return context_; }

  // Stops accepting jobs, fails the queued and running ones with UNAVAILABLE, joins the thread.
  void Stop();

 private:
  struct Sequence;

  Scheduler(const DecoderModel& model, const Tokenizer& tokenizer, const SchedulerOptions& options);
  void Loop();
  void Admit();
  void DropCancelled();
  bool Step();
  bool GrowOrPreempt(Sequence& seq, int64_t positions);
  void Preempt(Sequence& victim);
  void Finish(Sequence& seq, FinishReason reason);
  void Fail(Sequence& seq, const Status& status);
  void HandleLogits(Sequence& seq, std::span<float> logits);

  const DecoderModel& model_;
  const Tokenizer& tokenizer_;
  const SchedulerOptions options_;
  const int64_t context_;
  ThreadPool pool_;
  KvCache cache_;  // scheduler thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Sequence>> queue_[2];  // guarded by mu_; per Priority
  bool stopping_ = false;                            // guarded by mu_
  SchedulerStats stats_;                             // guarded by mu_

  std::vector<std::unique_ptr<Sequence>> active_;  // scheduler thread only, admission order
  std::thread thread_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_SERVING_SCHEDULER_H_
