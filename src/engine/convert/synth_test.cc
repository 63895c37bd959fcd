// Synthetic models: the real shapes have the real models' tensors, hyper-parameters and
// parameter counts (checked without writing the big files), tiny ones are written, load and run,
// and everything is a deterministic function of the seed.
#include "engine/convert/synth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>

#include "engine/convert/test_util.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/model_config.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine::convert {
namespace {

using ::savoir::engine::convert::testing::DecoderLogits;
using ::savoir::engine::convert::testing::EncoderOutput;
using ::savoir::engine::convert::testing::ReadBytes;
using ::savoir::engine::convert::testing::TempDir;
using ::savoir::engine::convert::testing::VocabPath;
using ::testing::HasSubstr;

// Options for BuildSynthModel, which needs only the shape and the vocabulary.
SynthOptions Shape(const std::string& like, const std::string& vocab) {
  SynthOptions o;
  o.like = like;
  o.vocab_path = vocab;
  return o;
}

struct RealModel {
  const char* like;
  const char* vocab;
  const char* arch;
  // Published numbers (config.json) written out here independently of model_shapes.cc.
  uint32_t n_vocab, n_ctx, n_embd, n_layer, n_ff, n_head, n_head_kv;
  float rope_base, eps;
  int64_t params;  // parameters of the GGUF's tensors (rope_freqs excluded)
  size_t tensors;
};

// Parameter counts: Qwen2.5-0.5B 494,032,768, SmolLM2-135M 134,515,008 and Llama-3.2-1B
// 1,235,814,400 (Hugging Face); bge-small-en-v1.5's 33,360,000 less its 147,840-parameter pooler,
// which llama.cpp's converter drops.
const RealModel kRealModels[] = {
    {"smollm2-135m", "llama-spm", "llama", 49152, 8192, 576, 30, 1536, 9, 3, 1e5f, 1e-5f, 134515008,
     2 + 30 * 9},
    {"qwen2.5-0.5b", "gpt-2", "qwen2", 151936, 32768, 896, 24, 4864, 14, 2, 1e6f, 1e-6f, 494032768,
     2 + 24 * 12},
    {"llama-3.2-1b", "gpt-2", "llama", 128256, 131072, 2048, 16, 8192, 32, 8, 5e5f, 1e-5f,
     1235814400, 3 + 16 * 9},
    {"bge-small", "bert-bge", "bert", 30522, 512, 384, 12, 1536, 12, 12, 0.0f, 1e-12f, 33212160,
     5 + 12 * 16},
};

uint32_t U32(const SynthModel& m, const std::string& key) {
  const GgufMetadataValue* v = m.metadata.Find(key);
  if (v == nullptr || v->type() != GgufValueType::kU32) return 0;
  return GgufValue(v->type(), v->encoded().data()).AsU64().value_or(0);
}

float F32(const SynthModel& m, const std::string& key) {
  const GgufMetadataValue* v = m.metadata.Find(key);
  if (v == nullptr || v->type() != GgufValueType::kF32) return -1.0f;
  return static_cast<float>(GgufValue(v->type(), v->encoded().data()).AsF64());
}

class RealShapeTest : public ::testing::TestWithParam<RealModel> {};

TEST_P(RealShapeTest, HasTheRealModelsShapesAndKeys) {
  const RealModel& r = GetParam();
  auto model = BuildSynthModel(Shape(r.like, VocabPath(r.vocab)));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const std::string p = std::string(r.arch) + ".";
  EXPECT_EQ(model->n_vocab, r.n_vocab);
  EXPECT_EQ(U32(*model, p + "context_length"), r.n_ctx);
  EXPECT_EQ(U32(*model, p + "embedding_length"), r.n_embd);
  EXPECT_EQ(U32(*model, p + "block_count"), r.n_layer);
  EXPECT_EQ(U32(*model, p + "feed_forward_length"), r.n_ff);
  EXPECT_EQ(U32(*model, p + "attention.head_count"), r.n_head);
  if (std::string(r.arch) == "bert") {
    EXPECT_EQ(F32(*model, p + "attention.layer_norm_epsilon"), r.eps);
    EXPECT_EQ(U32(*model, p + "pooling_type"), 2u);  // CLS
    EXPECT_NE(model->metadata.Find(p + "attention.causal"), nullptr);
    EXPECT_EQ(U32(*model, "tokenizer.ggml.token_type_count"), 2u);
  } else {
    EXPECT_EQ(U32(*model, p + "attention.head_count_kv"), r.n_head_kv);
    EXPECT_EQ(F32(*model, p + "rope.freq_base"), r.rope_base);
    EXPECT_EQ(F32(*model, p + "attention.layer_norm_rms_epsilon"), r.eps);
    EXPECT_EQ(U32(*model, p + "rope.dimension_count"), r.n_embd / r.n_head);
  }
  int64_t params = 0;
  std::map<std::string, std::vector<int64_t>> dims;
  for (const TensorSource& t : model->tensors) {
    dims[t.name] = t.dims;
    if (t.name == "rope_freqs.weight") continue;
    int64_t n = 1;
    for (int64_t d : t.dims) n *= d;
    params += n;
  }
  EXPECT_EQ(params, r.params);
  EXPECT_EQ(model->tensors.size(), r.tensors);
  EXPECT_EQ(dims["token_embd.weight"], (std::vector<int64_t>{r.n_embd, r.n_vocab}));
  EXPECT_EQ(dims.count("output.weight"), 0u);  // all four tie their embeddings
}

INSTANTIATE_TEST_SUITE_P(Models, RealShapeTest, ::testing::ValuesIn(kRealModels),
                         [](const ::testing::TestParamInfo<RealModel>& info) {
                           std::string name = info.param.like;
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(SynthTest, QwenHasQkvBiasesAndLlama32HasRopeFreqs) {
  auto qwen = BuildSynthModel(Shape("qwen2.5-0.5b", VocabPath("gpt-2")));
  ASSERT_TRUE(qwen.ok());
  std::map<std::string, std::vector<int64_t>> dims;
  for (const TensorSource& t : qwen->tensors) dims[t.name] = t.dims;
  EXPECT_EQ(dims["blk.23.attn_q.bias"], std::vector<int64_t>{896});
  EXPECT_EQ(dims["blk.23.attn_k.bias"], std::vector<int64_t>{128});
  EXPECT_EQ(dims["blk.0.attn_k.weight"], (std::vector<int64_t>{896, 128}));
  EXPECT_EQ(dims["blk.0.ffn_down.weight"], (std::vector<int64_t>{4864, 896}));

  auto llama = BuildSynthModel(Shape("llama-3.2-1b", VocabPath("gpt-2")));
  ASSERT_TRUE(llama.ok());
  const TensorSource* freqs = nullptr;
  for (const TensorSource& t : llama->tensors) freqs = t.name == "rope_freqs.weight" ? &t : freqs;
  ASSERT_NE(freqs, nullptr);
  EXPECT_EQ(freqs->dims, std::vector<int64_t>{32});
}

// Llama-3.2 (head 64, base 500000, factor 32, low 1, high 4, original context 8192): pairs whose
// wavelength 2*pi*500000^(i/32) is under 8192/4 keep factor 1 (i <= 14), those above 8192 get 32
// (i >= 18), the three between are interpolated.
TEST(SynthTest, Llama3RopeFactorsFollowTheWavelengthBands) {
  const std::vector<float> f = Llama3RopeFactors({32.0f, 1.0f, 4.0f, 8192}, 500000.0f, 64);
  ASSERT_EQ(f.size(), 32u);
  for (int i = 0; i <= 14; ++i) EXPECT_EQ(f[i], 1.0f) << i;
  for (int i = 18; i < 32; ++i) EXPECT_EQ(f[i], 32.0f) << i;
  for (int i = 15; i <= 17; ++i) {
    EXPECT_GT(f[i], 1.0f) << i;
    EXPECT_LT(f[i], 32.0f) << i;
    EXPECT_GT(f[i], f[i - 1]) << i;
  }
}

TEST(SynthTest, PadsTheVocabularyWithUnusedTokens) {
  TempDir dir;
  SynthOptions o = Shape("smollm2-135m", VocabPath("llama-spm"));
  auto model = BuildSynthModel(o);
  ASSERT_TRUE(model.ok());
  // Only the metadata is checked through a tensorless file: the weights are not needed.
  auto w = GgufStreamWriter::Open(dir.File("meta.gguf"), model->metadata, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto file = GgufFile::Open(dir.File("meta.gguf"));
  ASSERT_TRUE(file.ok());
  auto tokens = (*file)->GetStringArray("tokenizer.ggml.tokens");
  auto types = (*file)->GetI32Array("tokenizer.ggml.token_type");
  auto scores = (*file)->GetF32Array("tokenizer.ggml.scores");
  ASSERT_TRUE(tokens.ok() && types.ok() && scores.ok());
  ASSERT_EQ(tokens->size(), 49152u);
  ASSERT_EQ(types->size(), 49152u);
  ASSERT_EQ(scores->size(), 49152u);
  EXPECT_EQ((*tokens)[1], "<s>");
  EXPECT_EQ((*tokens)[32000], "[PAD32000]");
  EXPECT_EQ((*tokens)[49151], "[PAD49151]");
  EXPECT_EQ((*types)[40000], 5);  // UNUSED
  EXPECT_EQ((*scores)[40000], -1000.0f);
  EXPECT_EQ((*file)->GetString("tokenizer.ggml.model").value_or(""), "llama");
  auto tokenizer = Tokenizer::FromGguf(**file);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  EXPECT_EQ((*tokenizer)->Tokenize("Hello world", {.add_special = true}).front(), 1);
}

TEST(SynthTest, RejectsUnknownShapesAndUnfitVocabularies) {
  EXPECT_THAT(BuildSynthModel(Shape("gpt-5", VocabPath("gpt-2"))).status().message(),
              HasSubstr("unknown model shape 'gpt-5' (known: smollm2-135m,"));
  EXPECT_THAT(BuildSynthModel(Shape("smollm2-135m", VocabPath("gpt-2"))).status().message(),
              HasSubstr("50257 tokens, more than smollm2-135m's vocabulary of 49152"));
  EXPECT_EQ(BuildSynthModel(Shape("tiny-llama", "/nonexistent.gguf")).status().code(),
            StatusCode::kNotFound);
  TempDir dir;
  GgufWriter empty;
  empty.SetString("general.architecture", "llama");
  ASSERT_TRUE(empty.Write(dir.File("empty.gguf")).ok());
  EXPECT_THAT(BuildSynthModel(Shape("tiny-llama", dir.File("empty.gguf"))).status().message(),
              HasSubstr("no tokenizer.ggml.tokens"));
}

// The two smaller real shapes are also written (a few seconds) and run: the padded vocabulary,
// the real widths (576 is no multiple of 256, so K-types would fall back) and the hyper-parameters
// load as ModelConfig, and tokenizer and model work together.
TEST(SynthTest, SmallRealModelsWriteLoadAndRun) {
  TempDir dir;
  SynthOptions smol = Shape("smollm2-135m", VocabPath("llama-spm"));
  smol.type = QuantType::kQ4_0;
  smol.out_path = dir.File("smollm2.gguf");
  smol.threads = 2;
  ASSERT_TRUE(SynthesizeModel(smol).ok());
  SynthOptions bge = Shape("bge-small", VocabPath("bert-bge"));
  bge.type = QuantType::kQ8_0;
  bge.out_path = dir.File("bge.gguf");
  bge.threads = 2;
  ASSERT_TRUE(SynthesizeModel(bge).ok());

  for (const SynthOptions* o : {&smol, &bge}) {
    SCOPED_TRACE(o->like);
    auto file = GgufFile::Open(o->out_path);
    ASSERT_TRUE(file.ok());
    auto config = ReadModelConfig(**file);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto tokenizer = Tokenizer::FromGguf(**file);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
    const std::vector<int32_t> ids =
        (*tokenizer)->Tokenize("The quick brown fox", {.add_special = true});
    ASSERT_GE(ids.size(), 3u);
    const bool encoder = config->arch == Architecture::kBert;
    auto out = encoder ? EncoderOutput(o->out_path, ids, false) : DecoderLogits(o->out_path, ids);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->size(), static_cast<size_t>(encoder ? 384 : 49152 * ids.size()));
    double sum_sq = 0;
    for (float v : *out) sum_sq += static_cast<double>(v) * v;
    EXPECT_TRUE(std::isfinite(sum_sq));
    if (encoder) {
      EXPECT_NEAR(sum_sq, 1.0, 1e-4);  // L2-normalised embedding
      EXPECT_EQ(config->pooling, Pooling::kCls);
      EXPECT_EQ(config->n_ctx_train, 512);
    } else {
      EXPECT_EQ(config->n_vocab, 49152);
      EXPECT_EQ(config->n_head_kv, 3);
      EXPECT_EQ(config->rope_freq_base, 100000.0f);
      EXPECT_EQ((*file)->FindTensor("blk.0.attn_q.weight")->type, TensorType::kQ4_0);
      EXPECT_EQ((*file)->FindTensor("token_embd.weight")->type, TensorType::kQ8_0);  // tied output
    }
  }
}

struct Tiny {
  const char* like;
  const char* vocab;  // a ../shared/tokenizer vocabulary, or "stories" for stories260K's 512 tokens
  QuantType type;
};

std::string TinyVocab(const std::string& name) {
  return name == "stories"
             ? ::savoir::engine::convert::testing::SharedDir() + "/models/stories260K.gguf"
             : VocabPath(name);
}

class TinySynthTest : public ::testing::TestWithParam<Tiny> {};

// Each tiny shape, written in F32 and in a quantized type: it loads in savoir, runs, gives finite
// outputs, and the same seed gives the same file while another seed gives other weights.
TEST_P(TinySynthTest, LoadsRunsAndIsDeterministic) {
  const Tiny& t = GetParam();
  TempDir dir;
  SynthOptions o{.like = t.like,
                 .type = t.type,
                 .vocab_path = TinyVocab(t.vocab),
                 .out_path = dir.File("a.gguf"),
                 .seed = 42,
                 .threads = 2};
  ASSERT_TRUE(SynthesizeModel(o).ok());
  o.out_path = dir.File("b.gguf");
  o.threads = 1;
  ASSERT_TRUE(SynthesizeModel(o).ok());
  EXPECT_EQ(ReadBytes(dir.File("a.gguf")), ReadBytes(dir.File("b.gguf")));
  o.out_path = dir.File("c.gguf");
  o.seed = 43;
  ASSERT_TRUE(SynthesizeModel(o).ok());

  auto file = GgufFile::Open(dir.File("a.gguf"));
  ASSERT_TRUE(file.ok());
  auto config = ReadModelConfig(**file);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ((*file)->GetU32("general.file_type").value_or(999), LlamaFileType(t.type));
  const std::vector<int32_t> tokens = {1, 101, 403, 407, 261, 102};
  const bool encoder = config->arch == Architecture::kBert;
  const bool reranker = (*file)->FindTensor("cls.output.weight") != nullptr;
  auto run = [&](const std::string& path) {
    return encoder ? EncoderOutput(path, tokens, reranker) : DecoderLogits(path, tokens);
  };
  auto a = run(dir.File("a.gguf"));
  auto c = run(dir.File("c.gguf"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_FALSE(a->empty());
  double sum_sq = 0;
  for (float v : *a) {
    ASSERT_TRUE(std::isfinite(v));
    sum_sq += static_cast<double>(v) * v;
  }
  EXPECT_GT(sum_sq, 0.0);
  EXPECT_NE(*a, *c);
}

INSTANTIATE_TEST_SUITE_P(Shapes, TinySynthTest,
                         ::testing::Values(Tiny{"tiny-llama", "stories", QuantType::kF32},
                                           Tiny{"tiny-llama", "stories", QuantType::kQ4_K_M},
                                           Tiny{"tiny-llama3", "stories", QuantType::kF32},
                                           Tiny{"tiny-llama3", "stories", QuantType::kQ6_K},
                                           Tiny{"tiny-qwen2", "stories", QuantType::kF32},
                                           Tiny{"tiny-qwen2", "stories", QuantType::kQ8_0},
                                           Tiny{"tiny-bert", "bert-bge", QuantType::kF32},
                                           Tiny{"tiny-bert", "stories", QuantType::kQ5_K_M},
                                           Tiny{"tiny-reranker", "stories", QuantType::kF16},
                                           Tiny{"tiny-reranker", "stories", QuantType::kQ4_0}),
                         [](const ::testing::TestParamInfo<Tiny>& info) {
                           std::string name = std::string(info.param.like) + "_" +
                                              std::string(QuantTypeName(info.param.type));
                           for (char& c : name)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace savoir::engine::convert
