#include "engine/template/py_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace savoir::engine::jinja {
namespace {

constexpr char32_t kEscapeBase = 0xDC00;

// Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there is invalid.
size_t ValidSequenceLength(std::string_view s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = 0;
  char32_t value = 0;
  char32_t min = 0;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, value = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, value = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *cp = value;
  return len;
}

struct CaseRange {
  char32_t first;  // first code point of the range (upper-case side for pair ranges)
  char32_t last;
  int kind;  // 0: pairs (upper even offset, lower = upper + 1), 1: lower = upper + delta
  int delta;
};

// Upper-case ranges with their lower-case counterparts. Pair ranges start on the upper letter.
constexpr CaseRange kCaseRanges[] = {
    {0x41, 0x5A, 1, 32},     {0xC0, 0xD6, 1, 32},     {0xD8, 0xDE, 1, 32},
    {0x100, 0x12F, 0, 0},    {0x132, 0x137, 0, 0},    {0x139, 0x148, 0, 0},
    {0x14A, 0x177, 0, 0},    {0x179, 0x17E, 0, 0},    {0x1CD, 0x1DC, 0, 0},
    {0x1DE, 0x1EF, 0, 0},    {0x1F8, 0x21F, 0, 0},    {0x222, 0x233, 0, 0},
    {0x246, 0x24F, 0, 0},    {0x386, 0x386, 1, 38},   {0x388, 0x38A, 1, 37},
    {0x38C, 0x38C, 1, 64},   {0x38E, 0x38F, 1, 63},   {0x391, 0x3A1, 1, 32},
    {0x3A3, 0x3AB, 1, 32},   {0x3D8, 0x3EF, 0, 0},    {0x400, 0x40F, 1, 80},
    {0x410, 0x42F, 1, 32},   {0x460, 0x481, 0, 0},    {0x48A, 0x4BF, 0, 0},
    {0x4C0, 0x4C0, 1, 15},   {0x4C1, 0x4CE, 0, 0},    {0x4D0, 0x52F, 0, 0},
    {0x531, 0x556, 1, 48},   {0x1E00, 0x1E95, 0, 0},  {0x1EA0, 0x1EFF, 0, 0},
    {0x2160, 0x216F, 1, 16}, {0x24B6, 0x24CF, 1, 26}, {0xFF21, 0xFF3A, 1, 32},
};

// Simple lower-case of an upper-case letter, or the input.
char32_t SimpleLower(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  }
  if (cp == 0x178) {
    return 0xFF;
  }
  if (cp == 0x1E9E) {
    return 0xDF;
  }
  for (const CaseRange& r : kCaseRanges) {
    if (cp < r.first || cp > r.last) {
      continue;
    }
    if (r.kind == 1) {
      return cp + r.delta;
    }
    return ((cp - r.first) % 2 == 0) ? cp + 1 : cp;
  }
  return cp;
}

// Simple upper-case of a lower-case letter, or the input.
char32_t SimpleUpper(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  }
  switch (cp) {
    case 0xB5:
      return 0x39C;
    case 0xFF:
      return 0x178;
    case 0x131:
      return 'I';
    case 0x17F:
      return 'S';
    case 0x3C2:
      return 0x3A3;
    default:
      break;
  }
  for (const CaseRange& r : kCaseRanges) {
    if (r.kind == 1) {
      if (cp >= r.first + r.delta && cp <= r.last + r.delta) {
        return cp - r.delta;
      }
    } else if (cp > r.first && cp <= r.last + 1 && (cp - r.first) % 2 == 1) {
      return cp - 1;
    }
  }
  return cp;
}

bool InRanges(char32_t cp, const std::initializer_list<std::pair<char32_t, char32_t>>& ranges) {
  for (const auto& [lo, hi] : ranges) {
    if (cp >= lo && cp <= hi) {
      return true;
    }
  }
  return false;
}

template <typename Fn>
std::string MapCodePoints(std::string_view text, Fn fn) {
  std::u32string out;
  const std::u32string cps = DecodeUtf8(text);
  out.reserve(cps.size());
  for (size_t i = 0; i < cps.size(); ++i) {
    fn(cps, i, &out);
  }
  return EncodeUtf8(out);
}

// Greek capital sigma lower-cases to final sigma at the end of a word (Python's rule, simplified
// to "preceded by a cased letter and not followed by one").
bool IsFinalSigma(const std::u32string& cps, size_t i) {
  if (i == 0 || !IsPyCased(cps[i - 1])) {
    return false;
  }
  return i + 1 >= cps.size() || !IsPyCased(cps[i + 1]);
}

