// AVX2 + FMA + F16C kernels. This file alone is compiled with -mavx2 -mfma -mf16c; everything in
// it has internal linkage except FillAvx2Kernels(), and it calls no inline function of a shared
// header (see kernels_internal.h), so no AVX instruction can leak into generic code.
//
// Matrix products over many tokens repack 8 weight rows at a time so that one 32-byte vector
// holds 4 consecutive quants of each of the 8 rows ("row-interleaved tile"). A broadcast of 4
// activation quants then multiplies all 8 rows at once and the int32 lanes of the result are
// the 8 rows' partial sums: no horizontal reduction, one float conversion per block for 8 rows,
// and each loaded weight vector serves 4 tokens. Decode (one token) streams rows through the
// vec-dot kernels instead.
#include <immintrin.h>

#include <cstring>

#include "engine/kernels/kernels_internal.h"

// Loops over tokens, steps and sub-blocks inside the micro-kernels have compile-time trip counts
// and must be unrolled completely, or their accumulator arrays spill to the stack.
#define SAVOIR_UNROLL _Pragma("GCC unroll 16")

namespace savoir::engine::kernels {
namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers.

inline int64_t MinI64(int64_t a, int64_t b) { return a < b ? a : b; }

inline uint32_t LoadU32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline uint16_t LoadU16(const void* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline float HalfAt(const void* p) { return _cvtsh_ss(LoadU16(p)); }

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int HorizontalSumI32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

inline float HorizontalMax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// 32 4-bit fields (element j low nibble of byte j, element j+16 high nibble) as 32 bytes.
inline __m256i Nibbles(const uint8_t* p) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Each of 32 bits spread to a byte: 0xFF where the bit is set, 0x00 elsewhere.
inline __m256i BitsToBytes(uint32_t bits) {
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
  const __m256i all_but_bit = _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe);
  return _mm256_cmpeq_epi8(_mm256_or_si256(spread, all_but_bit), _mm256_set1_epi64x(-1));
}

// Sum of products of signed bytes, 4 products per int32 lane. |x| and |y| <= 127 (or x = -128).
inline __m256i DotI8(__m256i x, __m256i y) {
  const __m256i products = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
  return _mm256_madd_epi16(products, _mm256_set1_epi16(1));
}

// Sum of products of unsigned bytes x (<= 127 keeps int16 safe) and signed bytes y.
inline __m256i DotU8I8(__m256i x, __m256i y) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), _mm256_set1_epi16(1));
}

// Round half away from zero, as roundf (the scalar Q8_0/Q8_1 reference).
inline __m256i RoundAway(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = _mm256_sub_ps(v, t);
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 abs_frac = _mm256_andnot_ps(sign_mask, frac);
  const __m256 ge_half = _mm256_cmp_ps(abs_frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  const __m256 step = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(v, sign_mask));
  return _mm256_cvtps_epi32(_mm256_add_ps(t, _mm256_and_ps(ge_half, step)));
}

// Packs 4 vectors of 8 int32 (elements 0..31 in order) to 32 int8 in order, saturating.
inline __m256i PackI32ToI8(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packs_epi32(a, b);
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i abcd = _mm256_packs_epi16(ab, cd);
  return _mm256_permutevar8x32_epi32(abcd, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// exp(x) for float lanes, Cephes-style range reduction and minimax polynomial (about 1 ulp).
inline __m256 Exp(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// x / (1 + exp(-x)).
inline __m256 Silu(__m256 x) {
  const __m256 e = Exp(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

// Transposes 8 vectors of 8 int32 units: out[k] holds unit k of in[0..7].
inline void Transpose8x8(const __m256i in[8], __m256i out[8]) {
  const __m256i t0 = _mm256_unpacklo_epi32(in[0], in[1]);
  const __m256i t1 = _mm256_unpackhi_epi32(in[0], in[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(in[2], in[3]);
  const __m256i t3 = _mm256_unpackhi_epi32(in[2], in[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(in[4], in[5]);
  const __m256i t5 = _mm256_unpackhi_epi32(in[4], in[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(in[6], in[7]);
  const __m256i t7 = _mm256_unpackhi_epi32(in[6], in[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
  const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
  const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
  const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
  const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
  out[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  out[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  out[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  out[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  out[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  out[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  out[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  out[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// ---------------------------------------------------------------------------------------------
// Activation quantizers, bit-identical to the scalar reference.

void QuantizeRowQ8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(src + 8 * k);
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign_mask, v[k]));
    }
    const float d = HorizontalMax(amax) / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    const __m256 mul = _mm256_set1_ps(id);
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = RoundAway(_mm256_mul_ps(v[k], mul));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs), PackI32ToI8(q[0], q[1], q[2], q[3]));
  }
}

void QuantizeRowQ8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(src + 8 * k);
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign_mask, v[k]));
    }
    const float d = HorizontalMax(amax) / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
    const __m256 mul = _mm256_set1_ps(id);
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = RoundAway(_mm256_mul_ps(v[k], mul));
    const __m256i sum =
        _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
    y[i].s = _cvtss_sh(static_cast<float>(HorizontalSumI32(sum)) * d, _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs), PackI32ToI8(q[0], q[1], q[2], q[3]));
  }
}

void QuantizeRowQ8K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8K*>(dst);
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 32; ++k) {
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign_mask, _mm256_loadu_ps(src + 8 * k)));
    }
    const float a = HorizontalMax(amax);
    if (a == 0) {
      std::memset(&y[i], 0, sizeof(BlockQ8K));
      continue;
    }
    // The reference keeps the sign of the first element of largest magnitude.
    float max = 0;
    const __m256 target = _mm256_set1_ps(a);
    for (int k = 0; k < 32; ++k) {
      const __m256 v = _mm256_loadu_ps(src + 8 * k);
      const int hits =
          _mm256_movemask_ps(_mm256_cmp_ps(_mm256_andnot_ps(sign_mask, v), target, _CMP_EQ_OQ));
      if (hits != 0) {
        max = src[8 * k + __builtin_ctz(static_cast<unsigned>(hits))];
        break;
      }
    }
    const float iscale = -127.f / max;
    const __m256 mul = _mm256_set1_ps(iscale);
    const __m256i limit = _mm256_set1_epi32(127);
    for (int g = 0; g < 8; ++g) {
      __m256i q[4];
      for (int k = 0; k < 4; ++k) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(src + 32 * g + 8 * k), mul);
        q[k] = _mm256_min_epi32(_mm256_cvtps_epi32(v), limit);  // MXCSR: nearest even
      }
      const __m256i packed = PackI32ToI8(q[0], q[1], q[2], q[3]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + 32 * g), packed);
      // Sums of each 16 quants: widen to int16, add pairs, then fold.
      const __m256i lo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(packed));
      const __m256i hi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(packed, 1));
      const __m256i s32lo = _mm256_madd_epi16(lo, _mm256_set1_epi16(1));
      const __m256i s32hi = _mm256_madd_epi16(hi, _mm256_set1_epi16(1));
      y[i].bsums[2 * g] = static_cast<int16_t>(HorizontalSumI32(s32lo));
      y[i].bsums[2 * g + 1] = static_cast<int16_t>(HorizontalSumI32(s32hi));
    }
    y[i].d = 1 / iscale;
  }
}

// ---------------------------------------------------------------------------------------------
// Float formats.

void DequantizeRowF16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dst + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
  }
  for (; i < n; ++i) dst[i] = _cvtsh_ss(h[i]);
}

void QuantizeRowF16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
  }
  for (; i < n; ++i) h[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}

inline __m256 LoadBF16(const uint16_t* p) {
  const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}

