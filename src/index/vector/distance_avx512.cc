// AVX-512 kernels (F, BW, VL); compiled with -mavx512f -mavx512bw -mavx512vl -mavx2 -mfma.
// Tails use masked loads instead of a scalar loop.
// gcc 12's AVX-512 headers fill don't-care lanes with _mm512_undefined_*(), which its
// -Wuninitialized flags once inlined at -O3 (gcc bug 105593, fixed in later releases).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "index/vector/distance_kernels.h"

namespace savoir::index::kernels {
namespace {

// Sum of the sixteen lanes. Folds with whole-register shuffles rather than
// _mm512_reduce_add_epi32, whose 256-bit extract trips gcc 12's -Wuninitialized at -O3.
inline int32_t HorizontalSum(__m512i v) {
  v = _mm512_add_epi32(v, _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_epi32(v, _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  __m128i s = _mm512_castsi512_si128(v);
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

inline float HorizontalSum(__m512 v) {
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  __m128 s = _mm512_castps512_ps128(v);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

inline __mmask32 TailMask32(size_t remaining) {
  return remaining >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((1u << remaining) - 1u);
}

inline __mmask16 TailMask16(size_t remaining) {
  return remaining >= 16 ? static_cast<__mmask16>(0xFFFF)
                         : static_cast<__mmask16>((1u << remaining) - 1u);
}

// Thirty-two products summed pairwise into sixteen 32-bit lanes; masked-off bytes read as 0.
inline __m512i MulAdd32(const uint8_t* a, const int8_t* b, __mmask32 mask) {
  __m512i wa = _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(mask, a));
  __m512i wb = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(mask, b));
  return _mm512_madd_epi16(wa, wb);
}

// Sixteen codes a[i] - 128 as floats; masked-off lanes are 0.
inline __m512 CodesToFloat16(const uint8_t* a, __mmask16 mask) {
  __m128i bytes = _mm_maskz_loadu_epi8(mask, a);
  bytes = _mm_xor_si128(bytes, _mm_set1_epi8(static_cast<char>(0x80)));
  __m512 f = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes));
  return _mm512_maskz_mov_ps(mask, f);
}

}  // namespace

int32_t DotU8S8Avx512(const uint8_t* a, const int8_t* b, size_t n) {
  __m512i acc0 = _mm512_setzero_si512();
  __m512i acc1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    acc0 = _mm512_add_epi32(acc0, MulAdd32(a + i, b + i, ~__mmask32{0}));
    acc1 = _mm512_add_epi32(acc1, MulAdd32(a + i + 32, b + i + 32, ~__mmask32{0}));
  }
  for (; i < n; i += 32) acc0 = _mm512_add_epi32(acc0, MulAdd32(a + i, b + i, TailMask32(n - i)));
  return HorizontalSum(_mm512_add_epi32(acc0, acc1));
}

float DotU8F32Avx512(const uint8_t* a, const float* b, size_t n) {
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_fmadd_ps(CodesToFloat16(a + i, 0xFFFF), _mm512_loadu_ps(b + i), acc0);
    acc1 = _mm512_fmadd_ps(CodesToFloat16(a + i + 16, 0xFFFF), _mm512_loadu_ps(b + i + 16), acc1);
  }
  for (; i < n; i += 16) {
    __mmask16 mask = TailMask16(n - i);
    acc0 = _mm512_fmadd_ps(CodesToFloat16(a + i, mask), _mm512_maskz_loadu_ps(mask, b + i), acc0);
  }
  return HorizontalSum(_mm512_add_ps(acc0, acc1));
}

float DotF32Avx512(const float* a, const float* b, size_t n) {
  __m512 acc0 = _mm512_setzero_ps();
  __m512 acc1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
  }
  for (; i < n; i += 16) {
    __mmask16 mask = TailMask16(n - i);
    acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i),
                           acc0);
  }
  return HorizontalSum(_mm512_add_ps(acc0, acc1));
}

}  // namespace savoir::index::kernels
