#include "engine/gguf/gguf_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"

namespace savoir::engine {
namespace {

using ::testing::HasSubstr;

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr ? env : SAVOIR_SHARED_DIR;
}

std::unique_ptr<GgufFile> Reparse(const GgufWriter& writer) {
  auto bytes = writer.Serialize();
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return nullptr;
  auto file = GgufFile::FromBuffer(*bytes, "roundtrip.gguf");
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return file.ok() ? std::move(file).value() : nullptr;
}

template <typename T>
GgufMetadataValue ArrayOf(std::vector<T> values) {
  return GgufMetadataValue::Array(std::span<const T>(values));
}

std::vector<int64_t> Ints(const GgufValue& array) {
  std::vector<int64_t> out;
  for (const GgufValue& e : array.ArrayElements()) out.push_back(e.AsI64().value_or(-999));
  return out;
}

TEST(GgufWriterTest, RoundTripsEveryScalarType) {
  GgufWriter w;
  w.Set("u8", GgufMetadataValue::U8(255));
  w.Set("i8", GgufMetadataValue::I8(-128));
  w.Set("u16", GgufMetadataValue::U16(65535));
  w.Set("i16", GgufMetadataValue::I16(-32768));
  w.Set("u32", GgufMetadataValue::U32(4000000000u));
  w.Set("i32", GgufMetadataValue::I32(-2000000000));
  w.Set("u64", GgufMetadataValue::U64(std::numeric_limits<uint64_t>::max()));
  w.Set("i64", GgufMetadataValue::I64(std::numeric_limits<int64_t>::min()));
  w.Set("f32", GgufMetadataValue::F32(1.5f));
  w.Set("f64", GgufMetadataValue::F64(-2.25e100));
  w.Set("bool", GgufMetadataValue::Bool(true));
  w.Set("string", GgufMetadataValue::String("h\xC3\xA9llo\n"));
  w.Set("empty", GgufMetadataValue::String(""));
  auto f = Reparse(w);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->metadata().size(), 13u);
  const GgufValueType expected_types[] = {
      GgufValueType::kU8,    GgufValueType::kI8,  GgufValueType::kU16,  GgufValueType::kI16,
      GgufValueType::kU32,   GgufValueType::kI32, GgufValueType::kU64,  GgufValueType::kI64,
      GgufValueType::kF32,   GgufValueType::kF64, GgufValueType::kBool, GgufValueType::kString,
      GgufValueType::kString};
  for (size_t i = 0; i < f->metadata().size(); ++i) {
    EXPECT_EQ(f->metadata()[i].value.type(), expected_types[i]) << f->metadata()[i].key;
  }
  EXPECT_EQ(f->GetU32("u8").value_or(0), 255u);
  EXPECT_EQ(f->GetI32("i8").value_or(0), -128);
  EXPECT_EQ(f->GetU32("u16").value_or(0), 65535u);
  EXPECT_EQ(f->GetI32("i16").value_or(0), -32768);
  EXPECT_EQ(f->GetU32("u32").value_or(0), 4000000000u);
  EXPECT_EQ(f->GetI32("i32").value_or(0), -2000000000);
  EXPECT_EQ(f->GetU64("u64").value_or(0), std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(f->GetI64("u64").ok());
  EXPECT_EQ(f->GetI64("i64").value_or(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(f->GetF32("f32").value_or(0), 1.5f);
  EXPECT_EQ(f->GetF64("f64").value_or(0), -2.25e100);
  EXPECT_TRUE(f->GetBool("bool").value_or(false));
  EXPECT_EQ(f->GetString("string").value_or(""), "h\xC3\xA9llo\n");
  EXPECT_EQ(f->GetString("empty").value_or("x"), "");
}

TEST(GgufWriterTest, RoundTripsArraysOfEveryType) {
  GgufWriter w;
  w.Set("a.u8", ArrayOf<uint8_t>({0, 7, 255}));
  w.Set("a.i8", ArrayOf<int8_t>({-1, 2}));
  w.Set("a.u16", ArrayOf<uint16_t>({1, 65535}));
  w.Set("a.i16", ArrayOf<int16_t>({-300, 300}));
  w.Set("a.u32", ArrayOf<uint32_t>({4000000000u}));
  w.Set("a.i32", ArrayOf<int32_t>({-5, 0, 5}));
  w.Set("a.u64", ArrayOf<uint64_t>({1ull << 50}));
  w.Set("a.i64", ArrayOf<int64_t>({-(1ll << 50)}));
  w.Set("a.f32", ArrayOf<float>({0.5f, -1.0f, 3e-8f}));
  w.Set("a.f64", ArrayOf<double>({0.125}));
  const bool bools[] = {true, false, true};
  w.Set("a.bool", GgufMetadataValue::BoolArray(bools));
  const std::vector<std::string> strings = {"<unk>", "", "\xC4\xA0the"};
  w.Set("a.string", GgufMetadataValue::StringArray(strings));
  w.Set("a.empty", ArrayOf<float>({}));
  const GgufMetadataValue inner[] = {ArrayOf<int16_t>({1, 2}), ArrayOf<int16_t>({3}),
                                     GgufMetadataValue::StringArray(strings)};
  auto mixed = GgufMetadataValue::ArrayOf(inner);
  ASSERT_TRUE(mixed.ok());
  w.Set("a.nested", *mixed);
  auto f = Reparse(w);
  ASSERT_NE(f, nullptr);

  EXPECT_EQ(Ints(*f->GetArray("a.u8")), (std::vector<int64_t>{0, 7, 255}));
  EXPECT_EQ(Ints(*f->GetArray("a.i8")), (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(Ints(*f->GetArray("a.u16")), (std::vector<int64_t>{1, 65535}));
  EXPECT_EQ(Ints(*f->GetArray("a.i16")), (std::vector<int64_t>{-300, 300}));
  EXPECT_EQ(Ints(*f->GetArray("a.u32")), (std::vector<int64_t>{4000000000ll}));
  EXPECT_EQ(*f->GetI32Array("a.i32"), (std::vector<int32_t>{-5, 0, 5}));
  EXPECT_EQ(*f->GetI32Array("a.i16"), (std::vector<int32_t>{-300, 300}));
  EXPECT_FALSE(f->GetI32Array("a.u32").ok());  // 4e9 does not fit
  EXPECT_EQ(Ints(*f->GetArray("a.u64")), (std::vector<int64_t>{1ll << 50}));
  EXPECT_EQ(Ints(*f->GetArray("a.i64")), (std::vector<int64_t>{-(1ll << 50)}));
  EXPECT_EQ(*f->GetF32Array("a.f32"), (std::vector<float>{0.5f, -1.0f, 3e-8f}));
  EXPECT_EQ(*f->GetF32Array("a.f64"), (std::vector<float>{0.125f}));
  EXPECT_EQ(*f->GetI32Array("a.bool"), (std::vector<int32_t>{1, 0, 1}));
  EXPECT_TRUE(f->GetArray("a.bool")->ArrayElement(2).AsBool());
  EXPECT_EQ(*f->GetStringArray("a.string"),
            (std::vector<std::string_view>{"<unk>", "", "\xC4\xA0the"}));
  EXPECT_EQ(f->GetArray("a.empty")->array_size(), 0u);
  EXPECT_EQ(f->GetF32Array("a.empty")->size(), 0u);

  auto nested = f->GetArray("a.nested");
  ASSERT_TRUE(nested.ok());
  ASSERT_EQ(nested->array_type(), GgufValueType::kArray);
  ASSERT_EQ(nested->array_size(), 3u);
  EXPECT_EQ(Ints(nested->ArrayElement(0)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Ints(nested->ArrayElement(1)), (std::vector<int64_t>{3}));
  EXPECT_EQ(nested->ArrayElement(2).ArrayElement(2).AsString(), "\xC4\xA0the");
}

TEST(GgufWriterTest, ArrayOfRejectsMixedTypes) {
  const GgufMetadataValue values[] = {GgufMetadataValue::U8(1), GgufMetadataValue::String("x")};
  auto mixed = GgufMetadataValue::ArrayOf(values);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().message(), "array element 1 has type string, expected u8");
}

TEST(GgufWriterTest, SetReplacesAndRemoveDeletes) {
  GgufWriter w;
  w.SetU32("a", 1);
  w.SetString("b", "x");
  w.SetU32("a", 2);
  EXPECT_EQ(w.metadata_count(), 2u);
  EXPECT_TRUE(w.Remove("b"));
  EXPECT_FALSE(w.Remove("b"));
  w.SetBool("c", true);
  auto f = Reparse(w);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->metadata().size(), 2u);
  EXPECT_EQ(f->metadata()[0].key, "a");
  EXPECT_EQ(f->GetU32("a").value_or(0), 2u);
  EXPECT_EQ(f->metadata()[1].key, "c");
}

// Random bytes of the right size for each tensor type round-trip bit-exactly.
TEST(GgufWriterTest, RoundTripsEveryTensorType) {
  std::mt19937 rng(42);
  GgufWriter w;
  std::vector<std::pair<GgufTensorSpec, std::vector<uint8_t>>> expected;
  for (uint32_t id = 0; id < 64; ++id) {
    if (!IsKnownTensorType(id)) continue;
    const auto type = static_cast<TensorType>(id);
    GgufTensorSpec spec{fmt::format("t.{}", TensorTypeName(type)),
                        type,
                        {static_cast<int64_t>(BlockSize(type)) * 2, 3}};
    std::vector<uint8_t> data(RowBytes(type, BlockSize(type) * 2) * 3);
    for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
    expected.emplace_back(spec, data);
    ASSERT_TRUE(w.AddTensor(spec, data).ok());
  }
  ASSERT_EQ(expected.size(), 20u);
  auto f = Reparse(w);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->tensors().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [spec, data] = expected[i];
    const GgufTensor& t = f->tensors()[i];
    SCOPED_TRACE(spec.name);
    EXPECT_EQ(t.name, spec.name);
    EXPECT_EQ(t.type, spec.type);
    EXPECT_EQ(t.n_dims, 2);
    EXPECT_EQ(t.dims[0], spec.dims[0]);
    EXPECT_EQ(t.dims[1], 3);
    EXPECT_EQ(t.size_bytes, data.size());
    EXPECT_EQ(t.offset % 32, 0u);
    EXPECT_EQ(std::memcmp(t.data, data.data(), data.size()), 0);
  }
}

TEST(GgufWriterTest, CustomAlignment) {
  GgufWriter w;
  w.SetAlignment(256);
  ASSERT_TRUE(w.AddTensor({"a", TensorType::kF32, {3}}, std::vector<uint8_t>(12, 1)).ok());
  ASSERT_TRUE(w.AddTensor({"b", TensorType::kF16, {5, 1, 1, 2}}, std::vector<uint8_t>(20, 2)).ok());
  auto f = Reparse(w);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->alignment(), 256u);
  EXPECT_EQ(f->data_offset() % 256, 0u);
  EXPECT_EQ(f->FindTensor("b")->offset, 256u);
  EXPECT_EQ(f->FindTensor("b")->n_dims, 4);
  EXPECT_EQ(f->FindTensor("b")->data[19], 2);
  EXPECT_EQ(f->file_size(), f->data_offset() + 512);
}

// Regression (found by fuzz_gguf): a 2^30 alignment in a file without tensors made the writer
// allocate a 1 GiB padding buffer. Such a file is written unpadded, in a few bytes.
TEST(GgufWriterTest, HugeAlignmentWithoutTensorsStaysSmall) {
  GgufWriter w;
  w.SetAlignment(1u << 30);
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 24u + 8 + 17 + 4 + 4);
  auto f = GgufFile::FromBuffer(*bytes, "aligned.gguf");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->alignment(), 1u << 30);
}

