// The shapes and hyper-parameters of real models that `synth` reproduces with random weights.
//
// Each entry gives everything a GGUF of that model fixes: architecture, vocabulary and context
// size, widths, layer and head counts, RoPE base (and llama-3 frequency scaling), norm epsilon,
// tied embeddings, biases, pooling. The numbers are those of the models' Hugging Face config.json
// files as llama.cpp's converter writes them. The "tiny-" entries keep an architecture's structure
// at a size that runs in milliseconds, for tests; their vocabulary is whatever vocabulary file
// they are given.
//
// Thread safety: the table is immutable.
#ifndef SAVOIR_ENGINE_CONVERT_MODEL_SHAPES_H_
#define SAVOIR_ENGINE_CONVERT_MODEL_SHAPES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace savoir::engine::convert {

// llama-3's RoPE frequency scaling (config.json "rope_scaling" with rope_type "llama3"), which
// llama.cpp's converter turns into a `rope_freqs.weight` tensor of per-dimension-pair factors.
struct Llama3RopeScaling {
  float factor = 0.0f;  // 0: no scaling
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  int64_t original_context = 8192;
};

struct ModelShape {
  std::string_view name;  // what --like accepts
  std::string_view arch;  // general.architecture: "llama", "qwen2" or "bert"
  int64_t n_vocab = 0;    // 0: the size of the vocabulary file given (tiny variants)
  int64_t n_ctx = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_ff = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  float rope_freq_base = 10000.0f;
  float norm_eps = 1e-5f;
  bool tied = true;       // no output.weight: the output projection is token_embd
  bool qkv_bias = false;  // qwen2's Q/K/V biases
  Llama3RopeScaling rope_scaling;
  int pooling = 0;         // bert: llama_pooling_type (1 mean, 2 CLS, 4 rank)
  bool reranker = false;   // bert: classification head (cls.*)
  float init_std = 0.02f;  // standard deviation of the random weight matrices
};

// All known shapes, real models first.
std::span<const ModelShape> ModelShapes();
// The shape called `name` (exact, lower-case), or nullptr.
const ModelShape* FindModelShape(std::string_view name);
// The names, comma-separated (for messages).
std::string ModelShapeNames();

}  // namespace savoir::engine::convert

#endif  // SAVOIR_ENGINE_CONVERT_MODEL_SHAPES_H_
