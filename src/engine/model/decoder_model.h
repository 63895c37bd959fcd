// Decoder-only transformer forward pass (llama and qwen2 families).
//
// Pre-norm blocks with RMSNorm, rotary positions (normal for llama, NeoX for qwen2), grouped-
// query attention over the paged KV cache, SwiGLU feed-forward, and an output projection that
// is either `output.weight` or, when absent, the token embedding (tied weights). Qwen2 adds
// biases to Q, K and V. An optional `rope_freqs.weight` (llama-3's frequency scaling) divides the
// RoPE angle of each dimension pair by its factor, as llama.cpp does.
//
// One Forward() call runs any mix of sequences and positions: a prompt chunk of one sequence,
// one new token for each of many sequences, or both. Each batch entry's key and value are
// written to the cache first; then each entry attends to positions [0, pos] of its own
// sequence, so entries of one sequence in the same batch see each other causally.
//
// Weights stay in the memory-mapped GGUF file; nothing is copied at load.
//
// Thread safety: a DecoderModel is immutable after Load; Forward uses per-call scratch and the
// given pool and cache, so concurrent calls need distinct pools and caches.
#ifndef SAVOIR_ENGINE_MODEL_DECODER_MODEL_H_
#define SAVOIR_ENGINE_MODEL_DECODER_MODEL_H_

#include <memory>
#include <span>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model_config.h"

namespace savoir::engine {

struct BatchToken {
  int32_t token = 0;
  int64_t pos = 0;
  KvCache::SeqId seq = 0;
  bool want_logits = false;
};

class DecoderModel {
 public:
  // Binds the tensors of `file` (which the model keeps alive). Errors name the file and the
  // missing or mis-shaped tensor; UNIMPLEMENTED for encoder architectures or tensor types the
  // engine cannot compute with.
  static StatusOr<std::unique_ptr<DecoderModel>> Load(std::shared_ptr<const GgufFile> file);

  const ModelConfig& config() const { return config_; }
  const GgufFile& file() const { return *file_; }

  // Cache geometry for this model holding up to `max_tokens` positions in all.
  KvCacheOptions CacheOptions(int64_t max_tokens, int block_tokens = 16) const;

  // Runs `batch`. For each entry with want_logits, appends n_vocab logits to `logits` (in batch
  // order). Positions must be reserved in `cache` for each entry's sequence. Errors:
  // INVALID_ARGUMENT for a token id outside the vocabulary or a position beyond the reserved
  // cache.
  Status Forward(std::span<const BatchToken> batch, KvCache& cache, ThreadPool& pool,
                 std::vector<float>& logits) const;

 private:
  struct Layer {
    const GgufTensor* attn_norm = nullptr;
    const GgufTensor* wq = nullptr;
    const GgufTensor* wk = nullptr;
    const GgufTensor* wv = nullptr;
    const GgufTensor* wo = nullptr;
    const GgufTensor* bq = nullptr;  // qwen2 only
    const GgufTensor* bk = nullptr;
    const GgufTensor* bv = nullptr;
    const GgufTensor* ffn_norm = nullptr;
    const GgufTensor* w_gate = nullptr;
    const GgufTensor* w_up = nullptr;
    const GgufTensor* w_down = nullptr;
  };
  struct Scratch;

  DecoderModel(std::shared_ptr<const GgufFile> file, ModelConfig config)
      : file_(std::move(file)), config_(std::move(config)) {}
  Status BindTensors();
  void Attention(std::span<const BatchToken> batch, int64_t layer, Scratch& s, KvCache& cache,
                 ThreadPool& pool) const;
  void Block(std::span<const BatchToken> batch, int64_t layer, Scratch& s, KvCache& cache,
             ThreadPool& pool) const;

  std::shared_ptr<const GgufFile> file_;
  ModelConfig config_;
  const GgufTensor* token_embd_ = nullptr;
  const GgufTensor* output_norm_ = nullptr;
  const GgufTensor* output_ = nullptr;  // token_embd_ when tied
  const GgufTensor* rope_freqs_ = nullptr;  // llama-3 RoPE frequency factors, optional
  std::vector<Layer> layers_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_MODEL_DECODER_MODEL_H_
