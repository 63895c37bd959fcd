// Unicode helpers of the tokenizers: UTF-8 decoding with llama.cpp's error rules, codepoint
// classes (letter, number, punctuation, ...), BERT's lower-casing and accent folding, and
// GPT-2's byte <-> printable-codepoint mapping.
//
// Decoding follows llama.cpp so that token ids match it on any input: a byte that does not
// start a complete sequence decodes to U+FFFD and decoding resumes at the next byte. Overlong
// forms and surrogates are accepted as llama.cpp accepts them; values above U+10FFFF become
// U+FFFD (llama.cpp would abort there).
//
// Codepoint classes come from utf8proc (Debian's libutf8proc). "Whitespace" is Unicode's
// White_Space property, "control" is the whole C group (Cc, Cf, Cs, Co and unassigned Cn),
// as in llama.cpp's tables.
//
// Thread safety: all functions are pure or read constant tables.
#ifndef SAVOIR_ENGINE_TOKENIZER_UNICODE_H_
#define SAVOIR_ENGINE_TOKENIZER_UNICODE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace savoir::engine::tokenizer_internal {

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// Length of the UTF-8 sequence that `lead` starts, from its top four bits (1 for a
// continuation or invalid byte), as llama.cpp's unicode_len_utf8.
inline size_t Utf8SequenceLength(char lead) {
  static constexpr uint8_t kLengths[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLengths[static_cast<uint8_t>(lead) >> 4];
}

// Decodes the codepoint at `*offset` and advances `*offset` past it (by one byte when the
// sequence is invalid, returning U+FFFD). Requires *offset < text.size().
uint32_t DecodeCodepoint(std::string_view text, size_t* offset);

// Decodes all of `text`.
std::vector<uint32_t> DecodeUtf8(std::string_view text);

// Appends the UTF-8 form of `cpt` (which must be <= 0x10FFFF; surrogates are written as
// three bytes, like llama.cpp does).
void AppendUtf8(uint32_t cpt, std::string* out);
std::string EncodeUtf8(uint32_t cpt);

// Bit flags of a codepoint's class.
enum CodepointClass : uint16_t {
  kClassNumber = 1 << 0,       // \p{N}
  kClassLetter = 1 << 1,       // \p{L}
  kClassSeparator = 1 << 2,    // \p{Z}
  kClassMark = 1 << 3,         // \p{M}
  kClassPunctuation = 1 << 4,  // \p{P}
  kClassSymbol = 1 << 5,       // \p{S}
  kClassControl = 1 << 6,      // \p{C}
  kClassWhitespace = 1 << 7,   // White_Space
};

// The class flags of `cpt`: exactly one general-category flag, plus kClassWhitespace.
uint16_t CodepointClasses(uint32_t cpt);
bool IsWhitespace(uint32_t cpt);

// Simple lower-case mapping.
uint32_t ToLower(uint32_t cpt);

// First codepoint of the canonical decomposition (NFD) of `cpt`: 'é' -> 'e'. This is how
// llama.cpp folds accents for BERT, one codepoint to one.
uint32_t NfdFirst(uint32_t cpt);

// GPT-2's reversible mapping of the 256 byte values to printable codepoints, as UTF-8.
const std::string& ByteToUnicode(uint8_t byte);
// The byte that `cpt` stands for in GPT-2's mapping, or -1 when it stands for none.
int UnicodeToByte(uint32_t cpt);

// True when `text` is entirely well-formed UTF-8 (no overlongs, surrogates or values above
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Length of the well-formed UTF-8 sequence at the start of `text`: > 0 when complete, 0 when
// `text` is a proper prefix of a well-formed sequence (more bytes may complete it), -1 when
// the first byte cannot start a well-formed sequence with the bytes that follow.
int StrictSequenceLength(std::string_view text);

}  // namespace savoir::engine::tokenizer_internal

#endif  // SAVOIR_ENGINE_TOKENIZER_UNICODE_H_
