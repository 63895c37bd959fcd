#include "engine/gguf/gguf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace savoir::engine {
namespace {

using ::testing::HasSubstr;

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr ? env : SAVOIR_SHARED_DIR;
}

// Builds GGUF bytes field by field, so that tests can produce files the writer would refuse.
class Bytes {
 public:
  template <typename T>
  Bytes& Put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    data_.insert(data_.end(), p, p + sizeof(T));
    return *this;
  }
  Bytes& Str(std::string_view s) {
    Put<uint64_t>(s.size());
    data_.insert(data_.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& Header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return Put<uint32_t>(kGgufMagic).Put<uint32_t>(version).Put(n_tensors).Put(n_kv);
  }
  Bytes& KeyType(std::string_view key, GgufValueType type) {
    return Str(key).Put(static_cast<uint32_t>(type));
  }
  Bytes& TensorInfo(std::string_view name, std::vector<uint64_t> dims, uint32_t type,
                    uint64_t offset) {
    Str(name).Put<uint32_t>(static_cast<uint32_t>(dims.size()));
    for (uint64_t d : dims) Put(d);
    return Put(type).Put(offset);
  }
  Bytes& PadTo(size_t alignment) {
    while (data_.size() % alignment != 0) data_.push_back(0);
    return *this;
  }
  Bytes& Zeros(size_t n) {
    data_.resize(data_.size() + n, 0);
    return *this;
  }
  size_t size() const { return data_.size(); }
  std::vector<uint8_t>& data() { return data_; }

 private:
  std::vector<uint8_t> data_;
};

StatusOr<std::unique_ptr<GgufFile>> Parse(Bytes& b) {
  return GgufFile::FromBuffer(b.data(), "test.gguf");
}

// Expects parsing to fail with INVALID_ARGUMENT and a message that names the file and `what`.
void ExpectError(Bytes& b, std::string_view what) {
  auto file = Parse(b);
  ASSERT_FALSE(file.ok()) << "expected an error mentioning: " << what;
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr("test.gguf: "));
  EXPECT_THAT(file.status().message(), HasSubstr(std::string(what)));
}

// A valid file: two keys and one F32 tensor of 8 x 2 elements.
Bytes ValidFile() {
  Bytes b;
  b.Header(1, 2).KeyType("general.architecture", GgufValueType::kString).Str("llama");
  b.KeyType("llama.context_length", GgufValueType::kU32).Put<uint32_t>(128);
  b.TensorInfo("w", {8, 2}, 0, 0).PadTo(32);
  for (int i = 0; i < 16; ++i) b.Put<float>(static_cast<float>(i));
  return b;
}

// ---- Real files ----

