// Scalar reference kernels: the definition of what every SIMD variant must compute.
//
// Block layouts and the quantization algorithms follow ggml's reference code (ggml-quants.c), so
// that files quantized here match what llama.cpp produces and reads. Dot products accumulate
// each block (or K-quant sub-block) exactly in integers and scale once per block, the same
// arithmetic the SIMD kernels use.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/kernels/kernels_internal.h"

namespace savoir::engine::kernels {
namespace {

// Round to nearest, ties to even, for |x| < 2^22 (ggml's nearest_int): adding 1.5 * 2^23 leaves
// the rounded integer in the low mantissa bits.
int NearestInt(float x) {
  const float biased = x + 12582912.f;
  int32_t bits;
  std::memcpy(&bits, &biased, sizeof(bits));
  return (bits & 0x007fffff) - 0x00400000;
}

int Clamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Scale and min of sub-block j of a Q4_K/Q5_K block (6 bits each, packed in 12 bytes).
void ScaleMinK4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

void PackScaleMinK4(const uint8_t* ls, const uint8_t* lm, uint8_t* q) {
  std::memset(q, 0, 12);
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      q[j] = ls[j];
      q[j + 4] = lm[j];
    } else {
      q[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
      q[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
      q[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Float types.

void DequantizeRowF32(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}
void QuantizeRowF32(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}
void DequantizeRowF16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = HalfToFloat(h[i]);
}
void QuantizeRowF16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = FloatToHalf(src[i]);
}
void DequantizeRowBF16(const void* src, float* dst, int64_t n) {
  const auto* h = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = BFloat16ToFloat(h[i]);
}
void QuantizeRowBF16(const float* src, void* dst, int64_t n) {
  auto* h = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) h[i] = FloatToBFloat16(src[i]);
}

float VecDotF32(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const float*>(w);
  const auto* y = static_cast<const float*>(a);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * y[i];
  return static_cast<float>(sum);
}
float VecDotF16(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const float*>(a);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(HalfToFloat(x[i])) * y[i];
  return static_cast<float>(sum);
}
float VecDotBF16(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const uint16_t*>(w);
  const auto* y = static_cast<const float*>(a);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(BFloat16ToFloat(x[i])) * y[i];
  return static_cast<float>(sum);
}

// ---------------------------------------------------------------------------------------------
// 32-element formats.

void DequantizeRowQ4_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = HalfToFloat(x[i].d);
    for (int j = 0; j < 16; ++j) {
      dst[j] = static_cast<float>((x[i].qs[j] & 0xF) - 8) * d;
      dst[j + 16] = static_cast<float>((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void DequantizeRowQ4_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = HalfToFloat(x[i].d);
    const float m = HalfToFloat(x[i].m);
    for (int j = 0; j < 16; ++j) {
      dst[j] = static_cast<float>(x[i].qs[j] & 0xF) * d + m;
      dst[j + 16] = static_cast<float>(x[i].qs[j] >> 4) * d + m;
    }
  }
}

void DequantizeRowQ5_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = HalfToFloat(x[i].d);
    const uint32_t qh = LoadU32(x[i].qh);
    for (int j = 0; j < 16; ++j) {
      const int h0 = static_cast<int>((qh >> j) & 1) << 4;
      const int h1 = static_cast<int>((qh >> (j + 16)) & 1) << 4;
      dst[j] = static_cast<float>(((x[i].qs[j] & 0xF) | h0) - 16) * d;
      dst[j + 16] = static_cast<float>(((x[i].qs[j] >> 4) | h1) - 16) * d;
    }
  }
}

void DequantizeRowQ5_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = HalfToFloat(x[i].d);
    const float m = HalfToFloat(x[i].m);
    const uint32_t qh = LoadU32(x[i].qh);
    for (int j = 0; j < 16; ++j) {
      const int h0 = static_cast<int>((qh >> j) & 1) << 4;
      const int h1 = static_cast<int>((qh >> (j + 16)) & 1) << 4;
      dst[j] = static_cast<float>((x[i].qs[j] & 0xF) | h0) * d + m;
      dst[j + 16] = static_cast<float>((x[i].qs[j] >> 4) | h1) * d + m;
    }
  }
}

