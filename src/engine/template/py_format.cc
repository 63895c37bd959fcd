#include "engine/template/py_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "engine/template/py_format_internal.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace internal {

std::string Pad(std::string body, size_t width, char32_t fill, char align, size_t sign_len) {
  const size_t len = CodePointCount(body);
  if (len >= width) {
    return body;
  }
  std::string pad;
  for (size_t i = 0; i < width - len; ++i) {
    AppendUtf8(fill, &pad);
  }
  switch (align) {
    case '<':
      return body + pad;
    case '^': {
      const size_t left_count = (width - len) / 2;
      std::string left;
      std::string right;
      for (size_t i = 0; i < width - len; ++i) {
        AppendUtf8(fill, i < left_count ? &left : &right);
      }
      return left + body + right;
    }
    case '=':
      return body.substr(0, sign_len) + pad + body.substr(sign_len);
    default:
      return pad + body;
  }
}

std::string IntDigits(int64_t value, int base, bool upper) {
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out.push_back(digits[magnitude % base]);
    magnitude /= base;
  } while (magnitude > 0);
  std::reverse(out.begin(), out.end());
  return out;
}

std::string CFormatDouble(const std::string& flags, int width, int precision, char type,
                          double value) {
  std::string fmt = "%" + flags;
  if (width > 0) {
    fmt += std::to_string(width);
  }
  if (precision >= 0) {
    fmt += "." + std::to_string(std::min(precision, 400));
  }
  fmt.push_back(type);
  const int n = std::snprintf(nullptr, 0, fmt.c_str(), value);
  std::string out(static_cast<size_t>(std::max(n, 0)) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt.c_str(), value);
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

}  // namespace internal

namespace {

using internal::CFormatDouble;
using internal::IntDigits;
using internal::Pad;

std::string Group(const std::string& digits, char sep, size_t every) {
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % every == 0) {
      out.push_back(sep);
    }
    out.push_back(digits[i]);
  }
  return out;
}

struct Spec {
  char32_t fill = ' ';
  char align = 0;
  char sign = 0;
  bool alternate = false;
  bool zero = false;
  size_t width = 0;
  char grouping = 0;
  int precision = -1;
  char type = 0;
};

StatusOr<Spec> ParseSpec(std::string_view spec) {
  Spec s;
  const std::u32string cps = DecodeUtf8(spec);
  size_t i = 0;
  auto is_align = [](char32_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; };
  if (cps.size() >= 2 && is_align(cps[1])) {
    s.fill = cps[0];
    s.align = static_cast<char>(cps[1]);
    i = 2;
  } else if (!cps.empty() && is_align(cps[0])) {
    s.align = static_cast<char>(cps[0]);
    i = 1;
  }
  if (i < cps.size() && (cps[i] == '+' || cps[i] == '-' || cps[i] == ' ')) {
    s.sign = static_cast<char>(cps[i++]);
  }
  if (i < cps.size() && cps[i] == '#') {
    s.alternate = true;
    ++i;
  }
  if (i < cps.size() && cps[i] == '0') {
    s.zero = true;
    ++i;
  }
  while (i < cps.size() && cps[i] >= '0' && cps[i] <= '9') {
    s.width = std::min<size_t>(s.width * 10 + (cps[i++] - '0'), 100000);
  }
  if (i < cps.size() && (cps[i] == ',' || cps[i] == '_')) {
    s.grouping = static_cast<char>(cps[i++]);
  }
  if (i < cps.size() && cps[i] == '.') {
    ++i;
    s.precision = 0;
    if (i >= cps.size() || cps[i] < '0' || cps[i] > '9') {
      return PyError("Format specifier missing precision");
    }
    while (i < cps.size() && cps[i] >= '0' && cps[i] <= '9') {
      s.precision = std::min(s.precision * 10 + static_cast<int>(cps[i++] - '0'), 100000);
    }
  }
  if (cps.size() - i > 1) {
    return PyError("Invalid format specifier");
  }
  if (i < cps.size()) {
    s.type = cps[i] < 0x80 ? static_cast<char>(cps[i]) : '?';
  }
  if (s.zero && s.align == 0) {
    s.fill = '0';
    s.align = '=';
  }
  return s;
}

