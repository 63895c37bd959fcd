#include "engine/template/operators.h"

#include <cmath>
#include <limits>

#include "engine/template/interpreter.h"
#include "engine/template/py_format.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

Status Overflow() { return PyError("integer overflow"); }

std::string ConcatError(const char* type, const Value& other) {
  return std::string("can only concatenate ") + type + " (not \"" + TypeName(other) + "\") to " +
         type;
}

// Python's float floor division and modulo (the result of divmod).
void FloatDivMod(double a, double b, double* div, double* mod) {
  double m = std::fmod(a, b);
  double d = (a - m) / b;
  if (m != 0) {
    if ((b < 0) != (m < 0)) {
      m += b;
      d -= 1.0;
    }
  } else {
    m = std::copysign(0.0, b);
  }
  double floordiv = 0;
  if (d != 0) {
    floordiv = std::floor(d);
    if (d - floordiv > 0.5) {
      floordiv += 1.0;
    }
  } else {
    floordiv = std::copysign(0.0, a / b);
  }
  *div = floordiv;
  *mod = m;
}

StatusOr<Value> Repeat(Interpreter& interp, const Value& seq, int64_t count) {
  if (count < 0) {
    count = 0;
  }
  if (seq.is_string()) {
    const size_t size = seq.str().size();
    if (size > 0 && static_cast<uint64_t>(count) > std::numeric_limits<size_t>::max() / size) {
      return interp.CheckSize(std::numeric_limits<size_t>::max());
    }
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(size * static_cast<size_t>(count)));
    SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(size * count / 64)));
    std::string out;
    out.reserve(size * static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      out.append(seq.str());
    }
    return Value::Str(std::move(out), seq.is_markup());
  }
  const std::vector<Value>& items = seq.seq().items;
  if (!items.empty() && static_cast<uint64_t>(count) > (uint64_t{1} << 40) / items.size()) {
    return interp.CheckSize(std::numeric_limits<size_t>::max());
  }
  const size_t total = items.size() * static_cast<size_t>(count);
  SAVOIR_RETURN_IF_ERROR(interp.CheckSize(total));
  SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(total)));
  std::vector<Value> out;
  out.reserve(total);
  for (int64_t i = 0; i < count; ++i) {
    out.insert(out.end(), items.begin(), items.end());
  }
  return Value::Seq(seq.seq().kind == SeqKind::kTuple ? SeqKind::kTuple : SeqKind::kList,
                    seq.seq().kind == SeqKind::kTuple ? "tuple" : "list", std::move(out));
}

bool IsPlainSeq(const Value& v, SeqKind kind) { return v.is_seq() && v.seq().kind == kind; }

StatusOr<Value> Add(Interpreter& interp, const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral()) {
    int64_t r = 0;
    if (__builtin_add_overflow(a.integral_value(), b.integral_value(), &r)) {
      return Overflow();
    }
    return Value::Int(r);
  }
  if (a.is_number() && b.is_number()) {
    return Value::Float(a.number_value() + b.number_value());
  }
  if (a.is_string()) {
    if (!b.is_string()) {
      return PyError(a.is_markup() ? UnsupportedOperands("+", a, b) : ConcatError("str", b));
    }
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(a.str().size() + b.str().size()));
    SAVOIR_RETURN_IF_ERROR(
        interp.Charge(static_cast<int64_t>(a.str().size() + b.str().size()) / 64));
    if (a.is_markup() || b.is_markup()) {
      const std::string left = a.is_markup() ? a.str() : EscapeHtml(a.str());
      const std::string right = b.is_markup() ? b.str() : EscapeHtml(b.str());
      return Value::Str(left + right, true);
    }
    return Value::Str(a.str() + b.str());
  }
  for (SeqKind kind : {SeqKind::kList, SeqKind::kTuple}) {
    if (!IsPlainSeq(a, kind)) {
      continue;
    }
    if (!IsPlainSeq(b, kind)) {
      return PyError(ConcatError(kind == SeqKind::kList ? "list" : "tuple", b));
    }
    std::vector<Value> items = a.seq().items;
    items.insert(items.end(), b.seq().items.begin(), b.seq().items.end());
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(items.size()));
    SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(items.size())));
    return Value::Seq(kind, kind == SeqKind::kList ? "list" : "tuple", std::move(items));
  }
  return PyError(UnsupportedOperands("+", a, b));
}