TEST(GgufFileTest, ReadsStories260K) {
  auto file = GgufFile::Open(SharedDir() + "/models/stories260K.gguf");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const GgufFile& f = **file;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.file_size(), 1185376u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset(), 14176u);
  EXPECT_EQ(f.architecture(), "llama");
  EXPECT_EQ(f.GetString("general.name").value_or(""), "llama");
  EXPECT_EQ(f.GetU32("llama.context_length").value_or(0), 2048u);
  EXPECT_EQ(f.GetU32("llama.embedding_length").value_or(0), 64u);
  EXPECT_EQ(f.GetU32("llama.feed_forward_length").value_or(0), 172u);
  EXPECT_EQ(f.GetU32("llama.attention.head_count").value_or(0), 8u);
  EXPECT_EQ(f.GetU32("llama.attention.head_count_kv").value_or(0), 4u);
  EXPECT_EQ(f.GetU32("llama.block_count").value_or(0), 5u);
  EXPECT_EQ(f.GetI64("llama.rope.dimension_count").value_or(0), 8);
  EXPECT_FLOAT_EQ(f.GetF32("llama.attention.layer_norm_rms_epsilon").value_or(0), 1e-5f);
  EXPECT_EQ(f.GetU32("tokenizer.ggml.seperator_token_id").value_or(0), 0xFFFFFFFFu);
  EXPECT_EQ(f.metadata().size(), 19u);
  EXPECT_EQ(f.metadata()[0].key, "tokenizer.ggml.tokens");

  auto tokens = f.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  ASSERT_EQ(tokens->size(), 512u);
  EXPECT_EQ((*tokens)[0], "<unk>");
  EXPECT_EQ((*tokens)[1], "<s>");
  EXPECT_EQ((*tokens)[2], "</s>");
  EXPECT_EQ((*tokens)[3], "<0x00>");
  // Views point into the mapping, not into copies.
  const auto* begin = reinterpret_cast<const char*>(f.bytes().data());
  EXPECT_GE((*tokens)[0].data(), begin);
  EXPECT_LT((*tokens)[511].data(), begin + f.file_size());
  auto scores = f.GetF32Array("tokenizer.ggml.scores");
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ(scores->size(), 512u);
  auto types = f.GetI32Array("tokenizer.ggml.token_type");
  ASSERT_TRUE(types.ok());
  ASSERT_EQ(types->size(), 512u);
  EXPECT_EQ((*types)[0], 2);
  EXPECT_EQ((*types)[1], 3);
  EXPECT_EQ((*types)[3], 6);

  ASSERT_EQ(f.tensors().size(), 48u);
  EXPECT_EQ(f.tensors()[0].name, "token_embd.weight");
  const GgufTensor* embd = f.FindTensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->type, TensorType::kF32);
  EXPECT_EQ(embd->n_dims, 2);
  EXPECT_EQ(embd->dims[0], 64);
  EXPECT_EQ(embd->dims[1], 512);
  EXPECT_EQ(embd->n_elements, 64 * 512);
  EXPECT_EQ(embd->size_bytes, 64u * 512 * 4);
  EXPECT_EQ(embd->data, f.bytes().data() + f.data_offset());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(embd->data) % 32, 0u);
  const GgufTensor* down = f.FindTensor("blk.4.ffn_down.weight");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->dims[0], 172);
  EXPECT_EQ(down->dims[1], 64);
  EXPECT_EQ(down->row_length(), 172);
  EXPECT_EQ(down->n_rows(), 64);
  EXPECT_EQ(down->offset, 1082880u);
  const GgufTensor* norm = f.FindTensor("output_norm.weight");
  ASSERT_NE(norm, nullptr);
  EXPECT_EQ(norm->n_dims, 1);
  EXPECT_EQ(norm->shape().size(), 1u);
  EXPECT_EQ(f.FindTensor("blk.5.attn_q.weight"), nullptr);
}