void DequantizeRowQ8_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = HalfToFloat(x[i].d);
    for (int j = 0; j < kQK; ++j) dst[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

void DequantizeRowQ8_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_1*>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = HalfToFloat(x[i].d);
    for (int j = 0; j < kQK; ++j) dst[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

// Signed value with the largest magnitude (the first one on ties), and that magnitude.
float SignedAbsMax(const float* x, int n, float* amax_out) {
  float amax = 0, max = 0;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  *amax_out = amax;
  return max;
}

void QuantizeRowQ4_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax;
    const float max = SignedAbsMax(src, kQK, &amax);
    const float d = max / -8;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = FloatToHalf(d);
    for (int j = 0; j < 16; ++j) {
      // Truncation toward zero after +8.5 rounds, as ggml does (values are >= 0 there).
      const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>(src[j] * id + 8.5f)));
      const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>(src[j + 16] * id + 8.5f)));
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void QuantizeRowQ4_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float min = src[0], max = src[0];
    for (int j = 1; j < kQK; ++j) {
      min = std::min(min, src[j]);
      max = std::max(max, src[j]);
    }
    const float d = (max - min) / 15;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = FloatToHalf(d);
    y[i].m = FloatToHalf(min);
    for (int j = 0; j < 16; ++j) {
      const int q0 =
          std::min(15, static_cast<int>(static_cast<int8_t>((src[j] - min) * id + 0.5f)));
      const int q1 =
          std::min(15, static_cast<int>(static_cast<int8_t>((src[j + 16] - min) * id + 0.5f)));
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void QuantizeRowQ5_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax;
    const float max = SignedAbsMax(src, kQK, &amax);
    const float d = max / -16;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = FloatToHalf(d);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = std::min(31, static_cast<int>(static_cast<int8_t>(src[j] * id + 16.5f)));
      const int q1 = std::min(31, static_cast<int>(static_cast<int8_t>(src[j + 16] * id + 16.5f)));
      y[i].qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
      qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + 16);
    }
    std::memcpy(y[i].qh, &qh, sizeof(qh));
  }
}

void QuantizeRowQ5_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float min = src[0], max = src[0];
    for (int j = 1; j < kQK; ++j) {
      min = std::min(min, src[j]);
      max = std::max(max, src[j]);
    }
    const float d = (max - min) / 31;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = FloatToHalf(d);
    y[i].m = FloatToHalf(min);
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = static_cast<uint8_t>((src[j] - min) * id + 0.5f);
      const int q1 = static_cast<uint8_t>((src[j + 16] - min) * id + 0.5f);
      y[i].qs[j] = static_cast<uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
      qh |= static_cast<uint32_t>((q0 >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((q1 >> 4) & 1) << (j + 16);
    }
    std::memcpy(y[i].qh, &qh, sizeof(qh));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Activation formats (also reused by the SIMD tables as the exact reference).

namespace ref {

void QuantizeRowQ8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(src[j]));
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = FloatToHalf(d);
    for (int j = 0; j < kQK; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(src[j] * id));
  }
}

void QuantizeRowQ8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(src[j]));
    const float d = amax / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = FloatToHalf(d);
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
      y[i].qs[j] = static_cast<int8_t>(std::round(src[j] * id));
      sum += y[i].qs[j];
    }
    y[i].s = FloatToHalf(static_cast<float>(sum) * d);
  }
}

void QuantizeRowQ8K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8K*>(dst);
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    float amax;
    const float max = SignedAbsMax(src, kQKK, &amax);
    if (amax == 0) {
      std::memset(&y[i], 0, sizeof(BlockQ8K));
      continue;
    }
    const float iscale = -127.f / max;
    for (int j = 0; j < kQKK; ++j) {
      y[i].qs[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * src[j])));
    }
    for (int j = 0; j < kQKK / 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += y[i].qs[16 * j + l];
      y[i].bsums[j] = static_cast<int16_t>(sum);
    }
    y[i].d = 1 / iscale;
  }
}

}  // namespace ref

