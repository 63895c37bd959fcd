#include "engine/model/weights.h"

#include <vector>

#include <fmt/format.h>

namespace savoir::engine {

StatusOr<const GgufTensor*> OptionalWeight(const GgufFile& file, std::string_view name,
                                           std::initializer_list<int64_t> dims, WeightKind kind) {
  const GgufTensor* t = file.FindTensor(name);
  if (t == nullptr) return static_cast<const GgufTensor*>(nullptr);
  std::vector<int64_t> want(dims);
  bool shape_ok = t->n_dims >= 1 && static_cast<size_t>(t->n_dims) <= want.size() + 1;
  for (size_t i = 0; shape_ok && i < 4; ++i) {
    int64_t expected = i < want.size() ? want[i] : 1;
    shape_ok = t->dims[i] == expected;
  }
  if (!shape_ok) {
    return InvalidArgumentError("{}: tensor '{}' has shape [{}], expected [{}]", file.name(), name,
                                fmt::join(t->shape(), ", "), fmt::join(want, ", "));
  }
  if (kind == WeightKind::kVector && t->type != TensorType::kF32) {
    return UnimplementedError("{}: tensor '{}' has type {}, expected F32", file.name(), name,
                              TensorTypeName(t->type));
  }
  if (!IsComputeTensorType(t->type)) {
    return UnimplementedError("{}: tensor '{}' has type {}, which savoir cannot compute with",
                              file.name(), name, TensorTypeName(t->type));
  }
  return t;
}

StatusOr<const GgufTensor*> RequireWeight(const GgufFile& file, std::string_view name,
                                          std::initializer_list<int64_t> dims, WeightKind kind) {
  SAVOIR_ASSIGN_OR_RETURN(const GgufTensor* t, OptionalWeight(file, name, dims, kind));
  if (t == nullptr) {
    return InvalidArgumentError("{}: tensor '{}' is missing", file.name(), name);
  }
  return t;
}

}  // namespace savoir::engine
