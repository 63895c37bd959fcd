// Jinja2's builtin tests (`x is defined`, `x is divisibleby 3`, ...).
#include "engine/template/builtins.h"
#include "engine/template/builtins_util.h"
#include "engine/template/filters.h"
#include "engine/template/operators.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

StatusOr<Value> OneArg(const char* name, const CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"other"}));
  if (!a[0]) {
    return PyError(std::string(name) + "() missing 1 required positional argument");
  }
  return *a[0];
}

Status NoArgs(const char* name, const CallArgs& args) { return BindArgs(name, args, {}).status(); }

template <bool (*Pred)(const Value&)>
StatusOr<bool> Simple(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("test", args));
  return Pred(v);
}

bool Defined(const Value& v) { return !v.is_undefined(); }
bool Undefined(const Value& v) { return v.is_undefined(); }
bool None(const Value& v) { return v.is_none(); }
bool Boolean(const Value& v) { return v.is_bool(); }
bool False(const Value& v) { return v.is_bool() && !v.bool_value(); }
bool True(const Value& v) { return v.is_bool() && v.bool_value(); }
bool Integer(const Value& v) { return v.is_int(); }
bool FloatTest(const Value& v) { return v.is_float(); }
bool String(const Value& v) { return v.is_string(); }
bool Mapping(const Value& v) { return v.is_dict(); }
bool Number(const Value& v) { return v.is_number(); }
bool Escaped(const Value& v) { return v.is_markup(); }
bool LowerTest(const Value& v) { return PyIsLower(ToStr(v)); }
bool UpperTest(const Value& v) { return PyIsUpper(ToStr(v)); }
bool Sequence(const Value& v) {
  return v.is_string() || v.is_dict() || v.is_undefined() ||
         (v.is_seq() && v.seq().kind != SeqKind::kIterator && v.seq().kind != SeqKind::kView);
}
bool Iterable(const Value& v) {
  return v.is_string() || v.is_dict() || v.is_undefined() || v.is_seq() ||
         (v.is_object() && v.object().TypeName() == "LoopContext");
}
bool Callable(const Value& v) {
  return v.is_undefined() || (v.is_object() && v.object().IsCallable());
}

// `value % divisor == result`, with Python's % (which formats when value is a str).
StatusOr<bool> ModEquals(Interpreter& interp, const Value& value, const Value& divisor,
                         int64_t result) {
  SAVOIR_ASSIGN_OR_RETURN(Value mod, ApplyBinary(interp, BinaryOp::kMod, value, divisor));
  return Equals(mod, Value::Int(result));
}

StatusOr<bool> Odd(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("test_odd", args));
  return ModEquals(interp, v, Value::Int(2), 1);
}

StatusOr<bool> Even(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("test_even", args));
  return ModEquals(interp, v, Value::Int(2), 0);
}

StatusOr<bool> DivisibleBy(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(Value num, OneArg("test_divisibleby", args));
  return ModEquals(interp, v, num, 0);
}

StatusOr<bool> In(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(Value seq, OneArg("test_in", args));
  return Contains(seq, v);
}

StatusOr<bool> SameAs(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(Value other, OneArg("test_sameas", args));
  if (v.kind() != other.kind()) {
    return false;
  }
  switch (v.kind()) {
    case Kind::kNone:
      return true;
    case Kind::kBool:
      return v.bool_value() == other.bool_value();
    case Kind::kInt:
      // CPython caches the small integers.
      return v.int_value() == other.int_value() && v.int_value() >= -5 && v.int_value() <= 256;
    default:
      return v.SameObject(other);
  }
}

StatusOr<bool> Eq(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(Value other, OneArg("eq", args));
  return Equals(v, other);
}

StatusOr<bool> Ne(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(Value other, OneArg("ne", args));
  return !Equals(v, other);
}

template <char Op, bool OrEqual>
StatusOr<bool> Ordered(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(Value other, OneArg("compare", args));
  const char op[3] = {Op, OrEqual ? '=' : '\0', '\0'};
  return PyCompare(op, v, other);
}

StatusOr<bool> FilterTest(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("test_filter", args));
  return v.is_string() && FindFilter(v.str()) != nullptr;
}

StatusOr<bool> TestTest(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("test_test", args));
  return v.is_string() && FindTest(v.str()) != nullptr;
}

}  // namespace

TestFn FindTest(std::string_view name) {
  static constexpr std::pair<std::string_view, TestFn> kTests[] = {
      {"odd", Odd},
      {"even", Even},
      {"divisibleby", DivisibleBy},
      {"defined", Simple<Defined>},
      {"undefined", Simple<Undefined>},
      {"filter", FilterTest},
      {"test", TestTest},
      {"none", Simple<None>},
      {"boolean", Simple<Boolean>},
      {"false", Simple<False>},
      {"true", Simple<True>},
      {"integer", Simple<Integer>},
      {"float", Simple<FloatTest>},
      {"lower", Simple<LowerTest>},
      {"upper", Simple<UpperTest>},
      {"string", Simple<String>},
      {"mapping", Simple<Mapping>},
      {"number", Simple<Number>},
      {"sequence", Simple<Sequence>},
      {"iterable", Simple<Iterable>},
      {"callable", Simple<Callable>},
      {"sameas", SameAs},
      {"escaped", Simple<Escaped>},
      {"in", In},
      {"==", Eq},
      {"eq", Eq},
      {"equalto", Eq},
      {"!=", Ne},
      {"ne", Ne},
      {">", Ordered<'>', false>},
      {"gt", Ordered<'>', false>},
      {"greaterthan", Ordered<'>', false>},
      {"ge", Ordered<'>', true>},
      {">=", Ordered<'>', true>},
      {"<", Ordered<'<', false>},
      {"lt", Ordered<'<', false>},
      {"lessthan", Ordered<'<', false>},
      {"<=", Ordered<'<', true>},
      {"le", Ordered<'<', true>},
  };
  for (const auto& [test_name, fn] : kTests) {
    if (test_name == name) {
      return fn;
    }
  }
  return nullptr;
}

FilterFn FindFilter(std::string_view name) {
  if (FilterFn fn = FindTextFilter(name)) {
    return fn;
  }
  return FindSeqFilter(name);
}

}  // namespace savoir::engine::jinja
