// AVX-512 (F, BW, VL, VNNI) kernels. This file alone is compiled with the AVX-512 flags; as in
// kernels_avx2.cc, everything here has internal linkage except FillAvx512Kernels().
//
// What AVX-512 changes is the many-token matrix product: tiles hold 16 weight rows (one 64-byte
// vector holds 4 consecutive quants of each row) and VPDPBUSD multiplies unsigned bytes by
// signed bytes and accumulates into int32 in one instruction, with no int16 saturation. The
// weights go in as the unsigned operand: K-quant levels already are unsigned; signed 32-element
// formats are stored biased by +128 and the bias is removed with the activation block sums
// (sum (w + 128) y = sum w y + 128 sum y). Decode of the 32-element formats uses 256-bit VNNI
// (MatVec32); K-quant and float decode keep the AVX2 kernels, which already run at memory speed.
#include <immintrin.h>

#include <cstring>

#include "engine/kernels/kernels_internal.h"

// Loops over tokens, steps and sub-blocks inside the micro-kernels have compile-time trip counts
// and must be unrolled completely, or their accumulator arrays spill to the stack.
#define SAVOIR_UNROLL _Pragma("GCC unroll 16")

namespace savoir::engine::kernels {
namespace {

using T = TensorType;

inline int64_t MinI64(int64_t a, int64_t b) { return a < b ? a : b; }

// int32 -> float. The zero-masked form: GCC 12 warns about the undefined source register that
// _mm512_cvtepi32_ps passes to its builtin (GCC bug 105593); the code is the same instruction.
inline __m512 ToFloat(__m512i v) { return _mm512_maskz_cvtepi32_ps(0xFFFF, v); }

inline uint32_t LoadU32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline float HalfAt(const void* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof(v));
  return _cvtsh_ss(v);
}

inline __m256i Nibbles(const uint8_t* p) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), _mm256_set1_epi8(0x0F));
}

// The 32 bits of `bits` as bytes of 0x10 (bit set) or 0.
inline __m256i FifthBits(uint32_t bits) {
  const __m256i ones = _mm256_movm_epi8(bits);
  return _mm256_and_si256(ones, _mm256_set1_epi8(0x10));
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

// Transposes 16 rows of 8 units into 8 vectors of 16 rows and stores them at dst[k * 64].
inline void StoreTransposed16(const __m256i rows[16], uint8_t* dst) {
  __m256i lo[8], hi[8];
  Transpose8x8(rows, lo);
  Transpose8x8(rows + 8, hi);
  for (int k = 0; k < 8; ++k) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(dst + 64 * k), lo[k]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(dst + 64 * k + 32), hi[k]);
  }
}

constexpr int kTileRows = 16;
constexpr int kTileCols = 8;
constexpr int64_t kMinTiledTokens = 4;
constexpr int64_t kTokenBlock = 256;

inline MatMulArgs TokenSlice(const MatMulArgs& args, int64_t t0) {
  MatMulArgs sub = args;
  sub.acts = static_cast<const uint8_t*>(args.acts) + static_cast<size_t>(t0) * args.act_stride;
  sub.out = args.out + static_cast<size_t>(t0) * args.out_stride;
  sub.n_tokens = MinI64(kTokenBlock, args.n_tokens - t0);
  return sub;
}

inline void TileRowPointers(const MatMulArgs& args, int64_t r0, int rows, const uint8_t* ptr[16]) {
  const auto* w = static_cast<const uint8_t*>(args.weights);
  for (int r = 0; r < kTileRows; ++r) {
    const int64_t row = r0 + (r < rows ? r : rows - 1);
    ptr[r] = w + static_cast<size_t>(row) * args.weight_stride;
  }
}

inline void StoreRows(float* out, __m512 v, bool accumulate, int rows) {
  const __mmask16 mask = static_cast<__mmask16>(rows >= 16 ? 0xFFFF : (1u << rows) - 1);
  if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, out));
  _mm512_mask_storeu_ps(out, mask, v);
}

struct TokenBlock {
  const uint8_t* act;  // first token's activation row at the chunk's first block
  size_t act_stride;
  const int32_t* bias;  // per token (kChunk32 entries each): -128 * block sums, or null
  float* out;
  size_t out_stride;
  bool accumulate;
  int rows;
};

// ---------------------------------------------------------------------------------------------
// 32-element formats.

