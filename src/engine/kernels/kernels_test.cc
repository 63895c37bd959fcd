#include "engine/kernels/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "engine/kernels/kernels_internal.h"

namespace savoir::engine::kernels {
namespace {

using T = TensorType;

// Weight types with kernels, and every type that has a quantizer.
const std::vector<T> kComputeTypes = {T::kF32,  T::kF16,  T::kBF16, T::kQ4_0, T::kQ4_1, T::kQ5_0,
                                      T::kQ5_1, T::kQ8_0, T::kQ4_K, T::kQ5_K, T::kQ6_K};
const std::vector<T> kActivationTypes = {T::kQ8_0, T::kQ8_1, T::kQ8_K};

double Nmse(const std::vector<float>& got, const std::vector<float>& want) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    err += (static_cast<double>(got[i]) - want[i]) * (static_cast<double>(got[i]) - want[i]);
    norm += static_cast<double>(want[i]) * want[i];
  }
  return norm > 0 ? err / norm : err;
}

std::vector<float> RandomVector(size_t n, uint32_t seed, float stddev = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// ggml's test-quantize-fns data: 0.1 + 2 cos(i + offset).
std::vector<float> CosineData(size_t n, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = 0.1f + 2 * std::cos(static_cast<float>(i) + offset);
  return v;
}

std::vector<uint8_t> QuantizeRows(const KernelTable& table, T type, const std::vector<float>& x,
                                  int64_t rows, int64_t cols) {
  const size_t row_bytes = RowBytes(type, static_cast<size_t>(cols));
  std::vector<uint8_t> out(row_bytes * static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    KernelsFor(table, type).quantize_row(x.data() + r * cols, out.data() + r * row_bytes, cols);
  }
  return out;
}

std::vector<float> Dequantize(const KernelTable& table, T type, const std::vector<uint8_t>& q,
                              int64_t n) {
  std::vector<float> out(static_cast<size_t>(n));
  KernelsFor(table, type).dequantize_row(q.data(), out.data(), n);
  return out;
}

std::string TypeName(T type) { return std::string(TensorTypeName(type)); }

// ---------------------------------------------------------------------------------------------
// Level selection.

TEST(KernelLevelTest, ParsesNamesAndRejectsOthers) {
  EXPECT_EQ(ParseKernelLevel("AVX2").value(), KernelLevel::kAvx2);
  EXPECT_EQ(ParseKernelLevel("scalar").value(), KernelLevel::kScalar);
  EXPECT_EQ(ParseKernelLevel("avx512").value(), KernelLevel::kAvx512);
  EXPECT_EQ(ParseKernelLevel("sse9").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SelectKernelLevel("bogus").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SelectKernelLevel("scalar").value(), KernelLevel::kScalar);
  EXPECT_EQ(SelectKernelLevel("").value(), DetectKernelLevel());
  EXPECT_EQ(SelectKernelLevel(nullptr).value(), DetectKernelLevel());
  EXPECT_TRUE(IsKernelLevelSupported(KernelLevel::kScalar));
  EXPECT_TRUE(IsKernelLevelSupported(DetectKernelLevel()));
}

TEST(KernelLevelTest, SelectedLevelHonoursEnvironment) {
  const char* forced = std::getenv("SAVOIR_KERNELS");
  StatusOr<KernelLevel> level = SelectKernelLevel();
  if (forced == nullptr || forced[0] == '\0') {
    EXPECT_EQ(level.value(), DetectKernelLevel());
    return;
  }
  StatusOr<KernelLevel> parsed = ParseKernelLevel(forced);
  ASSERT_TRUE(parsed.ok());
  if (!IsKernelLevelSupported(*parsed)) {
    EXPECT_EQ(level.status().code(), StatusCode::kFailedPrecondition);
    GTEST_SKIP() << "this cpu cannot run " << forced;
  }
  EXPECT_EQ(level.value(), *parsed);
  EXPECT_EQ(GetKernelTable(*level).level, *parsed);
}

// ---------------------------------------------------------------------------------------------
// Half and bfloat16 conversions.

TEST(HalfTest, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(f))));
      continue;
    }
    ASSERT_EQ(FloatToHalf(f), h) << std::hex << h;
  }
}

TEST(HalfTest, KnownValuesAndRounding) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(0.5f), 0x3800);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // ties to even overflows to infinity
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie, to even
  EXPECT_EQ(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie, to even
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001);             // smallest subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);             // tie, to even (zero)
  EXPECT_EQ(FloatToHalf(3 * std::ldexp(1.0f, -25)), 0x0002);         // tie, to even
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(HalfToFloat(0x0200), std::ldexp(1.0f, -15));
}

