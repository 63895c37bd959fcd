#include "engine/serving/scheduler.h"

#include <algorithm>
#include <cmath>

#include "engine/generate/stop_matcher.h"
#include "engine/tokenizer/incremental_decoder.h"

namespace savoir::engine {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int64_t BlocksFor(int64_t positions, int block_tokens) {
  return (positions + block_tokens - 1) / block_tokens;
}

}  // namespace

struct Scheduler::Sequence {
  Sequence(GenerationJob j, const Tokenizer* tokenizer)
      : job(std::move(j)),
        sampler(job.params.sampling),
        decoder(tokenizer),
        stops(job.params.stop) {}

  GenerationJob job;
  Clock::time_point submitted = Clock::now();
  Sampler sampler;
  IncrementalDecoder decoder;
  StopMatcher stops;
  std::vector<int32_t> tokens;  // prompt, then generated tokens
  KvCache::SeqId seq = -1;
  int64_t computed = 0;  // leading positions of `tokens` whose keys/values are cached
  int64_t planned = 0;   // positions to compute in the current step
  int prompt_len = 0;
  int generated = 0;
  int cached_prompt = 0;
  double queue_seconds = -1;
  double first_token_seconds = -1;
  bool done = false;
  bool preempted = false;
};

StatusOr<std::unique_ptr<Scheduler>> Scheduler::Start(const DecoderModel& model,
                                                      const Tokenizer& tokenizer,
                                                      const SchedulerOptions& options) {
  if (options.max_sequences < 1 || options.step_token_budget < 1 || options.block_tokens < 1 ||
      options.kv_tokens < options.block_tokens || options.threads < 1) {
    return InvalidArgumentError("invalid scheduler options");
  }
  std::unique_ptr<Scheduler> s(new Scheduler(model, tokenizer, options));
  s->thread_ = std::thread([raw = s.get()] { raw->Loop(); });
  return s;
}

Scheduler::Scheduler(const DecoderModel& model, const Tokenizer& tokenizer,
                     const SchedulerOptions& options)
    : model_(model),
      tokenizer_(tokenizer),
      options_(options),
      context_(std::min(options.context > 0 ? options.context : model.config().n_ctx_train,
                        options.kv_tokens)),
      pool_(options.threads),
      cache_(model.CacheOptions(options.kv_tokens, options.block_tokens)) {}

Scheduler::~Scheduler() { Stop(); }

Status Scheduler::Submit(GenerationJob job) {
  SAVOIR_RETURN_IF_ERROR(ValidateSamplingParams(job.params.sampling));
  if (job.prompt.empty()) return InvalidArgumentError("the prompt is empty");
  if (static_cast<int64_t>(job.prompt.size()) >= context_) {
    return InvalidArgumentError(
        "the prompt has {} tokens, more than the context of {} tokens allows", job.prompt.size(),
        context_);
  }
  for (int32_t id : job.prompt) {
    if (id < 0 || id >= tokenizer_.vocab_size()) {
      return InvalidArgumentError("token id {} is outside the vocabulary", id);
    }
  }
  auto seq = std::make_unique<Sequence>(std::move(job), &tokenizer_);
  seq->tokens = seq->job.prompt;
  seq->prompt_len = static_cast<int>(seq->tokens.size());
  for (int32_t id : seq->tokens) seq->sampler.Accept(id);
  {
    std::lock_guard lock(mu_);
    if (stopping_) return UnavailableError("the server is shutting down");
    if (queue_[0].size() + queue_[1].size() >= options_.max_queue) {
      return ResourceExhaustedError("too many requests are waiting ({}); retry later",
                                    options_.max_queue);
    }
    queue_[static_cast<int>(seq->job.priority)].push_back(std::move(seq));
  }
  cv_.notify_one();
  return OkStatus();
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Scheduler::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] {
        return stopping_ || !active_.empty() || !queue_[0].empty() || !queue_[1].empty();
      });
      if (stopping_) break;
    }
    Admit();
    DropCancelled();
    Step();
    std::lock_guard lock(mu_);
    stats_.queued = queue_[0].size() + queue_[1].size();
    stats_.active = active_.size();
    stats_.kv = cache_.stats();
  }
  // Shutting down: everything still in the system ends with an error.
  for (auto& seq : active_) Fail(*seq, UnavailableError("the server is shutting down"));
  active_.clear();
  std::lock_guard lock(mu_);
  for (auto& q : queue_) {
    for (auto& seq : q) seq->job.sink->OnError(UnavailableError("the server is shutting down"));
    q.clear();
  }
}

