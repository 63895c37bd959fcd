// Text decoding for the document parser: bytes of unknown encoding to valid UTF-8.
//
// Encodings recognised: UTF-8 (with or without BOM), UTF-16 LE/BE (with a BOM, or without
// one when the pattern of zero bytes makes it obvious), and, for bytes that are not valid
// UTF-8, Windows-1252 (a superset of Latin-1 for printable text). Line endings are normalised
// to "\n". Content that looks binary (NUL bytes outside UTF-16, many control characters) is
// rejected so that a binary file is never indexed as garbage text.
//
// Thread safety: free functions, thread-safe.
#ifndef SAVOIR_KB_PARSE_TEXT_ENCODING_H_
#define SAVOIR_KB_PARSE_TEXT_ENCODING_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace savoir::kb {

enum class TextEncoding : uint8_t { kUtf8, kUtf16Le, kUtf16Be, kWindows1252 };

// "utf-8", "utf-16le", "utf-16be", "windows-1252".
std::string_view TextEncodingName(TextEncoding encoding);

struct DecodedText {
  std::string text;  // valid UTF-8, "\n" line endings, no BOM
  TextEncoding encoding = TextEncoding::kUtf8;
};

// Decodes `bytes` as described above; nullopt when the content looks binary.
std::optional<DecodedText> DecodeText(std::span<const uint8_t> bytes);

// True when `text` is entirely valid UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Appends code point `cp` as UTF-8 (U+FFFD for invalid values).
void AppendUtf8(uint32_t cp, std::string* out);

// Replaces invalid UTF-8 sequences of `text` by U+FFFD.
std::string SanitizeUtf8(std::string_view text);

}  // namespace savoir::kb

#endif  // SAVOIR_KB_PARSE_TEXT_ENCODING_H_
