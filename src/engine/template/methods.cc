// Attribute and item access with the sandbox's rules, and the methods of str, dict, list and
// tuple that templates may call.
#include <algorithm>
#include <array>

#include "engine/template/builtins.h"
#include "engine/template/builtins_util.h"
#include "engine/template/operators.h"
#include "engine/template/py_format.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

constexpr std::array<std::string_view, 44> kStrMethods = {
    "capitalize",   "casefold",     "center",  "count",     "endswith",   "find",
    "format",       "format_map",   "index",   "isalnum",   "isalpha",    "isascii",
    "isdecimal",    "isdigit",      "islower", "isnumeric", "isspace",    "istitle",
    "isupper",      "join",         "ljust",   "lower",     "lstrip",     "partition",
    "removeprefix", "removesuffix", "replace", "rfind",     "rindex",     "rjust",
    "rpartition",   "rsplit",       "rstrip",  "split",     "splitlines", "startswith",
    "strip",        "swapcase",     "title",   "upper",     "zfill",      "isidentifier",
    "isprintable",  "expandtabs"};
constexpr std::array<std::string_view, 5> kDictMethods = {"keys", "values", "items", "get", "copy"};
constexpr std::array<std::string_view, 5> kDictUnsafe = {"clear", "pop", "popitem", "setdefault",
                                                         "update"};