namespace {

void DequantizeRowQ8K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8K*>(src);
  for (int64_t i = 0; i < n / kQKK; ++i, dst += kQKK) {
    for (int j = 0; j < kQKK; ++j) dst[j] = x[i].d * static_cast<float>(x[i].qs[j]);
  }
}

// ---------------------------------------------------------------------------------------------
// K-quants.

void DequantizeRowQ4K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4K*>(src);
  for (int64_t i = 0; i < n / kQKK; ++i) {
    const float d = HalfToFloat(x[i].d);
    const float dmin = HalfToFloat(x[i].dmin);
    const uint8_t* q = x[i].qs;
    for (int c = 0; c < 4; ++c, q += 32) {
      uint8_t sc, m;
      ScaleMinK4(2 * c, x[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      ScaleMinK4(2 * c + 1, x[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *dst++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *dst++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void DequantizeRowQ5K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5K*>(src);
  for (int64_t i = 0; i < n / kQKK; ++i) {
    const float d = HalfToFloat(x[i].d);
    const float dmin = HalfToFloat(x[i].dmin);
    const uint8_t* q = x[i].qs;
    for (int c = 0; c < 4; ++c, q += 32) {
      uint8_t sc, m;
      ScaleMinK4(2 * c, x[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      ScaleMinK4(2 * c + 1, x[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      const int lo_bit = 1 << (2 * c), hi_bit = 2 << (2 * c);
      for (int l = 0; l < 32; ++l) {
        const int v = (q[l] & 0xF) + ((x[i].qh[l] & lo_bit) ? 16 : 0);
        *dst++ = d1 * static_cast<float>(v) - m1;
      }
      for (int l = 0; l < 32; ++l) {
        const int v = (q[l] >> 4) + ((x[i].qh[l] & hi_bit) ? 16 : 0);
        *dst++ = d2 * static_cast<float>(v) - m2;
      }
    }
  }
}

// The 6-bit value of element e (0..255) of a Q6_K block, in [0, 63].
int Q6KValue(const BlockQ6K& b, int e) {
  const int half = e / 128, r = e % 128, group = r / 32, l = r % 32;
  const uint8_t* ql = b.ql + 64 * half;
  const uint8_t* qh = b.qh + 32 * half;
  const int low = (group & 1) ? ql[l + 32] : ql[l];
  const int nibble = (group & 2) ? (low >> 4) : (low & 0xF);
  return nibble | (((qh[l] >> (2 * group)) & 3) << 4);
}

void DequantizeRowQ6K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ6K*>(src);
  for (int64_t i = 0; i < n / kQKK; ++i, dst += kQKK) {
    const float d = HalfToFloat(x[i].d);
    for (int e = 0; e < kQKK; ++e) {
      dst[e] =
          d * static_cast<float>(x[i].scales[e / 16]) * static_cast<float>(Q6KValue(x[i], e) - 32);
    }
  }
}

// Fits x[i] ~ scale * L[i] - the_min with L in [0, nmax], searching scales around the min/max
// fit and solving weighted least squares for each candidate (ggml's make_qkx2_quants).
float FitScaleMin(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* the_min,
                  float rmin, float rdelta, int nstep) {
  float min = x[0], max = x[0];
  float sum_w = weights[0], sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    min = std::min(min, x[i]);
    max = std::max(max, x[i]);
    sum_w += weights[i];
    sum_x += weights[i] * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    std::memset(L, 0, static_cast<size_t>(n));
    *the_min = -min;
    return 0.f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    L[i] = static_cast<uint8_t>(Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax));
    const float diff = scale * L[i] + min - x[i];
    best_error += weights[i] * diff * diff;
  }
  uint8_t laux[32];
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax);
      laux[i] = static_cast<uint8_t>(l);
      sum_l += weights[i] * l;
      sum_l2 += weights[i] * l * l;
      sum_xl += weights[i] * l * x[i];
    }
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (det <= 0) continue;
    float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
    float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
    if (this_min > 0) {
      this_min = 0;
      this_scale = sum_xl / sum_l2;
    }
    float error = 0;
    for (int i = 0; i < n; ++i) {
      const float diff = this_scale * laux[i] + this_min - x[i];
      error += weights[i] * diff * diff;
    }
    if (error < best_error) {
      std::memcpy(L, laux, static_cast<size_t>(n));
      best_error = error;
      scale = this_scale;
      min = this_min;
    }
  }
  *the_min = -min;
  return scale;
}

// Quantizes one Q4_K/Q5_K super-block: per-sub-block scale/min fits, 6-bit coding of those
// relative to the block maxima, then the final levels against the coded scales. `levels` gets
// values in [0, nmax].
void QuantizeSuperBlockK(const float* x, int nmax, float rmin, float rdelta, int nstep,
                         uint16_t* d_out, uint16_t* dmin_out, uint8_t* scales_out,
                         uint8_t* levels) {
  float scales[8], mins[8], weights[32];
  float max_scale = 0, max_min = 0;
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + 32 * j;
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
    scales[j] = FitScaleMin(32, nmax, xs, weights, levels + 32 * j, &mins[j], rmin, rdelta, nstep);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  uint8_t ls[8], lm[8];
  for (int j = 0; j < 8; ++j) {
    ls[j] = static_cast<uint8_t>(std::min(63, NearestInt(inv_scale * scales[j])));
    lm[j] = static_cast<uint8_t>(std::min(63, NearestInt(inv_min * mins[j])));
  }
  PackScaleMinK4(ls, lm, scales_out);
  *d_out = FloatToHalf(max_scale / 63.f);
  *dmin_out = FloatToHalf(max_min / 63.f);
  const float d_all = HalfToFloat(*d_out), dmin_all = HalfToFloat(*dmin_out);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    ScaleMinK4(j, scales_out, &sc, &m);
    const float d = d_all * sc;
    if (d == 0) continue;
    const float dm = dmin_all * m;
    for (int l = 0; l < 32; ++l) {
      levels[32 * j + l] =
          static_cast<uint8_t>(Clamp(NearestInt((x[32 * j + l] + dm) / d), 0, nmax));
    }
  }
}

void QuantizeRowQ4K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4K*>(dst);
  uint8_t levels[kQKK];
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    QuantizeSuperBlockK(src, 15, -1.f, 0.1f, 20, &y[i].d, &y[i].dmin, y[i].scales, levels);
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        y[i].qs[32 * c + l] =
            static_cast<uint8_t>(levels[64 * c + l] | (levels[64 * c + 32 + l] << 4));
      }
    }
  }
}

