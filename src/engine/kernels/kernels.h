// Numeric kernels of the CPU inference engine.
//
// This component turns rows of GGUF tensors into numbers and multiplies them: it dequantizes and
// quantizes rows in ggml's block formats (bit-exact with ggml, so GGUF files are read as they
// are), computes dot products of a weight row with an activation row, multiplies a weight matrix
// by a batch of activation rows, and provides the f32 vector operations a transformer needs
// (norms, softmax, activations, RoPE, element-wise arithmetic).
//
// Every kernel exists as a scalar reference and, where it pays, in AVX2+FMA+F16C and AVX-512
// (F/BW/VL/VNNI) variants. A KernelTable gathers the function pointers of one instruction-set
// level; GetKernelTable() returns the table of a level, SelectKernelLevel() picks the best level
// the CPU supports, or the one forced by the environment variable SAVOIR_KERNELS
// (scalar|avx2|avx512), for tests and benchmarks.
//
// Activation formats follow ggml's pairing: weights of type Q4_0, Q5_0 and Q8_0 are multiplied
// with activations quantized to Q8_0; Q4_1 and Q5_1 with Q8_1; Q4_K, Q5_K and Q6_K with Q8_K;
// F32, F16 and BF16 with plain F32 activations. TypeKernels::act_type names the partner format.
//
// Thread safety: all kernels are pure functions of their arguments (they write only to their
// output buffers); tables are immutable. Any number of threads may call them concurrently on
// disjoint outputs.
#ifndef SAVOIR_ENGINE_KERNELS_KERNELS_H_
#define SAVOIR_ENGINE_KERNELS_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "engine/core/tensor_type.h"

namespace savoir {
class ThreadPool;
}  // namespace savoir

