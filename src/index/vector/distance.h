// Distance kernels of the vector index, with run-time CPU dispatch.
//
// The index stores each vector as one byte per dimension in offset binary (a code q in
// [-127, 127] is stored as q + 128) and scores a query quantized to signed bytes against it
// with an exact integer dot product. Final candidates are re-scored with a float query against
// the same bytes, and the benchmark's ground truth uses a plain float dot product. Each of the
// three kernels exists as a scalar reference and as AVX2, AVX-512 (F+BW+VL) and AVX-512 VNNI
// versions compiled in separate files with their own flags; nothing is compiled for the host
// CPU (-march=native) and the choice happens at run time with __builtin_cpu_supports.
//
// The environment variable SAVOIR_KERNELS (scalar|avx2|avx512|avx512vnni) overrides the choice,
// for tests and for measuring one level against another.
//
// Thread safety: all functions are pure; a DistanceKernels value may be shared freely.
#ifndef SAVOIR_INDEX_VECTOR_DISTANCE_H_
#define SAVOIR_INDEX_VECTOR_DISTANCE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::index {

enum class KernelLevel { kScalar = 0, kAvx2 = 1, kAvx512 = 2, kAvx512Vnni = 3 };

// One set of kernels. Every pointer is non-null; `n` may be any length, including 0.
struct DistanceKernels {
  KernelLevel level = KernelLevel::kScalar;
  // Returns sum over i of a[i] * b[i], reading `a` as unsigned and `b` as signed bytes. Exact
  // for n <= 65536 (no overflow of the 32-bit sum).
  int32_t (*dot_u8s8)(const uint8_t* a, const int8_t* b, size_t n) = nullptr;
  // Returns sum over i of (a[i] - 128) * b[i]: an offset-binary code against a float vector.
  float (*dot_u8f32)(const uint8_t* a, const float* b, size_t n) = nullptr;
  // Returns sum over i of a[i] * b[i].
  float (*dot_f32)(const float* a, const float* b, size_t n) = nullptr;
};

// "scalar", "avx2", "avx512" or "avx512vnni".
std::string_view KernelLevelName(KernelLevel level);

// Parses a name as printed by KernelLevelName (case-insensitive); InvalidArgument otherwise.
StatusOr<KernelLevel> ParseKernelLevel(std::string_view name);

// True when this CPU (and OS) can run kernels of `level`. kScalar is always supported.
bool CpuSupports(KernelLevel level);

// Every level this CPU supports, from kScalar upwards.
std::vector<KernelLevel> SupportedKernelLevels();

// The kernels of `level`; FailedPrecondition when the CPU does not support it.
StatusOr<DistanceKernels> KernelsFor(KernelLevel level);

// The best kernels for this CPU, or those named by SAVOIR_KERNELS when it is set and non-empty.
// Errors: InvalidArgument for an unknown name, FailedPrecondition for a level the CPU lacks.
StatusOr<DistanceKernels> KernelsFromEnvironment();

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_DISTANCE_H_