TEST(GgufFileTest, ReadsVocabFiles) {
  const std::string dir = SharedDir() + "/tokenizer/";
  struct Case {
    const char* file;
    const char* arch;
    const char* model;
    size_t n_tokens;
    size_t n_merges;
  };
  const Case cases[] = {
      {"ggml-vocab-bert-bge.gguf", "bert", "bert", 30522, 0},
      {"ggml-vocab-deepseek-coder.gguf", "llama", "gpt2", 32256, 31757},
      {"ggml-vocab-gpt-2.gguf", "gpt2", "gpt2", 50257, 50000},
      {"ggml-vocab-llama-spm.gguf", "llama", "llama", 32000, 0},
      {"ggml-vocab-phi-3.gguf", "phi3", "llama", 32064, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    auto file = GgufFile::Open(dir + c.file);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    const GgufFile& f = **file;
    EXPECT_EQ(f.architecture(), c.arch);
    EXPECT_EQ(f.GetString("tokenizer.ggml.model").value_or(""), c.model);
    EXPECT_TRUE(f.tensors().empty());
    auto tokens = f.GetStringArray("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ(tokens->size(), c.n_tokens);
    auto types = f.GetI32Array("tokenizer.ggml.token_type");
    ASSERT_TRUE(types.ok());
    EXPECT_EQ(types->size(), c.n_tokens);
    if (c.n_merges > 0) {
      auto merges = f.GetStringArray("tokenizer.ggml.merges");
      ASSERT_TRUE(merges.ok());
      EXPECT_EQ(merges->size(), c.n_merges);
    } else {
      EXPECT_FALSE(f.HasKey("tokenizer.ggml.merges"));
    }
  }
}

TEST(GgufFileTest, VocabFileSpecificValues) {
  const std::string dir = SharedDir() + "/tokenizer/";
  auto gpt2 = GgufFile::Open(dir + "ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(gpt2.ok());
  auto merges = (*gpt2)->GetStringArray("tokenizer.ggml.merges");
  ASSERT_TRUE(merges.ok());
  EXPECT_EQ((*merges)[0], "\xC4\xA0 t");  // "Ġ t"
  EXPECT_EQ((*gpt2)->GetU32("tokenizer.ggml.eos_token_id").value_or(0), 50256u);

  auto bert = GgufFile::Open(dir + "ggml-vocab-bert-bge.gguf");
  ASSERT_TRUE(bert.ok());
  EXPECT_EQ((*bert)->GetBool("bert.attention.causal").value_or(true), false);
  EXPECT_EQ((*bert)->GetU32("tokenizer.ggml.cls_token_id").value_or(0), 101u);
  auto tokens = (*bert)->GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ((*tokens)[0], "[PAD]");

  auto phi3 = GgufFile::Open(dir + "ggml-vocab-phi-3.gguf");
  ASSERT_TRUE(phi3.ok());
  auto tmpl = (*phi3)->GetString("tokenizer.chat_template");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_THAT(std::string(*tmpl), HasSubstr("{{ bos_token }}"));
  auto scores = (*phi3)->GetF32Array("tokenizer.ggml.scores");
  ASSERT_TRUE(scores.ok());
  EXPECT_FLOAT_EQ((*scores)[0], -1000.0f);
  EXPECT_EQ((*phi3)->GetU32("general.quantization_version").value_or(0), 2u);
}

// ---- Getters ----

TEST(GgufFileTest, ParsesValidBufferAndTensorData) {
  Bytes b = ValidFile();
  auto file = Parse(b);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const GgufTensor* w = (*file)->FindTensor("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->n_elements, 16);
  EXPECT_EQ(w->size_bytes, 64u);
  float x;
  std::memcpy(&x, w->data + 5 * 4, 4);
  EXPECT_EQ(x, 5.0f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(w->data) % 32, 0u);
}

TEST(GgufFileTest, GettersConvertAndReportErrors) {
  Bytes b;
  b.Header(0, 6);
  b.KeyType("u8", GgufValueType::kU8).Put<uint8_t>(200);
  b.KeyType("neg", GgufValueType::kI32).Put<int32_t>(-5);
  b.KeyType("big", GgufValueType::kU64).Put<uint64_t>(1ull << 40);
  b.KeyType("f64", GgufValueType::kF64).Put<double>(0.25);
  b.KeyType("flag", GgufValueType::kBool).Put<uint8_t>(1);
  b.KeyType("s", GgufValueType::kString).Str("hi");
  auto file = Parse(b);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const GgufFile& f = **file;
  EXPECT_EQ(f.GetU32("u8").value_or(0), 200u);
  EXPECT_EQ(f.GetI64("u8").value_or(0), 200);
  EXPECT_EQ(f.GetI32("neg").value_or(0), -5);
  EXPECT_EQ(f.GetI64("neg").value_or(0), -5);
  EXPECT_EQ(f.GetU64("big").value_or(0), 1ull << 40);
  EXPECT_DOUBLE_EQ(f.GetF64("f64").value_or(0), 0.25);
  EXPECT_FLOAT_EQ(f.GetF32("f64").value_or(0), 0.25f);
  EXPECT_TRUE(f.GetBool("flag").value_or(false));
  EXPECT_EQ(f.GetString("s").value_or(""), "hi");

  auto neg = f.GetU32("neg");
  ASSERT_FALSE(neg.ok());
  EXPECT_THAT(neg.status().message(), HasSubstr("'neg' value does not fit in u32"));
  auto big = f.GetU32("big");
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.status().message(), HasSubstr("does not fit"));
  auto wrong = f.GetString("u8");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "test.gguf: key 'u8' has type u8, expected string");
  auto missing = f.GetU32("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing key 'nope'"));
  EXPECT_EQ(f.GetU32Or("nope", 7).value_or(0), 7u);
  EXPECT_FALSE(f.GetU32Or("s", 7).ok());
  EXPECT_EQ(f.GetStringOr("nope", "x").value_or(""), "x");
  EXPECT_FALSE(f.GetBoolOr("s", true).ok());
  EXPECT_FALSE(f.GetStringArray("s").ok());
  EXPECT_TRUE(f.HasKey("flag"));
  EXPECT_FALSE(f.HasKey("fla"));
  EXPECT_EQ(f.architecture(), "");
}

TEST(GgufFileTest, NestedArraysAndGenericValues) {
  Bytes b;
  b.Header(0, 2);
  // [[1, 2], [3]] as arrays of i16.
  b.KeyType("nested", GgufValueType::kArray).Put<uint32_t>(9).Put<uint64_t>(2);
  b.Put<uint32_t>(3).Put<uint64_t>(2).Put<int16_t>(1).Put<int16_t>(2);
  b.Put<uint32_t>(3).Put<uint64_t>(1).Put<int16_t>(3);
  b.KeyType("strs", GgufValueType::kArray).Put<uint32_t>(8).Put<uint64_t>(3);
  b.Str("a").Str("").Str("ccc");
  auto file = Parse(b);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto nested = (*file)->GetArray("nested");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->array_type(), GgufValueType::kArray);
  ASSERT_EQ(nested->array_size(), 2u);
  const GgufValue second = nested->ArrayElement(1);
  ASSERT_EQ(second.array_size(), 1u);
  EXPECT_EQ(second.ArrayElement(0).AsI64().value_or(0), 3);
  const std::vector<GgufValue> all = nested->ArrayElements();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].ArrayElement(1).AsI64().value_or(0), 2);
  EXPECT_EQ(nested->EncodedSize(), 12u + (12 + 4) + (12 + 2));
  auto strs = (*file)->GetStringArray("strs");
  ASSERT_TRUE(strs.ok());
  EXPECT_EQ(*strs, (std::vector<std::string_view>{"a", "", "ccc"}));
  EXPECT_EQ((*file)->FindValue("strs")->ArrayElement(2).AsString(), "ccc");
  auto ints = (*file)->GetI32Array("nested");
  EXPECT_FALSE(ints.ok());
}