template <T kType>
struct Format32;
template <>
struct Format32<T::kQ8_0> {
  static constexpr int kBytes = 34;
  static constexpr bool kAsym = false;
};
template <>
struct Format32<T::kQ4_0> {
  static constexpr int kBytes = 18;
  static constexpr bool kAsym = false;
};
template <>
struct Format32<T::kQ5_0> {
  static constexpr int kBytes = 22;
  static constexpr bool kAsym = false;
};
template <>
struct Format32<T::kQ4_1> {
  static constexpr int kBytes = 20;
  static constexpr bool kAsym = true;
};
template <>
struct Format32<T::kQ5_1> {
  static constexpr int kBytes = 24;
  static constexpr bool kAsym = true;
};

template <bool kAsym>
struct Act32 {
  static constexpr int kBytes = kAsym ? 36 : 34;
  static constexpr int kQs = kAsym ? 4 : 2;
};

// One block as 32 unsigned bytes: signed values + 128 (Q8_0, Q4_0, Q5_0) or levels (Q4_1, Q5_1).
template <T kType>
inline __m256i UnsignedBlock32(const uint8_t* block) {
  const __m256i bias = _mm256_set1_epi8(static_cast<char>(0x80));
  if constexpr (kType == T::kQ8_0) {
    return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2)), bias);
  } else if constexpr (kType == T::kQ4_0) {
    return _mm256_add_epi8(Nibbles(block + 2), _mm256_set1_epi8(120));  // q - 8 + 128
  } else if constexpr (kType == T::kQ5_0) {
    const __m256i q = _mm256_or_si256(Nibbles(block + 6), FifthBits(LoadU32(block + 2)));
    return _mm256_add_epi8(q, _mm256_set1_epi8(112));  // q - 16 + 128
  } else if constexpr (kType == T::kQ4_1) {
    return Nibbles(block + 4);
  } else {
    static_assert(kType == T::kQ5_1);
    return _mm256_or_si256(Nibbles(block + 8), FifthBits(LoadU32(block + 4)));
  }
}

constexpr int kChunk32 = 32;

struct Tile32 {
  alignas(64) uint8_t q[kChunk32][8][64];  // [block][4-quant step][row * 4 + i]
  alignas(64) float d[kChunk32][16];
  alignas(64) float m[kChunk32][16];
};

template <T kType>
void Repack32(const uint8_t* const rows[16], int64_t block0, int nblocks, Tile32* tile) {
  using F = Format32<kType>;
  // Row by row, so that each row's chunk is read as one sequential stream (interleaved reads of
  // several rows defeat the hardware prefetcher), then transposed block by block.
  __m256i v[kChunk32][16];
  for (int r = 0; r < kTileRows; ++r) {
    const uint8_t* row = rows[r] + block0 * F::kBytes;
    for (int b = 0; b < nblocks; ++b) {
      const uint8_t* block = row + b * F::kBytes;
      v[b][r] = UnsignedBlock32<kType>(block);
      tile->d[b][r] = HalfAt(block);
      if constexpr (F::kAsym) tile->m[b][r] = HalfAt(block + 2);
    }
  }
  for (int b = 0; b < nblocks; ++b) StoreTransposed16(v[b], tile->q[b][0]);
}

// -128 * (sum of the block's activation quants) for each token and block of a chunk: the
// correction for the +128 bias of the weights.
void BlockSumBias(const MatMulArgs& sub, int64_t block0, int nblocks, int32_t* bias) {
  const __m256i ones = _mm256_set1_epi8(1);
  for (int64_t t = 0; t < sub.n_tokens; ++t) {
    const uint8_t* row = static_cast<const uint8_t*>(sub.acts) + t * sub.act_stride;
    for (int b = 0; b < nblocks; ++b) {
      const __m256i y = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(row + (block0 + b) * Act32<false>::kBytes + 2));
      const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), ones, y);
      __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
      h = _mm_add_epi32(h, _mm_unpackhi_epi64(h, h));
      h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xB1));
      bias[t * kChunk32 + b] = -128 * _mm_cvtsi128_si32(h);
    }
  }
}