StatusOr<Value> Mul(Interpreter& interp, const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral()) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a.integral_value(), b.integral_value(), &r)) {
      return Overflow();
    }
    return Value::Int(r);
  }
  if (a.is_number() && b.is_number()) {
    return Value::Float(a.number_value() * b.number_value());
  }
  const bool a_seq =
      a.is_string() || IsPlainSeq(a, SeqKind::kList) || IsPlainSeq(a, SeqKind::kTuple);
  const bool b_seq =
      b.is_string() || IsPlainSeq(b, SeqKind::kList) || IsPlainSeq(b, SeqKind::kTuple);
  if (a_seq && b.is_integral()) {
    return Repeat(interp, a, b.integral_value());
  }
  if (b_seq && a.is_integral()) {
    return Repeat(interp, b, a.integral_value());
  }
  if (a.is_markup() && b.is_string()) {
    // Markup.__mul__ declines, so Python reports str.__rmul__'s view of the Markup operand.
    return PyError("can't multiply sequence by non-int of type 'Markup'");
  }
  if (a_seq && (b.is_number() || b.is_string() || b.is_seq() || b.is_none() || b.is_dict())) {
    return PyError("can't multiply sequence by non-int of type '" + TypeName(b) + "'");
  }
  if (b_seq && !a.is_undefined() && !a.is_object() && !a.is_namespace()) {
    return PyError("can't multiply sequence by non-int of type '" + TypeName(a) + "'");
  }
  return PyError(UnsupportedOperands("*", a, b));
}

StatusOr<Value> Pow(const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral() && b.integral_value() >= 0) {
    int64_t base = a.integral_value();
    int64_t exp = b.integral_value();
    int64_t result = 1;
    while (exp > 0) {
      if ((exp & 1) != 0 && __builtin_mul_overflow(result, base, &result)) {
        return Overflow();
      }
      exp >>= 1;
      if (exp > 0 && __builtin_mul_overflow(base, base, &base)) {
        return Overflow();
      }
    }
    return Value::Int(result);
  }
  const double x = a.number_value();
  const double y = b.number_value();
  if (x == 0 && y < 0) {
    return PyError("0.0 cannot be raised to a negative power");
  }
  if (x < 0 && std::floor(y) != y) {
    return PyError("complex results are not supported");
  }
  const double r = std::pow(x, y);
  if (std::isinf(r) && std::isfinite(x) && std::isfinite(y)) {
    return PyError("(34, 'Numerical result out of range')");
  }
  return Value::Float(r);
}

StatusOr<Value> Arith(BinaryOp op, const Value& a, const Value& b) {
  const bool ints = a.is_integral() && b.is_integral();
  switch (op) {
    case BinaryOp::kSub: {
      if (ints) {
        int64_t r = 0;
        if (__builtin_sub_overflow(a.integral_value(), b.integral_value(), &r)) {
          return Overflow();
        }
        return Value::Int(r);
      }
      return Value::Float(a.number_value() - b.number_value());
    }
    case BinaryOp::kDiv:
      if (b.number_value() == 0) {
        return PyError(ints ? "division by zero" : "float division by zero");
      }
      return Value::Float(a.number_value() / b.number_value());
    case BinaryOp::kFloorDiv:
    case BinaryOp::kMod: {
      const bool floordiv = op == BinaryOp::kFloorDiv;
      if (ints) {
        const int64_t x = a.integral_value();
        const int64_t y = b.integral_value();
        if (y == 0) {
          return PyError(floordiv ? "integer division or modulo by zero"
                                  : "integer modulo by zero");
        }
        if (x == std::numeric_limits<int64_t>::min() && y == -1) {
          return floordiv ? StatusOr<Value>(Overflow()) : StatusOr<Value>(Value::Int(0));
        }
        int64_t q = x / y;
        int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
          m += y;
          q -= 1;
        }
        return Value::Int(floordiv ? q : m);
      }
      if (b.number_value() == 0) {
        return PyError(floordiv ? "float floor division by zero" : "float modulo");
      }
      double d = 0;
      double m = 0;
      FloatDivMod(a.number_value(), b.number_value(), &d, &m);
      return Value::Float(floordiv ? d : m);
    }
    case BinaryOp::kPow:
      return Pow(a, b);
    default:
      return PyError("unsupported operator");
  }
}

const char* OpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kFloorDiv:
      return "//";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "** or pow()";
    default:
      return "?";
  }
}