TEST(BFloat16Test, KnownValuesAndRounding) {
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(BFloat16ToFloat(0xc040), -3.0f);
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);      // tie, to even
  EXPECT_EQ(FloatToBFloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);  // tie, to even
  EXPECT_EQ(FloatToBFloat16(1.0f + std::ldexp(1.0f, -7)), 0x3f81);      // exact
  EXPECT_TRUE(std::isnan(BFloat16ToFloat(FloatToBFloat16(NAN))));
}

// ---------------------------------------------------------------------------------------------
// Dequantization of hand-built blocks.

const KernelTable& Scalar() { return GetKernelTable(KernelLevel::kScalar); }

template <typename Block>
std::vector<uint8_t> Bytes(const Block& block) {
  std::vector<uint8_t> bytes(sizeof(Block));
  std::memcpy(bytes.data(), &block, sizeof(Block));
  return bytes;
}

TEST(KnownBlockTest, Q8_0) {
  // d = 0x4000 (2.0), qs = {-128?} no: qs[j] = j - 16.
  std::vector<uint8_t> b = {0x00, 0x40};
  for (int j = 0; j < 32; ++j) b.push_back(static_cast<uint8_t>(j - 16));
  const std::vector<float> x = Dequantize(Scalar(), T::kQ8_0, b, 32);
  EXPECT_EQ(x[0], -32.0f);
  EXPECT_EQ(x[16], 0.0f);
  EXPECT_EQ(x[31], 30.0f);
}

TEST(KnownBlockTest, Q4_0) {
  // d = 0x3800 (0.5); qs[0] = 0x1F: element 0 = (15 - 8) * 0.5, element 16 = (1 - 8) * 0.5.
  std::vector<uint8_t> b = {0x00, 0x38, 0x1F, 0x80};
  b.resize(18, 0x88);  // elements 2..15 and 18..31 are 0
  const std::vector<float> x = Dequantize(Scalar(), T::kQ4_0, b, 32);
  EXPECT_EQ(x[0], 3.5f);
  EXPECT_EQ(x[16], -3.5f);
  EXPECT_EQ(x[1], -4.0f);  // low nibble 0 -> -8 * 0.5
  EXPECT_EQ(x[17], 0.0f);  // high nibble 8
  EXPECT_EQ(x[5], 0.0f);
}

TEST(KnownBlockTest, Q4_1) {
  // d = 1.0 (0x3c00), m = -2.0 (0xc000); qs[3] = 0xA5: element 3 = 5 - 2, element 19 = 10 - 2.
  std::vector<uint8_t> b = {0x00, 0x3c, 0x00, 0xc0, 0, 0, 0, 0xA5};
  b.resize(20, 0);
  const std::vector<float> x = Dequantize(Scalar(), T::kQ4_1, b, 32);
  EXPECT_EQ(x[3], 3.0f);
  EXPECT_EQ(x[19], 8.0f);
  EXPECT_EQ(x[0], -2.0f);
}

TEST(KnownBlockTest, Q5_0) {
  // d = 1.0; qh = bit 1 and bit 17 set; qs[1] = 0x3F.
  // element 1 = (0xF | 16) - 16 = 15; element 17 = (3 | 16) - 16 = 3; element 0 = -16.
  std::vector<uint8_t> b = {0x00, 0x3c, 0x02, 0x00, 0x02, 0x00, 0x00, 0x3F};
  b.resize(22, 0);
  const std::vector<float> x = Dequantize(Scalar(), T::kQ5_0, b, 32);
  EXPECT_EQ(x[1], 15.0f);
  EXPECT_EQ(x[17], 3.0f);
  EXPECT_EQ(x[0], -16.0f);
  EXPECT_EQ(x[16], -16.0f);
}

TEST(KnownBlockTest, Q5_1) {
  // d = 0.5, m = 1.0; qh bit 31 set; qs[15] = 0xF0: element 31 = (15 | 16) * 0.5 + 1 = 16.5.
  std::vector<uint8_t> b = {0x00, 0x38, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x80};
  b.resize(24, 0);
  b[8 + 15] = 0xF0;
  const std::vector<float> x = Dequantize(Scalar(), T::kQ5_1, b, 32);
  EXPECT_EQ(x[31], 16.5f);
  EXPECT_EQ(x[15], 1.0f);
}