template <T kType, int kNC>
void Kernel32(const Tile32& tile, int nblocks, const TokenBlock& tb) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  __m512 acc[kNC];
  SAVOIR_UNROLL
  for (int c = 0; c < kNC; ++c) acc[c] = _mm512_setzero_ps();
  for (int b = 0; b < nblocks; ++b) {
    const uint8_t* ab = tb.act + b * A::kBytes;
    __m512i isum[kNC];
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      isum[c] = F::kAsym ? _mm512_setzero_si512() : _mm512_set1_epi32(tb.bias[c * kChunk32 + b]);
    }
    SAVOIR_UNROLL
    for (int s = 0; s < 8; ++s) {
      const __m512i w = _mm512_load_si512(tile.q[b][s]);
      SAVOIR_UNROLL
      for (int c = 0; c < kNC; ++c) {
        const __m512i v =
            _mm512_set1_epi32(static_cast<int>(LoadU32(ab + c * tb.act_stride + A::kQs + 4 * s)));
        isum[c] = _mm512_dpbusd_epi32(isum[c], w, v);
      }
    }
    const __m512 dw = _mm512_load_ps(tile.d[b]);
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      const uint8_t* abc = ab + c * tb.act_stride;
      acc[c] =
          _mm512_fmadd_ps(ToFloat(isum[c]), _mm512_mul_ps(dw, _mm512_set1_ps(HalfAt(abc))), acc[c]);
      if constexpr (F::kAsym) {
        acc[c] =
            _mm512_fmadd_ps(_mm512_load_ps(tile.m[b]), _mm512_set1_ps(HalfAt(abc + 2)), acc[c]);
      }
    }
  }
  SAVOIR_UNROLL
  for (int c = 0; c < kNC; ++c)
    StoreRows(tb.out + c * tb.out_stride, acc[c], tb.accumulate, tb.rows);
}

// Runs Kernel<kNC>::Run over all tokens of a block, kTileCols at a time, then the remainder.
template <typename Tile, template <int> class Kernel>
void ForEachTokenGroup(const MatMulArgs& sub, const Tile& tile, int n, TokenBlock tb,
                       int64_t bias_stride) {
  int64_t t = 0;
  for (; t + kTileCols <= sub.n_tokens; t += kTileCols) {
    Kernel<kTileCols>::Run(tile, n, tb);
    tb.act += kTileCols * sub.act_stride;
    tb.out += kTileCols * sub.out_stride;
    if (tb.bias != nullptr) tb.bias += kTileCols * bias_stride;
  }
  switch (sub.n_tokens - t) {
    case 7:
      Kernel<7>::Run(tile, n, tb);
      break;
    case 6:
      Kernel<6>::Run(tile, n, tb);
      break;
    case 5:
      Kernel<5>::Run(tile, n, tb);
      break;
    case 4:
      Kernel<4>::Run(tile, n, tb);
      break;
    case 3:
      Kernel<3>::Run(tile, n, tb);
      break;
    case 2:
      Kernel<2>::Run(tile, n, tb);
      break;
    case 1:
      Kernel<1>::Run(tile, n, tb);
      break;
    default:
      break;
  }
}

template <T kType>
struct Kernel32Of {
  template <int kNC>
  struct K {
    static void Run(const Tile32& tile, int nblocks, const TokenBlock& tb) {
      Kernel32<kType, kNC>(tile, nblocks, tb);
    }
  };
};

// Few-token products (decode) of the 32-element formats on 256-bit vectors: VPDPBUSD takes the
// unsigned levels directly (one instruction for maddubs + madd), the Q5 fifth bits come from a
// mask register, and kR rows (MatVec32 uses 1) share each activation block, its scale and its
// offset term sum(offset * y) (levels q stand for q - offset in Q4_0/Q5_0).
template <T kType>
inline __m256i Levels32(const uint8_t* block) {
  if constexpr (kType == T::kQ8_0) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
  } else if constexpr (kType == T::kQ4_0) {
    return Nibbles(block + 2);
  } else if constexpr (kType == T::kQ5_0) {
    const __m256i low = Nibbles(block + 6);
    return _mm256_mask_add_epi8(low, LoadU32(block + 2), low, _mm256_set1_epi8(0x10));
  } else if constexpr (kType == T::kQ4_1) {
    return Nibbles(block + 4);
  } else {
    static_assert(kType == T::kQ5_1);
    const __m256i low = Nibbles(block + 8);
    return _mm256_mask_add_epi8(low, LoadU32(block + 4), low, _mm256_set1_epi8(0x10));
  }
}

inline float HorizontalSum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Per-block terms of one activation row, computed once per chunk of columns and shared by all
// weight rows: the scale as a float, the Q8_1 sum, and the bias -offset * sum(y) as the VPDPBUSD
// starting value (Q4_0/Q5_0; zero otherwise).
constexpr int64_t kTermBlocks = 256;

