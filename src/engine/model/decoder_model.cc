#include "engine/model/decoder_model.h"

#include <cmath>

#include <fmt/format.h>

#include "engine/model/ops.h"
#include "engine/model/weights.h"

namespace savoir::engine {

// Activations of one Forward call, [n_tokens][width] each.
struct DecoderModel::Scratch {
  int64_t n = 0;
  std::vector<float> x, h, q, k, v, attn, gate, up, out;
  std::vector<std::vector<float>> scores;  // per pool thread

  Scratch(const ModelConfig& c, int64_t n_tokens, int n_threads) : n(n_tokens) {
    auto sized = [n_tokens](int64_t width) {
      return std::vector<float>(static_cast<size_t>(n_tokens * width));
    };
    x = sized(c.n_embd);
    h = sized(c.n_embd);
    q = sized(c.n_head * c.head_dim);
    k = sized(c.n_embd_kv());
    v = sized(c.n_embd_kv());
    attn = sized(c.n_head * c.head_dim);
    gate = sized(c.n_ff);
    up = sized(c.n_ff);
    out = sized(c.n_embd);
    scores.resize(static_cast<size_t>(n_threads));
  }
};

StatusOr<std::unique_ptr<DecoderModel>> DecoderModel::Load(std::shared_ptr<const GgufFile> file) {
  SAVOIR_ASSIGN_OR_RETURN(ModelConfig config, ReadModelConfig(*file));
  if (config.arch == Architecture::kBert) {
    return InvalidArgumentError("{}: '{}' is an encoder (embedding) model, not a text generator",
                                file->name(), config.arch_name);
  }
  std::unique_ptr<DecoderModel> model(new DecoderModel(std::move(file), std::move(config)));
  SAVOIR_RETURN_IF_ERROR(model->BindTensors());
  return model;
}

Status DecoderModel::BindTensors() {
  const ModelConfig& c = config_;
  const GgufFile& f = *file_;
  const int64_t q_dim = c.n_head * c.head_dim;
  const int64_t kv_dim = c.n_embd_kv();
  const bool biases = c.arch == Architecture::kQwen2;
  SAVOIR_ASSIGN_OR_RETURN(token_embd_,
                          RequireWeight(f, "token_embd.weight", {c.n_embd, c.n_vocab},
                                        WeightKind::kMatrix));
  SAVOIR_ASSIGN_OR_RETURN(output_norm_,
                          RequireWeight(f, "output_norm.weight", {c.n_embd}, WeightKind::kVector));
  SAVOIR_ASSIGN_OR_RETURN(output_, OptionalWeight(f, "output.weight", {c.n_embd, c.n_vocab},
                                                  WeightKind::kMatrix));
  if (output_ == nullptr) output_ = token_embd_;
  SAVOIR_ASSIGN_OR_RETURN(
      rope_freqs_, OptionalWeight(f, "rope_freqs.weight", {c.rope_dims / 2}, WeightKind::kVector));
  layers_.resize(static_cast<size_t>(c.n_layer));
  for (int64_t i = 0; i < c.n_layer; ++i) {
    Layer& l = layers_[static_cast<size_t>(i)];
    auto name = [i](std::string_view what) { return fmt::format("blk.{}.{}", i, what); };
    auto matrix = [&](std::string_view what, int64_t cols, int64_t rows) {
      return RequireWeight(f, name(what), {cols, rows}, WeightKind::kMatrix);
    };
    auto vec = [&](std::string_view what, int64_t n) {
      return RequireWeight(f, name(what), {n}, WeightKind::kVector);
    };
    SAVOIR_ASSIGN_OR_RETURN(l.attn_norm, vec("attn_norm.weight", c.n_embd));
    SAVOIR_ASSIGN_OR_RETURN(l.wq, matrix("attn_q.weight", c.n_embd, q_dim));
    SAVOIR_ASSIGN_OR_RETURN(l.wk, matrix("attn_k.weight", c.n_embd, kv_dim));
    SAVOIR_ASSIGN_OR_RETURN(l.wv, matrix("attn_v.weight", c.n_embd, kv_dim));
    SAVOIR_ASSIGN_OR_RETURN(l.wo, matrix("attn_output.weight", q_dim, c.n_embd));
    if (biases) {
      SAVOIR_ASSIGN_OR_RETURN(l.bq, vec("attn_q.bias", q_dim));
      SAVOIR_ASSIGN_OR_RETURN(l.bk, vec("attn_k.bias", kv_dim));
      SAVOIR_ASSIGN_OR_RETURN(l.bv, vec("attn_v.bias", kv_dim));
    }
    SAVOIR_ASSIGN_OR_RETURN(l.ffn_norm, vec("ffn_norm.weight", c.n_embd));
    SAVOIR_ASSIGN_OR_RETURN(l.w_gate, matrix("ffn_gate.weight", c.n_embd, c.n_ff));
    SAVOIR_ASSIGN_OR_RETURN(l.w_up, matrix("ffn_up.weight", c.n_embd, c.n_ff));
    SAVOIR_ASSIGN_OR_RETURN(l.w_down, matrix("ffn_down.weight", c.n_ff, c.n_embd));
  }
  return OkStatus();
}

KvCacheOptions DecoderModel::CacheOptions(int64_t max_tokens, int block_tokens) const {
  KvCacheOptions o;
  o.n_layer = config_.n_layer;
  o.n_embd_kv = config_.n_embd_kv();
  o.block_tokens = block_tokens;
  o.max_blocks = (max_tokens + block_tokens - 1) / block_tokens;
  return o;
}

void DecoderModel::Attention(std::span<const BatchToken> batch, int64_t layer, Scratch& s,
                             KvCache& cache, ThreadPool& pool) const {
  const ModelConfig& c = config_;
  const int64_t hd = c.head_dim;
  const int64_t group = c.n_head / c.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t n_tasks = static_cast<int64_t>(batch.size()) * c.n_head;
  pool.ParallelFor(n_tasks, [&](int64_t task, int thread) {
    const int64_t b = task / c.n_head;
    const int64_t head = task % c.n_head;
    const BatchToken& entry = batch[static_cast<size_t>(b)];
    const int64_t kv_off = (head / group) * hd;
    // Like llama.cpp, the query and the attention weights are rounded to f16 before they meet
    // the f16 cache; this keeps outputs within llama.cpp's reference tolerance.
    float* q = s.q.data() + (b * c.n_head + head) * hd;
    ops::RoundToHalf(q, hd);
    std::vector<float>& scores = s.scores[static_cast<size_t>(thread)];
    scores.resize(static_cast<size_t>(entry.pos + 1));
    for (int64_t p = 0; p <= entry.pos; ++p) {
      scores[static_cast<size_t>(p)] =
          ops::DotHalf(cache.Key(entry.seq, layer, p) + kv_off, q, hd) * scale;
    }
    ops::Softmax(scores.data(), entry.pos + 1);
    ops::RoundToHalf(scores.data(), entry.pos + 1);
    float* out = s.attn.data() + (b * c.n_head + head) * hd;
    std::fill(out, out + hd, 0.0f);
    for (int64_t p = 0; p <= entry.pos; ++p) {
      ops::AxpyHalf(scores[static_cast<size_t>(p)], cache.Value(entry.seq, layer, p) + kv_off, out,
                    hd);
    }
  });
}

void DecoderModel::Block(std::span<const BatchToken> batch, int64_t layer, Scratch& s,
                         KvCache& cache, ThreadPool& pool) const {
  const ModelConfig& c = config_;
  const Layer& l = layers_[static_cast<size_t>(layer)];
  const int64_t n = s.n;
  const int64_t q_dim = c.n_head * c.head_dim;
  const int64_t kv_dim = c.n_embd_kv();
  ops::RopeParams rope{c.rope_style, c.head_dim, c.rope_dims, c.rope_freq_base, c.rope_freq_scale};
  if (rope_freqs_ != nullptr) rope.freq_factors = reinterpret_cast<const float*>(rope_freqs_->data);

  for (int64_t t = 0; t < n; ++t) {
    ops::RmsNorm(&s.x[t * c.n_embd], *l.attn_norm, c.n_embd, c.norm_eps, &s.h[t * c.n_embd]);
  }
  ops::MatMul(*l.wq, s.h.data(), n, s.q.data(), pool);
  ops::MatMul(*l.wk, s.h.data(), n, s.k.data(), pool);
  ops::MatMul(*l.wv, s.h.data(), n, s.v.data(), pool);
  if (l.bq != nullptr) {
    ops::AddBias(s.q.data(), *l.bq, q_dim, n);
    ops::AddBias(s.k.data(), *l.bk, kv_dim, n);
    ops::AddBias(s.v.data(), *l.bv, kv_dim, n);
  }
  for (int64_t t = 0; t < n; ++t) {
    const BatchToken& e = batch[static_cast<size_t>(t)];
    ops::Rope(&s.q[t * q_dim], c.n_head, e.pos, rope);
    ops::Rope(&s.k[t * kv_dim], c.n_head_kv, e.pos, rope);
    ops::ToHalf(&s.k[t * kv_dim], cache.Key(e.seq, layer, e.pos), kv_dim);
    ops::ToHalf(&s.v[t * kv_dim], cache.Value(e.seq, layer, e.pos), kv_dim);
  }
  Attention(batch, layer, s, cache, pool);
  ops::MatMul(*l.wo, s.attn.data(), n, s.out.data(), pool);
  ops::Add(s.x.data(), s.out.data(), n * c.n_embd);

  for (int64_t t = 0; t < n; ++t) {
    ops::RmsNorm(&s.x[t * c.n_embd], *l.ffn_norm, c.n_embd, c.norm_eps, &s.h[t * c.n_embd]);
  }
  ops::MatMul(*l.w_gate, s.h.data(), n, s.gate.data(), pool);
  ops::MatMul(*l.w_up, s.h.data(), n, s.up.data(), pool);
  ops::SiluMul(s.gate.data(), s.up.data(), s.gate.data(), n * c.n_ff);
  ops::MatMul(*l.w_down, s.gate.data(), n, s.out.data(), pool);
  ops::Add(s.x.data(), s.out.data(), n * c.n_embd);
}

Status DecoderModel::Forward(std::span<const BatchToken> batch, KvCache& cache, ThreadPool& pool,
                             std::vector<float>& logits) const {
  const ModelConfig& c = config_;
  for (const BatchToken& e : batch) {
    if (e.token < 0 || e.token >= c.n_vocab) {
      return InvalidArgumentError("token id {} is outside the vocabulary (0..{})", e.token,
                                  c.n_vocab - 1);
    }
    if (e.pos < 0 || e.pos >= cache.capacity_positions(e.seq)) {
      return InvalidArgumentError("position {} is beyond the sequence's reserved cache", e.pos);
    }
  }
  if (batch.empty()) return OkStatus();
  Scratch s(c, static_cast<int64_t>(batch.size()), pool.num_threads());
  for (size_t t = 0; t < batch.size(); ++t) {
    ops::GetRow(*token_embd_, batch[t].token, &s.x[t * static_cast<size_t>(c.n_embd)]);
  }
  for (int64_t layer = 0; layer < c.n_layer; ++layer) Block(batch, layer, s, cache, pool);

  // Only the rows that want logits go through the (large) output projection.
  int64_t n_out = 0;
  for (size_t t = 0; t < batch.size(); ++t) {
    if (!batch[t].want_logits) continue;
    ops::RmsNorm(&s.x[t * static_cast<size_t>(c.n_embd)], *output_norm_, c.n_embd, c.norm_eps,
                 &s.h[static_cast<size_t>(n_out * c.n_embd)]);
    ++n_out;
  }
  size_t base = logits.size();
  logits.resize(base + static_cast<size_t>(n_out * c.n_vocab));
  ops::MatMul(*output_, s.h.data(), n_out, logits.data() + base, pool);
  return OkStatus();
}

}  // namespace savoir::engine
