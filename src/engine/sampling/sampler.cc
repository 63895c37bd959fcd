#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace savoir::engine {
namespace {

struct Candidate {
  int32_t id;
  float logit;
  float p;
};

int32_t Argmax(std::span<const float> logits) {
  int32_t best = 0;
  for (size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = static_cast<int32_t>(i);
  }
  return best;
}

// Sorts candidates by logit (descending, ties by id) and fills normalised probabilities.
void SortAndSoftmax(std::vector<Candidate>& cands) {
  std::sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
  });
  float max_logit = cands.front().logit;
  double sum = 0;
  for (Candidate& c : cands) {
    c.p = std::exp(c.logit - max_logit);
    sum += c.p;
  }
  for (Candidate& c : cands) c.p = static_cast<float>(c.p / sum);
}

// Keeps the smallest prefix whose probability mass reaches `top_p` (at least one token).
void KeepTopP(std::vector<Candidate>& cands, float top_p) {
  if (top_p >= 1.0f) return;
  double cum = 0;
  size_t keep = cands.size();
  for (size_t i = 0; i < cands.size(); ++i) {
    cum += cands[i].p;
    if (cum >= top_p) {
      keep = i + 1;
      break;
    }
  }
  cands.resize(keep);
}

// Drops tokens whose probability is below min_p times the best token's.
void KeepMinP(std::vector<Candidate>& cands, float min_p) {
  if (min_p <= 0.0f) return;
  float threshold = cands.front().p * min_p;
  size_t keep = 1;
  while (keep < cands.size() && cands[keep].p >= threshold) ++keep;
  cands.resize(keep);
}

}  // namespace

Status ValidateSamplingParams(const SamplingParams& p) {
  if (!(p.temperature >= 0.0f) || p.temperature > 100.0f) {
    return InvalidArgumentError("temperature must be between 0 and 100, got {}", p.temperature);
  }
  if (!(p.top_p > 0.0f && p.top_p <= 1.0f)) {
    return InvalidArgumentError("top_p must be in (0, 1], got {}", p.top_p);
  }
  if (!(p.min_p >= 0.0f && p.min_p <= 1.0f)) {
    return InvalidArgumentError("min_p must be in [0, 1], got {}", p.min_p);
  }
  if (!(p.frequency_penalty >= -2.0f && p.frequency_penalty <= 2.0f)) {
    return InvalidArgumentError("frequency_penalty must be in [-2, 2], got {}",
                                p.frequency_penalty);
  }
  if (!(p.presence_penalty >= -2.0f && p.presence_penalty <= 2.0f)) {
    return InvalidArgumentError("presence_penalty must be in [-2, 2], got {}", p.presence_penalty);
  }
  if (!(p.repetition_penalty > 0.0f)) {
    return InvalidArgumentError("repetition_penalty must be positive, got {}",
                                p.repetition_penalty);
  }
  if (p.penalty_last_n < -1) {
    return InvalidArgumentError("penalty_last_n must be -1 or more, got {}", p.penalty_last_n);
  }
  return OkStatus();
}

Sampler::Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {}

void Sampler::Accept(int32_t token) {
  if (params_.penalty_last_n == 0) return;
  recent_.push_back(token);
  if (params_.penalty_last_n > 0 && recent_.size() > static_cast<size_t>(params_.penalty_last_n)) {
    recent_.pop_front();
  }
}

void Sampler::ApplyPenalties(std::span<float> logits) const {
  bool any = params_.repetition_penalty != 1.0f || params_.frequency_penalty != 0.0f ||
             params_.presence_penalty != 0.0f;
  if (!any || recent_.empty()) return;
  std::unordered_map<int32_t, int> counts;
  for (int32_t t : recent_) ++counts[t];
  for (auto [id, count] : counts) {
    if (id < 0 || static_cast<size_t>(id) >= logits.size()) continue;
    float& l = logits[static_cast<size_t>(id)];
    l = l <= 0.0f ? l * params_.repetition_penalty : l / params_.repetition_penalty;
    l -= static_cast<float>(count) * params_.frequency_penalty + params_.presence_penalty;
  }
}

int32_t Sampler::Sample(std::span<float> logits) {
  ApplyPenalties(logits);
  if (params_.temperature <= 0.0f) return Argmax(logits);

  std::vector<Candidate> cands;
  cands.reserve(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    cands.push_back({static_cast<int32_t>(i), logits[i], 0.0f});
  }
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < cands.size()) {
    auto by_logit = [](const Candidate& a, const Candidate& b) {
      return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
    };
    std::partial_sort(cands.begin(), cands.begin() + params_.top_k, cands.end(), by_logit);
    cands.resize(static_cast<size_t>(params_.top_k));
  }
  SortAndSoftmax(cands);
  KeepTopP(cands, params_.top_p);
  KeepMinP(cands, params_.min_p);
  for (Candidate& c : cands) c.logit /= params_.temperature;
  SortAndSoftmax(cands);

  // Uniform double in [0, 1) from 53 random bits: portable, unlike std::*_distribution.
  double u = static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
  double cum = 0;
  for (const Candidate& c : cands) {
    cum += c.p;
    if (u < cum) return c.id;
  }
  return cands.back().id;
}

std::vector<TokenProbability> Sampler::TopLogprobs(std::span<const float> logits, int n) {
  float max_logit = -std::numeric_limits<float>::infinity();
  for (float l : logits) max_logit = std::max(max_logit, l);
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l - max_logit));
  float log_z = max_logit + static_cast<float>(std::log(sum));
  std::vector<TokenProbability> all;
  all.reserve(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    all.push_back({static_cast<int32_t>(i), logits[i] - log_z});
  }
  size_t k = std::min(all.size(), static_cast<size_t>(std::max(n, 0)));
  std::partial_sort(all.begin(), all.begin() + static_cast<ptrdiff_t>(k), all.end(),
                    [](const TokenProbability& a, const TokenProbability& b) {
                      return a.logprob != b.logprob ? a.logprob > b.logprob : a.id < b.id;
                    });
  all.resize(k);
  return all;
}

}  // namespace savoir::engine