TEST(KnownBlockTest, Q4_K) {
  BlockQ4K b{};
  b.d = 0x3c00;     // 1.0
  b.dmin = 0x3800;  // 0.5
  // Sub-block 0: scale 3, min 4 (bytes 0 and 4). Sub-block 5: scale = (scales[9] & 0xF) |
  // (scales[1] >> 6) << 4 = 2 | 16 = 18, min = (scales[9] >> 4) | (scales[5] >> 6) << 4 = 1.
  b.scales[0] = 3;
  b.scales[4] = 4;
  b.scales[9] = 0x12;
  b.scales[1] = 0x40;
  b.qs[0] = 0x07;       // element 0 (sub-block 0, low nibble) = 7
  b.qs[64 + 2] = 0x90;  // element 160 + 2 (sub-block 5 = chunk 2, high nibble) = 9
  const std::vector<float> x = Dequantize(Scalar(), T::kQ4_K, Bytes(b), 256);
  EXPECT_EQ(x[0], 1.0f * 3 * 7 - 0.5f * 4);
  EXPECT_EQ(x[1], -2.0f);
  EXPECT_EQ(x[162], 1.0f * 18 * 9 - 0.5f * 1);
  EXPECT_EQ(x[161], -0.5f);
}

TEST(KnownBlockTest, Q5_K) {
  BlockQ5K b{};
  b.d = 0x4000;     // 2.0
  b.dmin = 0x0000;  // 0
  b.scales[3] = 5;  // sub-block 3 (chunk 1, high nibbles): scale 5
  b.qs[32 + 4] = 0x60;
  b.qh[4] = 1 << 3;  // fifth bit of chunk 1 high nibbles, l = 4
  const std::vector<float> x = Dequantize(Scalar(), T::kQ5_K, Bytes(b), 256);
  EXPECT_EQ(x[96 + 4], 2.0f * 5 * (6 + 16));
  EXPECT_EQ(x[64 + 4], 0.0f);  // scale of sub-block 2 is 0
}

TEST(KnownBlockTest, Q6_K) {
  BlockQ6K b{};
  b.d = 0x3800;  // 0.5
  for (int j = 0; j < 16; ++j) b.scales[j] = static_cast<int8_t>(j - 8);
  // Element 200: half 1, group 2 (ql high nibble of ql[64 + 8], qh bits 4-5 of qh[32 + 8]).
  b.ql[64 + 8] = 0xA0;
  b.qh[32 + 8] = 0x30;  // high bits = 3: value = 0xA | 0x30 = 58
  // Element 0: ql[0] low nibble, qh[0] bits 0-1: leave zero: value 0 -> (0 - 32).
  const std::vector<float> x = Dequantize(Scalar(), T::kQ6_K, Bytes(b), 256);
  EXPECT_EQ(x[200], 0.5f * (12 - 8) * (58 - 32));
  EXPECT_EQ(x[0], 0.5f * -8 * -32);
}

TEST(KnownBlockTest, Q8_K) {
  BlockQ8K b{};
  b.d = 0.25f;
  b.qs[7] = -100;
  const std::vector<float> x = Dequantize(Scalar(), T::kQ8_K, Bytes(b), 256);
  EXPECT_EQ(x[7], -25.0f);
  EXPECT_EQ(x[8], 0.0f);
}

TEST(KnownBlockTest, QuantizeQ8_0ExactValues) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = -63.5f;  // rounds away from zero: -64
  x[2] = 0.5f;    // rounds away from zero: 1
  const std::vector<uint8_t> q = QuantizeRows(Scalar(), T::kQ8_0, x, 1, 32);
  const auto* b = reinterpret_cast<const BlockQ8_0*>(q.data());
  EXPECT_EQ(b->d, 0x3c00);
  EXPECT_EQ(b->qs[0], 127);
  EXPECT_EQ(b->qs[1], -64);
  EXPECT_EQ(b->qs[2], 1);
}

// ---------------------------------------------------------------------------------------------
// Quantization quality (reference quantizers), ggml's test-quantize-fns style.

// sqrt(sum of squared differences) / n, the measure test-quantize-fns uses.
double GgmlRmse(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum) / static_cast<double>(a.size());
}

double MaxRoundTripError(T type) {
  switch (type) {
    case T::kF32:
      return 0;
    case T::kQ4_0:
    case T::kQ4_1:
    case T::kQ4_K:
      return 0.002;  // ggml: MAX_QUANTIZATION_TOTAL_ERROR
    default:
      return 0.001;  // 5 bits and more must do better than the 4-bit bound
  }
}

// Normalized squared error of a round trip of N(0,1) data, about 1.3x what the reference
// quantizers reach (Q4_0 7.1e-3, Q4_1 6.0e-3, Q4_K 5.0e-3, Q5_0 1.7e-3, Q5_1 1.4e-3,
// Q5_K 1.3e-3, Q6_K 3.1e-4, Q8_0 2.7e-5, BF16 2.7e-6, F16 4.3e-8).
double MaxRandomNmse(T type) {
  switch (type) {
    case T::kQ4_0:
    case T::kQ4_1:
      return 1e-2;
    case T::kQ4_K:
      return 6.5e-3;
    case T::kQ5_0:
    case T::kQ5_1:
      return 2.3e-3;
    case T::kQ5_K:
      return 1.7e-3;
    case T::kQ6_K:
      return 4e-4;
    case T::kQ8_0:
      return 3.5e-5;
    case T::kBF16:
      return 3.5e-6;
    case T::kF16:
      return 6e-8;
    default:
      return 0;
  }
}