TEST(GgufWriterTest, RejectsBadAlignmentValue) {
  GgufWriter w;
  w.SetU32("general.alignment", 24);
  auto bytes = w.Serialize();
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(), HasSubstr("general.alignment must be a power of two"));
}

TEST(GgufWriterTest, RejectsBadTensors) {
  GgufWriter w;
  ASSERT_TRUE(w.AddTensor({"ok", TensorType::kF32, {2}}, std::vector<uint8_t>(8)).ok());
  struct Case {
    GgufTensorSpec spec;
    size_t bytes;
    const char* error;
  };
  const Case cases[] = {
      {{"", TensorType::kF32, {2}}, 8, "tensor name is empty"},
      {{"ok", TensorType::kF32, {2}}, 8, "duplicate tensor 'ok'"},
      {{"t", TensorType::kF32, {}}, 0, "tensor 't' has 0 dimensions"},
      {{"t", TensorType::kF32, {1, 1, 1, 1, 1}}, 4, "tensor 't' has 5 dimensions"},
      {{"t", TensorType::kF32, {2, 0}}, 0, "tensor 't' has invalid dimension 0"},
      {{"t", TensorType::kF32, {1ll << 40, 1ll << 40}}, 0, "tensor 't' has invalid dimension"},
      {{"t", static_cast<TensorType>(99), {2}}, 8, "tensor 't' has unknown type 99"},
      {{"t", TensorType::kQ4_K, {128}},
       72,
       "row length 128 which is not a multiple of the block "
       "size 256"},
      {{"t", TensorType::kQ8_0, {64}},
       60,
       "tensor 't' has 60 bytes of data, its type and dims "
       "need 68"},
  };
  for (const Case& c : cases) {
    const Status status = w.AddTensor(c.spec, std::vector<uint8_t>(c.bytes));
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr(c.error));
  }
  EXPECT_EQ(w.tensor_count(), 1u);
}

