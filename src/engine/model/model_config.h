// Hyper-parameters of a transformer read from GGUF metadata.
//
// GGUF stores them under the architecture's prefix (`llama.block_count`,
// `qwen2.attention.head_count_kv`, `bert.attention.layer_norm_epsilon`, …). ModelConfig gathers
// what the forward pass needs for the supported families and checks they are consistent
// (heads divide the embedding, KV heads divide heads), so that a malformed file fails at load
// with a message naming the key rather than computing garbage.
#ifndef SAVOIR_ENGINE_MODEL_MODEL_CONFIG_H_
#define SAVOIR_ENGINE_MODEL_MODEL_CONFIG_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "engine/gguf/gguf_file.h"

namespace savoir::engine {

enum class Architecture { kLlama, kQwen2, kBert };

// How rotary position embeddings pair dimensions: adjacent pairs (llama) or the two halves of
// the head (NeoX, used by qwen2).
enum class RopeStyle { kNormal, kNeox, kNone };

// Embedding pooling of encoder models (GGUF `<arch>.pooling_type`).
enum class Pooling { kNone = 0, kMean = 1, kCls = 2, kLast = 3, kRank = 4 };

struct ModelConfig {
  Architecture arch = Architecture::kLlama;
  std::string arch_name;  // as in general.architecture
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;  // context length the model was trained with
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_ff = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // n_embd / n_head unless the file says otherwise
  float norm_eps = 1e-5f;
  RopeStyle rope_style = RopeStyle::kNormal;
  int64_t rope_dims = 0;  // dimensions rotated per head
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;
  bool causal = true;  // false for encoders
  Pooling pooling = Pooling::kNone;

  int64_t n_embd_kv() const { return n_head_kv * head_dim; }
};

// Reads the configuration of `file`. Errors: UNIMPLEMENTED for an architecture savoir does not
// run (naming it), INVALID_ARGUMENT for missing or inconsistent hyper-parameters (naming the key).
StatusOr<ModelConfig> ReadModelConfig(const GgufFile& file);

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_MODEL_MODEL_CONFIG_H_