// Python's slice.indices(): normalized start and stop for a sequence of `len`.
void SliceIndices(int64_t len, std::optional<int64_t> start, std::optional<int64_t> stop,
                  int64_t step, int64_t* out_start, int64_t* out_stop) {
  const int64_t lower = step < 0 ? -1 : 0;
  const int64_t upper = step < 0 ? len - 1 : len;
  auto clamp = [&](std::optional<int64_t> v, int64_t def) {
    if (!v) {
      return def;
    }
    int64_t x = *v;
    if (x < 0) {
      x = x < -len ? lower : x + len;
      return std::max(x, lower);
    }
    return std::min(x, upper);
  };
  *out_start = clamp(start, step < 0 ? upper : lower);
  *out_stop = clamp(stop, step < 0 ? lower : upper);
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&#34;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

StatusOr<Value> ApplyBinary(Interpreter& interp, BinaryOp op, const Value& a, const Value& b) {
  if (op == BinaryOp::kMod && a.is_string()) {
    SAVOIR_ASSIGN_OR_RETURN(std::string text, PyPercentFormat(a.str(), b));
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(text.size()));
    return Value::Str(std::move(text), a.is_markup());
  }
  if (a.is_undefined()) {
    return UndefinedError(a);
  }
  if (b.is_undefined()) {
    return UndefinedError(b);
  }
  if (op == BinaryOp::kAdd) {
    return Add(interp, a, b);
  }
  if (op == BinaryOp::kMul) {
    return Mul(interp, a, b);
  }
  if (a.is_number() && b.is_number()) {
    return Arith(op, a, b);
  }
  return PyError(UnsupportedOperands(OpSymbol(op), a, b));
}

StatusOr<Value> ApplyUnary(ExprKind kind, const Value& v) {
  if (v.is_undefined()) {
    return UndefinedError(v);
  }
  const bool neg = kind == ExprKind::kNeg;
  if (v.is_integral()) {
    const int64_t i = v.integral_value();
    if (neg && i == std::numeric_limits<int64_t>::min()) {
      return Overflow();
    }
    return Value::Int(neg ? -i : i);
  }
  if (v.is_float()) {
    return Value::Float(neg ? -v.float_value() : v.float_value());
  }
  return PyError(std::string("bad operand type for unary ") + (neg ? "-" : "+") + ": '" +
                 TypeName(v) + "'");
}

StatusOr<bool> Contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Kind::kUndefined:
      return false;
    case Kind::kString:
      if (!item.is_string()) {
        return PyError("'in <string>' requires string as left operand, not " + TypeName(item));
      }
      return container.str().find(item.str()) != std::string::npos;
    case Kind::kDict:
      if (!IsHashable(item)) {
        return PyError("unhashable type: '" + TypeName(item) + "'");
      }
      return container.dict().Find(item) != nullptr;
    case Kind::kSeq: {
      SeqData& s = container.seq();
      if (s.kind == SeqKind::kView && std::string_view(s.type_name) == "dict_items") {
        // (key, value) in d.items(): only 2-tuples can match, and their key must hash.
        if (!item.is_seq_kind(SeqKind::kTuple) || item.seq().items.size() != 2) {
          return false;
        }
        if (!IsHashable(item.seq().items[0])) {
          return PyError("unhashable type: '" + TypeName(item.seq().items[0]) + "'");
        }
      } else if (s.kind == SeqKind::kView && std::string_view(s.type_name) == "dict_keys" &&
                 !IsHashable(item)) {
        return PyError("unhashable type: '" + TypeName(item) + "'");
      }
      const size_t begin = s.kind == SeqKind::kIterator ? s.next : 0;
      for (size_t i = begin; i < s.items.size(); ++i) {
        if (Equals(s.items[i], item)) {
          if (s.kind == SeqKind::kIterator) {
            s.next = i + 1;
          }
          return true;
        }
      }
      if (s.kind == SeqKind::kIterator) {
        s.next = s.items.size();
        if (!s.deferred_error.ok()) {
          Status error = s.deferred_error;
          s.deferred_error = OkStatus();
          return error;
        }
      }
      return false;
    }
    default:
      return PyError("argument of type '" + TypeName(container) + "' is not iterable");
  }
}

StatusOr<int64_t> Length(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return 0;
    case Kind::kString:
      return static_cast<int64_t>(CodePointCount(v.str()));
    case Kind::kDict:
      return static_cast<int64_t>(v.dict().entries.size());
    case Kind::kSeq:
      if (v.seq().kind != SeqKind::kIterator) {
        return static_cast<int64_t>(v.seq().items.size());
      }
      break;
    case Kind::kObject:
      if (std::optional<int64_t> len = v.object().Length()) {
        return *len;
      }
      break;
    default:
      break;
  }
  return PyError("object of type '" + TypeName(v) + "' has no len()");
}

