#include "engine/convert/gguf_stream_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "engine/convert/test_util.h"
#include "engine/gguf/gguf_writer.h"

namespace savoir::engine::convert {
namespace {

using ::savoir::engine::convert::testing::ReadBytes;
using ::savoir::engine::convert::testing::TempDir;
using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> out(n);
  std::iota(out.begin(), out.end(), seed);
  return out;
}

struct Fixture {
  GgufMetadataList metadata;
  std::vector<GgufTensorSpec> specs;
  std::vector<std::vector<uint8_t>> data;
};

Fixture MakeFixture() {
  Fixture f;
  f.metadata.Set("general.architecture", GgufMetadataValue::String("llama"));
  f.metadata.Set("llama.block_count", GgufMetadataValue::U32(3));
  const std::vector<std::string_view> words = {"a", "bc"};
  f.metadata.Set("tokenizer.ggml.tokens", GgufMetadataValue::StringArray(std::span(words)));
  f.metadata.Set("llama.block_count", GgufMetadataValue::U32(7));  // replaced in place
  f.specs = {{"a.weight", TensorType::kF32, {3, 2}},
             {"b.weight", TensorType::kQ8_0, {64, 3}},
             {"c.bias", TensorType::kF16, {5}}};
  f.data = {Bytes(24, 1), Bytes(3 * 68, 7), Bytes(10, 3)};
  return f;
}

// The streamed file is byte-identical to what engine/gguf's GgufWriter makes of the same content.
TEST(GgufStreamWriterTest, MatchesGgufWriterByteForByte) {
  TempDir dir;
  Fixture f = MakeFixture();
  GgufWriter reference;
  for (const auto& e : f.metadata.entries()) reference.Set(e.key, e.value);
  for (size_t i = 0; i < f.specs.size(); ++i) {
    ASSERT_TRUE(reference.AddTensor(f.specs[i], f.data[i]).ok());
  }
  auto expected = reference.Serialize();
  ASSERT_TRUE(expected.ok());

  const std::string path = dir.File("out.gguf");
  auto w = GgufStreamWriter::Open(path, f.metadata, f.specs);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  // Pieces that straddle tensor boundaries.
  std::vector<uint8_t> all;
  for (const auto& d : f.data) all.insert(all.end(), d.begin(), d.end());
  ASSERT_TRUE((*w)->Append(std::span(all).first(20)).ok());
  EXPECT_EQ((*w)->current_tensor(), 0u);
  ASSERT_TRUE((*w)->Append(std::span(all).subspan(20, 200)).ok());
  EXPECT_EQ((*w)->current_tensor(), 1u);
  ASSERT_TRUE((*w)->Append(std::span(all).subspan(220)).ok());
  EXPECT_EQ((*w)->current_tensor(), 3u);
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(ReadBytes(path), *expected);

  auto file = GgufFile::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->GetU32("llama.block_count").value_or(0), 7u);
  EXPECT_EQ((*file)->metadata().size(), 3u);
}

TEST(GgufStreamWriterTest, HonoursGeneralAlignment) {
  TempDir dir;
  Fixture f = MakeFixture();
  f.metadata.Set("general.alignment", GgufMetadataValue::U32(64));
  auto w = GgufStreamWriter::Open(dir.File("a.gguf"), f.metadata, f.specs);
  ASSERT_TRUE(w.ok());
  for (const auto& d : f.data) ASSERT_TRUE((*w)->Append(d).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto file = GgufFile::Open(dir.File("a.gguf"));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->alignment(), 64u);
  for (const GgufTensor& t : (*file)->tensors()) EXPECT_EQ(t.offset % 64, 0u) << t.name;
  EXPECT_EQ((*file)->FindTensor("b.weight")->data[0], f.data[1][0]);
}

TEST(GgufStreamWriterTest, IncompleteFileIsNeitherCommittedNorLeftBehind) {
  TempDir dir;
  Fixture f = MakeFixture();
  const std::string path = dir.File("partial.gguf");
  {
    auto w = GgufStreamWriter::Open(path, f.metadata, f.specs);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(f.data[0]).ok());
    Status s = (*w)->Commit();
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(s.message(), HasSubstr("incomplete"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(GgufStreamWriterTest, RejectsExtraBytesAndBadSpecs) {
  TempDir dir;
  Fixture f = MakeFixture();
  auto w = GgufStreamWriter::Open(dir.File("x.gguf"), f.metadata, f.specs);
  ASSERT_TRUE(w.ok());
  for (const auto& d : f.data) ASSERT_TRUE((*w)->Append(d).ok());
  EXPECT_EQ((*w)->Append(Bytes(1, 0)).code(), StatusCode::kInvalidArgument);

  std::vector<GgufTensorSpec> dup = {{"t", TensorType::kF32, {4}}, {"t", TensorType::kF32, {4}}};
  EXPECT_THAT(GgufStreamWriter::Open(dir.File("d.gguf"), f.metadata, dup).status().message(),
              HasSubstr("duplicate tensor 't'"));
  std::vector<GgufTensorSpec> ragged = {{"q", TensorType::kQ4_0, {48, 2}}};
  EXPECT_THAT(GgufStreamWriter::Open(dir.File("r.gguf"), f.metadata, ragged).status().message(),
              HasSubstr("not a whole number of Q4_0 blocks"));
  EXPECT_EQ(
      GgufStreamWriter::Open(dir.File("no/such/dir.gguf"), f.metadata, f.specs).status().code(),
      StatusCode::kUnavailable);
}

}  // namespace
}  // namespace savoir::engine::convert