TEST(GgufWriterTest, WritesFileAtomically) {
  const std::string dir = ::testing::TempDir() + "/gguf_writer_test_dir";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/out.gguf";
  GgufWriter w;
  w.SetString("general.architecture", "llama");
  ASSERT_TRUE(w.AddTensor({"x", TensorType::kF32, {4}}, std::vector<uint8_t>(16, 3)).ok());
  ASSERT_TRUE(w.Write(path).ok());
  auto f = GgufFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->architecture(), "llama");
  EXPECT_EQ((*f)->FindTensor("x")->data[15], 3);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);  // no temporary file left behind
  std::filesystem::remove_all(dir);
}

TEST(GgufWriterTest, WriteReportsIoErrors) {
  GgufWriter w;
  const Status status = w.Write("/nonexistent-dir/out.gguf");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent-dir/out.gguf: cannot create temporary"));
}

// Copying all metadata and borrowing every tensor of stories260K reproduces the file exactly.
TEST(GgufWriterTest, CopiesStories260KByteForByte) {
  const std::string path = SharedDir() + "/models/stories260K.gguf";
  auto src = GgufFile::Open(path);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  GgufWriter w;
  w.CopyMetadata(**src);
  for (const GgufTensor& t : (*src)->tensors()) {
    GgufTensorSpec spec{std::string(t.name), t.type, {t.shape().begin(), t.shape().end()}};
    ASSERT_TRUE(w.AddTensorView(spec, {t.data, t.size_bytes}).ok());
  }
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), (*src)->file_size());
  EXPECT_TRUE(std::equal(bytes->begin(), bytes->end(), (*src)->bytes().begin()));
}