void DequantizeRowBF16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, LoadBF16(h + i));
  for (; i < n; ++i) {
    const uint32_t bits = static_cast<uint32_t>(h[i]) << 16;
    std::memcpy(dst + i, &bits, sizeof(bits));
  }
}

void DequantizeRowQ8_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const __m256 d = _mm256_set1_ps(_cvtsh_ss(x[i].d));
    for (int k = 0; k < 4; ++k) {
      const __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[i].qs + 8 * k));
      _mm256_storeu_ps(dst + 8 * k, _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q))));
    }
  }
}

// Dot products of float rows: four accumulators of 8 lanes hide the FMA latency.
template <typename LoadW>
inline float DotFloatRow(int64_t n, const float* a, LoadW load_w) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      acc[k] = _mm256_fmadd_ps(load_w(i + 8 * k), _mm256_loadu_ps(a + i + 8 * k), acc[k]);
    }
  }
  for (; i + 8 <= n; i += 8) acc[0] = _mm256_fmadd_ps(load_w(i), _mm256_loadu_ps(a + i), acc[0]);
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
}

float VecDotF32(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const float*>(w);
  const auto* y = static_cast<const float*>(a);
  float sum = DotFloatRow(n, y, [x](int64_t i) { return _mm256_loadu_ps(x + i); });
  for (int64_t i = n & ~int64_t{7}; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

float VecDotF16(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const float*>(a);
  float sum = DotFloatRow(n, y, [x](int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
  });
  for (int64_t i = n & ~int64_t{7}; i < n; ++i) sum += _cvtsh_ss(x[i]) * y[i];
  return sum;
}

float VecDotBF16(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const float*>(a);
  float sum = DotFloatRow(n, y, [x](int64_t i) { return LoadBF16(x + i); });
  for (int64_t i = n & ~int64_t{7}; i < n; ++i) {
    const uint32_t bits = static_cast<uint32_t>(x[i]) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    sum += f * y[i];
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// 32-element formats: unpacking one block to 32 bytes in element order.

// Signed values of a block (Q8_0, Q4_0 - 8, Q5_0 - 16) or unsigned levels (Q4_1, Q5_1).
template <TensorType kType>
inline __m256i UnpackBlock32(const uint8_t* block) {
  if constexpr (kType == TensorType::kQ8_0) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
  } else if constexpr (kType == TensorType::kQ4_0) {
    return _mm256_sub_epi8(Nibbles(block + 2), _mm256_set1_epi8(8));
  } else if constexpr (kType == TensorType::kQ4_1) {
    return Nibbles(block + 4);
  } else if constexpr (kType == TensorType::kQ5_0) {
    // Where the fifth bit is clear, OR-ing 0xF0 yields nibble - 16 as a signed byte.
    const __m256i high =
        _mm256_andnot_si256(BitsToBytes(LoadU32(block + 2)), _mm256_set1_epi8(-16));
    return _mm256_or_si256(Nibbles(block + 6), high);
  } else {
    static_assert(kType == TensorType::kQ5_1);
    const __m256i high = _mm256_and_si256(BitsToBytes(LoadU32(block + 4)), _mm256_set1_epi8(16));
    return _mm256_or_si256(Nibbles(block + 8), high);
  }
}

template <TensorType kType>
struct Format32;
template <>
struct Format32<TensorType::kQ8_0> {
  static constexpr int kBytes = 34;
  static constexpr bool kAsym = false;
  static constexpr int kChain = 1;   // maddubs results that fit an int16 sum
  static constexpr int kOffset = 0;  // tiles hold levels q, value q - kOffset (0: signed values)
};
template <>
struct Format32<TensorType::kQ4_0> {
  static constexpr int kBytes = 18;
  static constexpr bool kAsym = false;
  static constexpr int kChain = 8;
  static constexpr int kOffset = 8;
};
template <>
struct Format32<TensorType::kQ5_0> {
  static constexpr int kBytes = 22;
  static constexpr bool kAsym = false;
  static constexpr int kChain = 4;
  static constexpr int kOffset = 16;
};
template <>
struct Format32<TensorType::kQ4_1> {
  static constexpr int kBytes = 20;
  static constexpr bool kAsym = true;
  static constexpr int kChain = 8;
  static constexpr int kOffset = 0;
};
template <>
struct Format32<TensorType::kQ5_1> {
  static constexpr int kBytes = 24;
  static constexpr bool kAsym = true;
  static constexpr int kChain = 4;
  static constexpr int kOffset = 0;
};

// Activation blocks: Q8_0 {d, qs} for symmetric weights, Q8_1 {d, s, qs} for asymmetric.
template <bool kAsym>
struct Act32 {
  static constexpr int kBytes = kAsym ? 36 : 34;
  static constexpr int kQs = kAsym ? 4 : 2;
};

template <TensorType kType>
inline __m256 BlockDot32(const uint8_t* xb, const uint8_t* yb, __m256 acc, float* mins) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  const __m256i q = UnpackBlock32<kType>(xb);
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(yb + A::kQs));
  const __m256i dot = F::kAsym ? DotU8I8(q, v) : DotI8(q, v);
  if constexpr (F::kAsym) *mins += HalfAt(xb + 2) * HalfAt(yb + 2);
  return _mm256_fmadd_ps(_mm256_set1_ps(HalfAt(xb) * HalfAt(yb)), _mm256_cvtepi32_ps(dot), acc);
}

template <TensorType kType>
float VecDot32(int64_t n, const void* w, const void* a) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  const auto* x = static_cast<const uint8_t*>(w);
  const auto* y = static_cast<const uint8_t*>(a);
  const int64_t nb = n / kQK;
  // Two independent accumulators so consecutive blocks do not wait on each other's FMA.
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float mins0 = 0, mins1 = 0;
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    acc0 = BlockDot32<kType>(x + i * F::kBytes, y + i * A::kBytes, acc0, &mins0);
    acc1 = BlockDot32<kType>(x + (i + 1) * F::kBytes, y + (i + 1) * A::kBytes, acc1, &mins1);
  }
  if (i < nb) acc0 = BlockDot32<kType>(x + i * F::kBytes, y + i * A::kBytes, acc0, &mins0);
  return HorizontalSum(_mm256_add_ps(acc0, acc1)) + (mins0 + mins1);
}

void DequantizeRowQ4_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const uint8_t* b = x + i * 18;
    const __m256 d = _mm256_set1_ps(HalfAt(b));
    const __m256i q = UnpackBlock32<TensorType::kQ4_0>(b);
    for (int k = 0; k < 4; ++k) {
      const __m128i part = k < 2 ? _mm256_castsi256_si128(q) : _mm256_extracti128_si256(q, 1);
      const __m128i eight = (k & 1) ? _mm_srli_si128(part, 8) : part;
      _mm256_storeu_ps(dst + 8 * k,
                       _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(eight))));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// K-quants: vec-dot with Q8_K activations.

// Scales (bytes 0..7) and mins (bytes 8..15) of a Q4_K/Q5_K block, unpacked from 12 bytes.
inline void UnpackScalesK4(const uint8_t* packed, uint8_t out[16]) {
  uint32_t u[4];
  std::memcpy(u, packed, 12);
  constexpr uint32_t kLow6 = 0x3f3f3f3f, kLow4 = 0x0f0f0f0f, kLow2 = 0x03030303;
  u[3] = ((u[2] >> 4) & kLow4) | (((u[1] >> 6) & kLow2) << 4);
  const uint32_t mins_low = u[1] & kLow6;
  u[1] = (u[2] & kLow4) | (((u[0] >> 6) & kLow2) << 4);
  u[2] = mins_low;
  u[0] &= kLow6;
  std::memcpy(out, u, 16);
}

