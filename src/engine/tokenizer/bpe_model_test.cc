// Byte-level BPE on a hand-built vocabulary (see test_vocabs.h for the ids).
#include <gtest/gtest.h>

#include "engine/tokenizer/test_vocabs.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {
namespace {

using Ids = std::vector<TokenId>;

class BpeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokenizer_ = testing::MakeTokenizer(testing::SmallBpeSpec());
    ASSERT_NE(tokenizer_, nullptr);
  }
  Ids Tokenize(std::string_view text, TokenizeOptions options = {}) const {
    return tokenizer_->Tokenize(text, options);
  }
  std::unique_ptr<Tokenizer> tokenizer_;
};

TEST_F(BpeTest, MergesByRank) {
  EXPECT_EQ(Tokenize("hello world"), (Ids{259, 264}));
  EXPECT_EQ(Tokenize("hello"), (Ids{259}));
}

TEST_F(BpeTest, LowerRankMergesFirstWhereverItIs) {
  // "e l" has rank 9 and "l l" rank 1: "ell" becomes "e" + "ll", not "el" + "l".
  EXPECT_EQ(Tokenize("ell"), (Ids{'e', 257}));
  EXPECT_EQ(Tokenize("el"), (Ids{265}));
}

TEST_F(BpeTest, BytesMapToPrintableCodepoints) {
  // ' ' is Ġ (byte id 32 here), 'é' is the two bytes C3 A9.
  EXPECT_EQ(Tokenize(" x"), (Ids{32, 'x'}));
  EXPECT_EQ(Tokenize("\u00E9"), (Ids{0xC3, 0xA9}));
  // Invalid UTF-8 reads as U+FFFD (EF BF BD), as in llama.cpp.
  EXPECT_EQ(Tokenize("\xFF"), (Ids{0xEF, 0xBF, 0xBD}));
}

TEST_F(BpeTest, IgnoreMergesEmitsWholeWordTokens) {
  // gpt-2 merges: " abc" has no merges, so it stays four byte tokens.
  EXPECT_EQ(Tokenize(" abc"), (Ids{32, 'a', 'b', 'c'}));
  // llama-bpe ignores merges for words that are tokens.
  VocabSpec spec = testing::SmallBpeSpec("llama-bpe");
  auto llama3 = testing::MakeTokenizer(spec);
  ASSERT_NE(llama3, nullptr);
  EXPECT_EQ(llama3->Tokenize(" abc"), (Ids{266}));
  EXPECT_TRUE(llama3->vocab().add_bos());
  EXPECT_EQ(llama3->Tokenize(" abc", {.add_special = true}), (Ids{267, 266}));
}

TEST_F(BpeTest, SpecialTokens) {
  // Control tokens only with parse_special; user-defined ones always.
  EXPECT_EQ(Tokenize("hello<|endoftext|>", {.parse_special = true}), (Ids{259, 267}));
  const Ids plain = Tokenize("hello<|endoftext|>");
  // "hello" + "<|" "endoftext" "|>" spelled with byte tokens (2 + 9 + 2).
  EXPECT_EQ(plain.size(), 14u);
  EXPECT_EQ(Tokenize("hello<|user|>hello"), (Ids{259, 268, 259}));
}

TEST_F(BpeTest, NoBosUnlessAsked) {
  EXPECT_FALSE(tokenizer_->vocab().add_bos());
  EXPECT_EQ(Tokenize("hello", {.add_special = true}), (Ids{259}));
}

TEST_F(BpeTest, Detokenizes) {
  EXPECT_EQ(tokenizer_->Detokenize(Ids{259, 264}), "hello world");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{0xC3, 0xA9}), "\u00E9");
  EXPECT_EQ(tokenizer_->TokenToPiece(264), " world");
  EXPECT_EQ(tokenizer_->TokenToPiece(0xC3), "\xC3");
  EXPECT_EQ(tokenizer_->TokenToPiece(268), "<|user|>");
  EXPECT_EQ(tokenizer_->TokenToPiece(267), "");
  EXPECT_EQ(tokenizer_->Detokenize(Ids{259, 267}, {.render_special = true}), "hello<|endoftext|>");
}

TEST_F(BpeTest, CleansUpSpacesLikeLlamaCpp) {
  const Ids ids = Tokenize("a , b ' c 's d 're e 'll f !");
  EXPECT_EQ(tokenizer_->Detokenize(ids), "a, b'c's d're e 'll f!");
  EXPECT_EQ(tokenizer_->Detokenize(ids, {.clean_up_spaces = false}),
            "a , b ' c 's d 're e 'll f !");
}

TEST_F(BpeTest, RoundTripsAnyValidText) {
  const std::string text = "Hello, wörld! \t\n 123 \U0001F999 \u4E2D\u6587 don't";
  EXPECT_EQ(tokenizer_->Detokenize(Tokenize(text), {.clean_up_spaces = false}), text);
}

}  // namespace
}  // namespace savoir::engine
