#include "engine/tokenizer/unicode.h"

#include <utf8proc.h>

#include <array>

namespace savoir::engine::tokenizer_internal {
namespace {

uint32_t Invalid(size_t* offset) {
  *offset += 1;
  return kReplacementChar;
}

bool IsContinuation(std::string_view text, size_t index) {
  return index < text.size() && (static_cast<uint8_t>(text[index]) & 0xC0) == 0x80;
}

// The 256-entry table of GPT-2's byte-to-codepoint mapping: printable Latin-1 bytes map to
// themselves, the others to 256, 257, ... in byte order.
const std::array<uint32_t, 256>& ByteToCodepointTable() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    uint32_t next = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      t[b] = printable ? b : next++;
    }
    return t;
  }();
  return table;
}

}  // namespace

uint32_t DecodeCodepoint(std::string_view text, size_t* offset) {
  const size_t o = *offset;
  const auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(text[o + i])); };
  const uint32_t b0 = b(0);
  if ((b0 & 0x80) == 0) {
    *offset += 1;
    return b0;
  }
  if ((b0 & 0x40) == 0) return Invalid(offset);
  if ((b0 & 0x20) == 0) {
    if (!IsContinuation(text, o + 1)) return Invalid(offset);
    *offset += 2;
    return ((b0 & 0x1F) << 6) | (b(1) & 0x3F);
  }
  if ((b0 & 0x10) == 0) {
    if (!IsContinuation(text, o + 1) || !IsContinuation(text, o + 2)) return Invalid(offset);
    *offset += 3;
    return ((b0 & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  }
  if ((b0 & 0x08) == 0) {
    if (!IsContinuation(text, o + 1) || !IsContinuation(text, o + 2) ||
        !IsContinuation(text, o + 3)) {
      return Invalid(offset);
    }
    const uint32_t cpt =
        ((b0 & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (cpt > 0x10FFFF) return Invalid(offset);
    *offset += 4;
    return cpt;
  }
  return Invalid(offset);
}

std::vector<uint32_t> DecodeUtf8(std::string_view text) {
  std::vector<uint32_t> cpts;
  cpts.reserve(text.size());
  size_t offset = 0;
  while (offset < text.size()) cpts.push_back(DecodeCodepoint(text, &offset));
  return cpts;
}

void AppendUtf8(uint32_t cpt, std::string* out) {
  if (cpt <= 0x7F) {
    out->push_back(static_cast<char>(cpt));
  } else if (cpt <= 0x7FF) {
    out->push_back(static_cast<char>(0xC0 | (cpt >> 6)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else if (cpt <= 0xFFFF) {
    out->push_back(static_cast<char>(0xE0 | (cpt >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | ((cpt >> 18) & 0x07)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cpt >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cpt & 0x3F)));
  }
}

std::string EncodeUtf8(uint32_t cpt) {
  std::string s;
  AppendUtf8(cpt, &s);
  return s;
}

bool IsWhitespace(uint32_t cpt) {
  switch (cpt) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cpt >= 0x2000 && cpt <= 0x200A;
  }
}

uint16_t CodepointClasses(uint32_t cpt) {
  uint16_t classes = 0;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cpt))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      classes = kClassLetter;
      break;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      classes = kClassMark;
      break;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      classes = kClassNumber;
      break;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      classes = kClassPunctuation;
      break;
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO:
      classes = kClassSymbol;
      break;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      classes = kClassSeparator;
      break;
    default:
      classes = kClassControl;
      break;
  }
  if (IsWhitespace(cpt)) classes |= kClassWhitespace;
  return classes;
}

uint32_t ToLower(uint32_t cpt) {
  if (cpt < 0x80) return (cpt >= 'A' && cpt <= 'Z') ? cpt + 32 : cpt;
  return static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cpt)));
}

uint32_t NfdFirst(uint32_t cpt) {
  if (cpt < 0xC0) return cpt;
  std::array<utf8proc_int32_t, 32> buffer{};
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cpt), buffer.data(),
      static_cast<utf8proc_ssize_t>(buffer.size()), UTF8PROC_DECOMPOSE, &boundclass);
  if (n <= 0) return cpt;
  return static_cast<uint32_t>(buffer[0]);
}

const std::string& ByteToUnicode(uint8_t byte) {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    for (int b = 0; b < 256; ++b) t[b] = EncodeUtf8(ByteToCodepointTable()[b]);
    return t;
  }();
  return table[byte];
}

int UnicodeToByte(uint32_t cpt) {
  if (cpt < 256) {
    return ByteToCodepointTable()[cpt] == cpt ? static_cast<int>(cpt) : -1;
  }
  static const std::array<int16_t, 256> reverse = [] {
    std::array<int16_t, 256> r;
    r.fill(-1);
    for (int b = 0; b < 256; ++b) {
      const uint32_t c = ByteToCodepointTable()[b];
      if (c >= 256) r[c - 256] = static_cast<int16_t>(b);
    }
    return r;
  }();
  return cpt < 512 ? reverse[cpt - 256] : -1;
}

int StrictSequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  const auto at = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t b0 = at(0);
  if (b0 < 0x80) return 1;
  int length = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    if (static_cast<size_t>(i) >= text.size()) return 0;
    const uint8_t c = at(i);
    const uint8_t min = i == 1 ? lo : 0x80;
    const uint8_t max = i == 1 ? hi : 0xBF;
    if (c < min || c > max) return -1;
  }
  return length;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const int n = StrictSequenceLength(text.substr(i));
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace savoir::engine::tokenizer_internal