namespace savoir::engine::kernels {

enum class KernelLevel : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// "scalar", "avx2" or "avx512".
std::string_view KernelLevelName(KernelLevel level);
// Parses a level name (case-insensitive); InvalidArgument for anything else.
StatusOr<KernelLevel> ParseKernelLevel(std::string_view name);
// True when this CPU (and OS) can run the kernels of `level`.
bool IsKernelLevelSupported(KernelLevel level);
// The best level this CPU supports.
KernelLevel DetectKernelLevel();
// The level named by `forced` (the value of SAVOIR_KERNELS; nullptr or empty means none), or the
// detected level. InvalidArgument for an unknown name, FailedPrecondition for a level this CPU
// cannot run.
StatusOr<KernelLevel> SelectKernelLevel(const char* forced);
// SelectKernelLevel(getenv("SAVOIR_KERNELS")).
StatusOr<KernelLevel> SelectKernelLevel();

// Converts `n` elements of a row of type `type` to f32 (`dst` holds n floats).
// n must be a multiple of the type's block size.
using DequantizeRowFn = void (*)(const void* src, float* dst, int64_t n);
// Converts `n` f32 values to a row of blocks (RowBytes(type, n) bytes at `dst`).
using QuantizeRowFn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of a weight row of `n` elements with an activation row of the partner format.
using VecDotFn = float (*)(int64_t n, const void* weights, const void* activations);

// One batched matrix product: for every token t in [0, n_tokens) and weight row r in
// [row_begin, row_end), out[t * out_stride + r] = dot(weight row r, activation row t).
struct MatMulArgs {
  TensorType type = TensorType::kF32;  // weight type
  const void* weights = nullptr;       // row 0 of the weight matrix
  size_t weight_stride = 0;            // bytes from one weight row to the next
  int64_t cols = 0;                    // elements per row (shared dimension)
  const void* acts = nullptr;          // activation row 0, in the partner format of `type`
  size_t act_stride = 0;               // bytes from one activation row to the next
  int64_t n_tokens = 0;                // activation rows
  float* out = nullptr;                // output of token 0, row 0
  size_t out_stride = 0;               // floats from one token's output row to the next
  int64_t row_begin = 0;               // first weight row to compute
  int64_t row_end = 0;                 // one past the last
};
using MatMulFn = void (*)(const MatMulArgs& args);

// Row ranges handed to MatMul by different threads should start on multiples of this, so that
// no thread computes a partial tile; any split is correct.
inline constexpr int64_t kMatMulRowAlign = 16;

struct TypeKernels {
  // The format VecDot and MatMul expect the activations in (F32 for float weights).
  TensorType act_type = TensorType::kF32;
  // Null where the type cannot be converted in that direction.
  DequantizeRowFn dequantize_row = nullptr;
  // For weight types: the reference quantizer (identical at every level, deterministic). For the
  // activation formats Q8_0, Q8_1 and Q8_K: the level's fast quantizer, bit-identical to the
  // reference.
  QuantizeRowFn quantize_row = nullptr;
  // Null for types that are only activation formats.
  VecDotFn vec_dot = nullptr;
  MatMulFn mat_mul = nullptr;
};

enum class RopeMode : int {
  kNormal = 0,  // rotates pairs (x[2i], x[2i+1]) (Llama)
  kNeox = 2,    // rotates pairs (x[i], x[i + n_rot/2]) (GPT-NeoX, Qwen, Phi)
};

// f32 vector operations. `n` is the element count; outputs may alias inputs unless stated.
struct F32Kernels {
  // y = x / sqrt(mean(x^2) + eps) * weight (weight may be null: no scaling).
  void (*rms_norm)(const float* x, const float* weight, float* y, int64_t n, float eps) = nullptr;
  // y = (x - mean) / sqrt(var + eps) * weight + bias (weight, bias may be null).
  void (*layer_norm)(const float* x, const float* weight, const float* bias, float* y, int64_t n,
                     float eps) = nullptr;
  // x = softmax(x) in place; returns the sum of exp(x - max) before normalisation.
  float (*softmax)(float* x, int64_t n) = nullptr;
  // y = x * sigmoid(x).
  void (*silu)(const float* x, float* y, int64_t n) = nullptr;
  // y = silu(gate) * up (SwiGLU).
  void (*swiglu)(const float* gate, const float* up, float* y, int64_t n) = nullptr;
  // y = gelu(x), tanh approximation (as ggml's GELU).
  void (*gelu)(const float* x, float* y, int64_t n) = nullptr;
  // Rotates the first n_rot dimensions of each of n_heads vectors of head_dim floats at x, in
  // place. cos_sin holds n_rot/2 (cos, sin) pairs from RopeCosSin().
  void (*rope)(float* x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float* cos_sin,
               RopeMode mode) = nullptr;
  // out = a + b, out = a * b, out = x * s, y += a * x.
  void (*add)(const float* a, const float* b, float* out, int64_t n) = nullptr;
  void (*mul)(const float* a, const float* b, float* out, int64_t n) = nullptr;
  void (*scale)(const float* x, float s, float* out, int64_t n) = nullptr;
  void (*axpy)(float a, const float* x, float* y, int64_t n) = nullptr;
  // y += a * x for a row of IEEE halves (an F16 value cache in attention).
  void (*axpy_f16)(float a, const uint16_t* x, float* y, int64_t n) = nullptr;
  // Sum of a[i] * b[i].
  float (*dot)(const float* a, const float* b, int64_t n) = nullptr;
};

// Slots of KernelTable::types: one per ggml type id.
inline constexpr int kTypeSlots = 32;

struct KernelTable {
  KernelLevel level = KernelLevel::kScalar;
  TypeKernels types[kTypeSlots];
  F32Kernels f32;
};

// The table of `level`, built on first use and immutable afterwards. The level must be supported
// by the CPU (IsKernelLevelSupported); the returned reference lives as long as the process.
const KernelTable& GetKernelTable(KernelLevel level);

// The kernels of `type` in `table`; all members are null for types without kernels.
const TypeKernels& KernelsFor(const KernelTable& table, TensorType type);

// Runs args.type's MatMul from `table`. The type must have one (IsComputeTensorType).
void MatMul(const KernelTable& table, const MatMulArgs& args);

// Runs args.type's MatMul over rows [args.row_begin, args.row_end) split across `pool`: tasks of
// whole kMatMulRowAlign-row tiles, about four per thread so that a slow thread is balanced by the
// others. Blocks until done; must not be called from inside a pool task.
void ParallelMatMul(const KernelTable& table, ThreadPool& pool, const MatMulArgs& args);

// Fills cos_sin[2i], cos_sin[2i+1] with cos and sin of pos * freq_scale * freq_base^(-2i/n_rot)
// for i in [0, n_rot/2), the angles that RoPE rotates by (ggml's rope without YaRN ramps).
void RopeCosSin(int64_t pos, int64_t n_rot, float freq_base, float freq_scale, float* cos_sin);

// Exact IEEE conversions, round to nearest even (ggml's GGML_FP32_TO_FP16 / _BF16).
float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);
float BFloat16ToFloat(uint16_t h);
uint16_t FloatToBFloat16(float f);

}  // namespace savoir::engine::kernels

#endif  // SAVOIR_ENGINE_KERNELS_KERNELS_H_