constexpr std::array<std::string_view, 5> kListMethods = {"index", "count", "copy", "pop", "clear"};
constexpr std::array<std::string_view, 6> kListUnsafe = {"append", "reverse", "insert",
                                                         "sort",   "extend",  "remove"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

StatusOr<Value> CallMethod(Interpreter& interp, const Value& self, const std::string& name,
                           CallArgs& args);

class BoundMethod : public Object {
 public:
  BoundMethod(Value self, std::string name) : self_(std::move(self)), name_(std::move(name)) {}
  std::string_view TypeName() const override { return "builtin_function_or_method"; }
  std::string Repr() const override {
    return "<built-in method " + name_ + " of " + jinja::TypeName(self_) + " object>";
  }
  StatusOr<Value> Call(Interpreter& interp, CallArgs args) override {
    SAVOIR_RETURN_IF_ERROR(interp.Charge(1));
    return CallMethod(interp, self_, name_, args);
  }

 private:
  Value self_;
  std::string name_;
};

Value Bound(const Value& self, std::string_view name) {
  return Value::FromObject(std::make_shared<BoundMethod>(self, std::string(name)));
}

Value Unsafe(const Value& obj, std::string_view name) {
  return Value::Undefined("access to attribute " + PyStrRepr(name) + " of " +
                              PyStrRepr(TypeName(obj)) + " object is unsafe.",
                          true);
}

StatusOr<std::string> StrArg(const std::optional<Value>& arg, std::string_view what) {
  if (!arg || !arg->is_string()) {
    return PyError(std::string(what) + " must be str, not " +
                   (arg ? TypeName(*arg) : std::string("NoneType")));
  }
  return arg->str();
}

// Python's str.center/ljust/rjust.
std::string Justify(const std::string& s, int64_t width, const std::string& fill, char how) {
  const int64_t len = static_cast<int64_t>(CodePointCount(s));
  if (width <= len) {
    return s;
  }
  const int64_t marg = width - len;
  int64_t left = 0;
  if (how == 'c') {
    left = marg / 2 + (marg & width & 1);
  } else if (how == 'r') {
    left = marg;
  }
  std::string out;
  for (int64_t i = 0; i < left; ++i) {
    out += fill;
  }
  out += s;
  for (int64_t i = left; i < marg; ++i) {
    out += fill;
  }
  return out;
}

StatusOr<bool> AffixMatch(const std::string& s, const Value& affix, bool prefix) {
  auto one = [&](const Value& a) -> StatusOr<bool> {
    if (!a.is_string()) {
      return PyError(std::string(prefix ? "startswith" : "endswith") +
                     " first arg must be str or a tuple of str, not " + TypeName(a));
    }
    const std::string& t = a.str();
    if (t.size() > s.size()) {
      return false;
    }
    return prefix ? s.compare(0, t.size(), t) == 0
                  : s.compare(s.size() - t.size(), t.size(), t) == 0;
  };
  if (affix.is_seq_kind(SeqKind::kTuple)) {
    for (const Value& a : affix.seq().items) {
      SAVOIR_ASSIGN_OR_RETURN(bool m, one(a));
      if (m) {
        return true;
      }
    }
    return false;
  }
  return one(affix);
}

Value StrList(const std::vector<std::string>& parts) {
  std::vector<Value> items;
  items.reserve(parts.size());
  for (const std::string& p : parts) {
    items.push_back(Value::Str(p));
  }
  return Value::List(std::move(items));
}

StatusOr<Value> EvalStrPredicate(const std::string& s, std::string_view name) {
  const std::u32string cps = DecodeUtf8(s);
  auto all = [&](auto pred) { return !cps.empty() && std::all_of(cps.begin(), cps.end(), pred); };
  if (name == "isalnum") {
    return Value::Bool(all([](char32_t c) { return IsPyAlpha(c) || IsPyDigit(c); }));
  }
  if (name == "isalpha") {
    return Value::Bool(all(IsPyAlpha));
  }
  if (name == "isascii") {
    return Value::Bool(IsAscii(s));
  }
  if (name == "isdecimal" || name == "isdigit" || name == "isnumeric") {
    return Value::Bool(all(IsPyDigit));
  }
  if (name == "isspace") {
    return Value::Bool(all(IsPySpace));
  }
  if (name == "islower") {
    return Value::Bool(PyIsLower(s));
  }
  if (name == "isupper") {
    return Value::Bool(PyIsUpper(s));
  }
  if (name == "istitle") {
    return Value::Bool(!s.empty() && PyTitle(s) == s && (PyIsUpper(s) || PyIsLower(PyLower(s))) &&
                       std::any_of(cps.begin(), cps.end(), IsPyCased));
  }
  if (name == "isidentifier") {
    return Value::Bool(!cps.empty() && !IsPyDigit(cps[0]) && all(IsPyWordChar));
  }
  if (name == "isprintable") {
    return Value::Bool(std::all_of(cps.begin(), cps.end(), IsPyPrintable));
  }
  return Value::None();
}

StatusOr<Value> CallStrSplitLike(const std::string& s, const std::string& name, CallArgs& args) {
  if (name == "split" || name == "rsplit") {
    SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"sep", "maxsplit"}));
    std::optional<std::string> sep;
    if (a[0] && !a[0]->is_none()) {
      SAVOIR_ASSIGN_OR_RETURN(std::string sep_text, StrArg(a[0], "sep"));
      if (sep_text.empty()) {
        return PyError("empty separator");
      }
      sep = sep_text;
    }
    SAVOIR_ASSIGN_OR_RETURN(int64_t maxsplit, IntArg(a[1], -1));
    return StrList(PySplit(s, sep, maxsplit, name == "rsplit"));
  }
  if (name == "splitlines") {
    SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"keepends"}));
    return StrList(PySplitLines(s, BoolArg(a[0], false)));
  }
  // partition / rpartition
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"sep"}));
  SAVOIR_ASSIGN_OR_RETURN(std::string sep, StrArg(a[0], "sep"));
  if (sep.empty()) {
    return PyError("empty separator");
  }
  const size_t pos = name == "partition" ? s.find(sep) : s.rfind(sep);
  if (pos == std::string::npos) {
    return name == "partition" ? Value::Tuple({Value::Str(s), Value::Str(""), Value::Str("")})
                               : Value::Tuple({Value::Str(""), Value::Str(""), Value::Str(s)});
  }
  return Value::Tuple(
      {Value::Str(s.substr(0, pos)), Value::Str(sep), Value::Str(s.substr(pos + sep.size()))});
}