StatusOr<std::vector<Value>> IterateValue(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return std::vector<Value>();
    case Kind::kString: {
      std::vector<Value> chars;
      const std::u32string cps = DecodeUtf8(v.str());
      chars.reserve(cps.size());
      for (char32_t cp : cps) {
        std::string one;
        AppendUtf8(cp, &one);
        chars.push_back(Value::Str(std::move(one)));
      }
      return chars;
    }
    case Kind::kDict: {
      std::vector<Value> keys;
      keys.reserve(v.dict().entries.size());
      for (const auto& entry : v.dict().entries) {
        keys.push_back(entry.first);
      }
      return keys;
    }
    case Kind::kSeq: {
      SeqData& s = v.seq();
      if (s.kind != SeqKind::kIterator) {
        return s.items;
      }
      std::vector<Value> rest(s.items.begin() + static_cast<std::ptrdiff_t>(s.next), s.items.end());
      s.next = s.items.size();
      if (!s.deferred_error.ok()) {
        Status error = s.deferred_error;
        s.deferred_error = OkStatus();
        return error;
      }
      return rest;
    }
    default:
      return PyError("'" + TypeName(v) + "' object is not iterable");
  }
}

int64_t NormalizeIndex(int64_t index, int64_t size) {
  if (index < 0) {
    index += size;
  }
  return (index < 0 || index >= size) ? -1 : index;
}

StatusOr<Value> SliceValue(const Value& v, const Value& start, const Value& stop,
                           const Value& step) {
  // Slices bypass the sandbox's getitem, so Python's errors surface unchanged.
  if (v.is_undefined()) {
    return UndefinedError(v);
  }
  if (v.is_dict()) {
    return PyError("unhashable type: 'slice'");
  }
  const bool sliceable = v.is_string() || (v.is_seq() && v.seq().kind != SeqKind::kIterator &&
                                           v.seq().kind != SeqKind::kView);
  if (!sliceable) {
    return PyError("'" + TypeName(v) + "' object is not subscriptable");
  }
  auto bound = [](const Value& b) -> StatusOr<std::optional<int64_t>> {
    if (b.is_none()) {
      return std::optional<int64_t>();
    }
    if (!b.is_integral()) {
      return PyError("slice indices must be integers or None or have an __index__ method");
    }
    return std::optional<int64_t>(b.integral_value());
  };
  SAVOIR_ASSIGN_OR_RETURN(std::optional<int64_t> lo, bound(start));
  SAVOIR_ASSIGN_OR_RETURN(std::optional<int64_t> hi, bound(stop));
  SAVOIR_ASSIGN_OR_RETURN(std::optional<int64_t> st, bound(step));
  const int64_t s = st.value_or(1);
  if (s == 0) {
    return PyError("slice step cannot be zero");
  }
  auto pick = [&](int64_t len, auto&& take) {
    int64_t b = 0;
    int64_t e = 0;
    SliceIndices(len, lo, hi, s, &b, &e);
    for (int64_t i = b; s > 0 ? i < e : i > e; i += s) {
      take(i);
    }
  };
  if (v.is_string()) {
    const std::u32string cps = DecodeUtf8(v.str());
    std::u32string out;
    pick(static_cast<int64_t>(cps.size()), [&](int64_t i) { out.push_back(cps[i]); });
    return Value::Str(EncodeUtf8(out), v.is_markup());
  }
  const std::vector<Value>& items = v.seq().items;
  std::vector<Value> out;
  pick(static_cast<int64_t>(items.size()), [&](int64_t i) { out.push_back(items[i]); });
  if (v.seq().kind == SeqKind::kRange) {
    // A slice of a range is a range.
    const SeqData& r = v.seq();
    int64_t b = 0;
    int64_t e = 0;
    SliceIndices(static_cast<int64_t>(items.size()), lo, hi, s, &b, &e);
    Value range = Value::Seq(SeqKind::kRange, "range", std::move(out));
    range.seq().range_start = r.range_start + b * r.range_step;
    range.seq().range_stop = r.range_start + e * r.range_step;
    range.seq().range_step = r.range_step * s;
    return range;
  }
  const bool tuple = v.seq().kind == SeqKind::kTuple;
  return Value::Seq(tuple ? SeqKind::kTuple : SeqKind::kList, tuple ? "tuple" : "list",
                    std::move(out));
}

}  // namespace savoir::engine::jinja
