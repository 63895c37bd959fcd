#include "kb/parse/text_encoding.h"

#include <array>
#include <cstring>

namespace savoir::kb {
namespace {

// Windows-1252 code points for bytes 0x80-0x9F (0 where the code page leaves them undefined;
// those are read as the C1 control of the same value, as browsers do).
constexpr std::array<uint16_t, 32> kCp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) return 1;
  size_t n;
  uint32_t min;
  uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool LooksBinary(std::string_view text) {
  size_t controls = 0;
  for (char ch : text) {
    const auto c = static_cast<uint8_t>(ch);
    if (c == 0) return true;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1B) {
      ++controls;
    }
  }
  return controls * 100 > text.size() + 100;  // more than ~1%, with slack for short texts
}

// Guesses UTF-16 without a BOM: text in Latin scripts has a zero in every other byte.
std::optional<TextEncoding> GuessBomlessUtf16(std::span<const uint8_t> b) {
  if (b.size() < 8 || b.size() % 2 != 0) return std::nullopt;
  const size_t n = b.size() < 4096 ? b.size() : 4096;
  size_t even_zero = 0;
  size_t odd_zero = 0;
  for (size_t i = 0; i + 1 < n; i += 2) {
    even_zero += b[i] == 0;
    odd_zero += b[i + 1] == 0;
  }
  const size_t pairs = n / 2;
  if (odd_zero * 10 >= pairs * 7 && even_zero * 20 <= pairs) return TextEncoding::kUtf16Le;
  if (even_zero * 10 >= pairs * 7 && odd_zero * 20 <= pairs) return TextEncoding::kUtf16Be;
  return std::nullopt;
}

std::string DecodeUtf16(std::span<const uint8_t> b, bool little_endian) {
  std::string out;
  out.reserve(b.size());
  auto unit = [&](size_t i) -> uint32_t {
    return little_endian ? (b[i] | (uint32_t{b[i + 1]} << 8)) : ((uint32_t{b[i]} << 8) | b[i + 1]);
  };
  for (size_t i = 0; i + 1 < b.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < b.size()) {
      const uint32_t lo = unit(i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), &out);
        i += 2;
        continue;
      }
    }
    AppendUtf8(u, &out);  // lone surrogates become U+FFFD
  }
  return out;
}

std::string DecodeCp1252(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else if (c < 0xA0) {
      const uint16_t cp = kCp1252High[c - 0x80];
      AppendUtf8(cp != 0 ? cp : c, &out);
    } else {
      AppendUtf8(c, &out);
    }
  }
  return out;
}

// "\r\n" and lone "\r" to "\n".
void NormalizeLineEndings(std::string* s) {
  if (s->find('\r') == std::string::npos) return;
  size_t w = 0;
  for (size_t r = 0; r < s->size(); ++r) {
    const char c = (*s)[r];
    if (c == '\r') {
      (*s)[w++] = '\n';
      if (r + 1 < s->size() && (*s)[r + 1] == '\n') ++r;
      continue;
    }
    (*s)[w++] = c;
  }
  s->resize(w);
}

}  // namespace

std::string_view TextEncodingName(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8:
      return "utf-8";
    case TextEncoding::kUtf16Le:
      return "utf-16le";
    case TextEncoding::kUtf16Be:
      return "utf-16be";
    case TextEncoding::kWindows1252:
      return "windows-1252";
  }
  return "utf-8";
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Skip ASCII eight bytes at a time: most text is mostly ASCII.
    while (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= text.size()) break;
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      AppendUtf8(0xFFFD, &out);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::optional<DecodedText> DecodeText(std::span<const uint8_t> bytes) {
  DecodedText result;
  const auto starts_with = [&](std::initializer_list<uint8_t> bom) {
    return bytes.size() >= bom.size() && std::equal(bom.begin(), bom.end(), bytes.begin());
  };
  std::optional<TextEncoding> utf16;
  if (starts_with({0xFF, 0xFE})) {
    utf16 = TextEncoding::kUtf16Le;
    bytes = bytes.subspan(2);
  } else if (starts_with({0xFE, 0xFF})) {
    utf16 = TextEncoding::kUtf16Be;
    bytes = bytes.subspan(2);
  } else if (!starts_with({0xEF, 0xBB, 0xBF})) {
    utf16 = GuessBomlessUtf16(bytes);
  }
  if (utf16) {
    result.encoding = *utf16;
    result.text = DecodeUtf16(bytes, *utf16 == TextEncoding::kUtf16Le);
  } else {
    if (starts_with({0xEF, 0xBB, 0xBF})) bytes = bytes.subspan(3);
    std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (LooksBinary(raw)) return std::nullopt;
    if (IsValidUtf8(raw)) {
      result.text.assign(raw);
    } else {
      result.encoding = TextEncoding::kWindows1252;
      result.text = DecodeCp1252(raw);
    }
  }
  if (utf16 && LooksBinary(result.text)) return std::nullopt;
  NormalizeLineEndings(&result.text);
  return result;
}

}  // namespace savoir::kb