// Sum over sub-blocks of min * (sum of the sub-block's 32 activation quants).
inline int MinsDotK4(const uint8_t mins[8], const int16_t bsums[16]) {
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bsums + 8));
  const __m128i sums32 = _mm_hadd_epi16(lo, hi);  // 8 sums of 32
  const __m128i m = _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mins)));
  __m128i p = _mm_madd_epi16(m, sums32);
  p = _mm_add_epi32(p, _mm_unpackhi_epi64(p, p));
  p = _mm_add_epi32(p, _mm_shuffle_epi32(p, 0xB1));
  return _mm_cvtsi128_si32(p);
}

template <bool kFive>
float VecDotK4Family(int64_t n, const void* w, const void* a) {
  const auto* y = static_cast<const BlockQ8K*>(a);
  const uint8_t* x = static_cast<const uint8_t*>(w);
  constexpr int kBlockBytes = kFive ? 176 : 144;
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc = _mm256_setzero_ps();
  float mins_total = 0;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    const uint8_t* b = x + i * kBlockBytes;
    const float dy = y[i].d;
    uint8_t sm[16];
    UnpackScalesK4(b + 4, sm);
    mins_total += HalfAt(b + 2) * dy * static_cast<float>(MinsDotK4(sm + 8, y[i].bsums));
    const uint8_t* qs = b + (kFive ? 48 : 16);
    __m256i hbits = _mm256_setzero_si256();
    if constexpr (kFive) hbits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
    __m256i sumi = _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c));
      __m256i lo = _mm256_and_si256(raw, low4);
      __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
      if constexpr (kFive) {
        const __m256i one = _mm256_set1_epi8(1);
        lo = _mm256_or_si256(
            lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * c), one), 4));
        hi = _mm256_or_si256(
            hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * c + 1), one), 4));
      }
      const __m256i y_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].qs + 64 * c));
      const __m256i y_hi =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].qs + 64 * c + 32));
      const __m256i p_lo =
          _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y_lo), _mm256_set1_epi16(sm[2 * c]));
      const __m256i p_hi =
          _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y_hi), _mm256_set1_epi16(sm[2 * c + 1]));
      sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p_lo, p_hi));
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(HalfAt(b) * dy), _mm256_cvtepi32_ps(sumi), acc);
  }
  return HorizontalSum(acc) - mins_total;
}

float VecDotQ4K(int64_t n, const void* w, const void* a) { return VecDotK4Family<false>(n, w, a); }
float VecDotQ5K(int64_t n, const void* w, const void* a) { return VecDotK4Family<true>(n, w, a); }

// The four 32-element groups of one 128-element half of a Q6_K block, levels in [0, 63].
inline void UnpackQ6KHalf(const uint8_t* ql, const uint8_t* qh, __m256i out[4]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i two = _mm256_set1_epi8(3);
  const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
  const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
  const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
  out[0] =
      _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(h, two), 4));
  out[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), two), 4));
  out[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), two), 4));
  out[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), two), 4));
}

float VecDotQ6K(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ6K*>(w);
  const auto* y = static_cast<const BlockQ8K*>(a);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQKK; ++i) {
    // sum sc_j * (q - 32) . y = sum sc_j * q . y - 32 * sum sc_j * bsum_j
    const __m256i sc16 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales)));
    const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].bsums));
    __m256i sumi = _mm256_slli_epi32(_mm256_madd_epi16(sc16, bs), 5);
    sumi = _mm256_sub_epi32(_mm256_setzero_si256(), sumi);
    for (int half = 0; half < 2; ++half) {
      __m256i q[4];
      UnpackQ6KHalf(x[i].ql + 64 * half, x[i].qh + 32 * half, q);
      for (int g = 0; g < 4; ++g) {
        const int j = 8 * half + 2 * g;  // sub-blocks j (first 16) and j + 1 (last 16)
        const __m256i scale =
            _mm256_set_m128i(_mm_set1_epi16(x[i].scales[j + 1]), _mm_set1_epi16(x[i].scales[j]));
        const __m256i v =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[i].qs + 128 * half + 32 * g));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(q[g], v), scale));
      }
    }
    acc =
        _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x[i].d) * y[i].d), _mm256_cvtepi32_ps(sumi), acc);
  }
  return HorizontalSum(acc);
}

// ---------------------------------------------------------------------------------------------
// Matrix products.

constexpr int kTileRows = 8;
constexpr int kTileCols = 4;
// Below this many tokens the tile repacking does not pay: rows go through vec-dot.
constexpr int64_t kMinTiledTokens = 4;

template <VecDotFn kDot>
void MatMulByDots(const MatMulArgs& args) {
  const auto* w = static_cast<const uint8_t*>(args.weights);
  const auto* a = static_cast<const uint8_t*>(args.acts);
  for (int64_t r = args.row_begin; r < args.row_end; ++r) {
    const uint8_t* row = w + static_cast<size_t>(r) * args.weight_stride;
    for (int64_t t = 0; t < args.n_tokens; ++t) {
      args.out[static_cast<size_t>(t) * args.out_stride + static_cast<size_t>(r)] =
          kDot(args.cols, row, a + static_cast<size_t>(t) * args.act_stride);
    }
  }
}

// Tokens [t0, t0 + kTokenBlock) of a product, as a product of their own.
constexpr int64_t kTokenBlock = 256;

inline MatMulArgs TokenSlice(const MatMulArgs& args, int64_t t0) {
  MatMulArgs sub = args;
  sub.acts = static_cast<const uint8_t*>(args.acts) + static_cast<size_t>(t0) * args.act_stride;
  sub.out = args.out + static_cast<size_t>(t0) * args.out_stride;
  sub.n_tokens = MinI64(kTokenBlock, args.n_tokens - t0);
  return sub;
}

// Few-token products of the 32-element formats. The per-block terms of each activation row
// (its scale as a float, the Q8_1 sum, and for Q4_0/Q5_0 the offset term maddubs(o, y)) are
// computed once per chunk of columns and shared by all weight rows. The 4- and 5-bit symmetric
// formats take their levels unsigned: sum (q - o) y = maddubs(q, y) - maddubs(o, y).
constexpr int64_t kTermBlocks = 256;  // blocks of activation terms kept at a time

struct ActTerms32 {
  alignas(32) __m256i offset[kTermBlocks];
  alignas(32) float scale[kTermBlocks];
  alignas(32) float sum[kTermBlocks];
};

template <TensorType kType>
void ComputeActTerms32(const uint8_t* y, int64_t nb, ActTerms32* terms) {
  using A = Act32<Format32<kType>::kAsym>;
  const __m256i offset = _mm256_set1_epi8(kType == TensorType::kQ4_0 ? 8 : 16);
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* yb = y + i * A::kBytes;
    terms->scale[i] = HalfAt(yb);
    if constexpr (A::kQs == 4) terms->sum[i] = HalfAt(yb + 2);
    if constexpr (kType == TensorType::kQ4_0 || kType == TensorType::kQ5_0) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(yb + A::kQs));
      terms->offset[i] = _mm256_maddubs_epi16(offset, v);
    }
  }
}

template <TensorType kType>
inline __m256i BlockDotTerms32(const uint8_t* xb, __m256i v, __m256i off16) {
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (kType == TensorType::kQ8_0) {
    return DotI8(UnpackBlock32<kType>(xb), v);
  } else if constexpr (kType == TensorType::kQ4_0) {
    return _mm256_madd_epi16(_mm256_sub_epi16(_mm256_maddubs_epi16(Nibbles(xb + 2), v), off16),
                             ones);
  } else if constexpr (kType == TensorType::kQ5_0) {
    const __m256i high = _mm256_and_si256(BitsToBytes(LoadU32(xb + 2)), _mm256_set1_epi8(16));
    const __m256i q = _mm256_or_si256(Nibbles(xb + 6), high);
    return _mm256_madd_epi16(_mm256_sub_epi16(_mm256_maddubs_epi16(q, v), off16), ones);
  } else {
    return DotU8I8(UnpackBlock32<kType>(xb), v);
  }
}