// Methods of str, each handling the names its dispatch condition lists.
StatusOr<Value> StrPredicate(Interpreter& /*interp*/, const Value& self, const std::string& name,
                             CallArgs& args) {
  const std::string& s = self.str();
  SAVOIR_RETURN_IF_ERROR(BindArgs(name, args, {}).status());
  return EvalStrPredicate(s, name);
}

StatusOr<Value> StrCase(Interpreter& /*interp*/, const Value& self, const std::string& name,
                        CallArgs& args) {
  const std::string& s = self.str();
  const bool markup = self.is_markup();
  SAVOIR_RETURN_IF_ERROR(BindArgs(name, args, {}).status());
  std::string out = name == "upper"        ? PyUpper(s)
                    : name == "title"      ? PyTitle(s)
                    : name == "capitalize" ? PyCapitalize(s)
                    : name == "swapcase"   ? PySwapcase(s)
                                           : PyLower(s);
  return Value::Str(std::move(out), markup);
}

StatusOr<Value> StrStrip(Interpreter& /*interp*/, const Value& self, const std::string& name,
                         CallArgs& args) {
  const std::string& s = self.str();
  const bool markup = self.is_markup();
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"chars"}));
  std::optional<std::string> chars;
  if (a[0] && !a[0]->is_none()) {
    SAVOIR_ASSIGN_OR_RETURN(chars, StrArg(a[0], name + " arg"));
  }
  return Value::Str(PyStrip(s, chars, name != "rstrip", name != "lstrip"), markup);
}

StatusOr<Value> StrSplitLike(Interpreter& /*interp*/, const Value& self, const std::string& name,
                             CallArgs& args) {
  const std::string& s = self.str();
  return CallStrSplitLike(s, name, args);
}

StatusOr<Value> StrAffix(Interpreter& /*interp*/, const Value& self, const std::string& name,
                         CallArgs& args) {
  const std::string& s = self.str();
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"prefix"}));
  if (!a[0]) {
    return PyError(name + "() takes at least 1 argument (0 given)");
  }
  SAVOIR_ASSIGN_OR_RETURN(bool match, AffixMatch(s, *a[0], name == "startswith"));
  return Value::Bool(match);
}

StatusOr<Value> StrReplace(Interpreter& interp, const Value& self, const std::string& name,
                           CallArgs& args) {
  const std::string& s = self.str();
  const bool markup = self.is_markup();
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"old", "new", "count"}));
  SAVOIR_ASSIGN_OR_RETURN(std::string old_text, StrArg(a[0], "replace() argument 1"));
  SAVOIR_ASSIGN_OR_RETURN(std::string new_text, StrArg(a[1], "replace() argument 2"));
  SAVOIR_ASSIGN_OR_RETURN(int64_t count, IntArg(a[2], -1));
  std::string out = PyReplace(s, old_text, new_text, count);
  SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  return Value::Str(std::move(out), markup);
}

StatusOr<Value> StrSearch(Interpreter& /*interp*/, const Value& self, const std::string& name,
                          CallArgs& args) {
  const std::string& s = self.str();
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"sub"}));
  if (!a[0] || !a[0]->is_string()) {
    return PyError("must be str, not " + (a[0] ? TypeName(*a[0]) : std::string("NoneType")));
  }
  const std::string& sub = a[0]->str();
  if (name == "count") {
    return Value::Int(PyCount(s, sub));
  }
  const int64_t pos = PyFind(s, sub, name[0] == 'r');
  if (pos < 0 && (name == "index" || name == "rindex")) {
    return PyError("substring not found");
  }
  return Value::Int(pos);
}

StatusOr<Value> StrJoin(Interpreter& interp, const Value& self, const std::string& name,
                        CallArgs& args) {
  const std::string& s = self.str();
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"iterable"}));
  if (!a[0]) {
    return PyError("join() takes exactly one argument (0 given)");
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(*a[0]));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      return PyError("sequence item " + std::to_string(i) + ": expected str instance, " +
                     TypeName(items[i]) + " found");
    }
    if (i > 0) {
      out += s;
    }
    out += items[i].str();
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  }
  return Value::Str(std::move(out));
}