TEST(QuantizeQualityTest, RoundTripErrorWithinGgmlBounds) {
  const int64_t n = 32 * 128;
  const std::vector<float> x = CosineData(static_cast<size_t>(n), 0.0f);
  for (T type : kComputeTypes) {
    const std::vector<float> y =
        Dequantize(Scalar(), type, QuantizeRows(Scalar(), type, x, 1, n), n);
    const double err = GgmlRmse(x, y);
    EXPECT_LE(err, MaxRoundTripError(type)) << TypeName(type);
    // Random data too, by normalized squared error: the bounds follow the bits per weight.
    const std::vector<float> r = RandomVector(static_cast<size_t>(n), 7);
    const std::vector<float> ry =
        Dequantize(Scalar(), type, QuantizeRows(Scalar(), type, r, 1, n), n);
    const double nmse = Nmse(ry, r);
    const double bound = MaxRandomNmse(type);
    EXPECT_LE(nmse, bound) << TypeName(type);
  }
}

TEST(QuantizeQualityTest, KQuantsBeatTheirSimpleCounterparts) {
  // The K-quant searches must pay off against plain min/max coding of the same width.
  const int64_t n = 256 * 16;
  const std::vector<float> x = RandomVector(static_cast<size_t>(n), 11);
  auto error = [&](T type) {
    return Nmse(Dequantize(Scalar(), type, QuantizeRows(Scalar(), type, x, 1, n), n), x);
  };
  EXPECT_LT(error(T::kQ4_K), error(T::kQ4_1));
  EXPECT_LT(error(T::kQ5_K), error(T::kQ5_1));
}

TEST(QuantizeQualityTest, ActivationFormatsRoundTrip) {
  const int64_t n = 256 * 8;
  const std::vector<float> x = RandomVector(static_cast<size_t>(n), 3);
  for (T type : kActivationTypes) {
    const std::vector<float> y =
        Dequantize(Scalar(), type, QuantizeRows(Scalar(), type, x, 1, n), n);
    EXPECT_LE(Nmse(y, x), 1e-4) << TypeName(type);
  }
  // Q8_K block sums and Q8_1 sums describe the quants.
  const std::vector<uint8_t> qk = QuantizeRows(Scalar(), T::kQ8_K, x, 1, n);
  const auto* bk = reinterpret_cast<const BlockQ8K*>(qk.data());
  for (int j = 0; j < 16; ++j) {
    int sum = 0;
    for (int l = 0; l < 16; ++l) sum += bk->qs[16 * j + l];
    EXPECT_EQ(bk->bsums[j], sum);
  }
  const std::vector<uint8_t> q1 = QuantizeRows(Scalar(), T::kQ8_1, x, 1, n);
  const auto* b1 = reinterpret_cast<const BlockQ8_1*>(q1.data());
  int sum = 0;
  for (int l = 0; l < 32; ++l) sum += b1->qs[l];
  EXPECT_NEAR(HalfToFloat(b1->s), sum * HalfToFloat(b1->d),
              1e-3 * std::fabs(sum * HalfToFloat(b1->d)) + 1e-6);
}

TEST(QuantizeQualityTest, AllZeroBlocksStayZero) {
  const int64_t n = 512;
  const std::vector<float> zeros(static_cast<size_t>(n), 0.0f);
  for (T type : kComputeTypes) {
    const std::vector<float> y =
        Dequantize(Scalar(), type, QuantizeRows(Scalar(), type, zeros, 1, n), n);
    for (float v : y) ASSERT_EQ(v, 0.0f) << TypeName(type);
  }
}