bool StripSetContains(const std::u32string& set, char32_t cp) {
  return set.find(cp) != std::u32string::npos;
}

void AppendHex(uint32_t value, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out->push_back(kHex[(value >> shift) & 0xF]);
  }
}

}  // namespace

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const size_t len = ValidSequenceLength(text, i, &cp);
    if (len == 0) {
      out.push_back(kEscapeBase + static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.push_back(cp);
      i += len;
    }
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp >= kEscapeBase + 0x80 && cp <= kEscapeBase + 0xFF) {
    out->push_back(static_cast<char>(cp - kEscapeBase));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | ((cp >> 18) & 0x07)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) {
    AppendUtf8(cp, &out);
  }
  return out;
}

size_t CodePointCount(std::string_view text) {
  if (IsAscii(text)) {
    return text.size();
  }
  size_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const size_t len = ValidSequenceLength(text, i, &cp);
    i += len == 0 ? 1 : len;
    ++count;
  }
  return count;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

bool IsPySpace(char32_t cp) {
  if (cp < 0x80) {
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
  }
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool IsPyPrintable(char32_t cp) {
  if (cp < 0x80) {
    return cp >= 0x20 && cp < 0x7F;
  }
  if (cp <= 0xA0 || cp == 0xAD) {
    return false;
  }
  if (IsPySpace(cp)) {
    return false;
  }
  return !InRanges(cp, {{0x600, 0x605},
                        {0x61C, 0x61C},
                        {0x6DD, 0x6DD},
                        {0x70F, 0x70F},
                        {0x180E, 0x180E},
                        {0x200B, 0x200F},
                        {0x202A, 0x202E},
                        {0x2060, 0x2064},
                        {0x2066, 0x206F},
                        {0xD800, 0xF8FF},
                        {0xFEFF, 0xFEFF},
                        {0xFFF9, 0xFFFB},
                        {0xFFFE, 0xFFFF},
                        {0xE0001, 0xE0001},
                        {0xE0020, 0xE007F},
                        {0xF0000, 0x10FFFF}});
}

bool IsPyUpper(char32_t cp) { return SimpleLower(cp) != cp || cp == 0x130 || cp == 0x3D2; }

bool IsPyLower(char32_t cp) {
  return SimpleUpper(cp) != cp || cp == 0xDF || cp == 0x138 || cp == 0x149 || cp == 0x587;
}

bool IsPyCased(char32_t cp) { return IsPyUpper(cp) || IsPyLower(cp); }

bool IsPyAlpha(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (IsPyCased(cp)) {
    return true;
  }
  return cp == 0xAA || cp == 0xBA ||
         InRanges(cp, {{0x5D0, 0x5EA},
                       {0x620, 0x64A},
                       {0x904, 0x939},
                       {0xE01, 0xE30},
                       {0x1100, 0x11FF},
                       {0x3041, 0x3096},
                       {0x30A1, 0x30FA},
                       {0x3400, 0x4DBF},
                       {0x4E00, 0x9FFF},
                       {0xAC00, 0xD7A3},
                       {0x20000, 0x2FA1F}});
}

bool IsPyDigit(char32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 0x660 && cp <= 0x669) || (cp >= 0xFF10 && cp <= 0xFF19);
}

bool IsPyWordChar(char32_t cp) { return cp == '_' || IsPyAlpha(cp) || IsPyDigit(cp); }

void AppendUpper(char32_t cp, std::u32string* out) {
  switch (cp) {
    case 0xDF:
      out->append(U"SS");
      return;
    case 0x149:
      out->append(U"\u02BCN");
      return;
    case 0x587:
      out->append(U"\u0535\u0552");
      return;
    default:
      out->push_back(SimpleUpper(cp));
  }
}

void AppendLower(char32_t cp, std::u32string* out) {
  if (cp == 0x130) {
    out->append(U"i\u0307");
    return;
  }
  out->push_back(SimpleLower(cp));
}

void AppendTitle(char32_t cp, std::u32string* out) {
  switch (cp) {
    case 0xDF:
      out->append(U"Ss");
      return;
    case 0x587:
      out->append(U"\u0535\u0582");
      return;
    default:
      AppendUpper(cp, out);
  }
}

std::string PyUpper(std::string_view text) {
  if (IsAscii(text)) {
    std::string out(text);
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 32);
      }
    }
    return out;
  }
  return MapCodePoints(text, [](const std::u32string& cps, size_t i, std::u32string* out) {
    AppendUpper(cps[i], out);
  });
}