// Dot of `nb` blocks of one weight row with one activation row whose terms are precomputed.
template <TensorType kType>
float MatVecRow32(const uint8_t* x, const uint8_t* y, int64_t nb, const ActTerms32& terms) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  auto block = [&](int64_t i, __m256 acc, float* mins) {
    const uint8_t* xb = x + i * F::kBytes;
    const __m256i v =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + i * A::kBytes + A::kQs));
    const __m256i dot = BlockDotTerms32<kType>(xb, v, terms.offset[i]);
    if constexpr (F::kAsym) *mins += HalfAt(xb + 2) * terms.sum[i];
    return _mm256_fmadd_ps(_mm256_set1_ps(HalfAt(xb) * terms.scale[i]), _mm256_cvtepi32_ps(dot),
                           acc);
  };
  // Two accumulators so that consecutive blocks do not wait on each other's FMA.
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float mins0 = 0, mins1 = 0;
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    acc0 = block(i, acc0, &mins0);
    acc1 = block(i + 1, acc1, &mins1);
  }
  if (i < nb) acc0 = block(i, acc0, &mins0);
  return HorizontalSum(_mm256_add_ps(acc0, acc1)) + (mins0 + mins1);
}

template <TensorType kType>
void MatVec32(const MatMulArgs& args) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  static_assert(kMinTiledTokens <= 4, "callers send at most 3 tokens here");
  ActTerms32 terms[3];
  const int64_t n_tokens = MinI64(args.n_tokens, 3);
  const int64_t nb_total = args.cols / kQK;
  const auto* w = static_cast<const uint8_t*>(args.weights);
  const auto* a = static_cast<const uint8_t*>(args.acts);
  for (int64_t b0 = 0; b0 < nb_total; b0 += kTermBlocks) {
    const int64_t nb = MinI64(kTermBlocks, nb_total - b0);
    for (int64_t t = 0; t < n_tokens; ++t) {
      ComputeActTerms32<kType>(a + static_cast<size_t>(t) * args.act_stride + b0 * A::kBytes, nb,
                               &terms[t]);
    }
    // One row at a time, every token per row: the row is read once, as a single sequential
    // stream. Interleaving several rows (to share the activation work) was measured 3x slower
    // once the weights come from DRAM: the hardware prefetcher stops following two or more
    // streams within a page (7.5 vs 2.1 GB/s for Q8_0 on the Zen 4 development machine).
    for (int64_t r = args.row_begin; r < args.row_end; ++r) {
      const uint8_t* x = w + static_cast<size_t>(r) * args.weight_stride + b0 * F::kBytes;
      for (int64_t t = 0; t < n_tokens; ++t) {
        const uint8_t* y = a + static_cast<size_t>(t) * args.act_stride + b0 * A::kBytes;
        const float v = MatVecRow32<kType>(x, y, nb, terms[t]);
        float& o = args.out[static_cast<size_t>(t) * args.out_stride + static_cast<size_t>(r)];
        o = b0 == 0 ? v : o + v;
      }
    }
  }
}

// Writes (or adds) 8 row results of one token; only the first `rows` lanes are valid.
inline void StoreRows(float* out, __m256 v, bool accumulate, int rows) {
  if (rows == kTileRows) {
    if (accumulate) v = _mm256_add_ps(v, _mm256_loadu_ps(out));
    _mm256_storeu_ps(out, v);
    return;
  }
  const __m256i mask =
      _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  if (accumulate) v = _mm256_add_ps(v, _mm256_maskload_ps(out, mask));
  _mm256_maskstore_ps(out, mask, v);
}

// Where the rows of a tile start; rows past the matrix's end repeat its last row.
inline void TileRowPointers(const MatMulArgs& args, int64_t r0, int rows, const uint8_t* ptr[8]) {
  const auto* w = static_cast<const uint8_t*>(args.weights);
  for (int r = 0; r < kTileRows; ++r) {
    const int64_t row = r0 + (r < rows ? r : rows - 1);
    ptr[r] = w + static_cast<size_t>(row) * args.weight_stride;
  }
}

// 32-element formats: a tile of 8 rows x kChunk32 blocks.
constexpr int kChunk32 = 32;

struct Tile32 {
  alignas(32) int8_t q[kChunk32][8][32];  // [block][4-quant step][row * 4 + i]
  alignas(32) float d[kChunk32][8];
  alignas(32) float m[kChunk32][8];
};

template <TensorType kType>
void Repack32(const uint8_t* const rows[8], int64_t block0, int nblocks, Tile32* tile) {
  using F = Format32<kType>;
  // Row by row, so that each row's chunk is read as one sequential stream (interleaved reads of
  // several rows defeat the hardware prefetcher), then transposed block by block.
  __m256i v[kChunk32][8];
  for (int r = 0; r < kTileRows; ++r) {
    const uint8_t* row = rows[r] + block0 * F::kBytes;
    for (int b = 0; b < nblocks; ++b) {
      const uint8_t* block = row + b * F::kBytes;
      if constexpr (kType == TensorType::kQ4_0) {
        v[b][r] = Nibbles(block + 2);
      } else if constexpr (kType == TensorType::kQ5_0) {
        const __m256i high =
            _mm256_and_si256(BitsToBytes(LoadU32(block + 2)), _mm256_set1_epi8(16));
        v[b][r] = _mm256_or_si256(Nibbles(block + 6), high);
      } else {
        v[b][r] = UnpackBlock32<kType>(block);
      }
      tile->d[b][r] = HalfAt(block);
      if constexpr (F::kAsym) tile->m[b][r] = HalfAt(block + 2);
    }
  }
  for (int b = 0; b < nblocks; ++b) {
    __m256i t[8];
    Transpose8x8(v[b], t);
    for (int s = 0; s < 8; ++s) _mm256_store_si256(reinterpret_cast<__m256i*>(tile->q[b][s]), t[s]);
  }
}

struct TokenBlock {
  const uint8_t* act;  // activation row of the first token, at the chunk's first block
  size_t act_stride;
  const int32_t* bias;  // per token, kChunk32 entries: -offset * block sums (or null)
  float* out;           // output of the first token, at the tile's first row
  size_t out_stride;
  bool accumulate;
  int rows;
};

// -offset * (sum of the block's activation quants) for each token and block of a chunk: turns
// the dot with unsigned levels q into the dot with q - offset.
void BlockSumBias(const MatMulArgs& sub, int64_t block0, int nblocks, int offset, int32_t* bias) {
  const __m256i ones8 = _mm256_set1_epi8(1);
  for (int64_t t = 0; t < sub.n_tokens; ++t) {
    const uint8_t* row = static_cast<const uint8_t*>(sub.acts) + t * sub.act_stride;
    for (int b = 0; b < nblocks; ++b) {
      const __m256i y = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(row + (block0 + b) * Act32<false>::kBytes + 2));
      bias[t * kChunk32 + b] = -offset * HorizontalSumI32(DotU8I8(ones8, y));
    }
  }
}

