#include "index/vector/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "index/vector/distance.h"

namespace savoir::index {
namespace {

TEST(QuantizeTest, CodesReconstructWithinHalfAStep) {
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<float> x(384);
  for (auto& v : x) v = normal(rng);
  std::vector<uint8_t> codes(x.size());
  const float scale = QuantizeToOffsetCodes(x.data(), x.size(), codes.data());
  ASSERT_GT(scale, 0.0f);
  int extremes = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const int q = codes[i] - kCodeOffset;
    ASSERT_GE(q, -127);
    ASSERT_LE(q, 127);
    EXPECT_LE(std::fabs(q * scale - x[i]), scale * 0.5001f) << i;
    extremes += std::abs(q) == 127;
  }
  EXPECT_GE(extremes, 1);  // The largest component maps to +-127.
}

TEST(QuantizeTest, SignedAndOffsetCodesAgree) {
  const std::vector<float> x = {0.5f, -0.25f, 0.0f, 1.0f, -1.0f, 0.125f};
  std::vector<uint8_t> offset(x.size());
  std::vector<int8_t> signed_codes(x.size());
  std::vector<int8_t> converted(x.size());
  int32_t sum = 0;
  const float s1 = QuantizeToOffsetCodes(x.data(), x.size(), offset.data());
  const float s2 = QuantizeToSignedCodes(x.data(), x.size(), signed_codes.data(), &sum);
  EXPECT_EQ(s1, s2);
  EXPECT_EQ(OffsetToSignedCodes(offset.data(), x.size(), converted.data()), sum);
  EXPECT_EQ(converted, signed_codes);
  EXPECT_EQ(signed_codes[3], 127);
  EXPECT_EQ(signed_codes[4], -127);
  EXPECT_EQ(signed_codes[2], 0);
}

TEST(QuantizeTest, ZeroVectorHasZeroScale) {
  const std::vector<float> x(16, 0.0f);
  std::vector<uint8_t> codes(x.size());
  EXPECT_EQ(QuantizeToOffsetCodes(x.data(), x.size(), codes.data()), 0.0f);
  for (uint8_t c : codes) EXPECT_EQ(c, kCodeOffset);
}

TEST(QuantizeTest, OffsetIdentityGivesTheSignedDotProduct) {
  // sum (u - 128) * p == DotU8S8(u, p) - 128 * sum p, the identity the index scores with.
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> a(384);
  std::vector<float> b(384);
  for (auto& v : a) v = normal(rng);
  for (auto& v : b) v = normal(rng);
  std::vector<uint8_t> ua(a.size());
  std::vector<int8_t> sa(a.size());
  std::vector<int8_t> sb(b.size());
  QuantizeToOffsetCodes(a.data(), a.size(), ua.data());
  int32_t sum_b = 0;
  QuantizeToSignedCodes(b.data(), b.size(), sb.data(), &sum_b);
  OffsetToSignedCodes(ua.data(), ua.size(), sa.data());
  int32_t direct = 0;
  for (size_t i = 0; i < a.size(); ++i) direct += sa[i] * sb[i];
  const DistanceKernels k = *KernelsFor(KernelLevel::kScalar);
  EXPECT_EQ(k.dot_u8s8(ua.data(), sb.data(), ua.size()) - kCodeOffset * sum_b, direct);
}

TEST(QuantizeTest, NormalizeL2) {
  std::vector<float> x = {3.0f, 4.0f};
  ASSERT_TRUE(NormalizeL2(x.data(), x.size()));
  EXPECT_FLOAT_EQ(x[0], 0.6f);
  EXPECT_FLOAT_EQ(x[1], 0.8f);
  std::vector<float> zero = {0.0f, 0.0f};
  EXPECT_FALSE(NormalizeL2(zero.data(), zero.size()));
  const std::vector<float> bad = {1.0f, NAN};
  EXPECT_FALSE(AllFinite(bad.data(), bad.size()));
  EXPECT_TRUE(AllFinite(x.data(), x.size()));
}

}  // namespace
}  // namespace savoir::index
