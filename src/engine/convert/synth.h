// Synthetic models: GGUF files with random weights and the exact shapes and hyper-parameters of
// real models (model_shapes.h), for benchmarks and tests that must not depend on downloads.
//
// A synthesized file has every tensor and metadata key llama.cpp's loader requires for its
// architecture (llama, qwen2, bert), so savoir and llama.cpp both load it. Its tokenizer is copied
// from a vocabulary-only GGUF (tokenizer.* keys); when that vocabulary is smaller than the real
// model's, it is padded with unused tokens ("[PAD<id>]", token type UNUSED, score -1000, as
// llama.cpp's converter pads) so that the embedding and output shapes are exactly the real
// model's. Weights are deterministic functions of the seed, the tensor name and the row
// (independent of thread count): matrices and embeddings are Gaussian-like (a sum of four uniforms)
// with the shape's init_std, norm weights 1 + 0.1 g, biases init_std g, llama-3's rope_freqs the
// factors llama.cpp's converter computes. The weights are then converted to the requested
// QuantType exactly as `quantize` would convert an F32 file (same per-tensor rules).
//
// Thread safety: functions may run concurrently on different outputs.
#ifndef SAVOIR_ENGINE_CONVERT_SYNTH_H_
#define SAVOIR_ENGINE_CONVERT_SYNTH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/convert/gguf_stream_writer.h"
#include "engine/convert/model_shapes.h"
#include "engine/convert/model_writer.h"
#include "engine/convert/quant_policy.h"

namespace savoir::engine::convert {

struct SynthOptions {
  std::string like;  // a ModelShape name, e.g. "qwen2.5-0.5b"
  QuantType type = QuantType::kF32;
  std::string vocab_path;  // vocabulary-only (or any) GGUF with tokenizer.* keys
  std::string out_path;
  uint64_t seed = 0;
  int threads = 0;  // 0: one per hardware thread
};

// A synthetic model before it is written: its metadata and tensors (generated lazily).
struct SynthModel {
  ModelShape shape;
  int64_t n_vocab = 0;
  GgufMetadataList metadata;
  std::vector<TensorSource> tensors;
  ModelFacts facts;
};

// Builds the metadata and tensor list of options.like with the vocabulary of
// options.vocab_path (out_path is not used). Errors: INVALID_ARGUMENT for an unknown shape name
// (listing the known ones), a vocabulary file without tokenizer.ggml.tokens, or one with more
// tokens than the model's vocabulary; NOT_FOUND / INVALID_ARGUMENT from opening the vocabulary.
StatusOr<SynthModel> BuildSynthModel(const SynthOptions& options);

// BuildSynthModel, then writes the model converted to options.type to options.out_path
// (atomically). Errors as BuildSynthModel and WriteModel.
Status SynthesizeModel(const SynthOptions& options);

// The rope_freqs factors llama.cpp's converter computes for llama-3 scaling: one per dimension
// pair of a head of `rope_dims` dimensions (theta of pair i is divided by factor i).
std::vector<float> Llama3RopeFactors(const Llama3RopeScaling& scaling, float freq_base,
                                     int64_t rope_dims);

}  // namespace savoir::engine::convert

#endif  // SAVOIR_ENGINE_CONVERT_SYNTH_H_