template <TensorType kType, int kNC>
void Kernel32(const Tile32& tile, int nblocks, const TokenBlock& tb) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  const __m256i ones = _mm256_set1_epi16(1);
  // The float sums are touched once per block: kept in memory, they leave the registers to the
  // integer sums of the inner loop (gcc otherwise spills those).
  alignas(32) float acc[kNC][8] = {};
  for (int b = 0; b < nblocks; ++b) {
    const uint8_t* ab = tb.act + b * A::kBytes;
    __m256i isum[kNC];
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      isum[c] =
          F::kOffset != 0 ? _mm256_set1_epi32(tb.bias[c * kChunk32 + b]) : _mm256_setzero_si256();
    }
    SAVOIR_UNROLL
    for (int s0 = 0; s0 < 8; s0 += F::kChain) {
      __m256i p16[kNC];
      SAVOIR_UNROLL
      for (int c = 0; c < kNC; ++c) p16[c] = _mm256_setzero_si256();
      SAVOIR_UNROLL
      for (int s = s0; s < s0 + F::kChain; ++s) {
        const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(tile.q[b][s]));
        if constexpr (F::kAsym || F::kOffset != 0) {
          SAVOIR_UNROLL
          for (int c = 0; c < kNC; ++c) {
            const __m256i v = _mm256_set1_epi32(
                static_cast<int>(LoadU32(ab + c * tb.act_stride + A::kQs + 4 * s)));
            p16[c] = _mm256_add_epi16(p16[c], _mm256_maddubs_epi16(w, v));
          }
        } else {
          const __m256i aw = _mm256_sign_epi8(w, w);
          SAVOIR_UNROLL
          for (int c = 0; c < kNC; ++c) {
            const __m256i v = _mm256_set1_epi32(
                static_cast<int>(LoadU32(ab + c * tb.act_stride + A::kQs + 4 * s)));
            p16[c] = _mm256_add_epi16(p16[c], _mm256_maddubs_epi16(aw, _mm256_sign_epi8(v, w)));
          }
        }
      }
      SAVOIR_UNROLL
      for (int c = 0; c < kNC; ++c)
        isum[c] = _mm256_add_epi32(isum[c], _mm256_madd_epi16(p16[c], ones));
    }
    const __m256 dw = _mm256_load_ps(tile.d[b]);
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      const uint8_t* abc = ab + c * tb.act_stride;
      __m256 sum =
          _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[c]),
                          _mm256_mul_ps(dw, _mm256_set1_ps(HalfAt(abc))), _mm256_load_ps(acc[c]));
      if constexpr (F::kAsym) {
        sum = _mm256_fmadd_ps(_mm256_load_ps(tile.m[b]), _mm256_set1_ps(HalfAt(abc + 2)), sum);
      }
      _mm256_store_ps(acc[c], sum);
    }
  }
  SAVOIR_UNROLL
  for (int c = 0; c < kNC; ++c)
    StoreRows(tb.out + c * tb.out_stride, _mm256_load_ps(acc[c]), tb.accumulate, tb.rows);
}

// Runs kernel<kNC> over all tokens of a tile, kTileCols at a time, then the remainder.
template <typename Tile, template <int> class Kernel>
void ForEachTokenGroup(const MatMulArgs& args, const Tile& tile, int nblocks, const uint8_t* act0,
                       const int32_t* bias, int64_t r0, int rows, bool accumulate) {
  TokenBlock tb{act0, args.act_stride, bias, args.out + r0, args.out_stride, accumulate, rows};
  int64_t t = 0;
  for (; t + kTileCols <= args.n_tokens; t += kTileCols) {
    Kernel<kTileCols>::Run(tile, nblocks, tb);
    tb.act += kTileCols * args.act_stride;
    tb.out += kTileCols * args.out_stride;
    if (tb.bias != nullptr) tb.bias += kTileCols * kChunk32;
  }
  switch (args.n_tokens - t) {
    case 3:
      Kernel<3>::Run(tile, nblocks, tb);
      break;
    case 2:
      Kernel<2>::Run(tile, nblocks, tb);
      break;
    case 1:
      Kernel<1>::Run(tile, nblocks, tb);
      break;
    default:
      break;
  }
}

template <TensorType kType>
struct Kernel32Of {
  template <int kNC>
  struct K {
    static void Run(const Tile32& tile, int nblocks, const TokenBlock& tb) {
      Kernel32<kType, kNC>(tile, nblocks, tb);
    }
  };
};

template <TensorType kType>
void MatMul32(const MatMulArgs& args) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  if (args.n_tokens < kMinTiledTokens) {
    MatVec32<kType>(args);
    return;
  }
  const int64_t nb = args.cols / kQK;
  Tile32 tile;
  int32_t bias[kTokenBlock * kChunk32];
  // Token blocks, then column chunks, then row tiles: the activations of one block and chunk
  // (kTokenBlock x kChunk32 blocks) stay in L2 while every row tile passes over them.
  for (int64_t t0 = 0; t0 < args.n_tokens; t0 += kTokenBlock) {
    const MatMulArgs sub = TokenSlice(args, t0);
    for (int64_t b0 = 0; b0 < nb; b0 += kChunk32) {
      const int nblocks = static_cast<int>(MinI64(kChunk32, nb - b0));
      const uint8_t* act0 = static_cast<const uint8_t*>(sub.acts) + b0 * A::kBytes;
      if constexpr (F::kOffset != 0) BlockSumBias(sub, b0, nblocks, F::kOffset, bias);
      for (int64_t r0 = args.row_begin; r0 < args.row_end; r0 += kTileRows) {
        const int rows = static_cast<int>(MinI64(kTileRows, args.row_end - r0));
        const uint8_t* ptr[8];
        TileRowPointers(args, r0, rows, ptr);
        Repack32<kType>(ptr, b0, nblocks, &tile);
        ForEachTokenGroup<Tile32, Kernel32Of<kType>::template K>(
            sub, tile, nblocks, act0, F::kOffset != 0 ? bias : nullptr, r0, rows, b0 > 0);
      }
    }
  }
}

// K-quants: a tile of 8 rows x kChunkK super-blocks, levels unsigned, per-sub-block int16
// scales, and the min term as pairs of int16 mins.
constexpr int kChunkK = 4;

struct TileK {
  alignas(32) uint8_t q[kChunkK][64][32];   // [super-block][4-quant step][row * 4 + i]
  alignas(32) int16_t sc[kChunkK][16][16];  // [super-block][sub-block][row * 2 + {0,1}]
  alignas(32) int16_t mn[kChunkK][8][16];   // [super-block][pair p][row * 2 + {sub 2p, 2p+1}]
  alignas(32) float d[kChunkK][8];
  alignas(32) float dmin[kChunkK][8];
};

template <TensorType kType>
struct FormatK;
template <>
struct FormatK<TensorType::kQ4_K> {
  static constexpr int kBytes = 144;
  static constexpr int kSubs = 8;
  static constexpr int kChain = 8;
};
template <>
struct FormatK<TensorType::kQ5_K> {
  static constexpr int kBytes = 176;
  static constexpr int kSubs = 8;
  static constexpr int kChain = 4;
};
template <>
struct FormatK<TensorType::kQ6_K> {
  static constexpr int kBytes = 210;
  static constexpr int kSubs = 16;
  static constexpr int kChain = 2;
};

// Levels of one row's super-block as 8 vectors of 32 (element order), plus scales and mins.
template <TensorType kType>
inline void UnpackSuperBlock(const uint8_t* b, __m256i v[8], int16_t* sc, int16_t* mn, float* d,
                             float* dmin) {
  if constexpr (kType == TensorType::kQ6_K) {
    UnpackQ6KHalf(b, b + 128, v);
    UnpackQ6KHalf(b + 64, b + 128 + 32, v + 4);
    *d = HalfAt(b + 208);
    *dmin = 32 * *d;
    for (int j = 0; j < 16; ++j) sc[j] = mn[j] = static_cast<int8_t>(b[192 + j]);
  } else {
    uint8_t sm[16];
    UnpackScalesK4(b + 4, sm);
    for (int j = 0; j < 8; ++j) {
      sc[j] = sm[j];
      mn[j] = sm[8 + j];
    }
    *d = HalfAt(b);
    *dmin = HalfAt(b + 2);
    const bool five = kType == TensorType::kQ5_K;
    const uint8_t* qs = b + (five ? 48 : 16);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i one = _mm256_set1_epi8(1);
    const __m256i hbits = five ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16))
                               : _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c));
      v[2 * c] = _mm256_and_si256(raw, low4);
      v[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
      if (five) {
        v[2 * c] = _mm256_or_si256(
            v[2 * c], _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * c), one), 4));
        v[2 * c + 1] = _mm256_or_si256(
            v[2 * c + 1],
            _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * c + 1), one), 4));
      }
    }
  }
}

