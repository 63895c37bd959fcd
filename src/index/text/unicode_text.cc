#include "index/text/unicode_text.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace savoir::index::unicode {
namespace {

bool IsIdeograph(int32_t cp) {
  return (cp >= 0x3040 && cp <= 0x30FF) ||  // Hiragana, Katakana
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK compatibility ideographs
         (cp >= 0x20000 && cp <= 0x3134F);  // CJK extensions B-G
}

CharClass Classify(int32_t cp) {
  switch (cp) {
    case '\'':
    case 0x2019:
    case 0x02BC:
      return CharClass::kApostrophe;
    case '-':
    case 0x2010:
    case 0x2011:
      return CharClass::kHyphen;
    case '.':
    case ',':
      return CharClass::kNumberSeparator;
    default:
      break;
  }
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) return CharClass::kLetter;
    if (cp >= '0' && cp <= '9') return CharClass::kDigit;
    return CharClass::kSeparator;
  }
  if (IsIdeograph(cp)) return CharClass::kIdeograph;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      return CharClass::kLetter;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return CharClass::kMark;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kDigit;
    default:
      return CharClass::kSeparator;
  }
}

// Letters that carry no combining mark in Unicode yet are commonly typed without their
// special form; search should match both spellings.
const char* SpelledOut(int32_t cp) {
  switch (cp) {
    case 0x0152:  // Œ
    case 0x0153:  // œ
      return "oe";
    case 0x00C6:  // Æ
    case 0x00E6:  // æ
      return "ae";
    case 0x00D8:  // Ø
    case 0x00F8:  // ø
      return "o";
    case 0x0141:  // Ł
    case 0x0142:  // ł
      return "l";
    case 0x0110:  // Đ
    case 0x0111:  // đ
      return "d";
    default:
      return nullptr;
  }
}

}  // namespace

std::vector<CodePoint> Decode(std::string_view text) {
  std::vector<CodePoint> out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = 1;
    if (*p < 0x80) {
      cp = *p;
    } else {
      n = utf8proc_iterate(p, left, &cp);
      if (n <= 0) {
        n = 1;
        cp = -1;
      }
    }
    out.push_back({cp, cp < 0 ? CharClass::kSeparator : Classify(cp)});
    p += n;
    left -= n;
  }
  return out;
}

void AppendUtf8(int32_t cp, std::string* out) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

void AppendLower(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    return;
  }
  AppendUtf8(utf8proc_tolower(cp), out);
}

std::string ComposeNfc(std::string_view text) {
  std::string input(text);  // utf8proc_NFC needs a NUL-terminated string
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> composed(
      utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(input.c_str())), &std::free);
  if (composed == nullptr) return input;
  return std::string(reinterpret_cast<const char*>(composed.get()));
}

void AppendFolded(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    return;
  }
  if (const char* spelled = SpelledOut(cp)) {
    out->append(spelled);
    return;
  }
  utf8proc_int32_t buf[32];
  int boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(
      cp, buf, 32,
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                     UTF8PROC_STRIPMARK),
      &boundclass);
  if (n < 0 || n > 32) return;
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    if (const char* spelled = SpelledOut(buf[i])) {
      out->append(spelled);
    } else {
      AppendUtf8(buf[i], out);
    }
  }
}

std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const CodePoint& c : Decode(text)) {
    if (c.value >= 0) AppendFolded(c.value, &out);
  }
  return out;
}

}  // namespace savoir::index::unicode
