// AVX-512 VNNI kernel; compiled with the AVX-512 flags plus -mavx512vnni. vpdpbusd multiplies
// unsigned by signed bytes and adds groups of four into 32-bit lanes without saturation, which
// is exactly the offset-binary-code by signed-query product the index needs.
#include <immintrin.h>

#include "index/vector/distance_kernels.h"

namespace savoir::index::kernels {

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
  return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}

}  // namespace savoir::index::kernels
