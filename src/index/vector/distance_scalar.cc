// Scalar reference kernels: the definition every SIMD kernel is tested against.
#include "index/vector/distance_kernels.h"

namespace savoir::index::kernels {

int32_t DotU8S8Scalar(const uint8_t* a, const int8_t* b, size_t n) {
  int32_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]);
  return sum;
}

float DotU8F32Scalar(const uint8_t* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += static_cast<float>(static_cast<int32_t>(a[i]) - 128) * b[i];
  return sum;
}

float DotF32Scalar(const float* a, const float* b, size_t n) {
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace savoir::index::kernels