TEST(QuantizeQualityTest, DotProductErrorWithinGgmlBound) {
  const int64_t n = 32 * 128;
  const std::vector<float> x = CosineData(static_cast<size_t>(n), 0.0f);
  const std::vector<float> y = CosineData(static_cast<size_t>(n), 1.0f);
  double exact = 0;
  for (int64_t i = 0; i < n; ++i) exact += static_cast<double>(x[i]) * y[i];
  for (T type : kComputeTypes) {
    const TypeKernels& k = KernelsFor(Scalar(), type);
    const std::vector<uint8_t> w = QuantizeRows(Scalar(), type, x, 1, n);
    const std::vector<uint8_t> a = QuantizeRows(Scalar(), k.act_type, y, 1, n);
    const double got = k.vec_dot(n, w.data(), a.data());
    EXPECT_LE(std::fabs(got - exact) / static_cast<double>(n), 0.02) << TypeName(type);
    // And exactly the dot of the dequantized rows, up to float rounding.
    const std::vector<float> wd = Dequantize(Scalar(), type, w, n);
    const std::vector<float> ad = Dequantize(Scalar(), k.act_type, a, n);
    double deq = 0;
    for (int64_t i = 0; i < n; ++i) deq += static_cast<double>(wd[i]) * ad[i];
    EXPECT_NEAR(got, deq, 1e-4 * std::fabs(deq) + 1e-3) << TypeName(type);
  }
}

// ---------------------------------------------------------------------------------------------
// Every level against the scalar reference.

std::vector<KernelLevel> SupportedLevels() {
  std::vector<KernelLevel> levels;
  for (KernelLevel level : {KernelLevel::kScalar, KernelLevel::kAvx2, KernelLevel::kAvx512}) {
    if (IsKernelLevelSupported(level)) levels.push_back(level);
  }
  return levels;
}

class LevelTest : public ::testing::TestWithParam<KernelLevel> {
 protected:
  const KernelTable& table() const { return GetKernelTable(GetParam()); }
};

// Sizes: one block, odd block counts, and Qwen2.5-0.5B's widths.
const std::vector<int64_t> kSizes = {256, 768, 896 * 2, 4864};

TEST_P(LevelTest, TableIsComplete) {
  EXPECT_EQ(table().level, GetParam());
  for (T type : kComputeTypes) {
    const TypeKernels& k = KernelsFor(table(), type);
    EXPECT_NE(k.dequantize_row, nullptr) << TypeName(type);
    EXPECT_NE(k.quantize_row, nullptr) << TypeName(type);
    EXPECT_NE(k.vec_dot, nullptr) << TypeName(type);
    EXPECT_NE(k.mat_mul, nullptr) << TypeName(type);
    EXPECT_EQ(k.act_type, KernelsFor(Scalar(), type).act_type) << TypeName(type);
  }
  const F32Kernels& f = table().f32;
  for (const void* fn :
       {reinterpret_cast<const void*>(f.rms_norm), reinterpret_cast<const void*>(f.layer_norm),
        reinterpret_cast<const void*>(f.softmax), reinterpret_cast<const void*>(f.silu),
        reinterpret_cast<const void*>(f.swiglu), reinterpret_cast<const void*>(f.gelu),
        reinterpret_cast<const void*>(f.rope), reinterpret_cast<const void*>(f.add),
        reinterpret_cast<const void*>(f.mul), reinterpret_cast<const void*>(f.scale),
        reinterpret_cast<const void*>(f.axpy), reinterpret_cast<const void*>(f.axpy_f16),
        reinterpret_cast<const void*>(f.dot)}) {
    EXPECT_NE(fn, nullptr);
  }
}

TEST_P(LevelTest, QuantizersMatchReferenceBitForBit) {
  for (int64_t n : kSizes) {
    std::vector<float> x = RandomVector(static_cast<size_t>(n), static_cast<uint32_t>(n), 3.0f);
    // Exact halves (ties for the rounding), zeros and a zero block.
    for (int64_t i = 0; i < n; i += 7) x[i] = static_cast<float>(i % 11) * 0.5f - 2.5f;
    for (int64_t i = 0; i < 256; ++i) x[i] = 0.0f;
    for (T type : {T::kQ8_0, T::kQ8_1, T::kQ8_K, T::kF16, T::kBF16, T::kF32}) {
      const std::vector<uint8_t> got = QuantizeRows(table(), type, x, 1, n);
      const std::vector<uint8_t> want = QuantizeRows(Scalar(), type, x, 1, n);
      EXPECT_EQ(got, want) << TypeName(type) << " n=" << n;
    }
  }
}

TEST_P(LevelTest, DequantizeMatchesReference) {
  for (int64_t n : kSizes) {
    const std::vector<float> x = RandomVector(static_cast<size_t>(n), 5, 2.0f);
    std::vector<T> types = kComputeTypes;
    types.insert(types.end(), kActivationTypes.begin(), kActivationTypes.end());
    for (T type : types) {
      const std::vector<uint8_t> q = QuantizeRows(Scalar(), type, x, 1, n);
      const std::vector<float> got = Dequantize(table(), type, q, n);
      const std::vector<float> want = Dequantize(Scalar(), type, q, n);
      // Scale-only formats are exact; Q4_1/Q5_1/K-quants may fuse the multiply-add.
      EXPECT_LE(Nmse(got, want), 1e-12) << TypeName(type) << " n=" << n;
    }
  }
}