StatusOr<Value> StrJustify(Interpreter& interp, const Value& self, const std::string& name,
                           CallArgs& args) {
  const std::string& s = self.str();
  const bool markup = self.is_markup();
  const bool zfill = name == "zfill";
  SAVOIR_ASSIGN_OR_RETURN(auto a, zfill ? BindArgs(name, args, {"width"})
                                        : BindArgs(name, args, {"width", "fillchar"}));
  SAVOIR_ASSIGN_OR_RETURN(int64_t width, IntArg(a[0], 0));
  SAVOIR_RETURN_IF_ERROR(interp.CheckSize(static_cast<size_t>(std::max<int64_t>(width, 0))));
  if (zfill) {
    const bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
    std::string body = Justify(s.substr(sign ? 1 : 0), width - (sign ? 1 : 0), "0", 'r');
    return Value::Str((sign ? s.substr(0, 1) : "") + body);
  }
  std::string fill = " ";
  if (a[1]) {
    SAVOIR_ASSIGN_OR_RETURN(fill, StrArg(a[1], "fillchar"));
    if (CodePointCount(fill) != 1) {
      return PyError("The fill character must be exactly one character long");
    }
  }
  return Value::Str(Justify(s, width, fill, name == "center" ? 'c' : name[0]), markup);
}

StatusOr<Value> StrRemoveAffix(Interpreter& /*interp*/, const Value& self, const std::string& name,
                               CallArgs& args) {
  const std::string& s = self.str();
  const bool markup = self.is_markup();
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"affix"}));
  SAVOIR_ASSIGN_OR_RETURN(std::string affix, StrArg(a[0], name + "() argument"));
  SAVOIR_ASSIGN_OR_RETURN(bool match, AffixMatch(s, Value::Str(affix), name == "removeprefix"));
  if (!match) {
    return self;
  }
  return Value::Str(
      name == "removeprefix" ? s.substr(affix.size()) : s.substr(0, s.size() - affix.size()),
      markup);
}

StatusOr<Value> StrFormat(Interpreter& interp, const Value& self, const std::string& name,
                          CallArgs& args) {
  const std::string& s = self.str();
  const bool markup = self.is_markup();
  CallArgs format_args = args;
  if (name == "format_map") {
    if (!args.kwargs.empty() || args.args.size() != 1 || !args.args[0].is_dict()) {
      return PyError("format_map() takes exactly one argument (a mapping)");
    }
    format_args = CallArgs();
    for (const auto& [k, v] : args.args[0].dict().entries) {
      format_args.kwargs.emplace_back(ToStr(k), v);
    }
  }
  SAVOIR_ASSIGN_OR_RETURN(std::string out, PyStrFormat(interp, s, format_args));
  return Value::Str(std::move(out), markup);
}

StatusOr<Value> CallStrMethod(Interpreter& interp, const Value& self, const std::string& name,
                              CallArgs& args) {
  if (name.rfind("is", 0) == 0) {
    return StrPredicate(interp, self, name, args);
  }
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize" ||
      name == "swapcase" || name == "casefold") {
    return StrCase(interp, self, name, args);
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    return StrStrip(interp, self, name, args);
  }
  if (name == "split" || name == "rsplit" || name == "splitlines" || name == "partition" ||
      name == "rpartition") {
    return StrSplitLike(interp, self, name, args);
  }
  if (name == "startswith" || name == "endswith") {
    return StrAffix(interp, self, name, args);
  }
  if (name == "replace") {
    return StrReplace(interp, self, name, args);
  }
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count") {
    return StrSearch(interp, self, name, args);
  }
  if (name == "join") {
    return StrJoin(interp, self, name, args);
  }
  if (name == "center" || name == "ljust" || name == "rjust" || name == "zfill") {
    return StrJustify(interp, self, name, args);
  }
  if (name == "removeprefix" || name == "removesuffix") {
    return StrRemoveAffix(interp, self, name, args);
  }
  if (name == "format" || name == "format_map") {
    return StrFormat(interp, self, name, args);
  }
  return PyError("'str' object has no method " + PyStrRepr(name));
}

