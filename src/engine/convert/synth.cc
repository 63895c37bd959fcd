#include "engine/convert/synth.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <thread>

#include "engine/gguf/gguf_file.h"

namespace savoir::engine::convert {
namespace {

// ---- Deterministic values ----

// SplitMix64's output function: a bijective 64-bit mix.
uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t HashName(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  return h;
}

// Standard deviation of the sum of four independent uniforms on [0, 65535].
constexpr double kSumOfFourStd = 37837.23;

// Fills out[0..n) with mean + std * g, g Gaussian-like (Irwin-Hall of four 16-bit uniforms: mean
// 0, variance 1, tails cut at 3.5), from a stream that depends only on `key` and `row`.
void GaussianRow(uint64_t key, int64_t row, float mean, float std, float* out, int64_t n) {
  uint64_t state = Mix(key ^ Mix(static_cast<uint64_t>(row) + 0x9E3779B97F4A7C15ull));
  const float scale = static_cast<float>(std / kSumOfFourStd);
  for (int64_t i = 0; i < n; ++i) {
    state += 0x9E3779B97F4A7C15ull;
    const uint64_t r = Mix(state);
    const int64_t sum = static_cast<int64_t>(r & 0xFFFF) +
                        static_cast<int64_t>((r >> 16) & 0xFFFF) +
                        static_cast<int64_t>((r >> 32) & 0xFFFF) + static_cast<int64_t>(r >> 48);
    out[i] = mean + static_cast<float>(sum - int64_t{2} * 65535) * scale;
  }
}

// ---- Tensor list ----

class TensorList {
 public:
  TensorList(uint64_t seed, float init_std) : seed_(seed), std_(init_std) {}

  void Matrix(std::string name, int64_t cols, int64_t rows) {
    Add(std::move(name), {cols, rows}, 0.0f, std_);
  }
  void Norm(std::string name, int64_t n) { Add(std::move(name), {n}, 1.0f, 0.1f); }
  void Bias(std::string name, int64_t n) { Add(std::move(name), {n}, 0.0f, std_); }
  void Values(std::string name, std::vector<float> values) {
    TensorSource t;
    t.name = std::move(name);
    t.dims = {static_cast<int64_t>(values.size())};
    t.generate = [values = std::move(values)](int64_t, float* out) {
      std::copy(values.begin(), values.end(), out);
    };
    tensors_.push_back(std::move(t));
  }
  std::vector<TensorSource> Take() { return std::move(tensors_); }

 private:
  void Add(std::string name, std::vector<int64_t> dims, float mean, float std) {
    TensorSource t;
    const uint64_t key = Mix(seed_ ^ HashName(name));
    const int64_t n = dims[0];
    t.name = std::move(name);
    t.dims = std::move(dims);
    t.generate = [key, mean, std, n](int64_t row, float* out) {
      GaussianRow(key, row, mean, std, out, n);
    };
    tensors_.push_back(std::move(t));
  }

