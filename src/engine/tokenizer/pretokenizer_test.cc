#include "engine/tokenizer/pretokenizer.h"

#include <gtest/gtest.h>

namespace savoir::engine::tokenizer_internal {
namespace {

using Words = std::vector<std::string>;

Words SplitWith(std::string_view pre, std::string_view text, bool byte_encode = false) {
  auto config = LookupPreTokenizer(pre);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  auto splitter = RegexSplitter::Create(config->patterns);
  EXPECT_TRUE(splitter.ok()) << splitter.status().ToString();
  Words words;
  (*splitter)->Split(text, byte_encode, &words);
  return words;
}

TEST(PreTokenizerTest, EveryKnownNameCompiles) {
  const std::vector<std::string_view> names = SupportedPreTokenizers();
  EXPECT_GT(names.size(), 60u);
  for (const std::string_view name : names) {
    auto config = LookupPreTokenizer(name);
    ASSERT_TRUE(config.ok()) << name;
    EXPECT_FALSE(config->patterns.empty()) << name;
    auto splitter = RegexSplitter::Create(config->patterns);
    EXPECT_TRUE(splitter.ok()) << name << ": " << splitter.status().ToString();
  }
}

TEST(PreTokenizerTest, UnknownNameIsNotFound) {
  auto config = LookupPreTokenizer("no-such-tokenizer");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_NE(config.status().message().find("no-such-tokenizer"), std::string::npos);
}

TEST(PreTokenizerTest, EmptyNameIsDefault) {
  auto config = LookupPreTokenizer("");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->family, "default");
}

TEST(PreTokenizerTest, NameOptions) {
  auto llama3 = LookupPreTokenizer("llama-bpe");
  ASSERT_TRUE(llama3.ok());
  EXPECT_EQ(llama3->family, "llama3");
  EXPECT_TRUE(llama3->ignore_merges);
  EXPECT_TRUE(llama3->add_bos);
  EXPECT_TRUE(llama3->clean_spaces);
  auto qwen = LookupPreTokenizer("qwen2");
  ASSERT_TRUE(qwen.ok());
  EXPECT_FALSE(qwen->clean_spaces);
  EXPECT_FALSE(qwen->ignore_merges);
  auto glm = LookupPreTokenizer("chatglm-bpe");
  ASSERT_TRUE(glm.ok());
  EXPECT_TRUE(glm->clear_bos);
}

TEST(PreTokenizerTest, Gpt2Pattern) {
  EXPECT_EQ(SplitWith("gpt-2", "Hello world's  test\n"),
            (Words{"Hello", " world", "'s", " ", " test", "\n"}));
  EXPECT_EQ(SplitWith("gpt-2", "a\t\tb 123!?"), (Words{"a", "\t", "\t", "b", " 123", "!?"}));
}

TEST(PreTokenizerTest, Llama3Pattern) {
  EXPECT_EQ(SplitWith("llama-bpe", "I'm 12345 abc!!\n\nx"),
            (Words{"I", "'m", " ", "123", "45", " abc", "!!\n\n", "x"}));
  EXPECT_EQ(SplitWith("llama-bpe", "WE'LL  go\n \n"), (Words{"WE", "'LL", " ", " go", "\n \n"}));
}

TEST(PreTokenizerTest, WhitespaceIsUnicodeWhiteSpace) {
  // U+0085 is White_Space (llama.cpp) though PCRE2's own \s leaves it out.
  EXPECT_EQ(SplitWith("gpt-2", "a\u0085\u0085b"), (Words{"a", "\u0085", "\u0085", "b"}));
  EXPECT_EQ(SplitWith("gpt-2", "a\u3000\u3000b"), (Words{"a", "\u3000", "\u3000", "b"}));
}

TEST(PreTokenizerTest, LaterPatternsSplitEarlierPieces) {
  // deepseek-coder: newlines, letters, punctuation, CJK, then single digits.
  EXPECT_EQ(SplitWith("deepseek-coder", "ab12\ncd!"), (Words{"ab", "1", "2", "\n", "cd", "!"}));
}

TEST(PreTokenizerTest, EmptyMatchesSplitLikeStdRegex) {
  // superbpe groups digits by three from the right with a pure lookahead.
  EXPECT_EQ(SplitWith("superbpe", "1234567"), (Words{"1", "234", "567"}));
}

TEST(PreTokenizerTest, SymbolClassLeavesOutTildeAsLlamaCpp) {
  // llama.cpp's ASCII stand-in for \p{S} lacks '~', so "!~" is two pieces.
  EXPECT_EQ(SplitWith("deepseek-v3", "!~"), (Words{"!", "~"}));
  EXPECT_EQ(SplitWith("deepseek-v3", "!$"), (Words{"!$"}));
}

TEST(PreTokenizerTest, InvalidUtf8BecomesReplacementChar) {
  EXPECT_EQ(SplitWith("gpt-2",
                      "a\xFF"
                      "b"),
            (Words{"a", "\uFFFD", "b"}));
  EXPECT_EQ(SplitWith("gpt-2", "\xED\xA0\x80"), (Words{"\xED\xA0\x80"}));
}

TEST(PreTokenizerTest, ByteEncoding) {
  EXPECT_EQ(SplitWith("gpt-2", " hi\n", /*byte_encode=*/true), (Words{"\u0120hi", "\u010A"}));
  EXPECT_EQ(SplitWith("gpt-2", "\u00E9", /*byte_encode=*/true), (Words{"\u00C3\u00A9"}));
}

TEST(PreTokenizerTest, TranslatePattern) {
  auto translated = TranslatePattern(R"(\s+(?!\S)|[^\s\p{L}])");
  ASSERT_TRUE(translated.ok());
  EXPECT_EQ(translated->find("\\s"), std::string::npos);
  EXPECT_NE(translated->find("\\x{85}"), std::string::npos);
  EXPECT_EQ(*TranslatePattern(R"(\p{Lu}+)"), R"(\p{L}+)");
  EXPECT_FALSE(TranslatePattern(R"([\S])").ok());
  EXPECT_FALSE(TranslatePattern(R"([abc)").ok());
}

TEST(PreTokenizerTest, BadPatternIsInvalidArgument) {
  auto splitter = RegexSplitter::Create({"(unclosed"});
  ASSERT_FALSE(splitter.ok());
  EXPECT_EQ(splitter.status().code(), StatusCode::kInvalidArgument);
}

TEST(PreTokenizerTest, LongInputsStayLinear) {
  // One 200 KB word and one 200 KB run of spaces: both split without blowing up.
  EXPECT_EQ(SplitWith("gpt-2", std::string(200000, 'a')).size(), 1u);
  EXPECT_EQ(SplitWith("llama-bpe", std::string(200000, ' ') + "x"),
            (Words{std::string(199999, ' '), " x"}));
}

}  // namespace
}  // namespace savoir::engine::tokenizer_internal
