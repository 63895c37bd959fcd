#include "index/vector/quantize.h"

#include <algorithm>
#include <cmath>

namespace savoir::index {
namespace {

float ScaleOf(const float* x, size_t n) {
  float max_abs = 0.0f;
  for (size_t i = 0; i < n; ++i) max_abs = std::fmax(max_abs, std::fabs(x[i]));
  return max_abs / 127.0f;
}

int32_t CodeOf(float value, float inverse_scale) {
  // The clamp guards against rounding pushing the largest component past 127.
  const float scaled = std::clamp(value * inverse_scale, -127.0f, 127.0f);
  return static_cast<int32_t>(std::lround(scaled));
}

}  // namespace

float QuantizeToOffsetCodes(const float* x, size_t n, uint8_t* out) {
  const float scale = ScaleOf(x, n);
  const float inverse = scale > 0.0f ? 1.0f / scale : 0.0f;
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(CodeOf(x[i], inverse) + kCodeOffset);
  return scale;
}

float QuantizeToSignedCodes(const float* x, size_t n, int8_t* out, int32_t* sum) {
  const float scale = ScaleOf(x, n);
  const float inverse = scale > 0.0f ? 1.0f / scale : 0.0f;
  int32_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t code = CodeOf(x[i], inverse);
    out[i] = static_cast<int8_t>(code);
    total += code;
  }
  *sum = total;
  return scale;
}

int32_t OffsetToSignedCodes(const uint8_t* in, size_t n, int8_t* out) {
  int32_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const int32_t code = static_cast<int32_t>(in[i]) - kCodeOffset;
    out[i] = static_cast<int8_t>(code);
    total += code;
  }
  return total;
}

bool NormalizeL2(float* x, size_t n) {
  double norm2 = 0.0;
  for (size_t i = 0; i < n; ++i) norm2 += static_cast<double>(x[i]) * x[i];
  if (!(norm2 > 0.0) || !std::isfinite(norm2)) return false;
  const float inverse = static_cast<float>(1.0 / std::sqrt(norm2));
  for (size_t i = 0; i < n; ++i) x[i] *= inverse;
  return true;
}

bool AllFinite(const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return false;
  }
  return true;
}

}  // namespace savoir::index
