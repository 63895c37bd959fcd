#include "engine/convert/model_shapes.h"

#include <array>

namespace savoir::engine::convert {
namespace {

ModelShape Named(std::string_view name, std::string_view arch) {
  ModelShape s;
  s.name = name;
  s.arch = arch;
  return s;
}

ModelShape SmolLm2() {
  ModelShape s = Named("smollm2-135m", "llama");
  s.n_vocab = 49152;
  s.n_ctx = 8192;
  s.n_embd = 576;
  s.n_layer = 30;
  s.n_ff = 1536;
  s.n_head = 9;
  s.n_head_kv = 3;
  s.rope_freq_base = 100000.0f;
  s.norm_eps = 1e-5f;
  return s;
}

ModelShape Qwen25() {
  ModelShape s = Named("qwen2.5-0.5b", "qwen2");
  s.n_vocab = 151936;
  s.n_ctx = 32768;
  s.n_embd = 896;
  s.n_layer = 24;
  s.n_ff = 4864;
  s.n_head = 14;
  s.n_head_kv = 2;
  s.rope_freq_base = 1000000.0f;
  s.norm_eps = 1e-6f;
  s.qkv_bias = true;
  return s;
}

ModelShape Llama32() {
  ModelShape s = Named("llama-3.2-1b", "llama");
  s.n_vocab = 128256;
  s.n_ctx = 131072;
  s.n_embd = 2048;
  s.n_layer = 16;
  s.n_ff = 8192;
  s.n_head = 32;
  s.n_head_kv = 8;
  s.rope_freq_base = 500000.0f;
  s.norm_eps = 1e-5f;
  s.rope_scaling = {
      .factor = 32.0f, .low_freq_factor = 1.0f, .high_freq_factor = 4.0f, .original_context = 8192};
  return s;
}

ModelShape BgeSmall() {
  ModelShape s = Named("bge-small", "bert");
  s.n_vocab = 30522;
  s.n_ctx = 512;
  s.n_embd = 384;
  s.n_layer = 12;
  s.n_ff = 1536;
  s.n_head = 12;
  s.n_head_kv = 12;
  s.norm_eps = 1e-12f;
  s.pooling = 2;
  return s;
}

// Tiny variants: widths that are whole Q4_K/Q6_K blocks (256), so every quantization type is
// exercised without falling back, and larger weights than the real models' 0.02 so that
// attention scores are far from uniform and position handling shows in the outputs.
ModelShape Tiny(std::string_view name, std::string_view arch) {
  ModelShape s = Named(name, arch);
  s.n_ctx = 512;
  s.n_embd = 256;
  s.n_layer = 2;
  s.n_ff = 512;
  s.n_head = 4;
  s.n_head_kv = 2;
  s.init_std = 0.0625f;
  return s;
}

ModelShape TinyLlama() {
  ModelShape s = Tiny("tiny-llama", "llama");
  s.tied = false;
  return s;
}

// llama-3.2's structure: tied embeddings and rope_freqs, with an original context small enough
// that the scaling changes the angles of most dimension pairs at short positions.
ModelShape TinyLlama3() {
  ModelShape s = Tiny("tiny-llama3", "llama");
  s.rope_freq_base = 500000.0f;
  s.rope_scaling = {
      .factor = 32.0f, .low_freq_factor = 1.0f, .high_freq_factor = 4.0f, .original_context = 64};
  return s;
}

ModelShape TinyQwen2() {
  ModelShape s = Tiny("tiny-qwen2", "qwen2");
  s.rope_freq_base = 1000000.0f;
  s.norm_eps = 1e-6f;
  s.qkv_bias = true;
  return s;
}

ModelShape TinyBert(std::string_view name, bool reranker) {
  ModelShape s = Tiny(name, "bert");
  s.n_ctx = 128;
  s.n_head_kv = s.n_head;
  s.norm_eps = 1e-12f;
  s.pooling = reranker ? 4 : 1;
  s.reranker = reranker;
  return s;
}

const std::array<ModelShape, 9>& Table() {
  static const std::array<ModelShape, 9> kShapes = {SmolLm2(),
                                                    Qwen25(),
                                                    Llama32(),
                                                    BgeSmall(),
                                                    TinyLlama(),
                                                    TinyLlama3(),
                                                    TinyQwen2(),
                                                    TinyBert("tiny-bert", false),
                                                    TinyBert("tiny-reranker", true)};
  return kShapes;
}

}  // namespace

std::span<const ModelShape> ModelShapes() { return Table(); }

const ModelShape* FindModelShape(std::string_view name) {
  for (const ModelShape& s : Table()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string ModelShapeNames() {
  std::string out;
  for (const ModelShape& s : Table()) {
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

}  // namespace savoir::engine::convert