template <TensorType kType>
void RepackK(const uint8_t* const rows[8], int64_t sb0, int nsb, TileK* tile) {
  using F = FormatK<kType>;
  // Row by row (sequential reads, see Repack32), then transposed super-block by super-block.
  __m256i levels[kChunkK][8][8];  // [super-block][row][group of 32]
  int16_t scales[kChunkK][8][16], mins[kChunkK][8][16];
  for (int r = 0; r < kTileRows; ++r) {
    for (int s = 0; s < nsb; ++s) {
      UnpackSuperBlock<kType>(rows[r] + (sb0 + s) * F::kBytes, levels[s][r], scales[s][r],
                              mins[s][r], &tile->d[s][r], &tile->dmin[s][r]);
    }
  }
  for (int s = 0; s < nsb; ++s) {
    const auto& v = levels[s];
    const auto& sc = scales[s];
    const auto& mn = mins[s];
    for (int g = 0; g < 8; ++g) {
      __m256i in[8], out[8];
      for (int r = 0; r < kTileRows; ++r) in[r] = v[r][g];
      Transpose8x8(in, out);
      for (int k = 0; k < 8; ++k) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(tile->q[s][8 * g + k]), out[k]);
      }
    }
    for (int j = 0; j < F::kSubs; ++j) {
      for (int r = 0; r < kTileRows; ++r) {
        tile->sc[s][j][2 * r] = tile->sc[s][j][2 * r + 1] = sc[r][j];
      }
    }
    for (int p = 0; p < F::kSubs / 2; ++p) {
      for (int r = 0; r < kTileRows; ++r) {
        tile->mn[s][p][2 * r] = mn[r][2 * p];
        tile->mn[s][p][2 * r + 1] = mn[r][2 * p + 1];
      }
    }
  }
}

// Sum over sub-block pairs p of mins (as int16 pairs per row) times the token's pair of
// sub-block sums: int32 per row lane.
template <int kSubs>
inline __m256i MinsTerm(const TileK& tile, int s, const BlockQ8K* y) {
  __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->bsums));
  if constexpr (kSubs == 8) bs = _mm256_hadd_epi16(bs, bs);  // sums of 32: int32 units 0,1,4,5
  __m256i total = _mm256_setzero_si256();
  SAVOIR_UNROLL
  for (int p = 0; p < kSubs / 2; ++p) {
    const int unit = kSubs == 8 ? (p < 2 ? p : p + 2) : p;
    const __m256i pair = _mm256_permutevar8x32_epi32(bs, _mm256_set1_epi32(unit));
    const __m256i m = _mm256_load_si256(reinterpret_cast<const __m256i*>(tile.mn[s][p]));
    total = _mm256_add_epi32(total, _mm256_madd_epi16(m, pair));
  }
  return total;
}

template <TensorType kType, int kNC>
void KernelK(const TileK& tile, int nsb, const TokenBlock& tb) {
  using F = FormatK<kType>;
  constexpr int kSteps = 64 / F::kSubs;  // 4-quant steps per sub-block
  // The float sums are touched once per block: kept in memory, they leave the registers to the
  // integer sums of the inner loop (gcc otherwise spills those).
  alignas(32) float acc[kNC][8] = {};
  for (int s = 0; s < nsb; ++s) {
    const BlockQ8K* y[kNC];
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      y[c] = reinterpret_cast<const BlockQ8K*>(tb.act + c * tb.act_stride) + s;
    }
    __m256i isum[kNC];
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) isum[c] = _mm256_setzero_si256();
    for (int j = 0; j < F::kSubs; ++j) {
      const __m256i scale = _mm256_load_si256(reinterpret_cast<const __m256i*>(tile.sc[s][j]));
      SAVOIR_UNROLL
      for (int g = 0; g < kSteps; g += F::kChain) {
        __m256i p16[kNC];
        SAVOIR_UNROLL
        for (int c = 0; c < kNC; ++c) p16[c] = _mm256_setzero_si256();
        SAVOIR_UNROLL
        for (int k = 0; k < F::kChain; ++k) {
          const int step = j * kSteps + g + k;
          const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(tile.q[s][step]));
          SAVOIR_UNROLL
          for (int c = 0; c < kNC; ++c) {
            const __m256i v = _mm256_set1_epi32(static_cast<int>(LoadU32(y[c]->qs + 4 * step)));
            p16[c] = _mm256_add_epi16(p16[c], _mm256_maddubs_epi16(w, v));
          }
        }
        SAVOIR_UNROLL
        for (int c = 0; c < kNC; ++c) {
          isum[c] = _mm256_add_epi32(isum[c], _mm256_madd_epi16(p16[c], scale));
        }
      }
    }
    const __m256 d = _mm256_load_ps(tile.d[s]);
    const __m256 dmin = _mm256_load_ps(tile.dmin[s]);
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      const __m256 dy = _mm256_set1_ps(y[c]->d);
      const __m256i mins = MinsTerm<F::kSubs>(tile, s, y[c]);
      __m256 sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[c]), _mm256_mul_ps(d, dy),
                                   _mm256_load_ps(acc[c]));
      sum = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(mins), _mm256_mul_ps(dmin, dy), sum);
      _mm256_store_ps(acc[c], sum);
    }
  }
  SAVOIR_UNROLL
  for (int c = 0; c < kNC; ++c)
    StoreRows(tb.out + c * tb.out_stride, _mm256_load_ps(acc[c]), tb.accumulate, tb.rows);
}

template <TensorType kType>
struct KernelKOf {
  template <int kNC>
  struct K {
    static void Run(const TileK& tile, int nsb, const TokenBlock& tb) {
      KernelK<kType, kNC>(tile, nsb, tb);
    }
  };
};

template <TensorType kType, VecDotFn kDot>
void MatMulK(const MatMulArgs& args) {
  if (args.n_tokens < kMinTiledTokens) {
    MatMulByDots<kDot>(args);
    return;
  }
  const int64_t nsb_total = args.cols / kQKK;
  TileK tile;
  for (int64_t t0 = 0; t0 < args.n_tokens; t0 += kTokenBlock) {
    const MatMulArgs sub = TokenSlice(args, t0);
    for (int64_t s0 = 0; s0 < nsb_total; s0 += kChunkK) {
      const int nsb = static_cast<int>(MinI64(kChunkK, nsb_total - s0));
      const uint8_t* act0 = static_cast<const uint8_t*>(sub.acts) + s0 * sizeof(BlockQ8K);
      for (int64_t r0 = args.row_begin; r0 < args.row_end; r0 += kTileRows) {
        const int rows = static_cast<int>(MinI64(kTileRows, args.row_end - r0));
        const uint8_t* ptr[8];
        TileRowPointers(args, r0, rows, ptr);
        RepackK<kType>(ptr, s0, nsb, &tile);
        ForEachTokenGroup<TileK, KernelKOf<kType>::template K>(sub, tile, nsb, act0, nullptr, r0,
                                                               rows, s0 > 0);
      }
    }
  }
}

// Float weights: 4 rows x 3 tokens of dot products along the row, reduced at the end.
template <TensorType kType>
inline __m256 LoadFloat8(const void* row, int64_t i) {
  if constexpr (kType == TensorType::kF32) {
    return _mm256_loadu_ps(static_cast<const float*>(row) + i);
  } else if constexpr (kType == TensorType::kF16) {
    return _mm256_cvtph_ps(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(row) + i)));
  } else {
    return LoadBF16(static_cast<const uint16_t*>(row) + i);
  }
}