struct ActTerms32 {
  alignas(32) __m256i base[kTermBlocks];
  alignas(32) float scale[kTermBlocks];
  alignas(32) float sum[kTermBlocks];
};

template <T kType>
void ComputeActTerms32(const uint8_t* y, int64_t nb, ActTerms32* terms) {
  using A = Act32<Format32<kType>::kAsym>;
  constexpr int kOffset = kType == T::kQ4_0 ? 8 : (kType == T::kQ5_0 ? 16 : 0);
  const __m256i offset = _mm256_set1_epi8(kOffset);
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* yb = y + i * A::kBytes;
    terms->scale[i] = HalfAt(yb);
    if constexpr (A::kQs == 4) terms->sum[i] = HalfAt(yb + 2);
    __m256i base = _mm256_setzero_si256();
    if constexpr (kOffset != 0) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(yb + A::kQs));
      base = _mm256_sub_epi32(base, _mm256_dpbusd_epi32(base, offset, v));
    }
    terms->base[i] = base;
  }
}

template <T kType>
float MatVecRow32(const uint8_t* x, const uint8_t* y, int64_t nb, const ActTerms32& terms) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  auto block = [&](int64_t i, __m256 acc, float* mins) {
    const uint8_t* xb = x + i * F::kBytes;
    const __m256i v =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + i * A::kBytes + A::kQs));
    const __m256i q = Levels32<kType>(xb);
    __m256i dot;
    if constexpr (kType == T::kQ8_0) {
      // Signed x signed: |w| as the unsigned operand, the sign moved onto y.
      dot = _mm256_dpbusd_epi32(terms.base[i], _mm256_abs_epi8(q), _mm256_sign_epi8(v, q));
    } else {
      dot = _mm256_dpbusd_epi32(terms.base[i], q, v);
    }
    if constexpr (F::kAsym) *mins += HalfAt(xb + 2) * terms.sum[i];
    return _mm256_fmadd_ps(_mm256_set1_ps(HalfAt(xb) * terms.scale[i]), _mm256_cvtepi32_ps(dot),
                           acc);
  };
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float mins0 = 0, mins1 = 0;
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    acc0 = block(i, acc0, &mins0);
    acc1 = block(i + 1, acc1, &mins1);
  }
  if (i < nb) acc0 = block(i, acc0, &mins0);
  return HorizontalSum256(_mm256_add_ps(acc0, acc1)) + (mins0 + mins1);
}

template <T kType>
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
    // One row at a time, read as one sequential stream (see kernels_avx2.cc, MatVec32).
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

template <T kType, MatMulFn kFewTokens>
void MatMul32(const MatMulArgs& args) {
  using F = Format32<kType>;
  using A = Act32<F::kAsym>;
  if (args.n_tokens < kMinTiledTokens) {
    kFewTokens(args);
    return;
  }
  const int64_t nb = args.cols / kQK;
  Tile32 tile;
  int32_t bias[kTokenBlock * kChunk32];
  for (int64_t t0 = 0; t0 < args.n_tokens; t0 += kTokenBlock) {
    const MatMulArgs sub = TokenSlice(args, t0);
    for (int64_t b0 = 0; b0 < nb; b0 += kChunk32) {
      const int nblocks = static_cast<int>(MinI64(kChunk32, nb - b0));
      if constexpr (!F::kAsym) BlockSumBias(sub, b0, nblocks, bias);
      const uint8_t* act0 = static_cast<const uint8_t*>(sub.acts) + b0 * A::kBytes;
      for (int64_t r0 = args.row_begin; r0 < args.row_end; r0 += kTileRows) {
        const int rows = static_cast<int>(MinI64(kTileRows, args.row_end - r0));
        const uint8_t* ptr[16];
        TileRowPointers(args, r0, rows, ptr);
        Repack32<kType>(ptr, b0, nblocks, &tile);
        const TokenBlock tb{act0,         sub.act_stride, F::kAsym ? nullptr : bias,
                            sub.out + r0, sub.out_stride, b0 > 0,
                            rows};
        ForEachTokenGroup<Tile32, Kernel32Of<kType>::template K>(sub, tile, nblocks, tb, kChunk32);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// K-quants.

constexpr int kChunkK = 4;

struct TileK {
  alignas(64) uint8_t q[kChunkK][64][64];   // [super-block][4-quant step][row * 4 + i]
  alignas(64) int32_t sc[kChunkK][16][16];  // [super-block][sub-block][row]
  alignas(64) int16_t mn[kChunkK][8][32];   // [super-block][pair p][row * 2 + {2p, 2p+1}]
  alignas(64) float d[kChunkK][16];
  alignas(64) float dmin[kChunkK][16];
};

template <T kType>
struct FormatK;
template <>
struct FormatK<T::kQ4_K> {
  static constexpr int kBytes = 144;
  static constexpr int kSubs = 8;
};
template <>
struct FormatK<T::kQ5_K> {
  static constexpr int kBytes = 176;
  static constexpr int kSubs = 8;
};
template <>
struct FormatK<T::kQ6_K> {
  static constexpr int kBytes = 210;
  static constexpr int kSubs = 16;
};

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

inline void UnpackQ6KHalf(const uint8_t* ql, const uint8_t* qh, __m256i out[4]) {
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i three = _mm256_set1_epi8(3);
  const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
  const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
  const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
  out[0] =
      _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(h, three), 4));
  out[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), three), 4));
  out[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), three), 4));
  out[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), three), 4));
}