  uint64_t seed_;
  float std_;
  std::vector<TensorSource> tensors_;
};

std::string Blk(int64_t layer, std::string_view what) {
  return fmt::format("blk.{}.{}", layer, what);
}

void AddDecoderTensors(const ModelShape& s, int64_t n_vocab, TensorList& list) {
  const int64_t head_dim = s.n_embd / s.n_head;
  const int64_t q_dim = s.n_head * head_dim;
  const int64_t kv_dim = s.n_head_kv * head_dim;
  list.Matrix("token_embd.weight", s.n_embd, n_vocab);
  list.Norm("output_norm.weight", s.n_embd);
  if (!s.tied) list.Matrix("output.weight", s.n_embd, n_vocab);
  if (s.rope_scaling.factor > 0.0f) {
    list.Values("rope_freqs.weight", Llama3RopeFactors(s.rope_scaling, s.rope_freq_base, head_dim));
  }
  for (int64_t i = 0; i < s.n_layer; ++i) {
    list.Norm(Blk(i, "attn_norm.weight"), s.n_embd);
    list.Matrix(Blk(i, "attn_q.weight"), s.n_embd, q_dim);
    list.Matrix(Blk(i, "attn_k.weight"), s.n_embd, kv_dim);
    list.Matrix(Blk(i, "attn_v.weight"), s.n_embd, kv_dim);
    if (s.qkv_bias) {
      list.Bias(Blk(i, "attn_q.bias"), q_dim);
      list.Bias(Blk(i, "attn_k.bias"), kv_dim);
      list.Bias(Blk(i, "attn_v.bias"), kv_dim);
    }
    list.Matrix(Blk(i, "attn_output.weight"), q_dim, s.n_embd);
    list.Norm(Blk(i, "ffn_norm.weight"), s.n_embd);
    list.Matrix(Blk(i, "ffn_gate.weight"), s.n_embd, s.n_ff);
    list.Matrix(Blk(i, "ffn_up.weight"), s.n_embd, s.n_ff);
    list.Matrix(Blk(i, "ffn_down.weight"), s.n_ff, s.n_embd);
  }
}

// BERT's token-type vocabulary (segment A/B), as bge and MiniLM have it.
constexpr int64_t kTokenTypes = 2;

void AddEncoderTensors(const ModelShape& s, int64_t n_vocab, TensorList& list) {
  const int64_t d = s.n_embd;
  list.Matrix("token_embd.weight", d, n_vocab);
  list.Matrix("token_types.weight", d, kTokenTypes);
  list.Matrix("position_embd.weight", d, s.n_ctx);
  list.Norm("token_embd_norm.weight", d);
  list.Bias("token_embd_norm.bias", d);
  for (int64_t i = 0; i < s.n_layer; ++i) {
    for (std::string_view m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      list.Matrix(Blk(i, fmt::format("{}.weight", m)), d, d);
      list.Bias(Blk(i, fmt::format("{}.bias", m)), d);
    }
    list.Norm(Blk(i, "attn_output_norm.weight"), d);
    list.Bias(Blk(i, "attn_output_norm.bias"), d);
    list.Matrix(Blk(i, "ffn_up.weight"), d, s.n_ff);
    list.Bias(Blk(i, "ffn_up.bias"), s.n_ff);
    list.Matrix(Blk(i, "ffn_down.weight"), s.n_ff, d);
    list.Bias(Blk(i, "ffn_down.bias"), d);
    list.Norm(Blk(i, "layer_output_norm.weight"), d);
    list.Bias(Blk(i, "layer_output_norm.bias"), d);
  }
  if (s.reranker) {
    list.Matrix("cls.weight", d, d);
    list.Bias("cls.bias", d);
    list.Matrix("cls.output.weight", d, 1);
    list.Bias("cls.output.bias", 1);
  }
}

// ---- Metadata ----

void SetHyperParameters(const ModelShape& s, int64_t n_vocab, GgufMetadataList& m) {
  const std::string p = std::string(s.arch) + ".";
  auto u32 = [&](std::string_view key, int64_t v) {
    m.Set(p + std::string(key), GgufMetadataValue::U32(static_cast<uint32_t>(v)));
  };
  u32("context_length", s.n_ctx);
  u32("embedding_length", s.n_embd);
  u32("block_count", s.n_layer);
  u32("feed_forward_length", s.n_ff);
  u32("attention.head_count", s.n_head);
  if (s.arch == "bert") {
    m.Set(p + "attention.layer_norm_epsilon", GgufMetadataValue::F32(s.norm_eps));
    m.Set(p + "attention.causal", GgufMetadataValue::Bool(false));
    u32("pooling_type", s.pooling);
    return;
  }
  u32("attention.head_count_kv", s.n_head_kv);
  m.Set(p + "rope.freq_base", GgufMetadataValue::F32(s.rope_freq_base));
  u32("rope.dimension_count", s.n_embd / s.n_head);
  m.Set(p + "attention.layer_norm_rms_epsilon", GgufMetadataValue::F32(s.norm_eps));
  u32("vocab_size", n_vocab);
}

// Token padding as llama.cpp's converter writes it.
constexpr int32_t kUnusedTokenType = 5;
constexpr float kPadScore = -1000.0f;

// Copies the tokenizer.* keys of `vocab`, padding the per-token arrays to `n_vocab` entries.
Status CopyTokenizer(const GgufFile& vocab, int64_t n_vocab, GgufMetadataList& m) {
  SAVOIR_ASSIGN_OR_RETURN(std::vector<std::string_view> tokens,
                          vocab.GetStringArray("tokenizer.ggml.tokens"));
  const size_t have = tokens.size();
  const size_t want = static_cast<size_t>(n_vocab);
  m.CopyFrom(vocab, [](std::string_view key) { return key.substr(0, 10) == "tokenizer."; });
  if (have == want) return OkStatus();
  std::vector<std::string> pads;
  pads.reserve(want - have);
  for (size_t id = have; id < want; ++id) pads.push_back(fmt::format("[PAD{}]", id));
  tokens.insert(tokens.end(), pads.begin(), pads.end());
  m.Set("tokenizer.ggml.tokens", GgufMetadataValue::StringArray(std::span(tokens)));
  if (vocab.HasKey("tokenizer.ggml.token_type")) {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<int32_t> types,
                            vocab.GetI32Array("tokenizer.ggml.token_type"));
    types.resize(want, kUnusedTokenType);
    m.Set("tokenizer.ggml.token_type", GgufMetadataValue::Array<int32_t>(types));
  }
  if (vocab.HasKey("tokenizer.ggml.scores")) {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<float> scores, vocab.GetF32Array("tokenizer.ggml.scores"));
    scores.resize(want, kPadScore);
    m.Set("tokenizer.ggml.scores", GgufMetadataValue::Array<float>(scores));
  }
  return OkStatus();
}

