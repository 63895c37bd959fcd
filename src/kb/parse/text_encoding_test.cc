#include "kb/parse/text_encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace savoir::kb {
namespace {

std::optional<DecodedText> Decode(const std::string& bytes) {
  return DecodeText({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}

TEST(TextEncodingTest, Utf8PassesThroughWithoutBom) {
  auto d = Decode(
      "\xEF\xBB\xBF"
      "caf\xC3\xA9\r\nligne\rdeux");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->encoding, TextEncoding::kUtf8);
  EXPECT_EQ(d->text, "caf\xC3\xA9\nligne\ndeux");
}

TEST(TextEncodingTest, InvalidUtf8FallsBackToWindows1252) {
  auto d = Decode("caf\xE9 \x80 \x93ok\x94 \x81");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->encoding, TextEncoding::kWindows1252);
  EXPECT_EQ(d->text, "caf\u00E9 \u20AC \u201Cok\u201D \u0081");
}

TEST(TextEncodingTest, Utf16WithBom) {
  std::string le = "\xFF\xFE";
  std::string be = "\xFE\xFF";
  for (char16_t c : std::u16string(u"\u00E9t\u00E9 \U0001F600")) {
    le += static_cast<char>(c & 0xFF);
    le += static_cast<char>(c >> 8);
    be += static_cast<char>(c >> 8);
    be += static_cast<char>(c & 0xFF);
  }
  auto d = Decode(le);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->encoding, TextEncoding::kUtf16Le);
  EXPECT_EQ(d->text, "\u00E9t\u00E9 \U0001F600");
  d = Decode(be);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->encoding, TextEncoding::kUtf16Be);
  EXPECT_EQ(d->text, "\u00E9t\u00E9 \U0001F600");
}

TEST(TextEncodingTest, Utf16WithoutBomIsRecognised) {
  std::string le;
  for (char c : std::string("Hello world, plain text.")) le += std::string{c, '\0'};
  auto d = Decode(le);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->encoding, TextEncoding::kUtf16Le);
  EXPECT_EQ(d->text, "Hello world, plain text.");
}

TEST(TextEncodingTest, LoneSurrogateBecomesReplacementCharacter) {
  auto d =
      Decode(std::string("\xFF\xFE\x00\xD8"
                         "a\x00",
                         6));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->text, "\uFFFDa");
}

TEST(TextEncodingTest, BinaryIsRejected) {
  EXPECT_FALSE(Decode(std::string("abc\0def", 7)));
  std::string controls(200, '\x01');
  EXPECT_FALSE(Decode("text " + controls));
}

TEST(TextEncodingTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain ascii text that is long enough for the fast path"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE2\x82"));       // truncated
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\uFFFD"
            "b");
}

}  // namespace
}  // namespace savoir::kb