template <T kType>
inline void UnpackSuperBlock(const uint8_t* b, __m256i v[8], int16_t* sc, int16_t* mn, float* d,
                             float* dmin) {
  if constexpr (kType == T::kQ6_K) {
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
    constexpr bool kFive = kType == T::kQ5_K;
    const uint8_t* qs = b + (kFive ? 48 : 16);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    const __m256i one = _mm256_set1_epi8(1);
    __m256i hbits = _mm256_setzero_si256();
    if constexpr (kFive) hbits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
    for (int c = 0; c < 4; ++c) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * c));
      v[2 * c] = _mm256_and_si256(raw, low4);
      v[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
      if constexpr (kFive) {
        v[2 * c] = _mm256_or_si256(
            v[2 * c], _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * c), one), 4));
        v[2 * c + 1] = _mm256_or_si256(
            v[2 * c + 1],
            _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * c + 1), one), 4));
      }
    }
  }
}

template <T kType>
void RepackK(const uint8_t* const rows[16], int64_t sb0, int nsb, TileK* tile) {
  using F = FormatK<kType>;
  // Row by row (sequential reads, see Repack32), then transposed super-block by super-block.
  __m256i levels[kChunkK][16][8];  // [super-block][row][group of 32]
  int16_t scales[kChunkK][16][16], mins[kChunkK][16][16];
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
      __m256i in[16];
      for (int r = 0; r < kTileRows; ++r) in[r] = v[r][g];
      StoreTransposed16(in, tile->q[s][8 * g]);
    }
    for (int j = 0; j < F::kSubs; ++j) {
      for (int r = 0; r < kTileRows; ++r) tile->sc[s][j][r] = sc[r][j];
    }
    for (int p = 0; p < F::kSubs / 2; ++p) {
      for (int r = 0; r < kTileRows; ++r) {
        tile->mn[s][p][2 * r] = mn[r][2 * p];
        tile->mn[s][p][2 * r + 1] = mn[r][2 * p + 1];
      }
    }
  }
}

// Pair p of a token's sub-block sums as two int16 in one int32.
template <int kSubs>
inline int32_t SumPair(const BlockQ8K* y, int p) {
  if constexpr (kSubs == 16) {
    return static_cast<int32_t>(LoadU32(y->bsums + 2 * p));
  } else {
    const int a = y->bsums[4 * p] + y->bsums[4 * p + 1];
    const int b = y->bsums[4 * p + 2] + y->bsums[4 * p + 3];
    return static_cast<int32_t>((static_cast<uint32_t>(b) << 16) |
                                (static_cast<uint32_t>(a) & 0xFFFF));
  }
}