StatusOr<Value> CallSeqMethod(const Value& self, const std::string& name, CallArgs& args) {
  SeqData& seq = self.seq();
  if (name == "copy" || name == "clear") {
    SAVOIR_RETURN_IF_ERROR(BindArgs(name, args, {}).status());
    if (name == "copy") {
      return Value::List(seq.items);
    }
    seq.items.clear();
    return Value::None();
  }
  if (name == "pop") {
    SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"index"}));
    SAVOIR_ASSIGN_OR_RETURN(int64_t index, IntArg(a[0], -1));
    if (seq.items.empty()) {
      return PyError("pop from empty list");
    }
    const int64_t at = NormalizeIndex(index, static_cast<int64_t>(seq.items.size()));
    if (at < 0) {
      return PyError("pop index out of range");
    }
    Value out = seq.items[static_cast<size_t>(at)];
    seq.items.erase(seq.items.begin() + at);
    return out;
  }
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"value"}));
  if (!a[0]) {
    return PyError(name + "() takes exactly one argument (0 given)");
  }
  int64_t count = 0;
  for (size_t i = 0; i < seq.items.size(); ++i) {
    if (Equals(seq.items[i], *a[0])) {
      if (name == "index") {
        return Value::Int(static_cast<int64_t>(i));
      }
      ++count;
    }
  }
  if (name == "index") {
    if (seq.kind == SeqKind::kRange) {
      return PyError(Repr(*a[0]) + " is not in range");
    }
    return PyError(seq.kind == SeqKind::kTuple ? "tuple.index(x): x not in tuple"
                                               : Repr(*a[0]) + " is not in list");
  }
  return Value::Int(count);
}

StatusOr<Value> CallDictMethod(const Value& self, const std::string& name, CallArgs& args) {
  const DictData& dict = self.dict();
  if (name == "get") {
    SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs(name, args, {"key", "default"}));
    if (!a[0]) {
      return PyError("get expected at least 1 argument, got 0");
    }
    if (!IsHashable(*a[0])) {
      return PyError("unhashable type: '" + TypeName(*a[0]) + "'");
    }
    const Value* found = dict.Find(*a[0]);
    return found != nullptr ? *found : a[1].value_or(Value::None());
  }
  SAVOIR_RETURN_IF_ERROR(BindArgs(name, args, {}).status());
  if (name == "copy") {
    return Value::Dict(dict.entries);
  }
  std::vector<Value> items;
  items.reserve(dict.entries.size());
  for (const auto& [k, v] : dict.entries) {
    if (name == "keys") {
      items.push_back(k);
    } else if (name == "values") {
      items.push_back(v);
    } else {
      items.push_back(Value::Tuple({k, v}));
    }
  }
  const char* type =
      name == "keys" ? "dict_keys" : (name == "values" ? "dict_values" : "dict_items");
  return Value::Seq(SeqKind::kView, type, std::move(items));
}

StatusOr<Value> CallMethod(Interpreter& interp, const Value& self, const std::string& name,
                           CallArgs& args) {
  if (self.is_string()) {
    return CallStrMethod(interp, self, name, args);
  }
  if (self.is_dict()) {
    return CallDictMethod(self, name, args);
  }
  return CallSeqMethod(self, name, args);
}

Value MissingAttribute(const Value& obj, const Value& name) {
  if (name.is_string()) {
    return Value::Undefined(PyStrRepr(ObjectTypeRepr(obj)) + " has no attribute " +
                            PyStrRepr(name.str()));
  }
  return Value::Undefined(ObjectTypeRepr(obj) + " has no element " + Repr(name));
}

}  // namespace