StatusOr<int64_t> VocabularySize(const GgufFile& vocab, const ModelShape& shape) {
  const GgufValue* tokens = vocab.FindValue("tokenizer.ggml.tokens");
  if (tokens == nullptr || tokens->type() != GgufValueType::kArray ||
      tokens->array_type() != GgufValueType::kString || tokens->array_size() == 0) {
    return InvalidArgumentError("{}: no tokenizer.ggml.tokens array (not a vocabulary file)",
                                vocab.name());
  }
  if (!vocab.HasKey("tokenizer.ggml.model")) {
    return InvalidArgumentError("{}: no tokenizer.ggml.model", vocab.name());
  }
  const int64_t have = static_cast<int64_t>(tokens->array_size());
  if (shape.n_vocab == 0) return have;
  if (have > shape.n_vocab) {
    return InvalidArgumentError("{}: {} tokens, more than {}'s vocabulary of {}", vocab.name(),
                                have, shape.name, shape.n_vocab);
  }
  return shape.n_vocab;
}

}  // namespace

std::vector<float> Llama3RopeFactors(const Llama3RopeScaling& scaling, float freq_base,
                                     int64_t rope_dims) {
  const double orig = static_cast<double>(scaling.original_context);
  const double low_wavelen = orig / scaling.low_freq_factor;
  const double high_wavelen = orig / scaling.high_freq_factor;
  std::vector<float> factors;
  for (int64_t i = 0; i < rope_dims; i += 2) {
    const double freq = 1.0 / std::pow(static_cast<double>(freq_base),
                                       static_cast<double>(i) / static_cast<double>(rope_dims));
    const double wavelen = 2.0 * std::numbers::pi / freq;
    double f = 1.0;
    if (wavelen > low_wavelen) {
      f = scaling.factor;
    } else if (wavelen >= high_wavelen) {
      const double smooth = (orig / wavelen - scaling.low_freq_factor) /
                            (scaling.high_freq_factor - scaling.low_freq_factor);
      f = 1.0 / ((1.0 - smooth) / scaling.factor + smooth);
    }
    factors.push_back(static_cast<float>(f));
  }
  return factors;
}

StatusOr<SynthModel> BuildSynthModel(const SynthOptions& options) {
  const ModelShape* shape = FindModelShape(options.like);
  if (shape == nullptr) {
    return InvalidArgumentError("unknown model shape '{}' (known: {})", options.like,
                                ModelShapeNames());
  }
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> vocab, GgufFile::Open(options.vocab_path));
  SynthModel model;
  model.shape = *shape;
  SAVOIR_ASSIGN_OR_RETURN(model.n_vocab, VocabularySize(*vocab, *shape));
  GgufMetadataList& m = model.metadata;
  m.Set("general.architecture", GgufMetadataValue::String(shape->arch));
  m.Set("general.name", GgufMetadataValue::String(fmt::format("{}-synthetic", shape->name)));
  m.Set("general.description", GgufMetadataValue::String(fmt::format(
                                   "random weights shaped like {} (savoir model synth, seed {})",
                                   shape->name, options.seed)));
  SetHyperParameters(*shape, model.n_vocab, m);
  SAVOIR_RETURN_IF_ERROR(CopyTokenizer(*vocab, model.n_vocab, m));
  if (shape->arch == "bert" && m.Find("tokenizer.ggml.token_type_count") == nullptr) {
    m.Set("tokenizer.ggml.token_type_count", GgufMetadataValue::U32(kTokenTypes));
  }
  TensorList list(options.seed, shape->init_std);
  if (shape->arch == "bert") {
    AddEncoderTensors(*shape, model.n_vocab, list);
  } else {
    AddDecoderTensors(*shape, model.n_vocab, list);
  }
  model.tensors = list.Take();
  model.facts = {std::string(shape->arch), shape->n_layer, shape->n_head, shape->n_head_kv};
  return model;
}

Status SynthesizeModel(const SynthOptions& options) {
  SAVOIR_ASSIGN_OR_RETURN(SynthModel model, BuildSynthModel(options));
  WriteModelOptions write;
  write.type = options.type;
  write.threads = options.threads > 0
                      ? options.threads
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  StatusOr<WriteSummary> summary = WriteModel(std::move(model.metadata), std::move(model.tensors),
                                              model.facts, write, options.out_path);
  return summary.status();
}

}  // namespace savoir::engine::convert