void Scheduler::Admit() {
  for (;;) {
    std::unique_ptr<Sequence> seq;
    {
      std::lock_guard lock(mu_);
      if (static_cast<int>(active_.size()) >= options_.max_sequences) return;
      auto& q = !queue_[0].empty() ? queue_[0] : queue_[1];
      if (q.empty()) return;
      // Admit only when the whole pending input fits now; otherwise wait for memory.
      const int64_t need = BlocksFor(static_cast<int64_t>(q.front()->tokens.size()) + 1,
                                     options_.block_tokens);
      if (need > cache_.AvailableBlocks() && !active_.empty()) return;
      seq = std::move(q.front());
      q.pop_front();
    }
    seq->seq = cache_.NewSequence();
    seq->computed = cache_.AttachCachedPrefix(seq->seq, seq->tokens);
    if (seq->queue_seconds < 0) {
      seq->queue_seconds = Seconds(Clock::now() - seq->submitted);
      seq->cached_prompt = static_cast<int>(std::min<int64_t>(seq->computed, seq->prompt_len));
    }
    seq->preempted = false;
    active_.push_back(std::move(seq));
  }
}

void Scheduler::DropCancelled() {
  const auto now = Clock::now();
  for (auto& seq : active_) {
    if (seq->job.sink->Cancelled()) {
      Finish(*seq, FinishReason::kCancelled);
    } else if (seq->job.params.deadline && now > *seq->job.params.deadline) {
      Fail(*seq, DeadlineExceededError("the request ran past its time limit"));
    }
  }
  std::erase_if(active_, [](const auto& s) { return s->done; });
}

void Scheduler::Preempt(Sequence& victim) {
  cache_.FreeSequence(victim.seq);
  victim.seq = -1;
  victim.computed = 0;
  victim.planned = 0;
  victim.preempted = true;
}

bool Scheduler::GrowOrPreempt(Sequence& seq, int64_t positions) {
  for (;;) {
    if (cache_.Reserve(seq.seq, positions).ok()) return true;
    Sequence* victim = nullptr;
    for (auto it = active_.rbegin(); it != active_.rend(); ++it) {
      Sequence* s = it->get();
      if (s != &seq && !s->done && !s->preempted) {
        victim = s;
        break;
      }
    }
    if (victim == nullptr) {
      Fail(seq, ResourceExhaustedError("the conversation no longer fits the KV cache ({} tokens)",
                                       options_.kv_tokens));
      return false;
    }
    Preempt(*victim);
  }
}

bool Scheduler::Step() {
  // Plan: decoding sequences take one position each; prefilling ones share the token budget.
  int64_t budget = options_.step_token_budget;
  for (auto& seq : active_) {
    if (seq->done || seq->preempted) continue;
    const int64_t remaining = static_cast<int64_t>(seq->tokens.size()) - seq->computed;
    int64_t want = remaining == 1 ? 1 : std::min(remaining, budget);
    if (remaining > 1) budget -= want;
    seq->planned = 0;
    if (want > 0 && GrowOrPreempt(*seq, seq->computed + want)) seq->planned = want;
  }
  // Preempted sequences go back to the front of their queue, oldest first.
  {
    std::lock_guard lock(mu_);
    for (auto it = active_.rbegin(); it != active_.rend(); ++it) {
      if ((*it)->preempted && !(*it)->done) {
        ++stats_.preemptions;
        queue_[static_cast<int>((*it)->job.priority)].push_front(std::move(*it));
      }
    }
  }
  std::erase_if(active_, [](const auto& s) { return s == nullptr || s->done; });

  std::vector<BatchToken> batch;
  std::vector<Sequence*> wants_logits;
  for (auto& seq : active_) {
    for (int64_t i = 0; i < seq->planned; ++i) {
      const int64_t pos = seq->computed + i;
      const bool last = pos + 1 == static_cast<int64_t>(seq->tokens.size());
      batch.push_back({seq->tokens[static_cast<size_t>(pos)], pos, seq->seq, last});
      if (last) wants_logits.push_back(seq.get());
    }
  }
  if (batch.empty()) return false;
  std::vector<float> logits;
  if (Status s = model_.Forward(batch, cache_, pool_, logits); !s.ok()) {
    for (auto& seq : active_) Fail(*seq, s);
    active_.clear();
    return false;
  }
  int64_t prompt_tokens = 0;
  for (auto& seq : active_) {
    seq->computed += seq->planned;
    if (seq->planned > 1 || seq->generated == 0) prompt_tokens += seq->planned;
    cache_.PublishPrefix(seq->seq, seq->tokens, seq->computed);
  }
  const size_t n_vocab = static_cast<size_t>(model_.config().n_vocab);
  for (size_t i = 0; i < wants_logits.size(); ++i) {
    HandleLogits(*wants_logits[i], std::span<float>(logits.data() + i * n_vocab, n_vocab));
  }
  std::erase_if(active_, [](const auto& s) { return s->done; });
  std::lock_guard lock(mu_);
  ++stats_.steps;
  stats_.prompt_tokens += prompt_tokens;
  stats_.generated_tokens += static_cast<int64_t>(wants_logits.size());
  return true;
}

