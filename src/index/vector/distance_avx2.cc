// AVX2 + FMA kernels; this file is compiled with -mavx2 -mfma (see CMakeLists.txt).
#include <immintrin.h>

#include "index/vector/distance_kernels.h"

namespace savoir::index::kernels {
namespace {

inline int32_t HorizontalSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// Sixteen products a[i] * b[i] summed pairwise into eight 32-bit lanes. Widening to 16 bits
// first avoids the saturation of _mm256_maddubs_epi16 (255 * 127 * 2 > 32767).
inline __m256i MulAdd16(const uint8_t* a, const int8_t* b) {
  __m256i wa = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a)));
  __m256i wb = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
  return _mm256_madd_epi16(wa, wb);
}

// Eight codes a[i] - 128 as floats.
inline __m256 CodesToFloat8(const uint8_t* a) {
  __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(a));
  bytes = _mm_xor_si128(bytes, _mm_set1_epi8(static_cast<char>(0x80)));
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
}

}  // namespace

int32_t DotU8S8Avx2(const uint8_t* a, const int8_t* b, size_t n) {
  __m256i acc0 = _mm256_setzero_si256();
  __m256i acc1 = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm256_add_epi32(acc0, MulAdd16(a + i, b + i));
    acc1 = _mm256_add_epi32(acc1, MulAdd16(a + i + 16, b + i + 16));
  }
  if (i + 16 <= n) {
    acc0 = _mm256_add_epi32(acc0, MulAdd16(a + i, b + i));
    i += 16;
  }
  int32_t sum = HorizontalSum(_mm256_add_epi32(acc0, acc1));
  for (; i < n; ++i) sum += static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]);
  return sum;
}

float DotU8F32Avx2(const uint8_t* a, const float* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(CodesToFloat8(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(CodesToFloat8(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  if (i + 8 <= n) {
    acc0 = _mm256_fmadd_ps(CodesToFloat8(a + i), _mm256_loadu_ps(b + i), acc0);
    i += 8;
  }
  float sum = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += static_cast<float>(static_cast<int32_t>(a[i]) - 128) * b[i];
  return sum;
}

float DotF32Avx2(const float* a, const float* b, size_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  __m256 acc2 = _mm256_setzero_ps();
  __m256 acc3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
    acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
  }
  for (; i + 8 <= n; i += 8) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  }
  float sum = HorizontalSum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace savoir::index::kernels