template <T kType, int kNC>
void KernelK(const TileK& tile, int nsb, const TokenBlock& tb) {
  using F = FormatK<kType>;
  constexpr int kSteps = 64 / F::kSubs;
  __m512 acc[kNC];
  SAVOIR_UNROLL
  for (int c = 0; c < kNC; ++c) acc[c] = _mm512_setzero_ps();
  for (int s = 0; s < nsb; ++s) {
    const BlockQ8K* y[kNC];
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      y[c] = reinterpret_cast<const BlockQ8K*>(tb.act + c * tb.act_stride) + s;
    }
    __m512i isum[kNC];
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) isum[c] = _mm512_setzero_si512();
    for (int j = 0; j < F::kSubs; ++j) {
      __m512i part[kNC];
      SAVOIR_UNROLL
      for (int c = 0; c < kNC; ++c) part[c] = _mm512_setzero_si512();
      SAVOIR_UNROLL
      for (int k = 0; k < kSteps; ++k) {
        const int step = j * kSteps + k;
        const __m512i w = _mm512_load_si512(tile.q[s][step]);
        SAVOIR_UNROLL
        for (int c = 0; c < kNC; ++c) {
          const __m512i v = _mm512_set1_epi32(static_cast<int>(LoadU32(y[c]->qs + 4 * step)));
          part[c] = _mm512_dpbusd_epi32(part[c], w, v);
        }
      }
      const __m512i scale = _mm512_load_si512(tile.sc[s][j]);
      SAVOIR_UNROLL
      for (int c = 0; c < kNC; ++c) {
        isum[c] = _mm512_add_epi32(isum[c], _mm512_mullo_epi32(part[c], scale));
      }
    }
    const __m512 d = _mm512_load_ps(tile.d[s]);
    const __m512 dmin = _mm512_load_ps(tile.dmin[s]);
    SAVOIR_UNROLL
    for (int c = 0; c < kNC; ++c) {
      __m512i mins = _mm512_setzero_si512();
      SAVOIR_UNROLL
      for (int p = 0; p < F::kSubs / 2; ++p) {
        mins = _mm512_dpwssd_epi32(mins, _mm512_load_si512(tile.mn[s][p]),
                                   _mm512_set1_epi32(SumPair<F::kSubs>(y[c], p)));
      }
      const __m512 dy = _mm512_set1_ps(y[c]->d);
      acc[c] = _mm512_fmadd_ps(ToFloat(isum[c]), _mm512_mul_ps(d, dy), acc[c]);
      acc[c] = _mm512_fnmadd_ps(ToFloat(mins), _mm512_mul_ps(dmin, dy), acc[c]);
    }
  }
  SAVOIR_UNROLL
  for (int c = 0; c < kNC; ++c)
    StoreRows(tb.out + c * tb.out_stride, acc[c], tb.accumulate, tb.rows);
}

template <T kType>
struct KernelKOf {
  template <int kNC>
  struct K {
    static void Run(const TileK& tile, int nsb, const TokenBlock& tb) {
      KernelK<kType, kNC>(tile, nsb, tb);
    }
  };
};

template <T kType, MatMulFn kFewTokens>
void MatMulK(const MatMulArgs& args) {
  if (args.n_tokens < kMinTiledTokens) {
    kFewTokens(args);
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
        const uint8_t* ptr[16];
        TileRowPointers(args, r0, rows, ptr);
        RepackK<kType>(ptr, s0, nsb, &tile);
        const TokenBlock tb{act0,           sub.act_stride, nullptr, sub.out + r0,
                            sub.out_stride, s0 > 0,         rows};
        ForEachTokenGroup<TileK, KernelKOf<kType>::template K>(sub, tile, nsb, tb, 0);
      }
    }
  }
}

void SetMatMul(KernelTable* t, T type, MatMulFn mm) {
  t->types[static_cast<int>(type)].mat_mul = mm;
}

}  // namespace

void FillAvx512Kernels(KernelTable* t) {
  t->level = KernelLevel::kAvx512;
  SetMatMul(t, T::kQ8_0, MatMul32<T::kQ8_0, MatVec32<T::kQ8_0>>);
  SetMatMul(t, T::kQ4_0, MatMul32<T::kQ4_0, MatVec32<T::kQ4_0>>);
  SetMatMul(t, T::kQ5_0, MatMul32<T::kQ5_0, MatVec32<T::kQ5_0>>);
  SetMatMul(t, T::kQ4_1, MatMul32<T::kQ4_1, MatVec32<T::kQ4_1>>);
  SetMatMul(t, T::kQ5_1, MatMul32<T::kQ5_1, MatVec32<T::kQ5_1>>);
  SetMatMul(t, T::kQ4_K, MatMulK<T::kQ4_K, avx2::MatMulQ4K>);
  SetMatMul(t, T::kQ5_K, MatMulK<T::kQ5_K, avx2::MatMulQ5K>);
  SetMatMul(t, T::kQ6_K, MatMulK<T::kQ6_K, avx2::MatMulQ6K>);
}

}  // namespace savoir::engine::kernels
