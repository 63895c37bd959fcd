#include "engine/tokenizer/incremental_decoder.h"

#include <gtest/gtest.h>

#include "engine/tokenizer/test_vocabs.h"
#include "engine/tokenizer/unicode.h"

namespace savoir::engine {
namespace {

using testing::kSpmByte0;

class IncrementalDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spm_ = testing::MakeTokenizer(testing::SmallSpmSpec());
    bpe_ = testing::MakeTokenizer(testing::SmallBpeSpec());
    ASSERT_NE(spm_, nullptr);
    ASSERT_NE(bpe_, nullptr);
  }
  std::unique_ptr<Tokenizer> spm_;
  std::unique_ptr<Tokenizer> bpe_;
};

TEST_F(IncrementalDecoderTest, HoldsEmojiSplitOverByteTokens) {
  IncrementalDecoder decoder(spm_.get());
  EXPECT_EQ(decoder.Push(263), " a");
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0xF0), "");
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0x9F), "");
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0xA6), "");
  EXPECT_EQ(decoder.pending_bytes(), 3u);
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0x99), "\U0001F999");
  EXPECT_EQ(decoder.pending_bytes(), 0u);
  EXPECT_EQ(decoder.Finish(), "");
}

TEST_F(IncrementalDecoderTest, HoldsAccentSplitOverBpeTokens) {
  IncrementalDecoder decoder(bpe_.get());
  EXPECT_EQ(decoder.Push('e'), "e");
  EXPECT_EQ(decoder.Push(0xC3), "");
  EXPECT_EQ(decoder.Push(0xA9), "\u00E9");
  EXPECT_EQ(decoder.Push(264), " world");
}

TEST_F(IncrementalDecoderTest, ReplacesBytesThatCannotFormCharacters) {
  IncrementalDecoder decoder(spm_.get());
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0x80), "\uFFFD");  // stray continuation byte
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0xC3), "");
  EXPECT_EQ(decoder.Push(kSpmByte0 + 'a'),
            "\uFFFD"
            "a");  // cut short by another character
  EXPECT_EQ(decoder.Push(kSpmByte0 + 0xE2), "");
  EXPECT_EQ(decoder.Finish(), "\uFFFD");  // the stream ended inside one
}

TEST_F(IncrementalDecoderTest, OutputIsAlwaysValidUtf8) {
  IncrementalDecoder decoder(spm_.get());
  std::string all;
  for (int b = 0; b < 256; ++b) {
    const std::string out = decoder.Push(kSpmByte0 + ((b * 37) & 0xFF));
    EXPECT_TRUE(tokenizer_internal::IsValidUtf8(out));
    all += out;
  }
  all += decoder.Finish();
  EXPECT_TRUE(tokenizer_internal::IsValidUtf8(all));
}

TEST_F(IncrementalDecoderTest, LeadingSpaceAndSpecialTokens) {
  IncrementalDecoder strip(spm_.get(), {.strip_leading_space = true});
  EXPECT_EQ(strip.Push(266), "ab");
  EXPECT_EQ(strip.Push(263), " a");
  IncrementalDecoder keep(spm_.get());
  EXPECT_EQ(keep.Push(266), " ab");
  EXPECT_EQ(keep.Push(270), "");
  IncrementalDecoder render(spm_.get(), {.render_special = true});
  EXPECT_EQ(render.Push(270), "<|end|>");
}

TEST_F(IncrementalDecoderTest, MatchesDetokenize) {
  const std::string text = "abc aa \U0001F999 b\u00E9c \u4E2D a";
  const std::vector<TokenId> ids = spm_->Tokenize(text);
  IncrementalDecoder decoder(spm_.get(), {.strip_leading_space = true});
  std::string streamed;
  for (const TokenId id : ids) streamed += decoder.Push(id);
  streamed += decoder.Finish();
  EXPECT_EQ(streamed, spm_->Detokenize(ids, {.clean_up_spaces = false}));
  EXPECT_EQ(streamed, text);
}

}  // namespace
}  // namespace savoir::engine
