// Tensor element types of GGUF files and their block layout.
//
// The numeric values are those of ggml's `ggml_type`, which GGUF stores in its tensor table.
// Quantized types pack `BlockSize()` elements into `BlockBytes()` bytes; a row of a tensor
// must hold a whole number of blocks.
//
// Thread safety: pure functions over constant tables.
#ifndef SAVOIR_ENGINE_CORE_TENSOR_TYPE_H_
#define SAVOIR_ENGINE_CORE_TENSOR_TYPE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace savoir::engine {

enum class TensorType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kBF16 = 30,
};

// Elements per block (1 for scalar types).
size_t BlockSize(TensorType type);
// Bytes per block.
size_t BlockBytes(TensorType type);
// Canonical upper-case name as llama.cpp prints it ("Q4_K", "F16"), or "UNKNOWN".
std::string_view TensorTypeName(TensorType type);
// Parses a name such as "q8_0" or "F16" (case-insensitive); nullopt when unknown.
std::optional<TensorType> ParseTensorType(std::string_view name);
// True for a ggml type id savoir knows the layout of (not necessarily one it computes with).
bool IsKnownTensorType(uint32_t id);
// True for the types the engine can dequantize and multiply (F32, F16, BF16, Q8_0, Q4_0, Q4_1,
// Q5_0, Q5_1, Q4_K, Q5_K, Q6_K).
bool IsComputeTensorType(TensorType type);

// Bytes taken by `n_elements` of `type`; `n_elements` must be a multiple of BlockSize(type).
inline size_t RowBytes(TensorType type, size_t n_elements) {
  return n_elements / BlockSize(type) * BlockBytes(type);
}

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_CORE_TENSOR_TYPE_H_
