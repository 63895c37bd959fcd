// printf-style formatting: Python's `str % args`, used by the `%` operator and the format
// filter.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "engine/template/py_format.h"
#include "engine/template/py_format_internal.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

using internal::CFormatDouble;
using internal::IntDigits;
using internal::Pad;

struct PercentSpec {
  std::optional<std::string> key;  // %(key)s
  std::string flags;
  int width = 0;
  int precision = -1;
  char type = 0;

  bool Has(char flag) const { return flags.find(flag) != std::string::npos; }
};

// %s, %r, %a and %c.
StatusOr<std::string> FormatText(const PercentSpec& p, const Value& arg) {
  std::string text;
  if (p.type == 'c') {
    if (arg.is_integral()) {
      const int64_t cp = arg.integral_value();
      if (cp < 0 || cp > 0x10FFFF) {
        return PyError("%c arg not in range(0x110000)");
      }
      AppendUtf8(static_cast<char32_t>(cp), &text);
    } else if (arg.is_string() && CodePointCount(arg.str()) == 1) {
      text = arg.str();
    } else {
      return PyError("%c requires int or char");
    }
  } else {
    text = p.type == 's' ? ToStr(arg) : Repr(arg);
    if (p.precision >= 0) {
      const std::u32string cps = DecodeUtf8(text);
      text = EncodeUtf8(std::u32string_view(cps).substr(0, static_cast<size_t>(p.precision)));
    }
  }
  return Pad(std::move(text), static_cast<size_t>(p.width), ' ', p.Has('-') ? '<' : '>', 0);
}

// %d, %i, %u, %o, %x and %X.
StatusOr<std::string> FormatInteger(const PercentSpec& p, const Value& arg) {
  const bool decimal = p.type == 'd' || p.type == 'i' || p.type == 'u';
  int64_t value = 0;
  if (arg.is_integral()) {
    value = arg.integral_value();
  } else if (arg.is_float() && decimal) {
    const double f = arg.float_value();
    if (!std::isfinite(f)) {
      return PyError(std::isnan(f) ? "cannot convert float NaN to integer"
                                   : "cannot convert float infinity to integer");
    }
    value = static_cast<int64_t>(std::trunc(f));
  } else {
    return PyError(std::string("%") + p.type +
                   " format: " + (decimal ? "a real number" : "an integer") + " is required, not " +
                   TypeName(arg));
  }
  const int base = p.type == 'o' ? 8 : ((p.type == 'x' || p.type == 'X') ? 16 : 10);
  std::string digits = IntDigits(value, base, p.type == 'X');
  if (p.precision > 0 && digits.size() < static_cast<size_t>(p.precision)) {
    digits.insert(0, static_cast<size_t>(p.precision) - digits.size(), '0');
  }
  std::string head;
  if (value < 0) {
    head = "-";
  } else if (p.Has('+')) {
    head = "+";
  } else if (p.Has(' ')) {
    head = " ";
  }
  if (p.Has('#') && base != 10) {
    head += base == 8 ? "0o" : (p.type == 'X' ? "0X" : "0x");
  }
  const auto width = static_cast<size_t>(p.width);
  if (p.Has('0') && !p.Has('-')) {
    return Pad(head + digits, width, '0', '=', head.size());
  }
  return Pad(head + digits, width, ' ', p.Has('-') ? '<' : '>', 0);
}

StatusOr<std::string> FormatOne(const PercentSpec& p, const Value& arg) {
  if (std::string_view("srac").find(p.type) != std::string_view::npos) {
    return FormatText(p, arg);
  }
  if (std::string_view("diuoxX").find(p.type) != std::string_view::npos) {
    return FormatInteger(p, arg);
  }
  if (!arg.is_number()) {
    return PyError("must be real number, not " + TypeName(arg));
  }
  return CFormatDouble(p.flags, p.width, p.precision < 0 ? 6 : p.precision, p.type,
                       arg.number_value());
}

class PercentFormatter {
 public:
  PercentFormatter(std::string_view fmt, const Value& args) : fmt_(fmt), args_(args) {
    // Python treats any non-tuple, non-str argument with __getitem__ (a dict, but also a
    // list) as a mapping: no "not all arguments converted" error for it.
    mapping_ = args.is_dict() || args.is_list() || args.is_seq_kind(SeqKind::kRange) ||
               args.is_undefined();
    if (args.is_seq_kind(SeqKind::kTuple)) {
      positional_ = args.seq().items;
    } else {
      positional_.push_back(args);
    }
  }

