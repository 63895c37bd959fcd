// Text generation for one sequence: prompt in, streamed text out.
//
// Generate() prefills the prompt in chunks (a matrix-matrix pass per chunk, not token by token),
// then samples one token per step until max_tokens, an end-of-generation token (unless
// ignore_eos) or a stop string. Text is streamed through a callback as whole UTF-8 characters
// with stop strings held back. This is what `savoir generate` runs; the serving scheduler
// (many sequences at once) builds on the same pieces.
//
// Thread safety: one call at a time per ThreadPool.
#ifndef SAVOIR_ENGINE_GENERATE_GENERATOR_H_
#define SAVOIR_ENGINE_GENERATE_GENERATOR_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/model/decoder_model.h"
#include "engine/sampling/sampler.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {

enum class FinishReason { kStop, kLength, kCancelled };

struct GenerationRequest {
  std::vector<int32_t> prompt;  // token ids, BOS included if wanted
  int max_tokens = 128;
  int min_tokens = 0;        // end-of-generation tokens are ignored before this many
  bool ignore_eos = false;   // never stop on end-of-generation tokens
  std::vector<std::string> stop;
  SamplingParams sampling;
  int64_t context = 0;       // KV positions to allow; 0: the model's training context
  int prefill_chunk = 512;   // prompt tokens per forward pass
};

struct GenerationResult {
  std::vector<int32_t> tokens;  // generated ids (stop strings included, EOG excluded)
  std::string text;             // streamed text, stop string excluded
  FinishReason finish = FinishReason::kLength;
  double prefill_seconds = 0;
  double decode_seconds = 0;
};

// Receives each new piece of text and the token that completed it; returns false to cancel.
using TokenCallback = std::function<bool(std::string_view text, int32_t token)>;

// Errors: INVALID_ARGUMENT for an empty prompt, a prompt that leaves no room in the context
// ("prompt of N tokens does not fit the context of M"), or bad sampling parameters.
StatusOr<GenerationResult> Generate(const DecoderModel& model, const Tokenizer& tokenizer,
                                    ThreadPool& pool, const GenerationRequest& request,
                                    const TokenCallback& on_text = nullptr);

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_GENERATE_GENERATOR_H_