std::string PyLower(std::string_view text) {
  if (IsAscii(text)) {
    std::string out(text);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c + 32);
      }
    }
    return out;
  }
  return MapCodePoints(text, [](const std::u32string& cps, size_t i, std::u32string* out) {
    if (cps[i] == 0x3A3 && IsFinalSigma(cps, i)) {
      out->push_back(0x3C2);
    } else {
      AppendLower(cps[i], out);
    }
  });
}

std::string PyTitle(std::string_view text) {
  std::u32string out;
  bool previous_cased = false;
  const std::u32string cps = DecodeUtf8(text);
  for (size_t i = 0; i < cps.size(); ++i) {
    if (previous_cased) {
      if (cps[i] == 0x3A3 && IsFinalSigma(cps, i)) {
        out.push_back(0x3C2);
      } else {
        AppendLower(cps[i], &out);
      }
    } else {
      AppendTitle(cps[i], &out);
    }
    previous_cased = IsPyCased(cps[i]);
  }
  return EncodeUtf8(out);
}

std::string PyCapitalize(std::string_view text) {
  return MapCodePoints(text, [](const std::u32string& cps, size_t i, std::u32string* out) {
    if (i == 0) {
      AppendTitle(cps[i], out);
    } else if (cps[i] == 0x3A3 && IsFinalSigma(cps, i)) {
      out->push_back(0x3C2);
    } else {
      AppendLower(cps[i], out);
    }
  });
}

std::string PySwapcase(std::string_view text) {
  return MapCodePoints(text, [](const std::u32string& cps, size_t i, std::u32string* out) {
    if (IsPyUpper(cps[i])) {
      AppendLower(cps[i], out);
    } else if (IsPyLower(cps[i])) {
      AppendUpper(cps[i], out);
    } else {
      out->push_back(cps[i]);
    }
  });
}

bool PyIsUpper(std::string_view text) {
  bool cased = false;
  for (char32_t cp : DecodeUtf8(text)) {
    if (IsPyLower(cp)) {
      return false;
    }
    cased = cased || IsPyUpper(cp);
  }
  return cased;
}

bool PyIsLower(std::string_view text) {
  bool cased = false;
  for (char32_t cp : DecodeUtf8(text)) {
    if (IsPyUpper(cp)) {
      return false;
    }
    cased = cased || IsPyLower(cp);
  }
  return cased;
}

std::string PyStrip(std::string_view text, const std::optional<std::string>& chars, bool left,
                    bool right) {
  const std::u32string cps = DecodeUtf8(text);
  const std::u32string set = chars ? DecodeUtf8(*chars) : std::u32string();
  auto strip = [&](char32_t cp) { return chars ? StripSetContains(set, cp) : IsPySpace(cp); };
  size_t begin = 0;
  size_t end = cps.size();
  while (left && begin < end && strip(cps[begin])) {
    ++begin;
  }
  while (right && end > begin && strip(cps[end - 1])) {
    --end;
  }
  return EncodeUtf8(std::u32string_view(cps).substr(begin, end - begin));
}

std::vector<std::string> PySplit(std::string_view text, const std::optional<std::string>& sep,
                                 int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  if (maxsplit < 0) {
    maxsplit = INT64_MAX;
  }
  if (sep) {
    // Byte search is exact on UTF-8 because a valid sequence never matches inside another.
    std::string_view rest = text;
    while (maxsplit-- > 0) {
      const size_t pos = from_right ? rest.rfind(*sep) : rest.find(*sep);
      if (pos == std::string_view::npos) {
        break;
      }
      if (from_right) {
        parts.emplace_back(rest.substr(pos + sep->size()));
        rest = rest.substr(0, pos);
      } else {
        parts.emplace_back(rest.substr(0, pos));
        rest = rest.substr(pos + sep->size());
      }
    }
    parts.emplace_back(rest);
    if (from_right) {
      std::reverse(parts.begin(), parts.end());
    }
    return parts;
  }
  std::u32string cps = DecodeUtf8(text);
  if (from_right) {
    std::reverse(cps.begin(), cps.end());
  }
  size_t i = 0;
  while (i < cps.size()) {
    while (i < cps.size() && IsPySpace(cps[i])) {
      ++i;
    }
    if (i == cps.size()) {
      break;
    }
    size_t j = i;
    if (maxsplit-- <= 0) {
      j = cps.size();
    } else {
      while (j < cps.size() && !IsPySpace(cps[j])) {
        ++j;
      }
    }
    std::u32string piece = cps.substr(i, j - i);
    if (from_right) {
      std::reverse(piece.begin(), piece.end());
    }
    parts.push_back(EncodeUtf8(piece));
    i = j;
  }
  if (from_right) {
    std::reverse(parts.begin(), parts.end());
  }
  return parts;
}