TEST_P(LevelTest, VecDotMatchesReference) {
  for (int64_t n : kSizes) {
    const int rows = 16;
    const std::vector<float> w = RandomVector(static_cast<size_t>(n * rows), 17, 1.0f);
    const std::vector<float> a = RandomVector(static_cast<size_t>(n), 19, 2.0f);
    for (T type : kComputeTypes) {
      const TypeKernels& k = KernelsFor(table(), type);
      const TypeKernels& ref = KernelsFor(Scalar(), type);
      const std::vector<uint8_t> wq = QuantizeRows(Scalar(), type, w, rows, n);
      const std::vector<uint8_t> aq = QuantizeRows(Scalar(), k.act_type, a, 1, n);
      const size_t row_bytes = RowBytes(type, static_cast<size_t>(n));
      std::vector<float> got, want;
      for (int r = 0; r < rows; ++r) {
        got.push_back(k.vec_dot(n, wq.data() + r * row_bytes, aq.data()));
        want.push_back(ref.vec_dot(n, wq.data() + r * row_bytes, aq.data()));
      }
      // Only the order of float additions differs.
      EXPECT_LE(Nmse(got, want), 1e-10) << TypeName(type) << " n=" << n;
    }
  }
}

struct MatMulCase {
  int64_t rows, cols, tokens, row_begin, row_end;
};

TEST_P(LevelTest, MatMulMatchesDotByDot) {
  const std::vector<MatMulCase> cases = {
      {64, 256, 1, 0, 64},   {48, 512, 3, 0, 48},
      {40, 768, 4, 5, 37},   {33, 256, 7, 0, 33},
      {32, 4864, 9, 16, 32}, {130, 896 * 2, 16, 3, 130},
      {24, 2560, 33, 8, 24}, {17, 256, 64, 0, 17},
      {20, 256, 300, 2, 20},  // more tokens than one token block (256)
  };
  for (const MatMulCase& c : cases) {
    const std::vector<float> w = RandomVector(static_cast<size_t>(c.rows * c.cols), 23, 1.0f);
    const std::vector<float> a = RandomVector(static_cast<size_t>(c.tokens * c.cols), 29, 1.5f);
    for (T type : kComputeTypes) {
      const TypeKernels& k = KernelsFor(table(), type);
      const std::vector<uint8_t> wq = QuantizeRows(Scalar(), type, w, c.rows, c.cols);
      const std::vector<uint8_t> aq = QuantizeRows(table(), k.act_type, a, c.tokens, c.cols);
      MatMulArgs args;
      args.type = type;
      args.weights = wq.data();
      args.weight_stride = RowBytes(type, static_cast<size_t>(c.cols));
      args.cols = c.cols;
      args.acts = aq.data();
      args.act_stride = RowBytes(k.act_type, static_cast<size_t>(c.cols));
      args.n_tokens = c.tokens;
      args.out_stride = static_cast<size_t>(c.rows) + 3;
      std::vector<float> out(args.out_stride * static_cast<size_t>(c.tokens), -7.0f);
      args.out = out.data();
      args.row_begin = c.row_begin;
      args.row_end = c.row_end;
      MatMul(table(), args);
      std::vector<float> got, want;
      for (int64_t t = 0; t < c.tokens; ++t) {
        for (int64_t r = 0; r < static_cast<int64_t>(args.out_stride); ++r) {
          const float v = out[static_cast<size_t>(t) * args.out_stride + r];
          if (r < c.row_begin || r >= c.row_end) {
            ASSERT_EQ(v, -7.0f) << "wrote outside its rows: " << TypeName(type);
            continue;
          }
          got.push_back(v);
          want.push_back(KernelsFor(Scalar(), type)
                             .vec_dot(c.cols, wq.data() + r * args.weight_stride,
                                      aq.data() + t * args.act_stride));
        }
      }
      EXPECT_LE(Nmse(got, want), 1e-10)
          << TypeName(type) << " rows=" << c.rows << " cols=" << c.cols << " n=" << c.tokens;
    }
  }
}