void Scheduler::HandleLogits(Sequence& seq, std::span<float> logits) {
  const GenerationParams& p = seq.job.params;
  const bool eog_allowed = !p.ignore_eos && seq.generated >= p.min_tokens;
  if (!eog_allowed) {
    for (int32_t id = 0; id < tokenizer_.vocab_size(); ++id) {
      if (tokenizer_.IsEog(id)) logits[static_cast<size_t>(id)] = -INFINITY;
    }
  }
  const int32_t token = seq.sampler.Sample(logits);
  if (eog_allowed && tokenizer_.IsEog(token)) {
    Finish(seq, FinishReason::kStop);
    return;
  }
  TokenEvent event;
  event.token = token;
  if (p.top_logprobs >= 0) {
    auto top = Sampler::TopLogprobs(logits, std::max(p.top_logprobs, 1));
    // The chosen token's log-probability under the same distribution.
    const float max_logit = *std::max_element(logits.begin(), logits.end());
    double z = 0;
    for (float l : logits) z += std::exp(static_cast<double>(l - max_logit));
    event.logprob = logits[static_cast<size_t>(token)] - max_logit - static_cast<float>(std::log(z));
    top.resize(static_cast<size_t>(p.top_logprobs));
    event.top_logprobs = std::move(top);
  }
  seq.sampler.Accept(token);
  seq.tokens.push_back(token);
  ++seq.generated;
  event.text = seq.stops.Push(seq.decoder.Push(token));
  if (seq.first_token_seconds < 0) seq.first_token_seconds = Seconds(Clock::now() - seq.submitted);
  seq.job.sink->OnToken(event);
  if (seq.stops.stopped()) {
    Finish(seq, FinishReason::kStop);
  } else if (seq.generated >= p.max_tokens ||
             static_cast<int64_t>(seq.tokens.size()) >= context_) {
    Finish(seq, FinishReason::kLength);
  }
}

void Scheduler::Finish(Sequence& seq, FinishReason reason) {
  FinishEvent event;
  event.reason = reason;
  if (reason != FinishReason::kCancelled && !seq.stops.stopped()) {
    event.tail_text = seq.stops.Push(seq.decoder.Finish());
    event.tail_text += seq.stops.Flush();
  }
  event.prompt_tokens = seq.prompt_len;
  event.cached_prompt_tokens = seq.cached_prompt;
  event.completion_tokens = seq.generated;
  event.queue_seconds = std::max(0.0, seq.queue_seconds);
  event.first_token_seconds = std::max(0.0, seq.first_token_seconds);
  seq.job.sink->OnFinish(event);
  if (seq.seq >= 0) cache_.FreeSequence(seq.seq);
  seq.seq = -1;
  seq.done = true;
}

void Scheduler::Fail(Sequence& seq, const Status& status) {
  if (seq.done) return;
  seq.job.sink->OnError(status);
  if (seq.seq >= 0) cache_.FreeSequence(seq.seq);
  seq.seq = -1;
  seq.done = true;
}

}  // namespace savoir::engine