TEST(GgufFileTest, ReadsVersion2) {
  Bytes b;
  b.Header(0, 1, 2).KeyType("k", GgufValueType::kU16).Put<uint16_t>(9);
  auto file = Parse(b);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->version(), 2u);
  EXPECT_EQ((*file)->GetU32("k").value_or(0), 9u);
}

TEST(GgufFileTest, HonoursGeneralAlignment) {
  Bytes b;
  b.Header(1, 1).KeyType("general.alignment", GgufValueType::kU32).Put<uint32_t>(64);
  b.TensorInfo("t", {4}, 0, 0).PadTo(64).Zeros(16);
  auto file = Parse(b);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->alignment(), 64u);
  EXPECT_EQ((*file)->data_offset() % 64, 0u);
}

// ---- Bad input: one test per problem ----

TEST(GgufFileBadInputTest, BadMagic) {
  Bytes b = ValidFile();
  b.data()[0] = 'X';
  ExpectError(b, "not a gguf file (bad magic");
}

TEST(GgufFileBadInputTest, TooShortForMagic) {
  Bytes b;
  b.Put<uint16_t>(0x4747);
  ExpectError(b, "not a gguf file");
}

TEST(GgufFileBadInputTest, UnsupportedVersion) {
  Bytes b;
  b.Header(0, 0, 1);
  ExpectError(b, "unsupported gguf version 1");
  Bytes c;
  c.Header(0, 0, 4);
  ExpectError(c, "unsupported gguf version 4");
}

TEST(GgufFileBadInputTest, BigEndianVersion) {
  Bytes b;
  b.Header(0, 0, 0x03000000);
  ExpectError(b, "big-endian");
}

TEST(GgufFileBadInputTest, TruncatedEverywhere) {
  const std::vector<uint8_t> full = ValidFile().data();
  // Every strict prefix of a valid file is rejected, without crashing.
  for (size_t n = 0; n < full.size(); ++n) {
    auto file = GgufFile::FromBuffer(std::span(full.data(), n), "test.gguf");
    EXPECT_FALSE(file.ok()) << "prefix of " << n << " bytes parsed";
  }
  auto file = GgufFile::FromBuffer(std::span(full.data(), 100), "test.gguf");
  EXPECT_THAT(file.status().message(),
              HasSubstr("truncated file: key 'llama.context_length' type"));
  auto tail = GgufFile::FromBuffer(std::span(full.data(), full.size() - 1), "test.gguf");
  EXPECT_THAT(tail.status().message(),
              HasSubstr("tensor 'w' data (64 bytes at data offset 0) lies outside"));
}

TEST(GgufFileBadInputTest, TruncatedHeaderNamesField) {
  Bytes b;
  b.Put<uint32_t>(kGgufMagic).Put<uint32_t>(3).Put<uint32_t>(0);
  ExpectError(b, "truncated file: header tensor count");
}