TEST(GgufWriterTest, CopiesVocabFileByteForByte) {
  auto src = GgufFile::Open(SharedDir() + "/tokenizer/ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(src.ok());
  GgufWriter w;
  w.CopyMetadata(**src);
  auto bytes = w.Serialize();
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), (*src)->file_size());  // no padding after the tables
  EXPECT_TRUE(std::equal(bytes->begin(), bytes->end(), (*src)->bytes().begin()));
}

TEST(GgufWriterTest, CopyMetadataWithFilter) {
  auto src = GgufFile::Open(SharedDir() + "/tokenizer/ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(src.ok());
  GgufWriter w;
  w.SetString("general.architecture", "qwen2");
  w.CopyMetadata(**src, [](std::string_view key) { return key.starts_with("tokenizer."); });
  auto f = Reparse(w);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->architecture(), "qwen2");
  EXPECT_FALSE(f->HasKey("gpt2.block_count"));
  EXPECT_EQ(f->GetStringArray("tokenizer.ggml.merges")->size(), 50000u);
  EXPECT_EQ(*f->GetStringArray("tokenizer.ggml.tokens"),
            *(*src)->GetStringArray("tokenizer.ggml.tokens"));
}

// ---- Fuzz seed corpus: generated here with the writer, committed under testdata/ ----

std::vector<uint8_t> Filled(size_t n, uint8_t seed) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(seed + i * 7);
  return out;
}

GgufWriter TinyModel() {
  GgufWriter w;
  w.SetString("general.architecture", "llama");
  w.SetString("general.name", "tiny");
  w.SetU32("general.file_type", 7);
  w.SetU32("llama.context_length", 64);
  w.SetU32("llama.embedding_length", 32);
  w.SetU32("llama.block_count", 1);
  w.SetU32("llama.attention.head_count", 2);
  w.SetF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.SetString("tokenizer.ggml.model", "gpt2");
  const std::vector<std::string> tokens = {"<s>",
                                           "</s>",
                                           "a",
                                           "b",
                                           "ab",
                                           "\xC4\xA0"
                                           "a"};
  w.Set("tokenizer.ggml.tokens", GgufMetadataValue::StringArray(tokens));
  const std::vector<float> scores = {0, 0, -1, -2, -3, -4};
  w.Set("tokenizer.ggml.scores", GgufMetadataValue::Array(std::span<const float>(scores)));
  const std::vector<int32_t> types = {3, 3, 1, 1, 1, 1};
  w.Set("tokenizer.ggml.token_type", GgufMetadataValue::Array(std::span<const int32_t>(types)));
  const std::vector<std::string> merges = {"a b", "\xC4\xA0 a"};
  w.Set("tokenizer.ggml.merges", GgufMetadataValue::StringArray(merges));
  w.SetBool("tokenizer.ggml.add_bos_token", true);
  w.SetString("tokenizer.chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");
  EXPECT_TRUE(
      w.AddTensor({"token_embd.weight", TensorType::kQ8_0, {32, 6}}, Filled(6 * 34, 1)).ok());
  EXPECT_TRUE(w.AddTensor({"output_norm.weight", TensorType::kF32, {32}}, Filled(128, 2)).ok());
  EXPECT_TRUE(
      w.AddTensor({"blk.0.ffn_up.weight", TensorType::kQ4_K, {256, 1}}, Filled(144, 3)).ok());
  EXPECT_TRUE(
      w.AddTensor({"blk.0.attn_q.weight", TensorType::kF16, {4, 2, 1, 1}}, Filled(16, 4)).ok());
  return w;
}

