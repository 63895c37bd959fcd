// Unicode helpers of the text analyzer (internal to savoir_text_index): UTF-8 decoding,
// character classes for word segmentation, lower-casing and accent folding, built on
// utf8proc.
//
// Thread safety: pure functions.
#ifndef SAVOIR_INDEX_TEXT_UNICODE_TEXT_H_
#define SAVOIR_INDEX_TEXT_UNICODE_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace savoir::index::unicode {

enum class CharClass : uint8_t {
  kSeparator,
  kLetter,
  kMark,
  kDigit,
  kIdeograph,        // Han, Hiragana, Katakana: one word per character
  kApostrophe,       // ' U+2019 U+02BC
  kHyphen,           // - U+2010 U+2011
  kNumberSeparator,  // . ,
};

struct CodePoint {
  int32_t value;  // -1 for an invalid byte
  CharClass cls;
};

// Decodes `text`; each invalid byte becomes one {-1, kSeparator}.
std::vector<CodePoint> Decode(std::string_view text);

// True for letters, marks and digits: the characters words are made of.
inline bool IsWordChar(CharClass c) {
  return c == CharClass::kLetter || c == CharClass::kMark || c == CharClass::kDigit;
}

// Appends the UTF-8 encoding of `cp` (which must be a valid scalar value).
void AppendUtf8(int32_t cp, std::string* out);

// Appends the simple lower-case mapping of `cp`.
void AppendLower(int32_t cp, std::string* out);

// NFC normalisation of valid UTF-8; returns the input unchanged if utf8proc rejects it.
std::string ComposeNfc(std::string_view text);

// Appends the folded form of `cp`: NFKD, marks stripped, case-folded, œ/æ/ø/ł/đ spelled out.
void AppendFolded(int32_t cp, std::string* out);

// Folds a whole UTF-8 string (invalid bytes dropped).
std::string Fold(std::string_view text);

}  // namespace savoir::index::unicode

#endif  // SAVOIR_INDEX_TEXT_UNICODE_TEXT_H_