TEST(GgufFileBadInputTest, HugeMetadataCount) {
  Bytes b;
  b.Header(0, 1ull << 60);
  ExpectError(b, "metadata count 1152921504606846976 is larger than the file can hold");
}

TEST(GgufFileBadInputTest, HugeTensorCount) {
  Bytes b;
  b.Header(1ull << 40, 0).Zeros(64);
  ExpectError(b, "tensor count 1099511627776 is larger than the file can hold");
}

TEST(GgufFileBadInputTest, HugeArrayCountFailsWithoutAllocating) {
  // A count that would need exabytes if it were reserved; the parser compares it with the
  // bytes left first. (Run under ASan's allocator limits by the fuzzer as well.)
  Bytes b;
  b.Header(0, 1).KeyType("tokenizer.ggml.tokens", GgufValueType::kArray);
  b.Put<uint32_t>(8).Put<uint64_t>(0xFFFFFFFFFFFFFFFFull).Zeros(32);
  ExpectError(b,
              "key 'tokenizer.ggml.tokens' is an array of 18446744073709551615 string "
              "elements which runs past the end");
  Bytes c;
  c.Header(0, 1).KeyType("scores", GgufValueType::kArray);
  c.Put<uint32_t>(6).Put<uint64_t>(1ull << 62).Zeros(32);
  ExpectError(c, "array of 4611686018427387904 f32 elements");
}

TEST(GgufFileBadInputTest, StringLengthPastEnd) {
  Bytes b;
  b.Header(0, 1).KeyType("general.name", GgufValueType::kString).Put<uint64_t>(1000).Str("ab");
  ExpectError(b, "key 'general.name' string has length 1000 which runs past the end");
}

TEST(GgufFileBadInputTest, KeyLengthPastEnd) {
  Bytes b;
  b.Header(0, 1).Put<uint64_t>(1ull << 63).Zeros(16);
  ExpectError(b, "key #0 has length 9223372036854775808 which runs past the end");
}

TEST(GgufFileBadInputTest, UnknownValueType) {
  Bytes b;
  b.Header(0, 1).Str("k").Put<uint32_t>(13).Zeros(8);
  ExpectError(b, "key 'k' has unknown value type 13");
}

TEST(GgufFileBadInputTest, UnknownArrayElementType) {
  Bytes b;
  b.Header(0, 1).KeyType("k", GgufValueType::kArray).Put<uint32_t>(99).Put<uint64_t>(0);
  ExpectError(b, "key 'k' is an array of unknown type 99");
}

TEST(GgufFileBadInputTest, ArraysNestedTooDeep) {
  Bytes b;
  b.Header(0, 1).KeyType("k", GgufValueType::kArray);
  for (int i = 0; i < 100; ++i) b.Put<uint32_t>(9).Put<uint64_t>(1);
  b.Zeros(16);
  ExpectError(b, "key 'k' nests arrays deeper than");
}

TEST(GgufFileBadInputTest, DuplicateKey) {
  Bytes b;
  b.Header(0, 2);
  b.KeyType("a", GgufValueType::kU8).Put<uint8_t>(1);
  b.KeyType("a", GgufValueType::kU8).Put<uint8_t>(2);
  ExpectError(b, "duplicate metadata key 'a'");
}

TEST(GgufFileBadInputTest, BadAlignment) {
  Bytes b;
  b.Header(0, 1).KeyType("general.alignment", GgufValueType::kU32).Put<uint32_t>(48);
  ExpectError(b, "general.alignment must be a power of two");
  Bytes c;
  c.Header(0, 1).KeyType("general.alignment", GgufValueType::kU32).Put<uint32_t>(0);
  ExpectError(c, "general.alignment must be a power of two");
  Bytes d;
  d.Header(0, 1).KeyType("general.alignment", GgufValueType::kString).Str("32");
  ExpectError(d, "general.alignment must be a power of two");
}

TEST(GgufFileBadInputTest, TooManyDims) {
  Bytes b;
  b.Header(1, 0).TensorInfo("t", {1, 1, 1, 1, 1}, 0, 0).PadTo(32).Zeros(4);
  ExpectError(b, "tensor 't' has 5 dimensions");
  Bytes c;
  c.Header(1, 0).TensorInfo("t", {}, 0, 0).Zeros(32);
  ExpectError(c, "tensor 't' has 0 dimensions");
}

