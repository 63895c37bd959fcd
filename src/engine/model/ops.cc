#include "engine/model/ops.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/kernels/kernels.h"

namespace savoir::engine::ops {
namespace {

// The kernel table chosen once per process (SAVOIR_KERNELS or the CPU's best level). Tables
// are immutable, so sharing the reference between threads is safe.
const kernels::KernelTable& Table() {
  static const kernels::KernelTable& table = []() -> const kernels::KernelTable& {
    StatusOr<kernels::KernelLevel> level = kernels::SelectKernelLevel();
    return kernels::GetKernelTable(level.ok() ? *level : kernels::DetectKernelLevel());
  }();
  return table;
}

const float* F32Data(const GgufTensor& t) { return reinterpret_cast<const float*>(t.data); }

}  // namespace

void MatMul(const GgufTensor& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool) {
  if (n_tokens <= 0) return;
  const kernels::KernelTable& table = Table();
  const kernels::TypeKernels& k = kernels::KernelsFor(table, w.type);
  const int64_t cols = w.dims[0];
  const int64_t rows = w.n_rows();

  // Quantize the activations once into the weights' partner format; every row reuses them.
  thread_local std::vector<uint8_t> quantized;
  const void* acts = x;
  size_t act_stride = static_cast<size_t>(cols) * sizeof(float);
  if (k.act_type != TensorType::kF32) {
    act_stride = RowBytes(k.act_type, static_cast<size_t>(cols));
    quantized.resize(act_stride * static_cast<size_t>(n_tokens));
    const auto quantize = kernels::KernelsFor(table, k.act_type).quantize_row;
    uint8_t* dst = quantized.data();
    pool.ParallelFor(n_tokens, [&](int64_t t, int) {
      quantize(x + t * cols, dst + static_cast<size_t>(t) * act_stride, cols);
    });
    acts = quantized.data();
  }

  // Several chunks per thread balance uneven progress; chunks stay whole tiles.
  const int64_t align = kernels::kMatMulRowAlign;
  const int64_t target_chunks = static_cast<int64_t>(pool.num_threads()) * 4;
  int64_t chunk = (rows + target_chunks - 1) / target_chunks;
  chunk = std::max(align, (chunk + align - 1) / align * align);
  const int64_t n_chunks = (rows + chunk - 1) / chunk;
  kernels::MatMulArgs args;
  args.type = w.type;
  args.weights = w.data;
  args.weight_stride = RowBytes(w.type, static_cast<size_t>(cols));
  args.cols = cols;
  args.acts = acts;
  args.act_stride = act_stride;
  args.n_tokens = n_tokens;
  args.out = y;
  args.out_stride = static_cast<size_t>(rows);
  pool.ParallelFor(n_chunks, [&](int64_t c, int) {
    kernels::MatMulArgs part = args;
    part.row_begin = c * chunk;
    part.row_end = std::min(rows, part.row_begin + chunk);
    k.mat_mul(part);
  });
}

void GetRow(const GgufTensor& t, int64_t row, float* out) {
  const kernels::TypeKernels& k = kernels::KernelsFor(Table(), t.type);
  const size_t row_bytes = RowBytes(t.type, static_cast<size_t>(t.dims[0]));
  k.dequantize_row(t.data + static_cast<size_t>(row) * row_bytes, out, t.dims[0]);
}

void AddBias(float* x, const GgufTensor& bias, int64_t n, int64_t n_tokens) {
  for (int64_t t = 0; t < n_tokens; ++t) Add(x + t * n, F32Data(bias), n);
}

void RmsNorm(const float* x, const GgufTensor& weight, int64_t n, float eps, float* out) {
  Table().f32.rms_norm(x, F32Data(weight), out, n, eps);
}

void LayerNorm(const float* x, const GgufTensor& weight, const GgufTensor& bias, int64_t n,
               float eps, float* out) {
  Table().f32.layer_norm(x, F32Data(weight), F32Data(bias), out, n, eps);
}

void Rope(float* x, int64_t n_heads, int64_t pos, const RopeParams& p) {
  if (p.style == RopeStyle::kNone) return;
  thread_local std::vector<float> cos_sin;
  cos_sin.resize(static_cast<size_t>(p.rope_dims));
  if (p.freq_factors == nullptr) {
    kernels::RopeCosSin(pos, p.rope_dims, p.freq_base, p.freq_scale, cos_sin.data());
  } else {
    // As RopeCosSin, with each pair's angle divided by its factor before the scaling (ggml).
    const float theta_scale = std::pow(p.freq_base, -2.0f / static_cast<float>(p.rope_dims));
    float theta = static_cast<float>(pos);
    for (int64_t i = 0; i < p.rope_dims / 2; ++i) {
      const float angle = theta / p.freq_factors[i] * p.freq_scale;
      cos_sin[static_cast<size_t>(2 * i)] = std::cos(angle);
      cos_sin[static_cast<size_t>(2 * i + 1)] = std::sin(angle);
      theta *= theta_scale;
    }
  }
  const auto mode = p.style == RopeStyle::kNeox ? kernels::RopeMode::kNeox
                                                : kernels::RopeMode::kNormal;
  Table().f32.rope(x, n_heads, p.head_dim, p.rope_dims, cos_sin.data(), mode);
}

void Softmax(float* x, int64_t n) { Table().f32.softmax(x, n); }

float Dot(const float* a, const float* b, int64_t n) { return Table().f32.dot(a, b, n); }

void Axpy(float a, const float* x, float* y, int64_t n) { Table().f32.axpy(a, x, y, n); }

void SiluMul(const float* gate, const float* up, float* out, int64_t n) {
  Table().f32.swiglu(gate, up, out, n);
}

void Gelu(float* x, int64_t n) { Table().f32.gelu(x, x, n); }

void Add(float* x, const float* y, int64_t n) { Table().f32.add(x, y, x, n); }

void ToHalf(const float* x, uint16_t* dst, int64_t n) {
  kernels::KernelsFor(Table(), TensorType::kF16).quantize_row(x, dst, n);
}

void RoundToHalf(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = kernels::HalfToFloat(kernels::FloatToHalf(x[i]));
}

float DotHalf(const uint16_t* k, const float* q, int64_t n) {
  return kernels::KernelsFor(Table(), TensorType::kF16).vec_dot(n, k, q);
}

void AxpyHalf(float a, const uint16_t* v, float* y, int64_t n) { Table().f32.axpy_f16(a, v, y, n); }

}  // namespace savoir::engine::ops
