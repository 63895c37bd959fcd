#include "engine/generate/generator.h"

#include <algorithm>
#include <chrono>

#include "engine/generate/stop_matcher.h"
#include "engine/tokenizer/incremental_decoder.h"

namespace savoir::engine {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs the prompt through the model in chunks; leaves the last position's logits in `logits`.
Status Prefill(const DecoderModel& model, ThreadPool& pool, KvCache& cache, KvCache::SeqId seq,
               const GenerationRequest& request, std::vector<float>& logits) {
  const auto& prompt = request.prompt;
  const size_t chunk = static_cast<size_t>(std::max(1, request.prefill_chunk));
  std::vector<BatchToken> batch;
  for (size_t start = 0; start < prompt.size(); start += chunk) {
    batch.clear();
    size_t end = std::min(prompt.size(), start + chunk);
    for (size_t i = start; i < end; ++i) {
      batch.push_back({prompt[i], static_cast<int64_t>(i), seq, i + 1 == prompt.size()});
    }
    logits.clear();
    SAVOIR_RETURN_IF_ERROR(model.Forward(batch, cache, pool, logits));
  }
  return OkStatus();
}

}  // namespace

StatusOr<GenerationResult> Generate(const DecoderModel& model, const Tokenizer& tokenizer,
                                    ThreadPool& pool, const GenerationRequest& request,
                                    const TokenCallback& on_text) {
  SAVOIR_RETURN_IF_ERROR(ValidateSamplingParams(request.sampling));
  if (request.prompt.empty()) return InvalidArgumentError("the prompt is empty");
  if (request.max_tokens < 0) return InvalidArgumentError("max_tokens must not be negative");
  const int64_t context = request.context > 0 ? request.context : model.config().n_ctx_train;
  const int64_t prompt_len = static_cast<int64_t>(request.prompt.size());
  if (prompt_len >= context) {
    return InvalidArgumentError("prompt of {} tokens does not fit the context of {} tokens",
                                prompt_len, context);
  }
  const int64_t total = std::min<int64_t>(context, prompt_len + request.max_tokens);
  KvCache cache(model.CacheOptions(total));
  const KvCache::SeqId seq = cache.NewSequence();
  SAVOIR_RETURN_IF_ERROR(cache.Reserve(seq, total));

  GenerationResult result;
  std::vector<float> logits;
  auto start = std::chrono::steady_clock::now();
  SAVOIR_RETURN_IF_ERROR(Prefill(model, pool, cache, seq, request, logits));
  result.prefill_seconds = SecondsSince(start);

  start = std::chrono::steady_clock::now();
  Sampler sampler(request.sampling);
  for (int32_t id : request.prompt) sampler.Accept(id);
  IncrementalDecoder decoder(&tokenizer);
  StopMatcher stops(request.stop);
  auto emit = [&](const std::string& text, int32_t token) {
    result.text += text;
    return !on_text || text.empty() || on_text(text, token);
  };
  int64_t pos = prompt_len;
  for (int n = 0; n < request.max_tokens && pos < total; ++n) {
    const bool eog_allowed = !request.ignore_eos && n >= request.min_tokens;
    if (!eog_allowed) {
      for (int32_t id = 0; id < tokenizer.vocab_size(); ++id) {
        if (tokenizer.IsEog(id)) logits[static_cast<size_t>(id)] = -INFINITY;
      }
    }
    const int32_t token = sampler.Sample(logits);
    if (eog_allowed && tokenizer.IsEog(token)) {
      result.finish = FinishReason::kStop;
      break;
    }
    sampler.Accept(token);
    result.tokens.push_back(token);
    if (!emit(stops.Push(decoder.Push(token)), token)) {
      result.finish = FinishReason::kCancelled;
      break;
    }
    if (stops.stopped()) {
      result.finish = FinishReason::kStop;
      break;
    }
    BatchToken next{token, pos++, seq, true};
    logits.clear();
    SAVOIR_RETURN_IF_ERROR(model.Forward({&next, 1}, cache, pool, logits));
  }
  if (!stops.stopped() && result.finish != FinishReason::kCancelled) {
    emit(stops.Push(decoder.Finish()) + stops.Flush(), -1);
  }
  result.decode_seconds = SecondsSince(start);
  return result;
}

}  // namespace savoir::engine