std::vector<std::string> PySplitLines(std::string_view text, bool keepends) {
  std::vector<std::string> lines;
  const std::u32string cps = DecodeUtf8(text);
  size_t start = 0;
  size_t i = 0;
  while (i < cps.size()) {
    const char32_t cp = cps[i];
    const bool is_break = cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C ||
                          (cp >= 0x1C && cp <= 0x1E) || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    if (!is_break) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    if (cp == '\r' && end < cps.size() && cps[end] == '\n') {
      ++end;
    }
    lines.push_back(
        EncodeUtf8(std::u32string_view(cps).substr(start, (keepends ? end : i) - start)));
    start = i = end;
  }
  if (start < cps.size()) {
    lines.push_back(EncodeUtf8(std::u32string_view(cps).substr(start)));
  }
  return lines;
}

std::string PyReplace(std::string_view text, std::string_view old_text, std::string_view new_text,
                      int64_t count) {
  if (count < 0) {
    count = INT64_MAX;
  }
  std::string out;
  if (old_text.empty()) {
    // Python inserts the replacement before every code point and at the end.
    const std::u32string cps = DecodeUtf8(text);
    for (char32_t cp : cps) {
      if (count > 0) {
        out.append(new_text);
        --count;
      }
      AppendUtf8(cp, &out);
    }
    if (count > 0) {
      out.append(new_text);
    }
    return out;
  }
  size_t pos = 0;
  while (count > 0) {
    const size_t found = text.find(old_text, pos);
    if (found == std::string_view::npos) {
      break;
    }
    out.append(text.substr(pos, found - pos));
    out.append(new_text);
    pos = found + old_text.size();
    --count;
  }
  out.append(text.substr(pos));
  return out;
}

int64_t PyCount(std::string_view text, std::string_view sub) {
  if (sub.empty()) {
    return static_cast<int64_t>(CodePointCount(text)) + 1;
  }
  int64_t n = 0;
  size_t pos = 0;
  while ((pos = text.find(sub, pos)) != std::string_view::npos) {
    ++n;
    pos += sub.size();
  }
  return n;
}

int64_t PyFind(std::string_view text, std::string_view sub, bool reverse) {
  const size_t pos = reverse ? text.rfind(sub) : text.find(sub);
  if (pos == std::string_view::npos) {
    return -1;
  }
  return static_cast<int64_t>(CodePointCount(text.substr(0, pos)));
}

std::string PyStrRepr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back(quote);
  for (char32_t cp : DecodeUtf8(text)) {
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\t') {
      out.append("\\t");
    } else if (cp == '\n') {
      out.append("\\n");
    } else if (cp == '\r') {
      out.append("\\r");
    } else if (IsPyPrintable(cp)) {
      AppendUtf8(cp, &out);
    } else if (cp < 0x100) {
      out.append("\\x");
      AppendHex(cp, 2, &out);
    } else if (cp < 0x10000) {
      out.append("\\u");
      AppendHex(cp, 4, &out);
    } else {
      out.append("\\U");
      AppendHex(cp, 8, &out);
    }
  }
  out.push_back(quote);
  return out;
}

std::string PyFloatRepr(double value) {
  if (std::isnan(value)) {
    return "nan";
  }
  if (std::isinf(value)) {
    return value > 0 ? "inf" : "-inf";
  }
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(result.ptr - buf));
  std::string out;
  size_t i = 0;
  if (sci[0] == '-') {
    out.push_back('-');
    i = 1;
  }
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t k = i; k < e_pos; ++k) {
    if (sci[k] != '.') {
      digits.push_back(sci[k]);
    }
  }
  const int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  const int decpt = exponent + 1;
  const int ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out.append("0.").append(static_cast<size_t>(-decpt), '0').append(digits);
    } else if (decpt >= ndigits) {
      out.append(digits).append(static_cast<size_t>(decpt - ndigits), '0').append(".0");
    } else {
      out.append(digits.substr(0, decpt)).append(".").append(digits.substr(decpt));
    }
    return out;
  }
  out.push_back(digits[0]);
  if (ndigits > 1) {
    out.push_back('.');
    out.append(digits.substr(1));
  }
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof(exp_buf), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  out.append(exp_buf);
  return out;
}

}  // namespace savoir::engine::jinja
