#include "engine/gguf/model_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "engine/gguf/gguf_writer.h"

namespace savoir::engine {
namespace {

using ::testing::HasSubstr;

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr ? env : SAVOIR_SHARED_DIR;
}

std::string TestdataDir() { return std::string(SAVOIR_SOURCE_DIR) + "/src/engine/gguf/testdata/"; }

// Compares `actual` with the golden file; SAVOIR_UPDATE_GOLDEN=1 rewrites it instead.
void ExpectGolden(const std::string& actual, const std::string& name) {
  const std::string path = TestdataDir() + name;
  if (std::getenv("SAVOIR_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden file " << path;
}

ModelInfo DescribeShared(const std::string& relative) {
  auto file = GgufFile::Open(SharedDir() + "/" + relative);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return {};
  ModelInfo info = DescribeModel(**file);
  info.path = relative;  // keep golden output independent of the checkout location
  return info;
}

TEST(ModelInfoTest, Stories260K) {
  const ModelInfo info = DescribeShared("models/stories260K.gguf");
  EXPECT_EQ(info.architecture, "llama");
  EXPECT_EQ(info.name, "llama");
  EXPECT_EQ(info.gguf_version, 3u);
  EXPECT_EQ(info.file_size, 1185376u);
  // 2 * 64 * 512 (embeddings, output) + 64 + 5 layers * (64*64 + 2*64*32 + 64*64 + 3*64*172 +
  // 2*64).
  EXPECT_EQ(info.n_params,
            2 * 64 * 512 + 64 + 5 * (2 * 64 * 64 + 2 * 64 * 32 + 3 * 64 * 172 + 128));
  EXPECT_EQ(info.n_tensors, 48u);
  ASSERT_EQ(info.type_counts.size(), 1u);
  EXPECT_EQ(info.type_counts[0].type, TensorType::kF32);
  EXPECT_EQ(info.type_counts[0].tensors, 48u);
  EXPECT_EQ(info.file_type, "all F32 (guessed)");
  EXPECT_EQ(info.context_length, 2048u);
  EXPECT_EQ(info.embedding_length, 64u);
  EXPECT_EQ(info.feed_forward_length, 172u);
  EXPECT_EQ(info.n_layers, 5u);
  EXPECT_EQ(info.n_heads, 8u);
  EXPECT_EQ(info.n_kv_heads, 4u);
  EXPECT_EQ(info.vocab_size, 512u);
  EXPECT_EQ(info.tokenizer_model, "llama");
  EXPECT_FALSE(info.has_chat_template);
  ExpectGolden(FormatModelInfo(info), "stories260K.info.txt");
  ExpectGolden(ModelInfoToJson(info) + "\n", "stories260K.info.json");
}

TEST(ModelInfoTest, VocabOnlyFileWithChatTemplate) {
  const ModelInfo info = DescribeShared("tokenizer/ggml-vocab-phi-3.gguf");
  EXPECT_EQ(info.architecture, "phi3");
  EXPECT_EQ(info.name, "Phi3");
  EXPECT_EQ(info.n_params, 0);
  EXPECT_EQ(info.n_tensors, 0u);
  EXPECT_EQ(info.file_type, "mostly F16");  // from general.file_type = 1
  EXPECT_EQ(info.vocab_size, 32064u);       // length of tokenizer.ggml.tokens
  EXPECT_EQ(info.n_layers, 32u);
  EXPECT_EQ(info.n_kv_heads, 32u);
  EXPECT_TRUE(info.has_chat_template);
  ExpectGolden(FormatModelInfo(info), "phi3-vocab.info.txt");
}

TEST(ModelInfoTest, VocabSizeFromArchKey) {
  const ModelInfo info = DescribeShared("tokenizer/ggml-vocab-deepseek-coder.gguf");
  EXPECT_EQ(info.vocab_size, 32256u);
  EXPECT_EQ(info.tokenizer_model, "gpt2");
  EXPECT_EQ(info.context_length, 16384u);
}

// A small quantized model built with the writer: the histogram and the guessed file type.
TEST(ModelInfoTest, QuantizedModelHistogram) {
  GgufWriter w;
  w.SetString("general.architecture", "qwen2");
  w.SetString("general.name", "tiny");
  w.SetU32("qwen2.context_length", 32768);
  const std::vector<int32_t> heads = {4, 8, 6};  // per-layer head counts: the largest is shown
  w.Set("qwen2.attention.head_count", GgufMetadataValue::Array(std::span<const int32_t>(heads)));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(w.AddTensor({fmt::format("blk.{}.w", i), TensorType::kQ8_0, {64, 2}},
                            std::vector<uint8_t>(2 * 2 * 34))
                    .ok());
  }
  ASSERT_TRUE(w.AddTensor({"norm", TensorType::kF32, {64}}, std::vector<uint8_t>(256)).ok());
  ASSERT_TRUE(w.AddTensor({"token_embd.weight", TensorType::kF16, {64, 10}},
                          std::vector<uint8_t>(64 * 10 * 2))
                  .ok());
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok());
  auto file = GgufFile::FromBuffer(*bytes, "tiny.gguf");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ModelInfo info = DescribeModel(**file);
  EXPECT_EQ(info.file_type, "mostly Q8_0 (guessed)");
  EXPECT_EQ(info.n_params, 3 * 128 + 64 + 640);
  EXPECT_EQ(info.n_heads, 8u);
  EXPECT_FALSE(info.n_kv_heads.has_value());
  EXPECT_EQ(info.vocab_size, 10u);  // from token_embd.weight
  const std::string text = FormatModelInfo(info);
  EXPECT_THAT(text, HasSubstr("tensors:              5 - Q8_0: 3 tensors, F32: 1 tensors, "
                              "F16: 1 tensors\n"));
  EXPECT_THAT(text, HasSubstr("kv heads:             -\n"));
  EXPECT_THAT(text, HasSubstr("parameters:           1.09 K (1088)\n"));

  const nlohmann::json j = nlohmann::json::parse(ModelInfoToJson(info));
  EXPECT_EQ(j["architecture"], "qwen2");
  EXPECT_EQ(j["tensor_types"]["Q8_0"]["tensors"], 3);
  EXPECT_EQ(j["tensor_types"]["Q8_0"]["bytes"], 3 * 136);
  EXPECT_TRUE(j["kv_heads"].is_null());
  EXPECT_EQ(j["context_length"], 32768);

  w.SetU32("general.file_type", 15);
  auto bytes2 = w.Serialize();
  ASSERT_TRUE(bytes2.ok());
  auto file2 = GgufFile::FromBuffer(*bytes2, "tiny.gguf");
  ASSERT_TRUE(file2.ok());
  EXPECT_EQ(DescribeModel(**file2).file_type, "mostly Q4_K_M");
}

TEST(ModelInfoTest, JsonSurvivesInvalidUtf8) {
  GgufWriter w;
  w.SetString("general.name", "bad \xFF\xFE name");
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok());
  auto file = GgufFile::FromBuffer(*bytes, "bad.gguf");
  ASSERT_TRUE(file.ok());
  const std::string json = ModelInfoToJson(DescribeModel(**file), -1);
  EXPECT_THAT(json, HasSubstr("\"name\":\"bad \xEF\xBF\xBD\xEF\xBF\xBD name\""));
  EXPECT_THAT(json, HasSubstr("\"architecture\":null"));
}

TEST(ModelInfoTest, HumanUnits) {
  EXPECT_EQ(HumanCount(999), "999");
  EXPECT_EQ(HumanCount(292800), "292.80 K");
  EXPECT_EQ(HumanCount(494032768), "494.03 M");
  EXPECT_EQ(HumanCount(7241732096), "7.24 B");
  EXPECT_EQ(HumanBytes(1000), "1000 bytes");
  EXPECT_EQ(HumanBytes(1185376), "1.13 MiB");
  EXPECT_EQ(HumanBytes(4ull << 30), "4.00 GiB");
  EXPECT_EQ(FileTypeName(0), "all F32");
  EXPECT_EQ(FileTypeName(7), "mostly Q8_0");
  EXPECT_EQ(FileTypeName(99), "unknown (99)");
}

}  // namespace
}  // namespace savoir::engine
