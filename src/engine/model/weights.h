// Finding a model's weight tensors in a GGUF file and checking their shapes and types.
#ifndef SAVOIR_ENGINE_MODEL_WEIGHTS_H_
#define SAVOIR_ENGINE_MODEL_WEIGHTS_H_

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "base/status.h"
#include "engine/gguf/gguf_file.h"

namespace savoir::engine {

enum class WeightKind {
  kMatrix,  // any compute type (quantized allowed)
  kVector,  // norms and biases: F32 only, as llama.cpp writes them
};

// Returns tensor `name` after checking its dims (ggml order, dims[0] first) and type.
// Errors (INVALID_ARGUMENT / UNIMPLEMENTED) name the file, the tensor and the problem.
StatusOr<const GgufTensor*> RequireWeight(const GgufFile& file, std::string_view name,
                                          std::initializer_list<int64_t> dims, WeightKind kind);

// As RequireWeight, but a missing tensor gives nullptr rather than an error.
StatusOr<const GgufTensor*> OptionalWeight(const GgufFile& file, std::string_view name,
                                           std::initializer_list<int64_t> dims, WeightKind kind);

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_MODEL_WEIGHTS_H_