void QuantizeRowQ5K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5K*>(dst);
  uint8_t levels[kQKK];
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    QuantizeSuperBlockK(src, 31, -0.5f, 0.1f, 15, &y[i].d, &y[i].dmin, y[i].scales, levels);
    std::memset(y[i].qh, 0, sizeof(y[i].qh));
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const int lo = levels[64 * c + l], hi = levels[64 * c + 32 + l];
        y[i].qs[32 * c + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
        y[i].qh[l] |= static_cast<uint8_t>(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
      }
    }
  }
}

// Fits x[i] ~ scale * (L[i] - nmax) with L in [0, 2*nmax), trying scales around -nmax/max and
// keeping the one with the lowest x^2-weighted error (ggml's make_qx_quants, rmse_type 1).
float FitScaleSymmetric(int n, int nmax, const float* x, int8_t* L) {
  float amax;
  const float max = SignedAbsMax(x, n, &amax);
  if (amax < 1e-15f) {
    std::memset(L, 0, static_cast<size_t>(n));
    return 0.f;
  }
  auto fit = [&](float iscale, float* sumlx, float* suml2, bool store) {
    *sumlx = *suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
      if (store) L[i] = static_cast<int8_t>(l + nmax);
      const float w = x[i] * x[i];
      *sumlx += w * x[i] * l;
      *suml2 += w * l * l;
    }
  };
  float sumlx, suml2;
  fit(-nmax / max, &sumlx, &suml2, true);
  float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    const float iscale = -(nmax + 0.1f * is) / max;
    fit(iscale, &sumlx, &suml2, false);
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      fit(iscale, &sumlx, &suml2, true);
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

