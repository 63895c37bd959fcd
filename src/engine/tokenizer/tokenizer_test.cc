// Special-token parsing and the Tokenizer API around the algorithms.
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include "engine/tokenizer/test_vocabs.h"

namespace savoir::engine {
namespace {

using Ids = std::vector<TokenId>;

// SentencePiece vocabulary with extra user-defined tokens.
VocabSpec SpmWithSpecials(std::vector<std::string> extra, std::string model_name = "") {
  VocabSpec spec = testing::SmallSpmSpec();
  for (std::string& text : extra) {
    spec.tokens.push_back(std::move(text));
    spec.scores.push_back(0);
    spec.token_types.push_back(static_cast<int32_t>(TokenType::kUserDefined));
  }
  spec.model_name = std::move(model_name);
  return spec;
}

TEST(TokenizerTest, ControlTokensNeedParseSpecial) {
  auto tokenizer = testing::MakeTokenizer(testing::SmallSpmSpec());
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_EQ(tokenizer->Tokenize("ab<|end|>", {.parse_special = true}), (Ids{266, 270}));
  const Ids plain = tokenizer->Tokenize("ab<|end|>");
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 270), 0);
  EXPECT_EQ(tokenizer->Detokenize(plain), "ab<|end|>");
}

TEST(TokenizerTest, LongestSpecialTokenWins) {
  // "<a>b" (id 271) is longer than "<a>" (272): it is cut out first.
  auto tokenizer = testing::MakeTokenizer(SpmWithSpecials({"<a>b", "<a>"}));
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_EQ(tokenizer->Tokenize("<a>b<a>"), (Ids{271, 272}));
  EXPECT_EQ(tokenizer->Tokenize("<a><a>b"), (Ids{272, 271}));
}

TEST(TokenizerTest, Phi3SpecialTokensEatFollowingSpaces) {
  // llama.cpp strips spaces to the right of Phi-3's special tokens (by model name).
  auto phi3 = testing::MakeTokenizer(SpmWithSpecials({}, "Phi3"));
  ASSERT_NE(phi3, nullptr);
  EXPECT_TRUE(phi3->vocab().Attr(269) & kAttrRstrip);
  EXPECT_EQ(phi3->Tokenize("<|user|>  ab"), (Ids{269, 266}));
  auto plain = testing::MakeTokenizer(SpmWithSpecials({}));
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(plain->Tokenize("<|user|>  ab"), (Ids{269, 259, 259, 266}));
}

TEST(TokenizerTest, EndOfGeneration) {
  auto tokenizer = testing::MakeTokenizer(testing::SmallSpmSpec());
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_TRUE(tokenizer->IsEog(2));    // </s>, the EOS
  EXPECT_TRUE(tokenizer->IsEog(270));  // <|end|>, recognised by its text
  EXPECT_EQ(tokenizer->vocab().special().eot, 270);
  EXPECT_FALSE(tokenizer->IsEog(266));
}

TEST(TokenizerTest, ManySpecialTokensInLongText) {
  auto tokenizer = testing::MakeTokenizer(testing::SmallBpeSpec());
  ASSERT_NE(tokenizer, nullptr);
  std::string text;
  Ids expected;
  for (int i = 0; i < 20000; ++i) {
    text += "hello<|user|>";
    expected.push_back(259);
    expected.push_back(268);
  }
  EXPECT_EQ(tokenizer->Tokenize(text), expected);
}

TEST(TokenizerTest, DetokenizeSkipsUnknownIds) {
  auto tokenizer = testing::MakeTokenizer(testing::SmallBpeSpec());
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_EQ(tokenizer->Detokenize(Ids{259, -5, 1000000, 264}), "hello world");
}

}  // namespace
}  // namespace savoir::engine
