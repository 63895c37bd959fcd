// SentencePiece tokenization on a hand-built vocabulary (see test_vocabs.h for the ids).
#include <gtest/gtest.h>

#include "engine/tokenizer/test_vocabs.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {
namespace {

using testing::kSpmByte0;
using Ids = std::vector<TokenId>;

class SpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = testing::MakeTokenizer(testing::SmallSpmSpec());
    ASSERT_NE(tokenizer_, nullptr);
  }
  Ids Tokenize(std::string_view text, TokenizeOptions options = {}) const {
    return tokenizer_->Tokenize(text, options);
  }
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(SpmTest, MergesHighestScoreFirst) {
  // "▁ab": "ab" (-0.5) beats "▁a" (-1.5), then "▁ab" forms.
  EXPECT_EQ(Tokenize("ab"), (Ids{266}));
  // "▁abc": "bc" (-0.1) first, then "abc" (-0.3); "▁abc" is no token.
  EXPECT_EQ(Tokenize("abc"), (Ids{259, 267}));
}

TEST_F(SpmTest, EqualScoresMergeLeftmostFirst) {
  // "▁aaa": the two "aa" pairs score alike; the left one wins.
  EXPECT_EQ(Tokenize("aaa"), (Ids{259, 268, 260}));
}

TEST_F(SpmTest, SpacesBecomeWordMarks) {
  EXPECT_EQ(Tokenize("a b"), (Ids{263, 259, 261}));
  EXPECT_EQ(Tokenize(" a"), (Ids{259, 263}));
}

TEST_F(SpmTest, EmptyInputGivesNoTokens) {
  EXPECT_EQ(Tokenize(""), Ids{});
  EXPECT_EQ(Tokenize("", {.add_special = true}), (Ids{1}));
}

TEST_F(SpmTest, UnknownCharactersFallBackToBytes) {
  EXPECT_EQ(Tokenize("a\u00E9"), (Ids{263, kSpmByte0 + 0xC3, kSpmByte0 + 0xA9}));
  // Invalid UTF-8 too: each byte that forms no token is a byte token.
  EXPECT_EQ(Tokenize("\xFF"), (Ids{259, kSpmByte0 + 0xFF}));
  EXPECT_EQ(Tokenize("\xE2"
                     "ab"),
            (Ids{259, kSpmByte0 + 0xE2, kSpmByte0 + 'a', kSpmByte0 + 'b'}));
}

TEST_F(SpmTest, AddsBosAsTheVocabularySays) {
  EXPECT_EQ(Tokenize("ab", {.add_special = true}), (Ids{1, 266}));
  VocabSpec spec = testing::SmallSpmSpec();
  spec.add_bos = false;
  spec.add_eos = true;
  auto tokenizer = testing::MakeTokenizer(spec);
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_EQ(tokenizer->Tokenize("ab", {.add_special = true}), (Ids{266, 2}));
}

TEST_F(SpmTest, SpacePrefixCanBeTurnedOff) {
  VocabSpec spec = testing::SmallSpmSpec();
  spec.add_space_prefix = false;
  auto tokenizer = testing::MakeTokenizer(spec);
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_EQ(tokenizer->Tokenize("ab"), (Ids{264}));
  EXPECT_EQ(tokenizer->Tokenize("aaa"), (Ids{268, 260}));
}

TEST_F(SpmTest, SpacePrefixAfterSpecialTokens) {
  // A text fragment after a special token gets its own leading space, as at the start.
  EXPECT_EQ(Tokenize("<s>ab", {.parse_special = true}), (Ids{1, 266}));
  EXPECT_EQ(Tokenize("ab<|user|>ab"), (Ids{266, 269, 266}));
}

TEST_F(SpmTest, Detokenizes) {
  EXPECT_EQ(tokenizer_->Detokenize(Ids{266, 263}), "ab a");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{266, 259, 263}), "ab  a");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{259, 263}), " a");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{263, kSpmByte0 + 0xC3, kSpmByte0 + 0xA9}), "a\u00E9");
  // As llama.cpp: the first token (here an invisible <s>) uses up the space removal.
  EXPECT_EQ(tokenizer_->Detokenize(Ids{1, 266, 2}), " ab");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{1, 266, 2}, {.render_special = true}), "<s> ab</s>");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{1, 266}, {.remove_special = true}), " ab");
}

TEST_F(SpmTest, TokenToPiece) {
  EXPECT_EQ(tokenizer_->TokenToPiece(266), " ab");
  EXPECT_EQ(tokenizer_->TokenToPiece(kSpmByte0 + 0x41), "A");
  EXPECT_EQ(tokenizer_->TokenToPiece(269), "<|user|>");
  EXPECT_EQ(tokenizer_->TokenToPiece(270), "");
  EXPECT_EQ(tokenizer_->TokenToPiece(270, /*render_special=*/true), "<|end|>");
  EXPECT_EQ(tokenizer_->TokenToPiece(-1), "");
  EXPECT_EQ(tokenizer_->TokenToPiece(100000), "");
}

}  // namespace
}  // namespace savoir::engine