void QuantizeRowQ6K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ6K*>(dst);
  int8_t levels[kQKK];
  float scales[16];
  for (int64_t i = 0; i < n / kQKK; ++i, src += kQKK) {
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
      scales[ib] = FitScaleSymmetric(16, 32, src + 16 * ib, levels + 16 * ib);
      if (std::fabs(scales[ib]) > max_abs_scale) {
        max_abs_scale = std::fabs(scales[ib]);
        max_scale = scales[ib];
      }
    }
    std::memset(&y[i], 0, sizeof(BlockQ6K));
    if (max_abs_scale < 1e-15f) continue;
    const float iscale = -128.f / max_scale;
    y[i].d = FloatToHalf(1 / iscale);
    for (int ib = 0; ib < 16; ++ib) {
      y[i].scales[ib] = static_cast<int8_t>(std::min(127, NearestInt(iscale * scales[ib])));
    }
    for (int j = 0; j < 16; ++j) {
      const float d = HalfToFloat(y[i].d) * y[i].scales[j];
      if (d == 0) continue;
      for (int l = 0; l < 16; ++l) {
        levels[16 * j + l] =
            static_cast<int8_t>(Clamp(NearestInt(src[16 * j + l] / d), -32, 31) + 32);
      }
    }
    for (int e = 0; e < kQKK; ++e) {
      const int half = e / 128, r = e % 128, group = r / 32, l = r % 32;
      const int v = levels[e];
      uint8_t& low = y[i].ql[64 * half + l + ((group & 1) ? 32 : 0)];
      low |= static_cast<uint8_t>((group & 2) ? (v & 0xF) << 4 : (v & 0xF));
      y[i].qh[32 * half + l] |= static_cast<uint8_t>((v >> 4) << (2 * group));
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Dot products with quantized activations.

namespace ref {

float VecDotQ8_0(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ8_0*>(w);
  const auto* y = static_cast<const BlockQ8_0*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
    sum += static_cast<float>(sumi) * (HalfToFloat(x[i].d) * HalfToFloat(y[i].d));
  }
  return sum;
}

float VecDotQ4_0(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ4_0*>(w);
  const auto* y = static_cast<const BlockQ8_0*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      sumi += ((x[i].qs[j] & 0xF) - 8) * y[i].qs[j] + ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + 16];
    }
    sum += static_cast<float>(sumi) * (HalfToFloat(x[i].d) * HalfToFloat(y[i].d));
  }
  return sum;
}

float VecDotQ5_0(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ5_0*>(w);
  const auto* y = static_cast<const BlockQ8_0*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const uint32_t qh = LoadU32(x[i].qh);
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = ((x[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - 16;
      const int q1 = ((x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
      sumi += q0 * y[i].qs[j] + q1 * y[i].qs[j + 16];
    }
    sum += static_cast<float>(sumi) * (HalfToFloat(x[i].d) * HalfToFloat(y[i].d));
  }
  return sum;
}

float VecDotQ4_1(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ4_1*>(w);
  const auto* y = static_cast<const BlockQ8_1*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      sumi += (x[i].qs[j] & 0xF) * y[i].qs[j] + (x[i].qs[j] >> 4) * y[i].qs[j + 16];
    }
    sum += static_cast<float>(sumi) * (HalfToFloat(x[i].d) * HalfToFloat(y[i].d)) +
           HalfToFloat(x[i].m) * HalfToFloat(y[i].s);
  }
  return sum;
}

float VecDotQ5_1(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ5_1*>(w);
  const auto* y = static_cast<const BlockQ8_1*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQK; ++i) {
    const uint32_t qh = LoadU32(x[i].qh);
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      const int q0 = (x[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      const int q1 = (x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      sumi += q0 * y[i].qs[j] + q1 * y[i].qs[j + 16];
    }
    sum += static_cast<float>(sumi) * (HalfToFloat(x[i].d) * HalfToFloat(y[i].d)) +
           HalfToFloat(x[i].m) * HalfToFloat(y[i].s);
  }
  return sum;
}

// Q4_K and Q5_K share the scale/min structure; `value(e)` gives the level of element e.
template <typename Block, typename ValueFn>
float VecDotK4Style(int64_t n, const void* w, const void* a, ValueFn value) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const BlockQ8K*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int sumi = 0, summ = 0;
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      ScaleMinK4(j, x[i].scales, &sc, &m);
      int dot = 0;
      for (int l = 0; l < 32; ++l) dot += value(x[i], 32 * j + l) * y[i].qs[32 * j + l];
      sumi += sc * dot;
      summ += m * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
    }
    const float dy = y[i].d;
    sum += HalfToFloat(x[i].d) * dy * static_cast<float>(sumi) -
           HalfToFloat(x[i].dmin) * dy * static_cast<float>(summ);
  }
  return sum;
}