GgufWriter AllValueTypes() {
  GgufWriter w;
  w.Set("u8", GgufMetadataValue::U8(1));
  w.Set("i8", GgufMetadataValue::I8(-1));
  w.Set("u16", GgufMetadataValue::U16(2));
  w.Set("i16", GgufMetadataValue::I16(-2));
  w.Set("u32", GgufMetadataValue::U32(3));
  w.Set("i32", GgufMetadataValue::I32(-3));
  w.Set("u64", GgufMetadataValue::U64(4));
  w.Set("i64", GgufMetadataValue::I64(-4));
  w.Set("f32", GgufMetadataValue::F32(0.5f));
  w.Set("f64", GgufMetadataValue::F64(0.25));
  w.Set("bool", GgufMetadataValue::Bool(false));
  w.Set("string", GgufMetadataValue::String("text"));
  w.Set("a.u16", ArrayOf<uint16_t>({1, 2}));
  w.Set("a.i64", ArrayOf<int64_t>({-1}));
  w.Set("a.f64", ArrayOf<double>({1.5}));
  const GgufMetadataValue inner[] = {ArrayOf<uint8_t>({1}), ArrayOf<uint8_t>({})};
  w.Set("a.nested", *GgufMetadataValue::ArrayOf(inner));
  return w;
}

std::map<std::string, std::vector<uint8_t>> FuzzSeeds() {
  std::map<std::string, std::vector<uint8_t>> seeds;
  const std::vector<uint8_t> tiny = *TinyModel().Serialize();
  seeds["tiny_model.gguf"] = tiny;
  seeds["all_value_types.gguf"] = *AllValueTypes().Serialize();
  std::vector<uint8_t> v2 = *AllValueTypes().Serialize();
  v2[4] = 2;  // versions 2 and 3 share the encoding
  seeds["all_value_types_v2.gguf"] = v2;
  GgufWriter aligned;
  aligned.SetAlignment(64);
  EXPECT_TRUE(aligned.AddTensor({"a", TensorType::kI8, {3}}, Filled(3, 5)).ok());
  EXPECT_TRUE(aligned.AddTensor({"b", TensorType::kQ4_0, {32}}, Filled(18, 6)).ok());
  seeds["aligned_64.gguf"] = *aligned.Serialize();
  GgufWriter huge;
  huge.SetAlignment(1u << 30);
  seeds["aligned_2p30_no_tensors.gguf"] = *huge.Serialize();
  for (size_t cut : {size_t{16}, size_t{100}, tiny.size() / 2, tiny.size() - 20}) {
    seeds[fmt::format("tiny_model_truncated_{}.gguf", cut)] =
        std::vector<uint8_t>(tiny.begin(), tiny.begin() + static_cast<ptrdiff_t>(cut));
  }
  return seeds;
}

// The committed seeds equal what the writer produces (SAVOIR_UPDATE_GOLDEN=1 regenerates
// them); whole seeds parse and truncated ones are rejected.
TEST(FuzzCorpusTest, SeedsAreCurrent) {
  const std::string dir = std::string(SAVOIR_SOURCE_DIR) + "/src/engine/gguf/testdata/fuzz_corpus/";
  const bool update = std::getenv("SAVOIR_UPDATE_GOLDEN") != nullptr;
  for (const auto& [name, bytes] : FuzzSeeds()) {
    SCOPED_TRACE(name);
    EXPECT_LE(bytes.size(), 2048u);
    const std::string path = dir + name;
    if (update) {
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> committed((std::istreambuf_iterator<char>(in)),
                                         std::istreambuf_iterator<char>());
    EXPECT_EQ(committed, bytes);
    auto file = GgufFile::FromBuffer(bytes, name);
    EXPECT_EQ(file.ok(), name.find("truncated") == std::string::npos) << file.status().ToString();
  }
}

}  // namespace
}  // namespace savoir::engine
