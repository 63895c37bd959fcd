// Encoder transformer (BERT family) for embeddings and cross-encoder reranking.
//
// Post-norm BERT blocks: token + position + token-type embeddings and LayerNorm, then per layer
// bidirectional multi-head attention with biases, residual + LayerNorm, GELU feed-forward,
// residual + LayerNorm. Embed() pools the last hidden states (mean or CLS, from the file's
// `bert.pooling_type`) and L2-normalises them, as sentence-transformers models (bge, e5,
// MiniLM) expect. Rerankers (bge-reranker layout: `cls.weight`, `cls.output.weight`) map the
// CLS state through a tanh dense layer to one relevance score.
//
// Thread safety: immutable after Load; calls may run concurrently with distinct pools.
#ifndef SAVOIR_ENGINE_MODEL_ENCODER_MODEL_H_
#define SAVOIR_ENGINE_MODEL_ENCODER_MODEL_H_

#include <memory>
#include <span>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model_config.h"

namespace savoir::engine {

class EncoderModel {
 public:
  // Errors name the file and the missing or mis-shaped tensor; INVALID_ARGUMENT for a decoder.
  static StatusOr<std::unique_ptr<EncoderModel>> Load(std::shared_ptr<const GgufFile> file);

  const ModelConfig& config() const { return config_; }
  // True when the file has a classification head (a cross-encoder reranker).
  bool is_reranker() const { return cls_out_w_ != nullptr; }

  // Last hidden states of `tokens` (which include [CLS]/[SEP] as the tokenizer added them),
  // [n_tokens][n_embd]. INVALID_ARGUMENT if empty, longer than the trained context, or with an
  // id outside the vocabulary.
  StatusOr<std::vector<float>> Hidden(std::span<const int32_t> tokens, ThreadPool& pool) const;
  // Pooled, L2-normalised embedding (n_embd floats).
  StatusOr<std::vector<float>> Embed(std::span<const int32_t> tokens, ThreadPool& pool) const;
  // Relevance score of a (query, document) pair already joined by the tokenizer. Requires
  // is_reranker() (FAILED_PRECONDITION otherwise).
  StatusOr<float> Score(std::span<const int32_t> tokens, ThreadPool& pool) const;

 private:
  struct Layer {
    const GgufTensor *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo;
    const GgufTensor *attn_norm_w, *attn_norm_b;
    const GgufTensor *up_w, *up_b, *down_w, *down_b;
    const GgufTensor *out_norm_w, *out_norm_b;
  };

  EncoderModel(std::shared_ptr<const GgufFile> file, ModelConfig config)
      : file_(std::move(file)), config_(std::move(config)) {}
  Status BindTensors();
  void Block(const Layer& l, int64_t n, std::vector<float>& x, ThreadPool& pool) const;

  std::shared_ptr<const GgufFile> file_;
  ModelConfig config_;
  const GgufTensor* token_embd_ = nullptr;
  const GgufTensor* token_types_ = nullptr;  // optional
  const GgufTensor* position_embd_ = nullptr;
  const GgufTensor* embd_norm_w_ = nullptr;
  const GgufTensor* embd_norm_b_ = nullptr;
  const GgufTensor* cls_w_ = nullptr;  // reranker head, optional
  const GgufTensor* cls_b_ = nullptr;
  const GgufTensor* cls_out_w_ = nullptr;
  const GgufTensor* cls_out_b_ = nullptr;
  std::vector<Layer> layers_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_MODEL_ENCODER_MODEL_H_
