// Which tensor type each weight of a model gets when it is converted to a quantization type.
//
// The rules are llama.cpp's (llama-quantize), so that a file savoir converts has the same tensor
// types as one llama.cpp would make from the same input:
//  - Only weight matrices are converted: tensors of two or more dims whose name ends in "weight",
//    except norms ("_norm.weight") and BERT's position and token-type embeddings. Other tensors
//    keep their type, except one-dimensional F16/BF16 tensors, which become F32 (savoir computes
//    norms and biases in F32 only).
//  - For block-quantized types, the output projection (or the token embedding when the model ties
//    them) gets Q6_K, or Q8_0 when its rows do not fit the default type's blocks (Q8_0 files keep
//    Q8_0). The mixes Q4_K_M / Q5_K_M give attn_v and ffn_down Q6_K on the layers llama.cpp's
//    `use_more_bits` picks (the first and last eighth, and every third layer between); Q4_K_S gives
//    attn_v of the first four layers and ffn_down of the first eighth Q5_K.
//  - The "pure" types Q4_K and Q5_K use that type for every weight matrix, like
//    `llama-quantize --pure`.
//  - A matrix whose row length is not a multiple of the chosen type's block falls back as
//    llama.cpp does: Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0; any type still unfit -> F16.
//    (llama.cpp refuses a 32-block type that does not fit; savoir falls back to F16.)
//
// Thread safety: pure functions.
#ifndef SAVOIR_ENGINE_CONVERT_QUANT_POLICY_H_
#define SAVOIR_ENGINE_CONVERT_QUANT_POLICY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/core/tensor_type.h"

namespace savoir::engine::convert {

// What a whole model is converted to (llama.cpp's "ftype" names).
enum class QuantType {
  kF32,
  kF16,
  kBF16,
  kQ8_0,
  kQ4_0,
  kQ4_1,
  kQ5_0,
  kQ5_1,
  kQ4_K,  // pure: every weight matrix Q4_K
  kQ5_K,  // pure
  kQ6_K,
  kQ4_K_S,
  kQ4_K_M,
  kQ5_K_S,
  kQ5_K_M,
};

// Parses a name such as "q4_k_m" or "F16" (case-insensitive). INVALID_ARGUMENT naming the
// accepted names otherwise.
StatusOr<QuantType> ParseQuantType(std::string_view name);
// Upper-case name ("Q4_K_M").
std::string_view QuantTypeName(QuantType type);
// All names, comma-separated, for help texts and messages.
std::string QuantTypeNames();
// llama.cpp's `llama_ftype` value stored in general.file_type (pure Q4_K and Q5_K are stored as
// MOSTLY_Q4_K_S / MOSTLY_Q5_K_S, the "mostly Q4_K/Q5_K" file types).
uint32_t LlamaFileType(QuantType type);
// The tensor type most weights get.
TensorType DefaultTensorType(QuantType type);

// The facts about a model the rules depend on.
struct ModelFacts {
  std::string arch;     // general.architecture
  int64_t n_layer = 0;  // <arch>.block_count
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
};

// One tensor as the rules see it.
struct TensorDesc {
  std::string_view name;
  int n_dims = 1;
  int64_t row_length = 0;  // dims[0]
  TensorType type = TensorType::kF32;
};

struct PlannedType {
  TensorType type = TensorType::kF32;
  bool fallback = false;  // the row length forced a type other than the rules' choice
};

// llama.cpp's tensor order: tensors outside layers first, then by layer ("blk.N."), then by name.
bool TensorOrderLess(std::string_view a, std::string_view b);

// The target type of each tensor of a model converted to `type`. `tensors` must be in
// TensorOrderLess order (the per-layer counters follow that order, as in llama.cpp).
std::vector<PlannedType> PlanTensorTypes(QuantType type, const ModelFacts& facts,
                                         std::span<const TensorDesc> tensors);

}  // namespace savoir::engine::convert

#endif  // SAVOIR_ENGINE_CONVERT_QUANT_POLICY_H_
