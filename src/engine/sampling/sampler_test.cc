#include "engine/sampling/sampler.h"

#include <cmath>
#include <map>

#include <gtest/gtest.h>

namespace savoir::engine {
namespace {

TEST(SamplerTest, GreedyTakesArgmaxAndLowestIdOnTies) {
  Sampler s(SamplingParams::Greedy());
  std::vector<float> logits = {0.1f, 2.0f, 2.0f, -1.0f};
  EXPECT_EQ(s.Sample(logits), 1);
}

TEST(SamplerTest, SameSeedSameTokensDifferentSeedDiffers) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  std::vector<float> base(50);
  for (size_t i = 0; i < base.size(); ++i) base[i] = std::sin(static_cast<float>(i));
  auto draw = [&](uint64_t seed) {
    p.seed = seed;
    Sampler s(p);
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) {
      std::vector<float> logits = base;
      out.push_back(s.Sample(logits));
    }
    return out;
  };
  EXPECT_EQ(draw(7), draw(7));
  EXPECT_NE(draw(7), draw(8));
}

TEST(SamplerTest, TopKOneIsGreedy) {
  SamplingParams p;
  p.temperature = 5.0f;
  p.top_k = 1;
  Sampler s(p);
  for (int i = 0; i < 20; ++i) {
    std::vector<float> logits = {0.0f, 0.5f, 3.0f, 2.9f};
    EXPECT_EQ(s.Sample(logits), 2);
  }
}

TEST(SamplerTest, TopPKeepsOnlyTheNucleus) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.min_p = 0.0f;
  p.top_p = 0.5f;
  Sampler s(p);
  // Token 0 holds ~0.84 of the mass: the nucleus for 0.5 is {0} alone.
  for (int i = 0; i < 50; ++i) {
    std::vector<float> logits = {3.0f, 1.0f, 0.5f, 0.0f};
    EXPECT_EQ(s.Sample(logits), 0);
  }
}

TEST(SamplerTest, MinPDropsUnlikelyTokens) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.5f;  // keeps tokens with p >= 0.5 * p_max
  Sampler s(p);
  std::map<int32_t, int> seen;
  for (int i = 0; i < 200; ++i) {
    std::vector<float> logits = {2.0f, 2.0f - 0.5f, -5.0f};
    ++seen[s.Sample(logits)];
  }
  EXPECT_EQ(seen.count(2), 0u);
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
}

TEST(SamplerTest, DistributionFollowsSoftmax) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  Sampler s(p);
  int ones = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    std::vector<float> logits = {0.0f, std::log(3.0f)};  // p(1) = 0.75
    ones += s.Sample(logits) == 1;
  }
  EXPECT_NEAR(static_cast<double>(ones) / n, 0.75, 0.02);
}

TEST(SamplerTest, PenaltiesFollowLlamaCppAndOpenAi) {
  SamplingParams p = SamplingParams::Greedy();
  p.repetition_penalty = 2.0f;
  p.frequency_penalty = 0.5f;
  p.presence_penalty = 0.25f;
  Sampler s(p);
  s.Accept(0);
  s.Accept(0);
  s.Accept(1);
  std::vector<float> logits = {4.0f, -1.0f, 1.0f};
  s.Sample(logits);
  EXPECT_FLOAT_EQ(logits[0], 4.0f / 2 - 2 * 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(logits[1], -1.0f * 2 - 1 * 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(logits[2], 1.0f);
}

TEST(SamplerTest, PenaltyWindowForgetsOldTokens) {
  SamplingParams p = SamplingParams::Greedy();
  p.presence_penalty = 1.0f;
  p.penalty_last_n = 2;
  Sampler s(p);
  s.Accept(0);
  s.Accept(1);
  s.Accept(2);  // token 0 leaves the window
  std::vector<float> logits = {0.0f, 0.0f, 0.0f};
  s.Sample(logits);
  EXPECT_FLOAT_EQ(logits[0], 0.0f);
  EXPECT_FLOAT_EQ(logits[1], -1.0f);
}

TEST(SamplerTest, TopLogprobsAreNormalisedAndSorted) {
  std::vector<float> logits = {1.0f, 3.0f, 2.0f};
  auto top = Sampler::TopLogprobs(logits, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].id, 1);
  EXPECT_EQ(top[1].id, 2);
  double z = std::exp(1.0) + std::exp(3.0) + std::exp(2.0);
  EXPECT_NEAR(top[0].logprob, 3.0 - std::log(z), 1e-5);
}

TEST(SamplerTest, ValidationNamesTheParameter) {
  SamplingParams p;
  p.top_p = 0.0f;
  Status s = ValidateSamplingParams(p);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("top_p"), std::string::npos);
  p = SamplingParams();
  p.temperature = -1.0f;
  EXPECT_NE(ValidateSamplingParams(p).message().find("temperature"), std::string::npos);
  EXPECT_TRUE(ValidateSamplingParams(SamplingParams()).ok());
}

}  // namespace
}  // namespace savoir::engine