TEST(GgufFileBadInputTest, ZeroDim) {
  Bytes b;
  b.Header(1, 0).TensorInfo("t", {4, 0}, 0, 0).PadTo(32).Zeros(16);
  ExpectError(b, "tensor 't' has dimension 1 equal to 0");
}

TEST(GgufFileBadInputTest, DimProductOverflows) {
  Bytes b;
  b.Header(1, 0).TensorInfo("t", {1ull << 32, 1ull << 32}, 0, 0).PadTo(32).Zeros(16);
  ExpectError(b, "tensor 't' element count overflows");
  Bytes c;
  c.Header(1, 0).TensorInfo("t", {1ull << 63}, 0, 0).PadTo(32).Zeros(16);
  ExpectError(c, "tensor 't' element count overflows");
}

TEST(GgufFileBadInputTest, ByteSizeOverflows) {
  Bytes b;
  b.Header(1, 0).TensorInfo("t", {1ull << 62}, 0, 0).PadTo(32).Zeros(16);
  ExpectError(b, "tensor 't' byte size overflows");
}

TEST(GgufFileBadInputTest, RowNotMultipleOfBlockSize) {
  Bytes b;
  b.Header(1, 0).TensorInfo("blk.0.attn_q.weight", {33, 2}, 8, 0).PadTo(32).Zeros(128);
  ExpectError(b,
              "tensor 'blk.0.attn_q.weight' of type Q8_0 has row length 33 which is not a "
              "multiple of the block size 32");
}

TEST(GgufFileBadInputTest, UnknownTensorType) {
  Bytes b;
  b.Header(1, 0).TensorInfo("blk.0.attn_q.weight", {4}, 99, 0).PadTo(32).Zeros(16);
  ExpectError(b, "tensor 'blk.0.attn_q.weight' has unknown type 99");
}

TEST(GgufFileBadInputTest, TensorDataOutsideFile) {
  Bytes b;
  b.Header(1, 0).TensorInfo("t", {8}, 0, 0).PadTo(32).Zeros(16);  // needs 32 bytes
  ExpectError(b, "tensor 't' data (32 bytes at data offset 0) lies outside the file");
  Bytes c;
  c.Header(1, 0).TensorInfo("t", {8}, 0, 1ull << 63).PadTo(32).Zeros(32);
  ExpectError(c, "lies outside the file");
}

TEST(GgufFileBadInputTest, MisalignedTensorOffset) {
  Bytes b;
  b.Header(1, 0).TensorInfo("t", {4}, 0, 4).PadTo(32).Zeros(32);
  ExpectError(b, "tensor 't' offset 4 is not a multiple of the alignment 32");
}

TEST(GgufFileBadInputTest, DuplicateTensorName) {
  Bytes b;
  b.Header(2, 0).TensorInfo("t", {8}, 0, 0).TensorInfo("t", {8}, 0, 32).PadTo(32).Zeros(64);
  ExpectError(b, "duplicate tensor name 't'");
}

TEST(GgufFileBadInputTest, EmptyTensorName) {
  Bytes b;
  b.Header(1, 0).TensorInfo("", {8}, 0, 0).PadTo(32).Zeros(32);
  ExpectError(b, "tensor #0 has an empty name");
}

TEST(GgufFileBadInputTest, MissingFile) {
  auto file = GgufFile::Open("/nonexistent/dir/model.gguf");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(file.status().message(), "/nonexistent/dir/model.gguf: no such file");
}

TEST(GgufFileBadInputTest, Directory) {
  const std::string dir = ::testing::TempDir();
  auto file = GgufFile::Open(dir);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr("is a directory"));
}

TEST(GgufFileBadInputTest, EmptyAndCorruptFilesOnDisk) {
  const std::string path = ::testing::TempDir() + "/gguf_file_test_empty.gguf";
  { std::ofstream out(path, std::ios::binary); }
  auto empty = GgufFile::Open(path);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), path + ": not a gguf file (empty file)");
  {
    std::ofstream out(path, std::ios::binary);
    out << "this is text, not a model";
  }
  auto text = GgufFile::Open(path);
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.status().message(), HasSubstr(path + ": not a gguf file (bad magic"));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace savoir::engine