template <TensorType kType, int kR, int kC>
void FloatBlock(const MatMulArgs& args, int64_t r0, int64_t t0, VecDotFn dot) {
  const auto* w = static_cast<const uint8_t*>(args.weights);
  const auto* a = static_cast<const uint8_t*>(args.acts);
  const void* rows[kR];
  const float* toks[kC];
  for (int r = 0; r < kR; ++r) rows[r] = w + static_cast<size_t>(r0 + r) * args.weight_stride;
  for (int c = 0; c < kC; ++c) {
    toks[c] = reinterpret_cast<const float*>(a + static_cast<size_t>(t0 + c) * args.act_stride);
  }
  __m256 acc[kR][kC];
  for (int r = 0; r < kR; ++r) {
    for (int c = 0; c < kC; ++c) acc[r][c] = _mm256_setzero_ps();
  }
  const int64_t n8 = args.cols & ~int64_t{7};
  for (int64_t i = 0; i < n8; i += 8) {
    __m256 x[kC];
    for (int c = 0; c < kC; ++c) x[c] = _mm256_loadu_ps(toks[c] + i);
    for (int r = 0; r < kR; ++r) {
      const __m256 wv = LoadFloat8<kType>(rows[r], i);
      for (int c = 0; c < kC; ++c) acc[r][c] = _mm256_fmadd_ps(wv, x[c], acc[r][c]);
    }
  }
  for (int r = 0; r < kR; ++r) {
    for (int c = 0; c < kC; ++c) {
      float v = HorizontalSum(acc[r][c]);
      if (n8 < args.cols) {
        // The few trailing elements (cols not a multiple of 8) go through the vec-dot tail.
        const size_t elem = kType == TensorType::kF32 ? 4 : 2;
        v += dot(args.cols - n8, static_cast<const uint8_t*>(rows[r]) + n8 * elem, toks[c] + n8);
      }
      args.out[static_cast<size_t>(t0 + c) * args.out_stride + static_cast<size_t>(r0 + r)] = v;
    }
  }
}

template <TensorType kType, VecDotFn kDot>
void MatMulFloat(const MatMulArgs& args) {
  constexpr int kR = 4, kC = 3;
  if (args.n_tokens < kC) {
    // Decode: stream each row once, sequentially (see MatVec32).
    MatMulByDots<kDot>(args);
    return;
  }
  int64_t r = args.row_begin;
  for (; r + kR <= args.row_end; r += kR) {
    int64_t t = 0;
    for (; t + kC <= args.n_tokens; t += kC) FloatBlock<kType, kR, kC>(args, r, t, kDot);
    for (; t < args.n_tokens; ++t) FloatBlock<kType, kR, 1>(args, r, t, kDot);
  }
  for (; r < args.row_end; ++r) {
    for (int64_t t = 0; t < args.n_tokens; ++t) FloatBlock<kType, 1, 1>(args, r, t, kDot);
  }
}

// ---------------------------------------------------------------------------------------------
// f32 operations.

float SumSquares(const float* x, int64_t n, int64_t* done) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                   _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      const __m256 v = _mm256_loadu_ps(x + i + 8 * k);
      acc[k] = _mm256_fmadd_ps(v, v, acc[k]);
    }
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    acc[0] = _mm256_fmadd_ps(v, v, acc[0]);
  }
  *done = i;
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
}

void RmsNorm(const float* x, const float* weight, float* y, int64_t n, float eps) {
  int64_t i;
  double sum = SumSquares(x, n, &i);
  for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float scale =
      1.0f / __builtin_sqrtf(static_cast<float>(sum / static_cast<double>(n)) + eps);
  const __m256 s = _mm256_set1_ps(scale);
  for (i = 0; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), s);
    if (weight != nullptr) v = _mm256_mul_ps(v, _mm256_loadu_ps(weight + i));
    _mm256_storeu_ps(y + i, v);
  }
  for (; i < n; ++i) y[i] = x[i] * scale * (weight != nullptr ? weight[i] : 1.0f);
}

void LayerNorm(const float* x, const float* weight, const float* bias, float* y, int64_t n,
               float eps) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + i));
  double sum = HorizontalSum(acc);
  for (; i < n; ++i) sum += x[i];
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const __m256 m = _mm256_set1_ps(mean);
  acc = _mm256_setzero_ps();
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_sub_ps(_mm256_loadu_ps(x + i), m);
    acc = _mm256_fmadd_ps(v, v, acc);
  }
  double var = HorizontalSum(acc);
  for (; i < n; ++i) var += static_cast<double>(x[i] - mean) * (x[i] - mean);
  const float scale =
      1.0f / __builtin_sqrtf(static_cast<float>(var / static_cast<double>(n)) + eps);
  const __m256 s = _mm256_set1_ps(scale);
  for (i = 0; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), m), s);
    if (weight != nullptr) v = _mm256_mul_ps(v, _mm256_loadu_ps(weight + i));
    if (bias != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + i));
    _mm256_storeu_ps(y + i, v);
  }
  for (; i < n; ++i) {
    float v = (x[i] - mean) * scale;
    if (weight != nullptr) v *= weight[i];
    if (bias != nullptr) v += bias[i];
    y[i] = v;
  }
}

float ExpScalar(float x) { return _mm_cvtss_f32(_mm256_castps256_ps128(Exp(_mm256_set1_ps(x)))); }

float Softmax(float* x, int64_t n) {
  __m256 vmax = _mm256_set1_ps(-__builtin_inff());
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
  float max = HorizontalMax(vmax);
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;
  const __m256 m = _mm256_set1_ps(max);
  __m256 acc = _mm256_setzero_ps();
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 e = Exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), m));
    _mm256_storeu_ps(x + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  double sum = HorizontalSum(acc);
  for (; i < n; ++i) {
    x[i] = ExpScalar(x[i] - max);
    sum += x[i];
  }
  const float inv = sum > 0 ? static_cast<float>(1.0 / sum) : 0.0f;
  const __m256 s = _mm256_set1_ps(inv);
  for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), s));
  for (; i < n; ++i) x[i] *= inv;
  return static_cast<float>(sum);
}

// Applies f to 8 lanes at a time; the tail goes through a zero-padded vector.
template <typename Fn>
inline void Map(const float* x, float* y, int64_t n, Fn fn) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, fn(_mm256_loadu_ps(x + i), i));
  if (i < n) {
    alignas(32) float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t k = i; k < n; ++k) buf[k - i] = x[k];
    _mm256_store_ps(buf, fn(_mm256_load_ps(buf), i));
    for (int64_t k = i; k < n; ++k) y[k] = buf[k - i];
  }
}

void SiluRow(const float* x, float* y, int64_t n) {
  Map(x, y, n, [](__m256 v, int64_t) { return Silu(v); });
}

void Swiglu(const float* gate, const float* up, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i,
                     _mm256_mul_ps(Silu(_mm256_loadu_ps(gate + i)), _mm256_loadu_ps(up + i)));
  }
  for (; i < n; ++i) {
    const float g = gate[i];
    y[i] = g / (1.0f + ExpScalar(-g)) * up[i];
  }
}

void Gelu(const float* x, float* y, int64_t n) {
  // 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
  Map(x, y, n, [](__m256 v, int64_t) {
    const __m256 x2 = _mm256_mul_ps(v, v);
    const __m256 inner = _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x2, _mm256_set1_ps(1.0f));
    const __m256 minus_2u =
        _mm256_mul_ps(_mm256_set1_ps(-2.0f * 0.79788456080286535588f), _mm256_mul_ps(v, inner));
    return _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), Exp(minus_2u)));
  });
}

