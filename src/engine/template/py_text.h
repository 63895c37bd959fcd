// Python text semantics over UTF-8 strings, for the Jinja2 interpreter.
//
// Jinja2 templates run on Python `str` values: sequences of code points with Python's rules for
// whitespace, case mapping, `repr()` and float printing. This file holds those rules as pure
// functions over UTF-8 `std::string`s so that the interpreter prints exactly what CPython prints.
//
// Invalid UTF-8 never fails: each byte that is not part of a valid sequence decodes to the code
// point U+DC80+byte (Python's "surrogateescape") and encodes back to the same byte, so any input
// round-trips unchanged.
//
// Case mapping covers ASCII, Latin-1, Latin Extended-A and Additional, Greek, Cyrillic, Armenian,
// fullwidth Latin, Roman numerals and circled letters, with the special cases of `ß`, `İ`, `ŉ`
// and the Greek final sigma; other scripts are left unchanged (Python would map a few more).
//
// Thread safety: all functions are pure.
#ifndef SAVOIR_ENGINE_TEMPLATE_PY_TEXT_H_
#define SAVOIR_ENGINE_TEMPLATE_PY_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace savoir::engine::jinja {

// Decodes UTF-8 to code points (invalid bytes become U+DC80+byte).
std::u32string DecodeUtf8(std::string_view text);
// Appends the UTF-8 encoding of `cp` (U+DC80..U+DCFF become the raw byte 0x80..0xFF).
void AppendUtf8(char32_t cp, std::string* out);
std::string EncodeUtf8(std::u32string_view text);
// Number of code points, as Python's len() counts them.
size_t CodePointCount(std::string_view text);
bool IsAscii(std::string_view text);

// Character classes with Python's definitions (str.isspace, str.isprintable, ...).
bool IsPySpace(char32_t cp);
bool IsPyPrintable(char32_t cp);
bool IsPyUpper(char32_t cp);
bool IsPyLower(char32_t cp);
bool IsPyCased(char32_t cp);
bool IsPyAlpha(char32_t cp);
bool IsPyDigit(char32_t cp);
// Characters of Python's regex class \w (letters, digits, underscore).
bool IsPyWordChar(char32_t cp);

// Full case mappings of one code point, appended to `out`.
void AppendUpper(char32_t cp, std::u32string* out);
void AppendLower(char32_t cp, std::u32string* out);
void AppendTitle(char32_t cp, std::u32string* out);

// str.upper(), str.lower(), str.title(), str.capitalize(), str.swapcase(), str.casefold().
std::string PyUpper(std::string_view text);
std::string PyLower(std::string_view text);
std::string PyTitle(std::string_view text);
std::string PyCapitalize(std::string_view text);
std::string PySwapcase(std::string_view text);
// str.isupper() / str.islower(): at least one cased character and all cased ones match.
bool PyIsUpper(std::string_view text);
bool PyIsLower(std::string_view text);

// str.strip/lstrip/rstrip; `chars` absent strips whitespace.
std::string PyStrip(std::string_view text, const std::optional<std::string>& chars, bool left,
                    bool right);
// str.split(sep, maxsplit) / str.rsplit; absent `sep` splits on runs of whitespace.
std::vector<std::string> PySplit(std::string_view text, const std::optional<std::string>& sep,
                                 int64_t maxsplit, bool from_right);
// str.splitlines(keepends).
std::vector<std::string> PySplitLines(std::string_view text, bool keepends);
// str.replace(old, new, count); count < 0 replaces all.
std::string PyReplace(std::string_view text, std::string_view old_text, std::string_view new_text,
                      int64_t count);
// str.count(sub).
int64_t PyCount(std::string_view text, std::string_view sub);
// str.find(sub) in code points, -1 when absent; `reverse` gives rfind.
int64_t PyFind(std::string_view text, std::string_view sub, bool reverse);

// repr() of a str, with Python's choice of quotes and escapes.
std::string PyStrRepr(std::string_view text);
// repr() of a float: the shortest round-trip digits, "1.0", "1e-05", "inf", "nan".
std::string PyFloatRepr(double value);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_PY_TEXT_H_
