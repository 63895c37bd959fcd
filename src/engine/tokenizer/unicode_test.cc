#include "engine/tokenizer/unicode.h"

#include <gtest/gtest.h>

namespace savoir::engine::tokenizer_internal {
namespace {

TEST(UnicodeTest, DecodesValidUtf8) {
  EXPECT_EQ(DecodeUtf8("a\u00E9\u20AC\U0001F999"),
            (std::vector<uint32_t>{'a', 0xE9, 0x20AC, 0x1F999}));
}

TEST(UnicodeTest, DecodesInvalidBytesAsLlamaCpp) {
  // A cut sequence and a stray continuation byte each give U+FFFD and skip one byte.
  EXPECT_EQ(DecodeUtf8("\xE2\x82"
                       "A"),
            (std::vector<uint32_t>{0xFFFD, 0xFFFD, 'A'}));
  // Overlong forms and surrogates are accepted, values past U+10FFFF are not.
  EXPECT_EQ(DecodeUtf8("\xC0\x80"), (std::vector<uint32_t>{0}));
  EXPECT_EQ(DecodeUtf8("\xED\xA0\x80"), (std::vector<uint32_t>{0xD800}));
  EXPECT_EQ(DecodeUtf8("\xF4\x90\x80\x80"),
            (std::vector<uint32_t>{0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD}));
  EXPECT_EQ(DecodeUtf8("\xFF"), (std::vector<uint32_t>{0xFFFD}));
}

TEST(UnicodeTest, EncodesUtf8) {
  EXPECT_EQ(EncodeUtf8('a'), "a");
  EXPECT_EQ(EncodeUtf8(0xE9), "\u00E9");
  EXPECT_EQ(EncodeUtf8(0x20AC), "\u20AC");
  EXPECT_EQ(EncodeUtf8(0x1F999), "\U0001F999");
}

TEST(UnicodeTest, ClassifiesCodepoints) {
  EXPECT_EQ(CodepointClasses('a'), kClassLetter);
  EXPECT_EQ(CodepointClasses(0x0416), kClassLetter);  // Ж
  EXPECT_EQ(CodepointClasses('5'), kClassNumber);
  EXPECT_EQ(CodepointClasses(0xBD), kClassNumber);  // ½
  EXPECT_EQ(CodepointClasses(','), kClassPunctuation);
  EXPECT_EQ(CodepointClasses('$'), kClassSymbol);
  EXPECT_EQ(CodepointClasses('~'), kClassSymbol);
  EXPECT_EQ(CodepointClasses(0x1F999), kClassSymbol);
  EXPECT_EQ(CodepointClasses(0x0301), kClassMark);
  EXPECT_EQ(CodepointClasses(' '), kClassSeparator | kClassWhitespace);
  EXPECT_EQ(CodepointClasses('\t'), kClassControl | kClassWhitespace);
  EXPECT_EQ(CodepointClasses(0x85), kClassControl | kClassWhitespace);
  EXPECT_EQ(CodepointClasses(0x3000), kClassSeparator | kClassWhitespace);
  EXPECT_EQ(CodepointClasses(0x200D), kClassControl);  // zero width joiner (Cf)
  EXPECT_EQ(CodepointClasses(0x1C), kClassControl);    // not White_Space
  EXPECT_EQ(CodepointClasses(0x0378), kClassControl);  // unassigned
}

TEST(UnicodeTest, LowerCasesAndFoldsAccents) {
  EXPECT_EQ(ToLower('A'), 'a');
  EXPECT_EQ(ToLower(0x0411), 0x0431u);  // Б -> б
  EXPECT_EQ(ToLower('1'), '1');
  EXPECT_EQ(NfdFirst(0xE9), 'e');        // é
  EXPECT_EQ(NfdFirst(0x1EED), 'u');      // ử (two marks)
  EXPECT_EQ(NfdFirst(0xAC00), 0x1100u);  // 가 -> leading jamo
  EXPECT_EQ(NfdFirst('a'), 'a');
  EXPECT_EQ(NfdFirst(0x4E2D), 0x4E2Du);
}

TEST(UnicodeTest, Gpt2ByteMappingIsABijection) {
  EXPECT_EQ(ByteToUnicode(' '), "\u0120");   // Ġ
  EXPECT_EQ(ByteToUnicode('\n'), "\u010A");  // Ċ
  EXPECT_EQ(ByteToUnicode(0x00), "\u0100");
  EXPECT_EQ(ByteToUnicode(0xAD), "\u0143");
  EXPECT_EQ(ByteToUnicode('a'), "a");
  EXPECT_EQ(ByteToUnicode(0xE9), "\u00E9");
  for (int b = 0; b < 256; ++b) {
    const std::vector<uint32_t> cpts = DecodeUtf8(ByteToUnicode(static_cast<uint8_t>(b)));
    ASSERT_EQ(cpts.size(), 1u);
    EXPECT_EQ(UnicodeToByte(cpts[0]), b);
  }
  EXPECT_EQ(UnicodeToByte(0x20), -1);
  EXPECT_EQ(UnicodeToByte(0x2581), -1);
}

TEST(UnicodeTest, StrictSequenceLength) {
  EXPECT_EQ(StrictSequenceLength("a"), 1);
  EXPECT_EQ(StrictSequenceLength("\xE2\x82\xAC"), 3);
  EXPECT_EQ(StrictSequenceLength("\xE2\x82"), 0);
  EXPECT_EQ(StrictSequenceLength("\xF0\x9F\xA6"), 0);
  EXPECT_EQ(StrictSequenceLength("\xC0\x80"), -1);
  EXPECT_EQ(StrictSequenceLength("\xED\xA0\x80"), -1);
  EXPECT_EQ(StrictSequenceLength("\xF4\x90\x80\x80"), -1);
  EXPECT_EQ(StrictSequenceLength("\x80"), -1);
  EXPECT_EQ(StrictSequenceLength("\xC3"
                                 "a"),
            -1);
  EXPECT_TRUE(IsValidUtf8("h\u00E9llo \U0001F999"));
  EXPECT_FALSE(IsValidUtf8("h\xE9llo"));
}

}  // namespace
}  // namespace savoir::engine::tokenizer_internal
