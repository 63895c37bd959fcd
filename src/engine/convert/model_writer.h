// Writing a model file tensor by tensor, converting each weight to the type its quantization
// policy (quant_policy.h) chooses.
//
// Both `quantize` (tensors read from a GGUF file) and `synth` (tensors generated from a seed) end
// here: they describe each tensor's name, dims and where its values come from, and WriteModel
// orders the tensors as llama.cpp does, plans their types, writes the header, then converts the
// tensors one after another in chunks of rows spread over a thread pool. A tensor whose type does
// not change is copied byte for byte; others are turned into f32 one row at a time (dequantized or
// generated) and quantized with the reference quantizers of engine/kernels. At no time is more
// than a chunk of rows (a few MiB) held as f32, nor more than a chunk of output, so models larger
// than memory convert.
//
// Thread safety: WriteModel may run concurrently with itself on different outputs; the
// `generate` functions it is given are called from several threads at once.
#ifndef SAVOIR_ENGINE_CONVERT_MODEL_WRITER_H_
#define SAVOIR_ENGINE_CONVERT_MODEL_WRITER_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/convert/gguf_stream_writer.h"
#include "engine/convert/quant_policy.h"
#include "engine/core/tensor_type.h"

namespace savoir::engine::convert {

// One tensor of the model to write.
struct TensorSource {
  std::string name;
  std::vector<int64_t> dims;  // ggml order, dims[0] = row length
  // The existing values: `type` and its bytes (e.g. inside a mapped GgufFile, which must outlive
  // WriteModel). Leave `data` empty for a generated tensor.
  TensorType type = TensorType::kF32;
  std::span<const uint8_t> data;
  // For a generated tensor: writes row `row` (dims[0] floats) to `out`. Called concurrently.
  std::function<void(int64_t row, float* out)> generate;
};

struct WriteModelOptions {
  QuantType type = QuantType::kF16;
  int threads = 1;  // compute threads (at least 1)
};

struct WriteSummary {
  int64_t tensors = 0;
  int64_t converted = 0;  // tensors whose type changed (or were generated)
  int64_t fallbacks = 0;  // tensors that took a fallback type because of their row length
  uint64_t bytes = 0;     // tensor data bytes written
};

// Writes `tensors` with `metadata` to `path` (atomically: temp file + rename), after setting
// general.file_type and general.quantization_version (2) and removing split.* keys. Errors:
// UNIMPLEMENTED for a tensor whose type cannot be converted (naming it), INVALID_ARGUMENT for bad
// shapes or byte counts, UNAVAILABLE for I/O errors. On error no file is left at `path`'s
// temporary name (an existing `path` is left untouched).
StatusOr<WriteSummary> WriteModel(GgufMetadataList metadata, std::vector<TensorSource> tensors,
                                  const ModelFacts& facts, const WriteModelOptions& options,
                                  const std::string& path);

}  // namespace savoir::engine::convert

#endif  // SAVOIR_ENGINE_CONVERT_MODEL_WRITER_H_
