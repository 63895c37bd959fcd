// AVX-512 VNNI kernel; compiled with the AVX-512 flags plus -mavx512vnni. vpdpbusd multiplies
// unsigned by signed bytes and adds groups of four into 32-bit lanes without saturation, which
// is exactly the offset-binary-code by signed-query product the index needs.
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

}  // namespace

int32_t DotU8S8Avx512Vnni(const uint8_t* a, const int8_t* b, size_t n) {
  __m512i acc0 = _mm512_setzero_si512();
  __m512i acc1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    acc1 =
        _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(a + i + 64), _mm512_loadu_si512(b + i + 64));
  }
  for (; i < n; i += 64) {
    __mmask64 mask = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_maskz_loadu_epi8(mask, a + i),
                               _mm512_maskz_loadu_epi8(mask, b + i));
  }
  return HorizontalSum(_mm512_add_epi32(acc0, acc1));
}

}  // namespace savoir::index::kernels
