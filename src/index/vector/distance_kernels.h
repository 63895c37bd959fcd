// Internal: the per-level kernel functions behind DistanceKernels (distance.h).
//
// Each group is defined in its own file, compiled with the instruction-set flags it needs:
// distance_scalar.cc (none), distance_avx2.cc (-mavx2 -mfma), distance_avx512.cc
// (-mavx512f -mavx512bw -mavx512vl) and distance_avx512_vnni.cc (adds -mavx512vnni). Callers
// must check CpuSupports() before calling a group other than the scalar one. The contracts are
// those of the matching DistanceKernels members.
//
// This header deliberately includes nothing from the standard library beyond fixed-width
// integers: an inline function instantiated in a file compiled with AVX flags could otherwise
// be picked by the linker for the whole program.
#ifndef SAVOIR_INDEX_VECTOR_DISTANCE_KERNELS_H_
#define SAVOIR_INDEX_VECTOR_DISTANCE_KERNELS_H_

#include <stddef.h>
#include <stdint.h>

namespace savoir::index::kernels {

int32_t DotU8S8Scalar(const uint8_t* a, const int8_t* b, size_t n);
float DotU8F32Scalar(const uint8_t* a, const float* b, size_t n);
float DotF32Scalar(const float* a, const float* b, size_t n);

int32_t DotU8S8Avx2(const uint8_t* a, const int8_t* b, size_t n);
float DotU8F32Avx2(const uint8_t* a, const float* b, size_t n);
float DotF32Avx2(const float* a, const float* b, size_t n);

int32_t DotU8S8Avx512(const uint8_t* a, const int8_t* b, size_t n);
float DotU8F32Avx512(const uint8_t* a, const float* b, size_t n);
float DotF32Avx512(const float* a, const float* b, size_t n);

int32_t DotU8S8Avx512Vnni(const uint8_t* a, const int8_t* b, size_t n);

}  // namespace savoir::index::kernels

#endif  // SAVOIR_INDEX_VECTOR_DISTANCE_KERNELS_H_
