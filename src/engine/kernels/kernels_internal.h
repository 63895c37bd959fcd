// Internal declarations shared by the kernel files: ggml's block layouts and the entry points of
// the scalar reference that the SIMD tables reuse.
//
// This header is included by files compiled with -mavx2/-mavx512* flags. It must therefore hold
// only declarations, plain structs and constants: an inline function defined here and emitted by
// such a file could be picked by the linker for generic code and fault on an older CPU.
#ifndef SAVOIR_ENGINE_KERNELS_KERNELS_INTERNAL_H_
#define SAVOIR_ENGINE_KERNELS_KERNELS_INTERNAL_H_

#include <cstdint>

#include "engine/kernels/kernels.h"

namespace savoir::engine::kernels {

// Elements per block of the 32-element formats and of the K-quant super-blocks.
inline constexpr int kQK = 32;
inline constexpr int kQKK = 256;

// Byte-exact copies of ggml's blocks (ggml-common.h). Scales are IEEE half floats stored as
// their bit patterns.
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[16];  // element j in the low nibble of qs[j], element j+16 in the high nibble
};
struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;  // value = d * q + m
  uint8_t qs[16];
};
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];  // bit j (little-endian uint32) is the fifth bit of element j
  uint8_t qs[16];
};
struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[16];
};
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];
};
struct BlockQ8_1 {
  uint16_t d;
  uint16_t s;  // d * sum(qs)
  int8_t qs[32];
};
// 8 sub-blocks of 32 with 6-bit scales and mins packed in 12 bytes; value = d*sc*q - dmin*m.
struct BlockQ4K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[128];  // 64-element chunk c: low nibbles are sub-block 2c, high nibbles 2c+1
};
struct BlockQ5K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[32];  // bit 2c (low nibbles) and 2c+1 (high nibbles) of qh[l] for chunk c
  uint8_t qs[128];
};
// 16 sub-blocks of 16 with int8 scales; value = d * sc * (q - 32), q in [0, 63].
struct BlockQ6K {
  uint8_t ql[128];
  uint8_t qh[64];
  int8_t scales[16];
  uint16_t d;
};
struct BlockQ8K {
  float d;
  int8_t qs[256];
  int16_t bsums[16];  // sums of qs in groups of 16
};

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34 && sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ4K) == 144 && sizeof(BlockQ5K) == 176 && sizeof(BlockQ6K) == 210 &&
              sizeof(BlockQ8K) == 292);

// Level tables: each fills the entries it implements and leaves the others as they are, so a
// table is built as scalar, then AVX2 on top, then AVX-512 on top.
void FillScalarKernels(KernelTable* table);
void FillAvx2Kernels(KernelTable* table);
void FillAvx512Kernels(KernelTable* table);

// Scalar reference entry points reused by the SIMD files.
namespace ref {
void QuantizeRowQ8_0(const float* src, void* dst, int64_t n);
void QuantizeRowQ8_1(const float* src, void* dst, int64_t n);
void QuantizeRowQ8K(const float* src, void* dst, int64_t n);
float VecDotQ4_0(int64_t n, const void* w, const void* a);
float VecDotQ4_1(int64_t n, const void* w, const void* a);
float VecDotQ5_0(int64_t n, const void* w, const void* a);
float VecDotQ5_1(int64_t n, const void* w, const void* a);
float VecDotQ8_0(int64_t n, const void* w, const void* a);
float VecDotQ4K(int64_t n, const void* w, const void* a);
float VecDotQ5K(int64_t n, const void* w, const void* a);
float VecDotQ6K(int64_t n, const void* w, const void* a);
}  // namespace ref

// AVX2 matrix products (kernels_avx2.cc), which the AVX-512 file uses for few-token products
// (decode), where memory bandwidth and not the instruction set bounds them. Only callable where
// the AVX2 level is supported.
namespace avx2 {
void MatMulQ4_0(const MatMulArgs& args);
void MatMulQ4_1(const MatMulArgs& args);
void MatMulQ5_0(const MatMulArgs& args);
void MatMulQ5_1(const MatMulArgs& args);
void MatMulQ8_0(const MatMulArgs& args);
void MatMulQ4K(const MatMulArgs& args);
void MatMulQ5K(const MatMulArgs& args);
void MatMulQ6K(const MatMulArgs& args);
}  // namespace avx2

}  // namespace savoir::engine::kernels

#endif  // SAVOIR_ENGINE_KERNELS_KERNELS_INTERNAL_H_
