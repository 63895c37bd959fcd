// The transformer's building blocks, over the numeric kernels and the compute thread pool.
//
// Weight matrices are GGUF tensors in any compute type (F32, F16, BF16, Q8_0, Q4_K, …), laid out
// as ggml does: `dims[0]` columns (the input size) by `dims[1]` rows (the output size). Vectors
// are f32. Each function states which arguments may alias.
//
// Thread safety: functions taking a ThreadPool use it for the duration of the call; the pool
// must not be used by another caller meanwhile. The others are pure.
#ifndef SAVOIR_ENGINE_MODEL_OPS_H_
#define SAVOIR_ENGINE_MODEL_OPS_H_

#include <cstdint>

#include "base/thread_pool.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model_config.h"

namespace savoir::engine::ops {

// y[t] = W · x[t] for t < n_tokens; x is [n_tokens][W.dims[0]], y is [n_tokens][W.dims[1]].
// x and y must not overlap.
void MatMul(const GgufTensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool);

// out = row `row` of `t` as f32 (t.dims[0] values).
void GetRow(const GgufTensor& t, int64_t row, float* out);

// x[t] += bias for t < n_tokens; bias is an F32 tensor of length n.
void AddBias(float* x, const GgufTensor& bias, int64_t n, int64_t n_tokens);

// out = x / rms(x) * weight (weight: F32 tensor of length n). x and out may alias.
void RmsNorm(const float* x, const GgufTensor& weight, int64_t n, float eps, float* out);
// out = (x - mean) / std * weight + bias. x and out may alias.
void LayerNorm(const float* x, const GgufTensor& weight, const GgufTensor& bias, int64_t n,
               float eps, float* out);

struct RopeParams {
  RopeStyle style = RopeStyle::kNormal;
  int64_t head_dim = 0;
  int64_t rope_dims = 0;
  float freq_base = 10000.0f;
  float freq_scale = 1.0f;
  // Optional per-pair frequency factors (rope_dims / 2 floats, llama-3's `rope_freqs.weight`):
  // the angle of pair i is divided by freq_factors[i], as ggml_rope_ext does. Not owned.
  const float* freq_factors = nullptr;
};
// Rotates each of the n_heads heads of x (n_heads * head_dim floats) for position `pos`.
void Rope(float* x, int64_t n_heads, int64_t pos, const RopeParams& params);

// In place: x = softmax(x).
void Softmax(float* x, int64_t n);
float Dot(const float* a, const float* b, int64_t n);
// y += a * x.
void Axpy(float a, const float* x, float* y, int64_t n);
// out = silu(gate) * up. out may alias gate or up.
void SiluMul(const float* gate, const float* up, float* out, int64_t n);
// In place GELU (tanh approximation, as ggml computes it).
void Gelu(float* x, int64_t n);
// x += y.
void Add(float* x, const float* y, int64_t n);

// Half-precision helpers for the KV cache. dst = f16(x).
void ToHalf(const float* x, uint16_t* dst, int64_t n);
// x = f32(f16(x)): the rounding llama.cpp applies to attention inputs.
void RoundToHalf(float* x, int64_t n);
// Sum of f16 k[i] times q[i].
float DotHalf(const uint16_t* k, const float* q, int64_t n);
// y += a * f16 v.
void AxpyHalf(float a, const uint16_t* v, float* y, int64_t n);

}  // namespace savoir::engine::ops

#endif  // SAVOIR_ENGINE_MODEL_OPS_H_