TEST_P(LevelTest, RowRangesSplitAcrossThreadsMatchOneCall) {
  // The engine hands [row_begin, row_end) ranges to pool threads; any split, aligned or not,
  // must give exactly the single-call result (rows are independent).
  const int64_t rows = 200, cols = 512, tokens = 9;
  const std::vector<float> w = RandomVector(static_cast<size_t>(rows * cols), 67);
  const std::vector<float> a = RandomVector(static_cast<size_t>(tokens * cols), 71);
  ThreadPool pool(3);
  for (T type : {T::kQ8_0, T::kQ4_0, T::kQ4_K, T::kF16}) {
    const TypeKernels& k = KernelsFor(table(), type);
    const std::vector<uint8_t> wq = QuantizeRows(Scalar(), type, w, rows, cols);
    const std::vector<uint8_t> aq = QuantizeRows(table(), k.act_type, a, tokens, cols);
    MatMulArgs args;
    args.type = type;
    args.weights = wq.data();
    args.weight_stride = RowBytes(type, cols);
    args.cols = cols;
    args.acts = aq.data();
    args.act_stride = RowBytes(k.act_type, cols);
    args.n_tokens = tokens;
    args.out_stride = rows;
    std::vector<float> whole(static_cast<size_t>(rows * tokens)), split(whole.size());
    args.out = whole.data();
    args.row_begin = 0;
    args.row_end = rows;
    MatMul(table(), args);
    for (int64_t step : {int64_t{16}, int64_t{7}}) {
      std::fill(split.begin(), split.end(), 0.0f);
      args.out = split.data();
      const int64_t tasks = (rows + step - 1) / step;
      pool.ParallelFor(tasks, [&](int64_t task, int) {
        MatMulArgs part = args;
        part.row_begin = task * step;
        part.row_end = std::min(rows, (task + 1) * step);
        MatMul(table(), part);
      });
      EXPECT_EQ(split, whole) << TypeName(type) << " step=" << step;
    }
    std::fill(split.begin(), split.end(), 0.0f);
    args.out = split.data();
    args.row_begin = 5;  // not on a tile boundary
    args.row_end = rows;
    ParallelMatMul(table(), pool, args);
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t r = 0; r < rows; ++r) {
        const size_t i = static_cast<size_t>(t * rows + r);
        ASSERT_EQ(split[i], r < 5 ? 0.0f : whole[i]) << TypeName(type) << " row " << r;
      }
    }
  }
}

TEST_P(LevelTest, NormsMatchReference) {
  for (int64_t n : {7, 64, 896, 4099}) {
    const std::vector<float> x = RandomVector(static_cast<size_t>(n), 31, 3.0f);
    const std::vector<float> w = RandomVector(static_cast<size_t>(n), 37);
    const std::vector<float> b = RandomVector(static_cast<size_t>(n), 41);
    std::vector<float> got(static_cast<size_t>(n)), want(static_cast<size_t>(n));
    table().f32.rms_norm(x.data(), w.data(), got.data(), n, 1e-6f);
    Scalar().f32.rms_norm(x.data(), w.data(), want.data(), n, 1e-6f);
    EXPECT_LE(Nmse(got, want), 1e-12) << "rms_norm n=" << n;
    table().f32.rms_norm(x.data(), nullptr, got.data(), n, 1e-6f);
    Scalar().f32.rms_norm(x.data(), nullptr, want.data(), n, 1e-6f);
    EXPECT_LE(Nmse(got, want), 1e-12) << "rms_norm n=" << n;
    table().f32.layer_norm(x.data(), w.data(), b.data(), got.data(), n, 1e-5f);
    Scalar().f32.layer_norm(x.data(), w.data(), b.data(), want.data(), n, 1e-5f);
    EXPECT_LE(Nmse(got, want), 1e-12) << "layer_norm n=" << n;
    // Reference values: rms of (3, 4) is sqrt(12.5).
  }
  const float x2[2] = {3, 4};
  float y2[2];
  table().f32.rms_norm(x2, nullptr, y2, 2, 0.0f);
  EXPECT_NEAR(y2[0], 3 / std::sqrt(12.5f), 1e-6);
  EXPECT_NEAR(y2[1], 4 / std::sqrt(12.5f), 1e-6);
}

TEST_P(LevelTest, ActivationsMatchReference) {
  for (int64_t n : {5, 64, 1000, 4864}) {
    std::vector<float> x = RandomVector(static_cast<size_t>(n), 43, 4.0f);
    x[0] = -100.0f;  // saturating inputs
    if (n > 1) x[1] = 100.0f;
    const std::vector<float> up = RandomVector(static_cast<size_t>(n), 47);
    std::vector<float> got(static_cast<size_t>(n)), want(static_cast<size_t>(n));
    table().f32.silu(x.data(), got.data(), n);
    Scalar().f32.silu(x.data(), want.data(), n);
    EXPECT_LE(Nmse(got, want), 1e-11) << "silu n=" << n;
    table().f32.swiglu(x.data(), up.data(), got.data(), n);
    Scalar().f32.swiglu(x.data(), up.data(), want.data(), n);
    EXPECT_LE(Nmse(got, want), 1e-11) << "swiglu n=" << n;
    table().f32.gelu(x.data(), got.data(), n);
    Scalar().f32.gelu(x.data(), want.data(), n);
    EXPECT_LE(Nmse(got, want), 1e-11) << "gelu n=" << n;
    got = x;
    want = x;
    const float sum_got = table().f32.softmax(got.data(), n);
    const float sum_want = Scalar().f32.softmax(want.data(), n);
    EXPECT_LE(Nmse(got, want), 1e-11) << "softmax n=" << n;
    EXPECT_NEAR(sum_got, sum_want, 1e-5 * sum_want);
  }
  float one[1] = {1.0f};
  float y[1];
  table().f32.silu(one, y, 1);
  EXPECT_NEAR(y[0], 1.0f / (1.0f + std::exp(-1.0f)), 1e-6);
  table().f32.gelu(one, y, 1);
  EXPECT_NEAR(y[0], 0.841192f, 1e-5);  // tanh-approximated GELU(1)
}

