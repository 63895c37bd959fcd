#include "engine/model/encoder_model.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/model/ops.h"
#include "engine/model/weights.h"

namespace savoir::engine {

StatusOr<std::unique_ptr<EncoderModel>> EncoderModel::Load(std::shared_ptr<const GgufFile> file) {
  SAVOIR_ASSIGN_OR_RETURN(ModelConfig config, ReadModelConfig(*file));
  if (config.arch != Architecture::kBert) {
    return InvalidArgumentError("{}: '{}' is not an encoder (embedding or reranker) model",
                                file->name(), config.arch_name);
  }
  std::unique_ptr<EncoderModel> model(new EncoderModel(std::move(file), std::move(config)));
  SAVOIR_RETURN_IF_ERROR(model->BindTensors());
  return model;
}

Status EncoderModel::BindTensors() {
  const ModelConfig& c = config_;
  const GgufFile& f = *file_;
  constexpr WeightKind kM = WeightKind::kMatrix;
  constexpr WeightKind kV = WeightKind::kVector;
  SAVOIR_ASSIGN_OR_RETURN(token_embd_, RequireWeight(f, "token_embd.weight", {c.n_embd, c.n_vocab}, kM));
  SAVOIR_ASSIGN_OR_RETURN(position_embd_,
                          RequireWeight(f, "position_embd.weight", {c.n_embd, c.n_ctx_train}, kM));
  const GgufTensor* types = f.FindTensor("token_types.weight");
  if (types != nullptr) {
    SAVOIR_ASSIGN_OR_RETURN(token_types_, RequireWeight(f, "token_types.weight",
                                                        {c.n_embd, types->dims[1]}, kM));
  }
  SAVOIR_ASSIGN_OR_RETURN(embd_norm_w_, RequireWeight(f, "token_embd_norm.weight", {c.n_embd}, kV));
  SAVOIR_ASSIGN_OR_RETURN(embd_norm_b_, RequireWeight(f, "token_embd_norm.bias", {c.n_embd}, kV));
  SAVOIR_ASSIGN_OR_RETURN(cls_out_w_, OptionalWeight(f, "cls.output.weight", {c.n_embd, 1}, kM));
  if (cls_out_w_ != nullptr) {
    SAVOIR_ASSIGN_OR_RETURN(cls_out_b_, RequireWeight(f, "cls.output.bias", {1}, kV));
    SAVOIR_ASSIGN_OR_RETURN(cls_w_, OptionalWeight(f, "cls.weight", {c.n_embd, c.n_embd}, kM));
    if (cls_w_ != nullptr) {
      SAVOIR_ASSIGN_OR_RETURN(cls_b_, RequireWeight(f, "cls.bias", {c.n_embd}, kV));
    }
  }
  layers_.resize(static_cast<size_t>(c.n_layer));
  for (int64_t i = 0; i < c.n_layer; ++i) {
    Layer& l = layers_[static_cast<size_t>(i)];
    auto m = [&](std::string_view what, int64_t cols, int64_t rows) {
      return RequireWeight(f, fmt::format("blk.{}.{}", i, what), {cols, rows}, kM);
    };
    auto v = [&](std::string_view what, int64_t n) {
      return RequireWeight(f, fmt::format("blk.{}.{}", i, what), {n}, kV);
    };
    const int64_t d = c.n_embd;
    SAVOIR_ASSIGN_OR_RETURN(l.wq, m("attn_q.weight", d, d));
    SAVOIR_ASSIGN_OR_RETURN(l.bq, v("attn_q.bias", d));
    SAVOIR_ASSIGN_OR_RETURN(l.wk, m("attn_k.weight", d, d));
    SAVOIR_ASSIGN_OR_RETURN(l.bk, v("attn_k.bias", d));
    SAVOIR_ASSIGN_OR_RETURN(l.wv, m("attn_v.weight", d, d));
    SAVOIR_ASSIGN_OR_RETURN(l.bv, v("attn_v.bias", d));
    SAVOIR_ASSIGN_OR_RETURN(l.wo, m("attn_output.weight", d, d));
    SAVOIR_ASSIGN_OR_RETURN(l.bo, v("attn_output.bias", d));
    SAVOIR_ASSIGN_OR_RETURN(l.attn_norm_w, v("attn_output_norm.weight", d));
    SAVOIR_ASSIGN_OR_RETURN(l.attn_norm_b, v("attn_output_norm.bias", d));
    SAVOIR_ASSIGN_OR_RETURN(l.up_w, m("ffn_up.weight", d, c.n_ff));
    SAVOIR_ASSIGN_OR_RETURN(l.up_b, v("ffn_up.bias", c.n_ff));
    SAVOIR_ASSIGN_OR_RETURN(l.down_w, m("ffn_down.weight", c.n_ff, d));
    SAVOIR_ASSIGN_OR_RETURN(l.down_b, v("ffn_down.bias", d));
    SAVOIR_ASSIGN_OR_RETURN(l.out_norm_w, v("layer_output_norm.weight", d));
    SAVOIR_ASSIGN_OR_RETURN(l.out_norm_b, v("layer_output_norm.bias", d));
  }
  return OkStatus();
}

void EncoderModel::Block(const Layer& l, int64_t n, std::vector<float>& x, ThreadPool& pool) const {
  const ModelConfig& c = config_;
  const int64_t d = c.n_embd;
  const int64_t hd = c.head_dim;
  std::vector<float> q(x.size()), k(x.size()), v(x.size()), attn(x.size()), out(x.size());
  ops::MatMul(*l.wq, x.data(), n, q.data(), pool);
  ops::MatMul(*l.wk, x.data(), n, k.data(), pool);
  ops::MatMul(*l.wv, x.data(), n, v.data(), pool);
  ops::AddBias(q.data(), *l.bq, d, n);
  ops::AddBias(k.data(), *l.bk, d, n);
  ops::AddBias(v.data(), *l.bv, d, n);
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  std::vector<std::vector<float>> scores(static_cast<size_t>(pool.num_threads()),
                                         std::vector<float>(static_cast<size_t>(n)));
  pool.ParallelFor(n * c.n_head, [&](int64_t task, int thread) {
    const int64_t t = task / c.n_head;
    const int64_t h = task % c.n_head;
    float* s = scores[static_cast<size_t>(thread)].data();
    const float* qh = &q[static_cast<size_t>(t * d + h * hd)];
    for (int64_t p = 0; p < n; ++p) s[p] = ops::Dot(qh, &k[static_cast<size_t>(p * d + h * hd)], hd) * scale;
    ops::Softmax(s, n);
    float* o = &attn[static_cast<size_t>(t * d + h * hd)];
    std::fill(o, o + hd, 0.0f);
    for (int64_t p = 0; p < n; ++p) ops::Axpy(s[p], &v[static_cast<size_t>(p * d + h * hd)], o, hd);
  });
  ops::MatMul(*l.wo, attn.data(), n, out.data(), pool);
  ops::AddBias(out.data(), *l.bo, d, n);
  ops::Add(x.data(), out.data(), n * d);
  for (int64_t t = 0; t < n; ++t) {
    ops::LayerNorm(&x[static_cast<size_t>(t * d)], *l.attn_norm_w, *l.attn_norm_b, d, c.norm_eps,
                   &x[static_cast<size_t>(t * d)]);
  }
  std::vector<float> up(static_cast<size_t>(n * c.n_ff));
  ops::MatMul(*l.up_w, x.data(), n, up.data(), pool);
  ops::AddBias(up.data(), *l.up_b, c.n_ff, n);
  ops::Gelu(up.data(), n * c.n_ff);
  ops::MatMul(*l.down_w, up.data(), n, out.data(), pool);
  ops::AddBias(out.data(), *l.down_b, d, n);
  ops::Add(x.data(), out.data(), n * d);
  for (int64_t t = 0; t < n; ++t) {
    ops::LayerNorm(&x[static_cast<size_t>(t * d)], *l.out_norm_w, *l.out_norm_b, d, c.norm_eps,
                   &x[static_cast<size_t>(t * d)]);
  }
}

StatusOr<std::vector<float>> EncoderModel::Hidden(std::span<const int32_t> tokens,
                                                  ThreadPool& pool) const {
  const ModelConfig& c = config_;
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (n == 0) return InvalidArgumentError("cannot embed an empty input");
  if (n > c.n_ctx_train) {
    return InvalidArgumentError("input of {} tokens is longer than the model's context of {}", n,
                                c.n_ctx_train);
  }
  const int64_t d = c.n_embd;
  std::vector<float> x(static_cast<size_t>(n * d));
  std::vector<float> row(static_cast<size_t>(d));
  for (int64_t t = 0; t < n; ++t) {
    const int32_t id = tokens[static_cast<size_t>(t)];
    if (id < 0 || id >= c.n_vocab) {
      return InvalidArgumentError("token id {} is outside the vocabulary (0..{})", id, c.n_vocab - 1);
    }
    float* xt = &x[static_cast<size_t>(t * d)];
    ops::GetRow(*token_embd_, id, xt);
    ops::GetRow(*position_embd_, t, row.data());
    ops::Add(xt, row.data(), d);
    if (token_types_ != nullptr) {
      ops::GetRow(*token_types_, 0, row.data());
      ops::Add(xt, row.data(), d);
    }
    ops::LayerNorm(xt, *embd_norm_w_, *embd_norm_b_, d, c.norm_eps, xt);
  }
  for (const Layer& l : layers_) Block(l, n, x, pool);
  return x;
}

StatusOr<std::vector<float>> EncoderModel::Embed(std::span<const int32_t> tokens,
                                                 ThreadPool& pool) const {
  SAVOIR_ASSIGN_OR_RETURN(std::vector<float> hidden, Hidden(tokens, pool));
  const int64_t d = config_.n_embd;
  const int64_t n = static_cast<int64_t>(tokens.size());
  std::vector<float> pooled(static_cast<size_t>(d), 0.0f);
  if (config_.pooling == Pooling::kCls || config_.pooling == Pooling::kRank) {
    std::copy_n(hidden.begin(), d, pooled.begin());
  } else if (config_.pooling == Pooling::kLast) {
    std::copy_n(hidden.begin() + (n - 1) * d, d, pooled.begin());
  } else {
    for (int64_t t = 0; t < n; ++t) ops::Add(pooled.data(), &hidden[static_cast<size_t>(t * d)], d);
    for (float& v : pooled) v /= static_cast<float>(n);
  }
  double norm = 0;
  for (float v : pooled) norm += static_cast<double>(v) * v;
  const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
  for (float& v : pooled) v *= inv;
  return pooled;
}

StatusOr<float> EncoderModel::Score(std::span<const int32_t> tokens, ThreadPool& pool) const {
  if (!is_reranker()) {
    return FailedPreconditionError("{}: not a reranker (no classification head)", file_->name());
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<float> hidden, Hidden(tokens, pool));
  const int64_t d = config_.n_embd;
  std::vector<float> cls(hidden.begin(), hidden.begin() + d);
  if (cls_w_ != nullptr) {
    std::vector<float> dense(static_cast<size_t>(d));
    ops::MatMul(*cls_w_, cls.data(), 1, dense.data(), pool);
    ops::AddBias(dense.data(), *cls_b_, d, 1);
    for (float& v : dense) v = std::tanh(v);
    cls = std::move(dense);
  }
  float score = 0.0f;
  ops::MatMul(*cls_out_w_, cls.data(), 1, &score, pool);
  return score + reinterpret_cast<const float*>(cls_out_b_->data)[0];
}

}  // namespace savoir::engine
