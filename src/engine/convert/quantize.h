// Converting a GGUF model to another tensor type (llama.cpp's llama-quantize).
//
// QuantizeModel reads every tensor of a mapped GgufFile, converts the weight matrices to the
// type quant_policy.h chooses for the requested QuantType (F32, F16 and BF16 inputs, or any type
// engine/kernels can dequantize, which allows re-quantization), copies the other tensors, copies
// all metadata and sets general.file_type and general.quantization_version. Tensors are streamed
// one chunk of rows at a time (model_writer.h), so the input is never held in memory as f32.
//
// Thread safety: QuantizeModel only reads `in`; several calls may run at once on different outputs.
#ifndef SAVOIR_ENGINE_CONVERT_QUANTIZE_H_
#define SAVOIR_ENGINE_CONVERT_QUANTIZE_H_

#include <string>

#include "base/status.h"
#include "engine/convert/quant_policy.h"
#include "engine/gguf/gguf_file.h"

namespace savoir::engine::convert {

struct QuantizeOptions {
  QuantType type = QuantType::kQ8_0;
  int threads = 0;  // compute threads; 0 means one per hardware thread
};

// Writes `in` converted to `options.type` to `out_path` (atomically, via a temporary file).
// Errors: UNIMPLEMENTED for a tensor whose type savoir cannot convert (naming tensor and type),
// INVALID_ARGUMENT for inconsistent tensors, UNAVAILABLE for I/O errors; messages start with
// `out_path`.
Status QuantizeModel(const GgufFile& in, const std::string& out_path,
                     const QuantizeOptions& options);

// The facts the conversion rules need, read from `file`'s metadata (absent keys give 0).
ModelFacts ReadModelFacts(const GgufFile& file);

}  // namespace savoir::engine::convert

#endif  // SAVOIR_ENGINE_CONVERT_QUANTIZE_H_