StatusOr<std::string> FormatFloat(double value, const Spec& s) {
  std::string flags;
  if (s.sign == '+' || s.sign == ' ') {
    flags.push_back(s.sign);
  }
  if (s.alternate) {
    flags.push_back('#');
  }
  std::string body;
  char type = s.type;
  if (type == 0 && s.precision < 0) {
    body = PyFloatRepr(value);
    if (!flags.empty() && flags[0] != '#' && !std::signbit(value)) {
      body.insert(body.begin(), flags[0]);
    }
  } else if (type == '%') {
    body = CFormatDouble(flags, 0, s.precision < 0 ? 6 : s.precision, 'f', value * 100) + "%";
  } else if (type == 0 || type == 'n') {
    body = CFormatDouble(flags, 0, s.precision < 0 ? 12 : std::max(s.precision, 1), 'g', value);
    if (type == 0 && std::isfinite(value) && body.find_first_of(".e") == std::string::npos) {
      body += ".0";
    }
  } else {
    body = CFormatDouble(flags, 0, s.precision < 0 ? 6 : s.precision, type, value);
  }
  if (s.grouping != 0) {
    const size_t start = (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
    size_t end = start;
    while (end < body.size() && body[end] >= '0' && body[end] <= '9') {
      ++end;
    }
    body = body.substr(0, start) + Group(body.substr(start, end - start), s.grouping, 3) +
           body.substr(end);
  }
  const size_t sign_len = (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
  return Pad(body, s.width, s.fill, s.align == 0 ? '>' : s.align, sign_len);
}

StatusOr<std::string> FormatInt(int64_t value, const Spec& s) {
  if (s.precision >= 0) {
    return PyError("Precision not allowed in integer format specifier");
  }
  int base = 10;
  bool upper = false;
  std::string prefix;
  switch (s.type) {
    case 0:
    case 'd':
    case 'n':
      break;
    case 'b':
      base = 2, prefix = "0b";
      break;
    case 'o':
      base = 8, prefix = "0o";
      break;
    case 'x':
      base = 16, prefix = "0x";
      break;
    case 'X':
      base = 16, prefix = "0X", upper = true;
      break;
    case 'c': {
      std::string out;
      AppendUtf8(static_cast<char32_t>(value), &out);
      return Pad(out, s.width, s.fill, s.align == 0 ? '<' : s.align, 0);
    }
    default:
      return PyError(std::string("Unknown format code '") + s.type + "' for object of type 'int'");
  }
  std::string digits = IntDigits(value, base, upper);
  if (s.grouping != 0) {
    digits = Group(digits, s.grouping, base == 10 ? 3 : 4);
  }
  std::string sign;
  if (value < 0) {
    sign = "-";
  } else if (s.sign == '+' || s.sign == ' ') {
    sign = std::string(1, s.sign);
  }
  const std::string head = sign + (s.alternate ? prefix : "");
  return Pad(head + digits, s.width, s.fill, s.align == 0 ? '>' : s.align, head.size());
}

// Digits in `base` with single underscores between them; false when malformed.
StatusOr<bool> ParseDigits(std::string_view s, int base, uint64_t* value) {
  bool previous_underscore = true;
  for (char c : s) {
    if (c == '_') {
      if (previous_underscore) {
        return false;
      }
      previous_underscore = true;
      continue;
    }
    int digit = -1;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      digit = c - 'A' + 10;
    }
    if (digit < 0 || digit >= base) {
      return false;
    }
    previous_underscore = false;
    const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
    if (*value > (limit - static_cast<uint64_t>(digit)) / static_cast<uint64_t>(base)) {
      return PyError("integer too large for this implementation");
    }
    *value = *value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return !previous_underscore;
}

}  // namespace

StatusOr<std::string> PyFormatSpec(const Value& value, std::string_view spec) {
  if (spec.empty()) {
    return ToStr(value);
  }
  SAVOIR_ASSIGN_OR_RETURN(Spec s, ParseSpec(spec));
  if (value.is_string()) {
    if (s.sign != 0) {
      return PyError("Sign not allowed in string format specifier");
    }
    if (s.align == '=') {
      return PyError("'=' alignment not allowed in string format specifier");
    }
    if (s.type != 0 && s.type != 's') {
      return PyError(std::string("Unknown format code '") + s.type + "' for object of type 'str'");
    }
    std::string text = value.str();
    if (s.precision >= 0) {
      const std::u32string cps = DecodeUtf8(text);
      text = EncodeUtf8(std::u32string_view(cps).substr(0, static_cast<size_t>(s.precision)));
    }
    return Pad(text, s.width, s.fill, s.align == 0 ? '<' : s.align, 0);
  }
  if (value.is_integral()) {
    if (s.type != 0 && std::string_view("eEfFgG%").find(s.type) != std::string_view::npos) {
      return FormatFloat(static_cast<double>(value.integral_value()), s);
    }
    return FormatInt(value.integral_value(), s);
  }
  if (value.is_float()) {
    if (s.type != 0 && std::string_view("eEfFgGn%").find(s.type) == std::string_view::npos) {
      return PyError(std::string("Unknown format code '") + s.type +
                     "' for object of type 'float'");
    }
    return FormatFloat(value.float_value(), s);
  }
  return PyError("unsupported format string passed to " + TypeName(value) + ".__format__");
}

StatusOr<int64_t> PyParseInt(std::string_view text, int base) {
  const std::string stripped = PyStrip(text, std::nullopt, true, true);
  auto invalid = [&]() {
    return PyError("invalid literal for int() with base " + std::to_string(base) + ": " +
                   PyStrRepr(text));
  };
  std::string_view s = stripped;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int b = base;
  auto has_prefix = [&](char lower) {
    return s.size() >= 2 && s[0] == '0' && (s[1] == lower || s[1] == lower - 32);
  };
  bool prefixed = false;
  if ((b == 0 || b == 16) && has_prefix('x')) {
    b = 16, prefixed = true;
  } else if ((b == 0 || b == 8) && has_prefix('o')) {
    b = 8, prefixed = true;
  } else if ((b == 0 || b == 2) && has_prefix('b')) {
    b = 2, prefixed = true;
  }
  if (prefixed) {
    s.remove_prefix(2);
    if (!s.empty() && s[0] == '_') {
      s.remove_prefix(1);
    }
  } else if (b == 0) {
    b = 10;
    if (s.size() > 1 && s[0] == '0' && s.find_first_not_of("0_") != std::string_view::npos) {
      return invalid();
    }
  }
  if (b < 2 || b > 36 || s.empty()) {
    return invalid();
  }
  uint64_t value = 0;
  SAVOIR_ASSIGN_OR_RETURN(bool valid, ParseDigits(s, b, &value));
  if (!valid) {
    return invalid();
  }
  if (!negative && value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return PyError("integer too large for this implementation");
  }
  return negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
}

StatusOr<double> PyParseFloat(std::string_view text) {
  const std::string stripped = PyStrip(text, std::nullopt, true, true);
  auto invalid = [&]() { return PyError("could not convert string to float: " + PyStrRepr(text)); };
  std::string_view s = stripped;
  std::string clean;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    clean.push_back(s[i++]);
  }
  std::string rest = PyLower(s.substr(i));
  if (rest == "inf" || rest == "infinity" || rest == "nan") {
    const double v = rest == "nan" ? std::numeric_limits<double>::quiet_NaN()
                                   : std::numeric_limits<double>::infinity();
    return (!clean.empty() && clean[0] == '-') ? -v : v;
  }
  // digits [. digits] [e [sign] digits], underscores only between digits.
  bool digits_seen = false;
  auto digits = [&](bool* any) {
    bool prev_digit = false;
    while (i < s.size()) {
      if (s[i] >= '0' && s[i] <= '9') {
        clean.push_back(s[i++]);
        prev_digit = true;
        *any = true;
      } else if (s[i] == '_' && prev_digit && i + 1 < s.size() && s[i + 1] >= '0' &&
                 s[i + 1] <= '9') {
        ++i;
      } else {
        break;
      }
    }
  };
  digits(&digits_seen);
  if (i < s.size() && s[i] == '.') {
    clean.push_back(s[i++]);
    digits(&digits_seen);
  }
  if (!digits_seen) {
    return invalid();
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    clean.push_back(s[i++]);
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      clean.push_back(s[i++]);
    }
    bool exp_digits = false;
    digits(&exp_digits);
    if (!exp_digits) {
      return invalid();
    }
  }
  if (i != s.size()) {
    return invalid();
  }
  return std::strtod(clean.c_str(), nullptr);
}

}  // namespace savoir::engine::jinja