float VecDotQ4K(int64_t n, const void* w, const void* a) {
  return VecDotK4Style<BlockQ4K>(n, w, a, [](const BlockQ4K& b, int e) {
    const int c = e / 64, r = e % 64;
    return r < 32 ? (b.qs[32 * c + r] & 0xF) : (b.qs[32 * c + r - 32] >> 4);
  });
}

float VecDotQ5K(int64_t n, const void* w, const void* a) {
  return VecDotK4Style<BlockQ5K>(n, w, a, [](const BlockQ5K& b, int e) {
    const int c = e / 64, r = e % 64, l = r % 32;
    const int low = r < 32 ? (b.qs[32 * c + l] & 0xF) : (b.qs[32 * c + l] >> 4);
    const int bit = 2 * c + (r < 32 ? 0 : 1);
    return low | (((b.qh[l] >> bit) & 1) << 4);
  });
}

float VecDotQ6K(int64_t n, const void* w, const void* a) {
  const auto* x = static_cast<const BlockQ6K*>(w);
  const auto* y = static_cast<const BlockQ8K*>(a);
  float sum = 0;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int sumi = 0;
    for (int j = 0; j < 16; ++j) {
      int dot = 0;
      for (int l = 0; l < 16; ++l) {
        dot += (Q6KValue(x[i], 16 * j + l) - 32) * y[i].qs[16 * j + l];
      }
      sumi += x[i].scales[j] * dot;
    }
    sum += HalfToFloat(x[i].d) * y[i].d * static_cast<float>(sumi);
  }
  return sum;
}

}  // namespace ref

namespace {

// ---------------------------------------------------------------------------------------------
// Matrix product through dot products: the reference for every MatMul.

template <VecDotFn kDot>
void MatMulByDots(const MatMulArgs& args) {
  const auto* w = static_cast<const uint8_t*>(args.weights);
  const auto* a = static_cast<const uint8_t*>(args.acts);
  for (int64_t r = args.row_begin; r < args.row_end; ++r) {
    for (int64_t t = 0; t < args.n_tokens; ++t) {
      args.out[static_cast<size_t>(t) * args.out_stride + static_cast<size_t>(r)] =
          kDot(args.cols, w + static_cast<size_t>(r) * args.weight_stride,
               a + static_cast<size_t>(t) * args.act_stride);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// f32 operations.

void RmsNorm(const float* x, const float* weight, float* y, int64_t n, float eps) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float scale = 1.0f / std::sqrt(static_cast<float>(sum / static_cast<double>(n)) + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * (weight != nullptr ? weight[i] : 1.0f);
}

void LayerNorm(const float* x, const float* weight, const float* bias, float* y, int64_t n,
               float eps) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  double var = 0;
  for (int64_t i = 0; i < n; ++i) var += static_cast<double>(x[i] - mean) * (x[i] - mean);
  const float scale = 1.0f / std::sqrt(static_cast<float>(var / static_cast<double>(n)) + eps);
  for (int64_t i = 0; i < n; ++i) {
    float v = (x[i] - mean) * scale;
    if (weight != nullptr) v *= weight[i];
    if (bias != nullptr) v += bias[i];
    y[i] = v;
  }
}

float Softmax(float* x, int64_t n) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  const float inv = sum > 0 ? static_cast<float>(1.0 / sum) : 0.0f;
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
  return static_cast<float>(sum);
}

float SiluOne(float x) { return x / (1.0f + std::exp(-x)); }

void Silu(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = SiluOne(x[i]);
}

void Swiglu(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = SiluOne(gate[i]) * up[i];
}

void Gelu(const float* x, float* y, int64_t n) {
  constexpr float kSqrt2OverPi = 0.79788456080286535588f;
  constexpr float kCoef = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * v * (1.0f + kCoef * v * v)));
  }
}

