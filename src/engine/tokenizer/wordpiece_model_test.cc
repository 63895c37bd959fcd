// WordPiece on a hand-built vocabulary (see test_vocabs.h for the ids).
#include <gtest/gtest.h>

#include "engine/tokenizer/test_vocabs.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {
namespace {

using Ids = std::vector<TokenId>;

class WordPieceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = testing::MakeTokenizer(testing::SmallWordPieceSpec());
    ASSERT_NE(tokenizer_, nullptr);
  }
  Ids Tokenize(std::string_view text, TokenizeOptions options = {}) const {
    return tokenizer_->Tokenize(text, options);
  }
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(WordPieceTest, LowerCasesAndSplitsPunctuation) {
  EXPECT_EQ(Tokenize("Hello, World!"), (Ids{5, 10, 6, 11}));
  EXPECT_EQ(Tokenize("  hello\t\nworld  "), (Ids{5, 6}));
}

TEST_F(WordPieceTest, GreedyLongestMatchWithContinuations) {
  EXPECT_EQ(Tokenize("unaffable"), (Ids{7, 8, 9}));
}

TEST_F(WordPieceTest, FoldsAccents) { EXPECT_EQ(Tokenize("Caf\u00E9 CAFE\u0301"), (Ids{12, 12})); }

TEST_F(WordPieceTest, SplitsCjkCharacters) { EXPECT_EQ(Tokenize("\u4E2D\u56FD"), (Ids{13, 1})); }

TEST_F(WordPieceTest, UnspellableWordIsUnknown) {
  // "abx": "▁a" and "b" match, "x" does not, so the whole word is [UNK].
  EXPECT_EQ(Tokenize("abx hello"), (Ids{1, 5}));
  EXPECT_EQ(Tokenize("ab"), (Ids{14, 15}));
}

TEST_F(WordPieceTest, DropsControlCharacters) {
  using std::string_view_literals::operator""sv;
  EXPECT_EQ(Tokenize("\u200Dhel\0lo"sv), (Ids{5}));
}

TEST_F(WordPieceTest, AddsClsAndSep) {
  EXPECT_EQ(tokenizer_->bos(), 2);
  EXPECT_EQ(Tokenize("hello", {.add_special = true}), (Ids{2, 5, 3}));
  EXPECT_EQ(Tokenize("", {.add_special = true}), (Ids{2, 3}));
  EXPECT_EQ(Tokenize("[CLS] hello", {.parse_special = true}), (Ids{2, 5}));
}

TEST_F(WordPieceTest, Detokenizes) {
  EXPECT_EQ(tokenizer_->Detokenize(Ids{5, 10, 6, 11}), "hello, world!");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{7, 8, 9}), "unaffable");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{2, 5, 3}, {.render_special = true}), "[CLS] hello[SEP]");
}

TEST_F(WordPieceTest, NormalizerKeys) {
  VocabSpec spec = testing::SmallWordPieceSpec();
  spec.lowercase = false;
  auto cased = testing::MakeTokenizer(spec);
  ASSERT_NE(cased, nullptr);
  EXPECT_FALSE(cased->vocab().strip_accents());
  EXPECT_EQ(cased->Tokenize("Hello hello"), (Ids{1, 5}));
  EXPECT_EQ(cased->Tokenize("caf\u00E9"), (Ids{1}));
}

}  // namespace
}  // namespace savoir::engine
