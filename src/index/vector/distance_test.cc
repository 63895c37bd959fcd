#include "index/vector/distance.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <random>
#include <vector>

namespace savoir::index {
namespace {

constexpr size_t kLengths[] = {0,  1,   3,   7,   8,   15,  16,  17,  31,  32,  33,  63,   64,
                               65, 100, 127, 128, 129, 255, 256, 383, 384, 385, 768, 1000, 4096};

class KernelTest : public ::testing::TestWithParam<KernelLevel> {
 protected:
  void SetUp() override {
    StatusOr<DistanceKernels> k = KernelsFor(GetParam());
    if (!k.ok()) GTEST_SKIP() << k.status().ToString();
    kernels_ = *k;
    StatusOr<DistanceKernels> ref = KernelsFor(KernelLevel::kScalar);
    ASSERT_TRUE(ref.ok());
    reference_ = *ref;
  }

  DistanceKernels kernels_;
  DistanceKernels reference_;
  std::mt19937_64 rng_{42};
};

TEST_P(KernelTest, DotU8S8IsExact) {
  std::uniform_int_distribution<int> byte(0, 255);
  for (size_t n : kLengths) {
    for (size_t misalign : {0, 1, 5}) {
      std::vector<uint8_t> a(n + misalign);
      std::vector<int8_t> b(n + misalign);
      for (auto& x : a) x = static_cast<uint8_t>(byte(rng_));
      for (auto& x : b) x = static_cast<int8_t>(byte(rng_) - 128);
      EXPECT_EQ(kernels_.dot_u8s8(a.data() + misalign, b.data() + misalign, n),
                reference_.dot_u8s8(a.data() + misalign, b.data() + misalign, n))
          << "n=" << n << " misalign=" << misalign;
    }
  }
}

TEST_P(KernelTest, DotU8S8ExtremesDoNotSaturate) {
  // 255 * -128 and 255 * 127 in every lane: the AVX2 byte multiply-add would saturate here.
  for (size_t n : kLengths) {
    std::vector<uint8_t> a(n, 255);
    std::vector<int8_t> lo(n, -128);
    std::vector<int8_t> hi(n, 127);
    EXPECT_EQ(kernels_.dot_u8s8(a.data(), lo.data(), n), -255 * 128 * static_cast<int32_t>(n));
    EXPECT_EQ(kernels_.dot_u8s8(a.data(), hi.data(), n), 255 * 127 * static_cast<int32_t>(n));
  }
}

// Normalised squared error against the scalar reference, scaled by the sum of |terms| so that
// cancellation in the sum does not inflate it.
void ExpectCloseToReference(double got, double want, size_t n, double magnitude) {
  const double err = (got - want) * (got - want) / (magnitude * magnitude + 1e-30);
  EXPECT_LT(err, 1e-10) << "n=" << n << " got=" << got << " want=" << want;
}

TEST_P(KernelTest, DotU8F32MatchesReference) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t n : kLengths) {
    std::vector<uint8_t> a(n + 1);
    std::vector<float> b(n + 1);
    for (auto& x : a) x = static_cast<uint8_t>(byte(rng_));
    for (auto& x : b) x = normal(rng_);
    double magnitude = 0;
    for (size_t i = 0; i < n; ++i) magnitude += std::fabs((a[i + 1] - 128.0) * b[i + 1]);
    ExpectCloseToReference(kernels_.dot_u8f32(a.data() + 1, b.data() + 1, n),
                           reference_.dot_u8f32(a.data() + 1, b.data() + 1, n), n, magnitude);
  }
}

TEST_P(KernelTest, DotF32MatchesReference) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t n : kLengths) {
    std::vector<float> a(n + 1);
    std::vector<float> b(n + 1);
    for (auto& x : a) x = normal(rng_);
    for (auto& x : b) x = normal(rng_);
    double magnitude = 0;
    for (size_t i = 0; i < n; ++i) magnitude += std::fabs(a[i + 1] * b[i + 1]);
    ExpectCloseToReference(kernels_.dot_f32(a.data() + 1, b.data() + 1, n),
                           reference_.dot_f32(a.data() + 1, b.data() + 1, n), n, magnitude);
  }
}

TEST_P(KernelTest, ReportsItsLevel) { EXPECT_EQ(kernels_.level, GetParam()); }

INSTANTIATE_TEST_SUITE_P(AllLevels, KernelTest,
                         ::testing::Values(KernelLevel::kScalar, KernelLevel::kAvx2,
                                           KernelLevel::kAvx512, KernelLevel::kAvx512Vnni),
                         [](const auto& info) { return std::string(KernelLevelName(info.param)); });

TEST(KernelDispatchTest, ScalarIsAlwaysSupported) {
  EXPECT_TRUE(CpuSupports(KernelLevel::kScalar));
  ASSERT_FALSE(SupportedKernelLevels().empty());
  EXPECT_EQ(SupportedKernelLevels().front(), KernelLevel::kScalar);
}

TEST(KernelDispatchTest, NamesRoundTrip) {
  for (KernelLevel level :
       {KernelLevel::kScalar, KernelLevel::kAvx2, KernelLevel::kAvx512, KernelLevel::kAvx512Vnni}) {
    StatusOr<KernelLevel> parsed = ParseKernelLevel(KernelLevelName(level));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, level);
  }
  EXPECT_EQ(*ParseKernelLevel("AVX2"), KernelLevel::kAvx2);
  EXPECT_EQ(ParseKernelLevel("sse9").status().code(), StatusCode::kInvalidArgument);
}

TEST(KernelDispatchTest, UnsupportedLevelIsAnError) {
  for (KernelLevel level : {KernelLevel::kAvx2, KernelLevel::kAvx512, KernelLevel::kAvx512Vnni}) {
    EXPECT_EQ(KernelsFor(level).ok(), CpuSupports(level));
    if (!CpuSupports(level)) {
      EXPECT_EQ(KernelsFor(level).status().code(), StatusCode::kFailedPrecondition);
    }
  }
}

TEST(KernelDispatchTest, EnvironmentOverride) {
  const char* saved = getenv("SAVOIR_KERNELS");
  const std::string restore = saved != nullptr ? saved : "";
  setenv("SAVOIR_KERNELS", "scalar", 1);
  StatusOr<DistanceKernels> scalar = KernelsFromEnvironment();
  setenv("SAVOIR_KERNELS", "nonsense", 1);
  StatusOr<DistanceKernels> bad = KernelsFromEnvironment();
  unsetenv("SAVOIR_KERNELS");
  StatusOr<DistanceKernels> best = KernelsFromEnvironment();
  if (saved != nullptr) setenv("SAVOIR_KERNELS", restore.c_str(), 1);

  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->level, KernelLevel::kScalar);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->level, SupportedKernelLevels().back());
}

}  // namespace
}  // namespace savoir::index
