#include "engine/model/model_config.h"

#include <fmt/format.h>

namespace savoir::engine {
namespace {

StatusOr<Architecture> ParseArchitecture(const GgufFile& file) {
  std::string_view name = file.architecture();
  if (name == "llama") return Architecture::kLlama;
  if (name == "qwen2") return Architecture::kQwen2;
  if (name == "bert") return Architecture::kBert;
  if (name.empty()) {
    return InvalidArgumentError("{}: general.architecture is missing", file.name());
  }
  return UnimplementedError("{}: architecture '{}' is not supported (supported: llama, qwen2, bert)",
                            file.name(), name);
}

// Vocabulary size: the token list if present, else the embedding matrix's row count.
StatusOr<int64_t> VocabSize(const GgufFile& file) {
  if (const GgufValue* tokens = file.FindValue("tokenizer.ggml.tokens")) {
    if (tokens->type() == GgufValueType::kArray) return static_cast<int64_t>(tokens->array_size());
  }
  if (const GgufTensor* embd = file.FindTensor("token_embd.weight")) return embd->dims[1];
  return InvalidArgumentError("{}: no tokenizer.ggml.tokens and no token_embd.weight", file.name());
}

Status Check(bool ok, const GgufFile& file, std::string_view what) {
  if (ok) return OkStatus();
  return InvalidArgumentError("{}: inconsistent hyper-parameters: {}", file.name(), what);
}

}  // namespace

StatusOr<ModelConfig> ReadModelConfig(const GgufFile& file) {
  ModelConfig c;
  SAVOIR_ASSIGN_OR_RETURN(c.arch, ParseArchitecture(file));
  c.arch_name = std::string(file.architecture());
  const std::string p = c.arch_name + ".";
  auto key = [&p](std::string_view k) { return p + std::string(k); };

  SAVOIR_ASSIGN_OR_RETURN(c.n_embd, file.GetI64(key("embedding_length")));
  SAVOIR_ASSIGN_OR_RETURN(c.n_layer, file.GetI64(key("block_count")));
  SAVOIR_ASSIGN_OR_RETURN(c.n_ff, file.GetI64(key("feed_forward_length")));
  SAVOIR_ASSIGN_OR_RETURN(c.n_head, file.GetI64(key("attention.head_count")));
  SAVOIR_ASSIGN_OR_RETURN(uint64_t n_ctx, file.GetU64Or(key("context_length"), 2048));
  c.n_ctx_train = static_cast<int64_t>(n_ctx);
  SAVOIR_ASSIGN_OR_RETURN(uint64_t n_head_kv,
                          file.GetU64Or(key("attention.head_count_kv"),
                                        static_cast<uint64_t>(c.n_head)));
  c.n_head_kv = static_cast<int64_t>(n_head_kv);
  SAVOIR_ASSIGN_OR_RETURN(c.n_vocab, VocabSize(file));
  SAVOIR_RETURN_IF_ERROR(Check(c.n_embd > 0 && c.n_layer > 0 && c.n_ff > 0 && c.n_head > 0 &&
                                   c.n_head_kv > 0 && c.n_vocab > 0,
                               file, "sizes must be positive"));
  SAVOIR_ASSIGN_OR_RETURN(uint64_t head_dim,
                          file.GetU64Or(key("attention.key_length"),
                                        static_cast<uint64_t>(c.n_embd / c.n_head)));
  c.head_dim = static_cast<int64_t>(head_dim);
  SAVOIR_RETURN_IF_ERROR(Check(c.n_head % c.n_head_kv == 0, file,
                               "attention.head_count must be a multiple of head_count_kv"));
  SAVOIR_RETURN_IF_ERROR(Check(c.head_dim > 0 && c.head_dim % 2 == 0 && c.head_dim <= 1024, file,
                               "head dimension must be even and at most 1024"));

  if (c.arch == Architecture::kBert) {
    SAVOIR_ASSIGN_OR_RETURN(c.norm_eps, file.GetF32Or(key("attention.layer_norm_epsilon"), 1e-12f));
    SAVOIR_ASSIGN_OR_RETURN(uint32_t pooling, file.GetU32Or(key("pooling_type"), 1));
    SAVOIR_RETURN_IF_ERROR(Check(pooling <= 4, file, "unknown pooling_type"));
    c.pooling = static_cast<Pooling>(pooling);
    SAVOIR_ASSIGN_OR_RETURN(bool causal, file.GetBoolOr(key("attention.causal"), false));
    c.causal = causal;
    c.rope_style = RopeStyle::kNone;
    return c;
  }
  SAVOIR_ASSIGN_OR_RETURN(c.norm_eps,
                          file.GetF32Or(key("attention.layer_norm_rms_epsilon"), 1e-5f));
  c.rope_style = c.arch == Architecture::kQwen2 ? RopeStyle::kNeox : RopeStyle::kNormal;
  SAVOIR_ASSIGN_OR_RETURN(uint64_t rope_dims,
                          file.GetU64Or(key("rope.dimension_count"),
                                        static_cast<uint64_t>(c.head_dim)));
  c.rope_dims = static_cast<int64_t>(rope_dims);
  SAVOIR_RETURN_IF_ERROR(Check(c.rope_dims > 0 && c.rope_dims <= c.head_dim && c.rope_dims % 2 == 0,
                               file, "rope.dimension_count must be even and at most the head size"));
  SAVOIR_ASSIGN_OR_RETURN(c.rope_freq_base, file.GetF32Or(key("rope.freq_base"), 10000.0f));
  SAVOIR_ASSIGN_OR_RETURN(float scale, file.GetF32Or(key("rope.scale_linear"), 1.0f));
  SAVOIR_RETURN_IF_ERROR(Check(scale > 0.0f, file, "rope.scale_linear must be positive"));
  c.rope_freq_scale = 1.0f / scale;
  return c;
}

}  // namespace savoir::engine