  StatusOr<std::string> Run() {
    std::string out;
    while (i_ < fmt_.size()) {
      if (fmt_[i_] != '%') {
        out.push_back(fmt_[i_++]);
        continue;
      }
      ++i_;
      PercentSpec p;
      SAVOIR_RETURN_IF_ERROR(ParseSpec(&p));
      if (p.type == '%') {
        out.push_back('%');
        continue;
      }
      SAVOIR_ASSIGN_OR_RETURN(Value arg, ArgFor(p));
      SAVOIR_ASSIGN_OR_RETURN(std::string piece, FormatOne(p, arg));
      out += piece;
    }
    if (next_ < positional_.size() && !mapping_) {
      return PyError("not all arguments converted during string formatting");
    }
    return out;
  }

 private:
  StatusOr<Value> NextArg() {
    if (next_ >= positional_.size()) {
      return PyError("not enough arguments for format string");
    }
    return positional_[next_++];
  }

  // A width or precision: digits, or '*' taking an int argument.
  Status ReadNumber(int* target) {
    if (i_ < fmt_.size() && fmt_[i_] == '*') {
      ++i_;
      SAVOIR_ASSIGN_OR_RETURN(Value n, NextArg());
      if (!n.is_integral()) {
        return PyError("* wants int");
      }
      *target = static_cast<int>(std::clamp<int64_t>(n.integral_value(), -100000, 100000));
      return OkStatus();
    }
    while (i_ < fmt_.size() && fmt_[i_] >= '0' && fmt_[i_] <= '9') {
      *target = std::min(*target * 10 + (fmt_[i_++] - '0'), 100000);
    }
    return OkStatus();
  }

  // Parses "(key)flags width .precision type" after a '%'.
  Status ParseSpec(PercentSpec* p) {
    if (i_ < fmt_.size() && fmt_[i_] == '(') {
      int nesting = 1;
      const size_t key_start = ++i_;
      while (i_ < fmt_.size() && nesting > 0) {
        nesting += fmt_[i_] == '(' ? 1 : (fmt_[i_] == ')' ? -1 : 0);
        ++i_;
      }
      if (nesting > 0) {
        return PyError("incomplete format key");
      }
      p->key = std::string(fmt_.substr(key_start, i_ - 1 - key_start));
    }
    while (i_ < fmt_.size() && std::string_view("-+ #0").find(fmt_[i_]) != std::string_view::npos) {
      p->flags.push_back(fmt_[i_++]);
    }
    SAVOIR_RETURN_IF_ERROR(ReadNumber(&p->width));
    if (p->width < 0) {
      p->flags.push_back('-');
      p->width = -p->width;
    }
    if (i_ < fmt_.size() && fmt_[i_] == '.') {
      ++i_;
      p->precision = 0;
      SAVOIR_RETURN_IF_ERROR(ReadNumber(&p->precision));
    }
    while (i_ < fmt_.size() && (fmt_[i_] == 'h' || fmt_[i_] == 'l' || fmt_[i_] == 'L')) {
      ++i_;
    }
    if (i_ >= fmt_.size()) {
      return PyError("incomplete format");
    }
    p->type = fmt_[i_++];
    if (std::string_view("%sracdiuoxXeEfFgG").find(p->type) == std::string_view::npos) {
      const auto code = static_cast<unsigned char>(p->type);
      char buf[96];
      std::snprintf(buf, sizeof(buf), "unsupported format character '%c' (0x%x) at index %zu",
                    code < 0x80 ? p->type : '?', code, i_ - 1);
      return PyError(buf);
    }
    return OkStatus();
  }

  StatusOr<Value> ArgFor(const PercentSpec& p) {
    if (!p.key) {
      return NextArg();
    }
    if (!mapping_) {
      return PyError("format requires a mapping");
    }
    if (args_.is_undefined()) {
      return UndefinedError(args_);
    }
    if (!args_.is_dict()) {
      return PyError(TypeName(args_) + " indices must be integers or slices, not str");
    }
    const Value* found = args_.dict().Find(Value::Str(*p.key));
    if (found == nullptr) {
      return PyError(PyStrRepr(*p.key));
    }
    return *found;
  }

  std::string_view fmt_;
  const Value& args_;
  bool mapping_ = false;
  std::vector<Value> positional_;
  size_t next_ = 0;
  size_t i_ = 0;
};

}  // namespace

StatusOr<std::string> PyPercentFormat(std::string_view fmt, const Value& args) {
  return PercentFormatter(fmt, args).Run();
}

}  // namespace savoir::engine::jinja