StatusOr<std::optional<Value>> GetPythonAttr(Interpreter& interp, const Value& obj,
                                             std::string_view name) {
  using Result = std::optional<Value>;
  switch (obj.kind()) {
    case Kind::kUndefined:
      return UndefinedError(obj);
    case Kind::kString:
      if (OneOf(kStrMethods, name)) {
        return Result(Bound(obj, name));
      }
      break;
    case Kind::kDict:
      if (OneOf(kDictMethods, name)) {
        return Result(Bound(obj, name));
      }
      if (OneOf(kDictUnsafe, name)) {
        return Result(Unsafe(obj, name));
      }
      break;
    case Kind::kSeq: {
      const SeqData& seq = obj.seq();
      if (seq.kind == SeqKind::kList) {
        if (OneOf(kListMethods, name)) {
          return Result(Bound(obj, name));
        }
        if (OneOf(kListUnsafe, name)) {
          return Result(Unsafe(obj, name));
        }
      } else if (seq.kind == SeqKind::kRange) {
        if (name == "index" || name == "count") {
          return Result(Bound(obj, name));
        }
        if (name == "start" || name == "stop" || name == "step") {
          return Result(Value::Int(name == "start"  ? seq.range_start
                                   : name == "stop" ? seq.range_stop
                                                    : seq.range_step));
        }
      } else if (seq.kind == SeqKind::kTuple) {
        if (name == "index" || name == "count") {
          return Result(Bound(obj, name));
        }
        if (seq.field_names != nullptr) {
          for (size_t i = 0; i < seq.field_names->size() && i < seq.items.size(); ++i) {
            if ((*seq.field_names)[i] == name) {
              return Result(seq.items[i]);
            }
          }
        }
      }
      break;
    }
    case Kind::kNamespace:
      if (const Value* v = obj.ns().Find(name)) {
        return Result(*v);
      }
      break;
    case Kind::kObject:
      return obj.object().GetAttr(interp, name);
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kFloat:
      if (name == "real") {
        return Result(obj.is_bool() ? Value::Int(obj.integral_value()) : obj);
      }
      if (name == "imag") {
        return Result(obj.is_float() ? Value::Float(0.0) : Value::Int(0));
      }
      break;
    default:
      break;
  }
  return Result();
}

StatusOr<Value> GetAttribute(Interpreter& interp, const Value& obj, std::string_view name) {
  SAVOIR_ASSIGN_OR_RETURN(std::optional<Value> attr, GetPythonAttr(interp, obj, name));
  if (attr) {
    return *attr;
  }
  if (obj.is_dict()) {
    if (const Value* v = obj.dict().Find(Value::Str(std::string(name)))) {
      return *v;
    }
  }
  return MissingAttribute(obj, Value::Str(std::string(name)));
}

StatusOr<Value> GetItem(Interpreter& interp, const Value& obj, const Value& key) {
  switch (obj.kind()) {
    case Kind::kUndefined:
      return UndefinedError(obj);
    case Kind::kDict:
      if (IsHashable(key)) {
        if (const Value* v = obj.dict().Find(key)) {
          return *v;
        }
      }
      break;
    case Kind::kString:
      if (key.is_integral()) {
        const std::u32string cps = DecodeUtf8(obj.str());
        const int64_t at = NormalizeIndex(key.integral_value(), static_cast<int64_t>(cps.size()));
        if (at >= 0) {
          std::string one;
          AppendUtf8(cps[static_cast<size_t>(at)], &one);
          return Value::Str(std::move(one), obj.is_markup());
        }
      }
      break;
    case Kind::kSeq: {
      const SeqData& seq = obj.seq();
      if (key.is_integral() && seq.kind != SeqKind::kIterator && seq.kind != SeqKind::kView) {
        const int64_t at =
            NormalizeIndex(key.integral_value(), static_cast<int64_t>(seq.items.size()));
        if (at >= 0) {
          return seq.items[static_cast<size_t>(at)];
        }
      }
      break;
    }
    default:
      break;
  }
  if (key.is_string()) {
    SAVOIR_ASSIGN_OR_RETURN(std::optional<Value> attr, GetPythonAttr(interp, obj, key.str()));
    if (attr) {
      return *attr;
    }
  }
  return MissingAttribute(obj, key);
}

}  // namespace savoir::engine::jinja
