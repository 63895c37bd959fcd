#include "engine/core/tensor_type.h"

#include <array>
#include <cctype>
#include <string>

namespace savoir::engine {
namespace {

struct TypeInfo {
  TensorType type;
  std::string_view name;
  size_t block_size;
  size_t block_bytes;
  bool compute;
};

// Block layouts as defined by ggml (ggml-common.h): e.g. Q8_0 = f16 scale + 32 int8.
constexpr std::array<TypeInfo, 20> kTypes = {{
    {TensorType::kF32, "F32", 1, 4, true},
    {TensorType::kF16, "F16", 1, 2, true},
    {TensorType::kQ4_0, "Q4_0", 32, 18, true},
    {TensorType::kQ4_1, "Q4_1", 32, 20, true},
    {TensorType::kQ5_0, "Q5_0", 32, 22, true},
    {TensorType::kQ5_1, "Q5_1", 32, 24, true},
    {TensorType::kQ8_0, "Q8_0", 32, 34, true},
    {TensorType::kQ8_1, "Q8_1", 32, 36, false},
    {TensorType::kQ2_K, "Q2_K", 256, 84, false},
    {TensorType::kQ3_K, "Q3_K", 256, 110, false},
    {TensorType::kQ4_K, "Q4_K", 256, 144, true},
    {TensorType::kQ5_K, "Q5_K", 256, 176, true},
    {TensorType::kQ6_K, "Q6_K", 256, 210, true},
    {TensorType::kQ8_K, "Q8_K", 256, 292, false},
    {TensorType::kI8, "I8", 1, 1, false},
    {TensorType::kI16, "I16", 1, 2, false},
    {TensorType::kI32, "I32", 1, 4, false},
    {TensorType::kI64, "I64", 1, 8, false},
    {TensorType::kF64, "F64", 1, 8, false},
    {TensorType::kBF16, "BF16", 1, 2, true},
}};

const TypeInfo* Find(TensorType type) {
  for (const TypeInfo& info : kTypes) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

}  // namespace

size_t BlockSize(TensorType type) {
  const TypeInfo* info = Find(type);
  return info != nullptr ? info->block_size : 0;
}

size_t BlockBytes(TensorType type) {
  const TypeInfo* info = Find(type);
  return info != nullptr ? info->block_bytes : 0;
}

std::string_view TensorTypeName(TensorType type) {
  const TypeInfo* info = Find(type);
  return info != nullptr ? info->name : "UNKNOWN";
}

std::optional<TensorType> ParseTensorType(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const TypeInfo& info : kTypes) {
    if (info.name == upper) return info.type;
  }
  return std::nullopt;
}

bool IsKnownTensorType(uint32_t id) { return Find(static_cast<TensorType>(id)) != nullptr; }

bool IsComputeTensorType(TensorType type) {
  const TypeInfo* info = Find(type);
  return info != nullptr && info->compute;
}

}  // namespace savoir::engine