void Rope(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float* cos_sin,
          RopeMode mode) {
  const int64_t half = n_rot / 2;
  for (int64_t h = 0; h < n_heads; ++h, x += head_dim) {
    int64_t i = 0;
    if (mode == RopeMode::kNeox) {
      for (; i + 8 <= half; i += 8) {
        // De-interleave 8 (cos, sin) pairs.
        const __m256 p0 = _mm256_loadu_ps(cos_sin + 2 * i);
        const __m256 p1 = _mm256_loadu_ps(cos_sin + 2 * i + 8);
        const __m256 cs = _mm256_shuffle_ps(p0, p1, 0x88);  // c0 c1 c4 c5 | c2 c3 c6 c7
        const __m256 sn = _mm256_shuffle_ps(p0, p1, 0xDD);
        const __m256 c = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(cs), 0xD8));
        const __m256 s = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(sn), 0xD8));
        const __m256 x0 = _mm256_loadu_ps(x + i);
        const __m256 x1 = _mm256_loadu_ps(x + i + half);
        _mm256_storeu_ps(x + i, _mm256_fmsub_ps(x0, c, _mm256_mul_ps(x1, s)));
        _mm256_storeu_ps(x + i + half, _mm256_fmadd_ps(x0, s, _mm256_mul_ps(x1, c)));
      }
    } else {
      for (; i + 4 <= half; i += 4) {
        // 4 pairs (x0, x1) against 4 pairs (c, s): x0' = x0 c - x1 s, x1' = x0 s + x1 c.
        const __m128 v = _mm_loadu_ps(x + 2 * i);
        const __m128 v2 = _mm_loadu_ps(x + 2 * i + 4);
        const __m256 xv = _mm256_set_m128(v2, v);
        const __m256 cs = _mm256_loadu_ps(cos_sin + 2 * i);
        const __m256 c = _mm256_moveldup_ps(cs);
        const __m256 s = _mm256_movehdup_ps(cs);
        const __m256 swapped = _mm256_permute_ps(xv, 0xB1);  // x1 x0
        const __m256 r = _mm256_addsub_ps(_mm256_mul_ps(xv, c), _mm256_mul_ps(swapped, s));
        _mm256_storeu_ps(x + 2 * i, r);
      }
    }
    for (; i < half; ++i) {
      const int64_t i0 = mode == RopeMode::kNeox ? i : 2 * i;
      const int64_t i1 = mode == RopeMode::kNeox ? i + half : 2 * i + 1;
      const float c = cos_sin[2 * i], s = cos_sin[2 * i + 1];
      const float x0 = x[i0], x1 = x[i1];
      x[i0] = x0 * c - x1 * s;
      x[i1] = x0 * s + x1 * c;
    }
  }
}

void Add(const float* a, const float* b, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) out[i] = a[i] + b[i];
}

void Mul(const float* a, const float* b, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  }
  for (; i < n; ++i) out[i] = a[i] * b[i];
}

void Scale(const float* x, float s, float* out, int64_t n) {
  const __m256 sv = _mm256_set1_ps(s);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), sv));
  for (; i < n; ++i) out[i] = x[i] * s;
}

void Axpy(float a, const float* x, float* y, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += a * x[i];
}

void AxpyF16(float a, const uint16_t* x, float* y, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 xv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, xv, _mm256_loadu_ps(y + i)));
  }
  for (; i < n; ++i) y[i] += a * _cvtsh_ss(x[i]);
}

float Dot(const float* a, const float* b, int64_t n) { return VecDotF32(n, a, b); }

void SetKernels(KernelTable* t, TensorType type, VecDotFn dot, MatMulFn mm) {
  TypeKernels& k = t->types[static_cast<int>(type)];
  k.vec_dot = dot;
  k.mat_mul = mm;
}

}  // namespace

namespace avx2 {
void MatMulQ4_0(const MatMulArgs& args) { MatMul32<TensorType::kQ4_0>(args); }
void MatMulQ4_1(const MatMulArgs& args) { MatMul32<TensorType::kQ4_1>(args); }
void MatMulQ5_0(const MatMulArgs& args) { MatMul32<TensorType::kQ5_0>(args); }
void MatMulQ5_1(const MatMulArgs& args) { MatMul32<TensorType::kQ5_1>(args); }
void MatMulQ8_0(const MatMulArgs& args) { MatMul32<TensorType::kQ8_0>(args); }
void MatMulQ4K(const MatMulArgs& args) { MatMulK<TensorType::kQ4_K, VecDotQ4K>(args); }
void MatMulQ5K(const MatMulArgs& args) { MatMulK<TensorType::kQ5_K, VecDotQ5K>(args); }
void MatMulQ6K(const MatMulArgs& args) { MatMulK<TensorType::kQ6_K, VecDotQ6K>(args); }
}  // namespace avx2

void FillAvx2Kernels(KernelTable* t) {
  using T = TensorType;
  t->level = KernelLevel::kAvx2;
  t->types[static_cast<int>(T::kQ8_0)].quantize_row = QuantizeRowQ8_0;
  t->types[static_cast<int>(T::kQ8_1)].quantize_row = QuantizeRowQ8_1;
  t->types[static_cast<int>(T::kQ8_K)].quantize_row = QuantizeRowQ8K;
  t->types[static_cast<int>(T::kF16)].quantize_row = QuantizeRowF16;
  t->types[static_cast<int>(T::kF16)].dequantize_row = DequantizeRowF16;
  t->types[static_cast<int>(T::kBF16)].dequantize_row = DequantizeRowBF16;
  t->types[static_cast<int>(T::kQ8_0)].dequantize_row = DequantizeRowQ8_0;
  t->types[static_cast<int>(T::kQ4_0)].dequantize_row = DequantizeRowQ4_0;

  SetKernels(t, T::kF32, VecDotF32, MatMulFloat<T::kF32, VecDotF32>);
  SetKernels(t, T::kF16, VecDotF16, MatMulFloat<T::kF16, VecDotF16>);
  SetKernels(t, T::kBF16, VecDotBF16, MatMulFloat<T::kBF16, VecDotBF16>);
  SetKernels(t, T::kQ8_0, VecDot32<T::kQ8_0>, MatMul32<T::kQ8_0>);
  SetKernels(t, T::kQ4_0, VecDot32<T::kQ4_0>, MatMul32<T::kQ4_0>);
  SetKernels(t, T::kQ5_0, VecDot32<T::kQ5_0>, MatMul32<T::kQ5_0>);
  SetKernels(t, T::kQ4_1, VecDot32<T::kQ4_1>, MatMul32<T::kQ4_1>);
  SetKernels(t, T::kQ5_1, VecDot32<T::kQ5_1>, MatMul32<T::kQ5_1>);
  SetKernels(t, T::kQ4_K, VecDotQ4K, MatMulK<T::kQ4_K, VecDotQ4K>);
  SetKernels(t, T::kQ5_K, VecDotQ5K, MatMulK<T::kQ5_K, VecDotQ5K>);
  SetKernels(t, T::kQ6_K, VecDotQ6K, MatMulK<T::kQ6_K, VecDotQ6K>);

  F32Kernels& f = t->f32;
  f.rms_norm = RmsNorm;
  f.layer_norm = LayerNorm;
  f.softmax = Softmax;
  f.silu = SiluRow;
  f.swiglu = Swiglu;
  f.gelu = Gelu;
  f.rope = Rope;
  f.add = Add;
  f.mul = Mul;
  f.scale = Scale;
  f.axpy = Axpy;
  f.axpy_f16 = AxpyF16;
  f.dot = Dot;
}

}  // namespace savoir::engine::kernels
