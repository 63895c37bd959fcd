// Token sampling: turns a row of logits into the next token id.
//
// A Sampler applies, in llama.cpp's order: repetition / frequency / presence penalties over
// the recent tokens, then (unless greedy) top-k, top-p (nucleus), min-p and temperature, then
// draws from the remaining distribution with its own seeded generator. The same seed and the
// same logits give the same tokens, on any machine.
//
// Greedy decoding (temperature 0) takes the highest logit after penalties; ties go to the
// lower id, as llama.cpp's argmax does.
//
// Thread safety: a Sampler belongs to one sequence; it is not thread-safe.
#ifndef SAVOIR_ENGINE_SAMPLING_SAMPLER_H_
#define SAVOIR_ENGINE_SAMPLING_SAMPLER_H_

#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <vector>

#include "base/status.h"

namespace savoir::engine {

struct SamplingParams {
  float temperature = 0.8f;   // 0: greedy
  int top_k = 40;             // 0 or less: disabled
  float top_p = 0.95f;        // 1: disabled
  float min_p = 0.05f;        // 0: disabled
  float repetition_penalty = 1.0f;  // 1: disabled (llama.cpp's repeat_penalty)
  float frequency_penalty = 0.0f;   // OpenAI semantics: minus count * penalty
  float presence_penalty = 0.0f;    // OpenAI semantics: minus penalty if seen
  int penalty_last_n = 64;          // how many recent tokens the penalties look at; -1: all
  uint64_t seed = 0xC0FFEE;

  // Greedy settings: what `savoir generate` uses with --temp 0.
  static SamplingParams Greedy() {
    SamplingParams p;
    p.temperature = 0.0f;
    return p;
  }
};

// Checks ranges (temperature ≥ 0, 0 < top_p ≤ 1, 0 ≤ min_p ≤ 1, penalties in OpenAI's
// [-2, 2], repetition_penalty > 0). Errors are INVALID_ARGUMENT naming the parameter.
Status ValidateSamplingParams(const SamplingParams& params);

struct TokenProbability {
  int32_t id;
  float logprob;  // natural log of the probability after penalties and temperature
};

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params);

  // Picks the next token from `logits` (one per vocabulary entry). `logits` is modified in
  // place by the penalties. Does not record the token: call Accept() with what is finally
  // appended (a constrained decoder may override the choice).
  int32_t Sample(std::span<float> logits);

  // Records a token of the sequence (prompt or generated) for the penalties.
  void Accept(int32_t token);

  // Top `n` candidates by probability of the full softmax of `logits` (after penalties),
  // for OpenAI's logprobs. Must be called after Sample() on the same row.
  static std::vector<TokenProbability> TopLogprobs(std::span<const float> logits, int n);

  const SamplingParams& params() const { return params_; }

 private:
  void ApplyPenalties(std::span<float> logits) const;

  SamplingParams params_;
  std::mt19937_64 rng_;
  std::deque<int32_t> recent_;  // last penalty_last_n accepted tokens
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_SAMPLING_SAMPLER_H_
