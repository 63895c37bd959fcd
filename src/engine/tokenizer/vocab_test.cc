#include "engine/tokenizer/vocab.h"

#include <gtest/gtest.h>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/test_vocabs.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {
namespace {

void ExpectError(const VocabSpec& spec, StatusCode code, std::string_view needle) {
  auto vocab = Vocab::Create(spec);
  ASSERT_FALSE(vocab.ok());
  EXPECT_EQ(vocab.status().code(), code) << vocab.status().ToString();
  EXPECT_NE(vocab.status().message().find(needle), std::string::npos)
      << vocab.status().ToString() << " lacks '" << needle << "'";
}

TEST(VocabTest, ModelErrors) {
  VocabSpec spec = testing::SmallSpmSpec();
  spec.model = "";
  ExpectError(spec, StatusCode::kInvalidArgument, "tokenizer.ggml.model");
  spec.model = "sentencepiece2";
  ExpectError(spec, StatusCode::kInvalidArgument, "sentencepiece2");
  spec.model = "no_vocab";
  ExpectError(spec, StatusCode::kFailedPrecondition, "no vocabulary");
  spec.model = "t5";
  ExpectError(spec, StatusCode::kUnimplemented, "t5");
}

TEST(VocabTest, TokenArrayErrors) {
  VocabSpec spec = testing::SmallSpmSpec();
  spec.scores.resize(10);
  ExpectError(spec, StatusCode::kInvalidArgument, "tokenizer.ggml.scores");
  spec = testing::SmallSpmSpec();
  spec.token_types.resize(3);
  ExpectError(spec, StatusCode::kInvalidArgument, "tokenizer.ggml.token_type");
  spec = testing::SmallSpmSpec();
  spec.tokens[260] = "ab";
  ExpectError(spec, StatusCode::kInvalidArgument, "duplicate token 'ab'");
  spec = testing::SmallSpmSpec();
  spec.tokens.clear();
  ExpectError(spec, StatusCode::kInvalidArgument, "tokenizer.ggml.tokens");
}

TEST(VocabTest, BpeErrors) {
  VocabSpec spec = testing::SmallBpeSpec();
  spec.merges.clear();
  ExpectError(spec, StatusCode::kInvalidArgument, "tokenizer.ggml.merges");
  spec = testing::SmallBpeSpec("made-up-pre");
  ExpectError(spec, StatusCode::kNotFound, "tokenizer.ggml.pre");
  // llama-bpe adds BOS by default; without a BOS id that is inconsistent.
  spec = testing::SmallBpeSpec("llama-bpe");
  spec.bos_id.reset();
  spec.tokens.resize(11);  // the default BOS id 11 is then out of range
  spec.token_types.resize(11);
  spec.merges = {"h e"};
  ExpectError(spec, StatusCode::kInvalidArgument, "tokenizer.ggml.bos_token_id");
}

TEST(VocabTest, Defaults) {
  auto spm = Vocab::Create(testing::SmallSpmSpec());
  ASSERT_TRUE(spm.ok());
  EXPECT_EQ(spm->type(), VocabType::kSpm);
  EXPECT_TRUE(spm->add_bos());
  EXPECT_FALSE(spm->add_eos());
  EXPECT_TRUE(spm->add_space_prefix());
  EXPECT_FALSE(spm->clean_spaces());
  EXPECT_EQ(spm->special().bos, 1);
  EXPECT_EQ(spm->special().unk, 0);
  EXPECT_EQ(spm->Find("\u2581ab"), 266);
  EXPECT_EQ(spm->Find("zzz"), kNoToken);
  EXPECT_EQ(spm->max_token_length(), 8);

  auto bert = Vocab::Create(testing::SmallWordPieceSpec());
  ASSERT_TRUE(bert.ok());
  EXPECT_EQ(bert->special().bos, 2);  // the CLS id
  EXPECT_EQ(bert->special().sep, 3);
  EXPECT_TRUE(bert->lowercase());
  EXPECT_TRUE(bert->strip_accents());

  auto bpe = Vocab::Create(testing::SmallBpeSpec());
  ASSERT_TRUE(bpe.ok());
  EXPECT_EQ(bpe->MergeRank("h", "e"), 0);
  EXPECT_EQ(bpe->MergeRank("e", "l"), 9);
  EXPECT_EQ(bpe->MergeRank("\u0120wor", "l"), 7);
  EXPECT_EQ(bpe->MergeRank("l", "e"), -1);
  EXPECT_FALSE(bpe->add_space_prefix());
  EXPECT_TRUE(bpe->clean_spaces());
}

TEST(VocabTest, SpecialTokenOrderIsLongestFirst) {
  auto vocab = Vocab::Create(testing::SmallSpmSpec());
  ASSERT_TRUE(vocab.ok());
  const std::vector<TokenId>& order = vocab->special_token_order();
  ASSERT_EQ(order.size(), 5u);  // <unk> <s> </s> <|user|> <|end|>
  EXPECT_EQ(order.front(), 269);
  for (size_t i = 1; i < order.size(); ++i) {
    EXPECT_GE(vocab->Text(order[i - 1]).size(), vocab->Text(order[i]).size());
  }
}

TEST(VocabTest, OutOfRangeSpecialIdKeepsDefault) {
  VocabSpec spec = testing::SmallSpmSpec();
  spec.eos_id = 99999;
  auto vocab = Vocab::Create(spec);
  ASSERT_TRUE(vocab.ok());
  EXPECT_EQ(vocab->special().eos, 2);
}

// A vocabulary written to GGUF with GgufWriter and read back.
StatusOr<std::unique_ptr<GgufFile>> WriteSpmGguf(bool with_tokens) {
  const VocabSpec spec = testing::SmallSpmSpec();
  GgufWriter writer;
  writer.SetString("general.architecture", "llama");
  writer.SetString("general.name", "tiny");
  writer.SetString("tokenizer.ggml.model", "llama");
  if (with_tokens) {
    writer.Set("tokenizer.ggml.tokens", GgufMetadataValue::StringArray(spec.tokens));
  }
  writer.Set("tokenizer.ggml.scores", GgufMetadataValue::Array<float>(spec.scores));
  writer.Set("tokenizer.ggml.token_type", GgufMetadataValue::Array<int32_t>(spec.token_types));
  writer.SetU32("tokenizer.ggml.bos_token_id", 1);
  writer.SetBool("tokenizer.ggml.add_bos_token", false);
  SAVOIR_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, writer.Serialize());
  return GgufFile::FromBuffer(bytes, "tiny.gguf");
}

TEST(VocabTest, FromGguf) {
  auto gguf = WriteSpmGguf(/*with_tokens=*/true);
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  auto tokenizer = Tokenizer::FromGguf(**gguf);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  EXPECT_FALSE((*tokenizer)->vocab().add_bos());
  EXPECT_EQ((*tokenizer)->Tokenize("ab", {.add_special = true}), (std::vector<TokenId>{266}));
}

TEST(VocabTest, FromGgufNamesFileAndKey) {
  auto gguf = WriteSpmGguf(/*with_tokens=*/false);
  ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
  auto tokenizer = Tokenizer::FromGguf(**gguf);
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_NE(tokenizer.status().message().find("tiny.gguf"), std::string::npos);
  EXPECT_NE(tokenizer.status().message().find("tokenizer.ggml.tokens"), std::string::npos);
}

}  // namespace
}  // namespace savoir::engine