void Rope(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float* cos_sin,
          RopeMode mode) {
  const int64_t half = n_rot / 2;
  for (int64_t h = 0; h < n_heads; ++h, x += head_dim) {
    for (int64_t i = 0; i < half; ++i) {
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
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}
void Mul(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}
void Scale(const float* x, float s, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * s;
}
void Axpy(float a, const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}
void AxpyF16(float a, const uint16_t* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * HalfToFloat(x[i]);
}
float Dot(const float* a, const float* b, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

void SetType(KernelTable* table, TensorType type, TypeKernels kernels) {
  table->types[static_cast<int>(type)] = kernels;
}

}  // namespace

void FillScalarKernels(KernelTable* t) {
  using T = TensorType;
  t->level = KernelLevel::kScalar;
  SetType(t, T::kF32,
          {T::kF32, DequantizeRowF32, QuantizeRowF32, VecDotF32, MatMulByDots<VecDotF32>});
  SetType(t, T::kF16,
          {T::kF32, DequantizeRowF16, QuantizeRowF16, VecDotF16, MatMulByDots<VecDotF16>});
  SetType(t, T::kBF16,
          {T::kF32, DequantizeRowBF16, QuantizeRowBF16, VecDotBF16, MatMulByDots<VecDotBF16>});
  SetType(t, T::kQ4_0,
          {T::kQ8_0, DequantizeRowQ4_0, QuantizeRowQ4_0, ref::VecDotQ4_0,
           MatMulByDots<ref::VecDotQ4_0>});
  SetType(t, T::kQ4_1,
          {T::kQ8_1, DequantizeRowQ4_1, QuantizeRowQ4_1, ref::VecDotQ4_1,
           MatMulByDots<ref::VecDotQ4_1>});
  SetType(t, T::kQ5_0,
          {T::kQ8_0, DequantizeRowQ5_0, QuantizeRowQ5_0, ref::VecDotQ5_0,
           MatMulByDots<ref::VecDotQ5_0>});
  SetType(t, T::kQ5_1,
          {T::kQ8_1, DequantizeRowQ5_1, QuantizeRowQ5_1, ref::VecDotQ5_1,
           MatMulByDots<ref::VecDotQ5_1>});
  SetType(t, T::kQ8_0,
          {T::kQ8_0, DequantizeRowQ8_0, ref::QuantizeRowQ8_0, ref::VecDotQ8_0,
           MatMulByDots<ref::VecDotQ8_0>});
  SetType(t, T::kQ8_1, {T::kQ8_1, DequantizeRowQ8_1, ref::QuantizeRowQ8_1, nullptr, nullptr});
  SetType(
      t, T::kQ4_K,
      {T::kQ8_K, DequantizeRowQ4K, QuantizeRowQ4K, ref::VecDotQ4K, MatMulByDots<ref::VecDotQ4K>});
  SetType(
      t, T::kQ5_K,
      {T::kQ8_K, DequantizeRowQ5K, QuantizeRowQ5K, ref::VecDotQ5K, MatMulByDots<ref::VecDotQ5K>});
  SetType(
      t, T::kQ6_K,
      {T::kQ8_K, DequantizeRowQ6K, QuantizeRowQ6K, ref::VecDotQ6K, MatMulByDots<ref::VecDotQ6K>});
  SetType(t, T::kQ8_K, {T::kQ8_K, DequantizeRowQ8K, ref::QuantizeRowQ8K, nullptr, nullptr});

  F32Kernels& f = t->f32;
  f.rms_norm = RmsNorm;
  f.layer_norm = LayerNorm;
  f.softmax = Softmax;
  f.silu = Silu;
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