TEST_P(LevelTest, RopeMatchesReference) {
  for (RopeMode mode : {RopeMode::kNormal, RopeMode::kNeox}) {
    for (int64_t head_dim : {64, 128}) {
      for (int64_t n_rot : {head_dim, head_dim / 2}) {
        const int64_t heads = 3;
        std::vector<float> cs(static_cast<size_t>(n_rot));
        RopeCosSin(37, n_rot, 10000.0f, 1.0f, cs.data());
        std::vector<float> got = RandomVector(static_cast<size_t>(heads * head_dim), 53);
        std::vector<float> want = got;
        table().f32.rope(got.data(), heads, head_dim, n_rot, cs.data(), mode);
        Scalar().f32.rope(want.data(), heads, head_dim, n_rot, cs.data(), mode);
        EXPECT_LE(Nmse(got, want), 1e-12);
      }
    }
  }
  // Position 0 is the identity; NeoX pairs i with i + n_rot/2.
  std::vector<float> cs(4);
  RopeCosSin(0, 4, 10000.0f, 1.0f, cs.data());
  float v[4] = {1, 2, 3, 4};
  table().f32.rope(v, 1, 4, 4, cs.data(), RopeMode::kNeox);
  EXPECT_EQ(v[2], 3.0f);
  RopeCosSin(1, 4, 10000.0f, 1.0f, cs.data());
  table().f32.rope(v, 1, 4, 4, cs.data(), RopeMode::kNeox);
  EXPECT_NEAR(v[0], 1 * std::cos(1.0f) - 3 * std::sin(1.0f), 1e-6);
  EXPECT_NEAR(v[2], 1 * std::sin(1.0f) + 3 * std::cos(1.0f), 1e-6);
}

TEST_P(LevelTest, ElementwiseMatchReference) {
  for (int64_t n : {1, 9, 64, 1003}) {
    const std::vector<float> a = RandomVector(static_cast<size_t>(n), 59);
    const std::vector<float> b = RandomVector(static_cast<size_t>(n), 61);
    std::vector<float> got(static_cast<size_t>(n)), want(static_cast<size_t>(n));
    table().f32.add(a.data(), b.data(), got.data(), n);
    Scalar().f32.add(a.data(), b.data(), want.data(), n);
    EXPECT_EQ(got, want);
    table().f32.mul(a.data(), b.data(), got.data(), n);
    Scalar().f32.mul(a.data(), b.data(), want.data(), n);
    EXPECT_EQ(got, want);
    table().f32.scale(a.data(), 0.37f, got.data(), n);
    Scalar().f32.scale(a.data(), 0.37f, want.data(), n);
    EXPECT_EQ(got, want);
    got = b;
    want = b;
    table().f32.axpy(1.5f, a.data(), got.data(), n);
    Scalar().f32.axpy(1.5f, a.data(), want.data(), n);
    EXPECT_LE(Nmse(got, want), 1e-14);
    std::vector<uint16_t> a16(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) a16[i] = FloatToHalf(a[i]);
    got = b;
    want = b;
    table().f32.axpy_f16(-0.75f, a16.data(), got.data(), n);
    for (int64_t i = 0; i < n; ++i) want[i] += -0.75f * HalfToFloat(a16[i]);
    EXPECT_LE(Nmse(got, want), 1e-14);
    const float d_got = table().f32.dot(a.data(), b.data(), n);
    const float d_want = Scalar().f32.dot(a.data(), b.data(), n);
    EXPECT_NEAR(d_got, d_want, 1e-5 * std::sqrt(static_cast<float>(n)));
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, LevelTest, ::testing::ValuesIn(SupportedLevels()),
                         [](const ::testing::TestParamInfo<KernelLevel>& info) {
                           return std::string(KernelLevelName(info.param));
                         });

}  // namespace
}  // namespace savoir::engine::kernels
