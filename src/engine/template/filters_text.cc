// Jinja2's filters on strings and scalars, and Hugging Face's tojson.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "engine/template/builtins.h"
#include "engine/template/builtins_util.h"
#include "engine/template/filters.h"
#include "engine/template/operators.h"
#include "engine/template/py_format.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

// Jinja2's soft_str: strings (and Markup) stay as they are, other values become str(v).
Value SoftStr(const Value& v) { return v.is_string() ? v : Value::Str(ToStr(v)); }

StatusOr<Value> NoArgs(const char* name, const CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs(name, args, {}).status());
  return Value::None();
}

StatusOr<Value> Upper(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_upper", args).status());
  const Value s = SoftStr(v);
  return Value::Str(PyUpper(s.str()), s.is_markup());
}

StatusOr<Value> Lower(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_lower", args).status());
  const Value s = SoftStr(v);
  return Value::Str(PyLower(s.str()), s.is_markup());
}

StatusOr<Value> Capitalize(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_capitalize", args).status());
  const Value s = SoftStr(v);
  return Value::Str(PyCapitalize(s.str()), s.is_markup());
}

bool IsTitleSeparator(char32_t cp) {
  return cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || IsPySpace(cp);
}

StatusOr<Value> Title(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_title", args).status());
  const std::u32string cps = DecodeUtf8(ToStr(v));
  std::u32string out;
  size_t i = 0;
  while (i < cps.size()) {
    const bool sep = IsTitleSeparator(cps[i]);
    size_t j = i;
    while (j < cps.size() && IsTitleSeparator(cps[j]) == sep) {
      ++j;
    }
    AppendUpper(cps[i], &out);
    const std::string rest = PyLower(EncodeUtf8(std::u32string_view(cps).substr(i + 1, j - i - 1)));
    out += DecodeUtf8(rest);
    i = j;
  }
  return Value::Str(EncodeUtf8(out));
}

StatusOr<Value> Trim(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_trim", args, {"chars"}));
  std::optional<std::string> chars;
  if (a[0] && !a[0]->is_none()) {
    if (!a[0]->is_string()) {
      return PyError("strip arg must be None or str");
    }
    chars = a[0]->str();
  }
  const Value s = SoftStr(v);
  return Value::Str(PyStrip(s.str(), chars, true, true), s.is_markup());
}

StatusOr<Value> String(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("soft_str", args).status());
  return SoftStr(v);
}

StatusOr<Value> Safe(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_mark_safe", args).status());
  return Value::Str(ToStr(v), true);
}

StatusOr<Value> Escape(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("escape", args).status());
  if (v.is_markup()) {
    return v;
  }
  return Value::Str(EscapeHtml(ToStr(v)), true);
}

StatusOr<Value> ForceEscape(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_forceescape", args).status());
  return Value::Str(EscapeHtml(ToStr(v)), true);
}

StatusOr<Value> Replace(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_replace", args, {"old", "new", "count"}));
  if (!a[0] || !a[1]) {
    return PyError("do_replace() missing required arguments: 'old' and 'new'");
  }
  SAVOIR_ASSIGN_OR_RETURN(int64_t count, IntArg(a[2], -1));
  std::string out = PyReplace(ToStr(v), ToStr(*a[0]), ToStr(*a[1]), count);
  SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  return Value::Str(std::move(out));
}

StatusOr<Value> Center(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_center", args, {"width"}));
  SAVOIR_ASSIGN_OR_RETURN(Value method, GetAttribute(interp, SoftStr(v), "center"));
  CallArgs call;
  call.args.push_back(a[0].value_or(Value::Int(80)));
  return interp.CallValue(method, std::move(call));
}

StatusOr<Value> Indent(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_indent", args, {"width", "first", "blank"}));
  std::string indention;
  if (a[0] && a[0]->is_string()) {
    indention = a[0]->str();
  } else {
    SAVOIR_ASSIGN_OR_RETURN(int64_t width, IntArg(a[0], 4));
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(static_cast<size_t>(std::max<int64_t>(width, 0))));
    indention.assign(static_cast<size_t>(std::max<int64_t>(width, 0)), ' ');
  }
  if (v.is_undefined()) {
    return UndefinedError(v);
  }
  if (v.is_list()) {
    // Python's `s += "\n"` extends a list in place before splitlines fails.
    v.seq().items.push_back(Value::Str("\n"));
    return PyError("'list' object has no attribute 'splitlines'");
  }
  if (v.is_seq_kind(SeqKind::kTuple)) {
    return PyError("can only concatenate tuple (not \"str\") to tuple");
  }
  if (!v.is_string()) {
    return PyError("unsupported operand type(s) for +=: '" + TypeName(v) + "' and 'str'");
  }
  const std::vector<std::string> lines = PySplitLines(v.str() + "\n", false);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += "\n";
      if (BoolArg(a[2], false) || !lines[i].empty()) {
        out += indention;
      }
    }
    out += lines[i];
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  }
  if (BoolArg(a[1], false)) {
    out = indention + out;
  }
  return Value::Str(std::move(out), v.is_markup());
}

StatusOr<Value> Truncate(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a,
                          BindArgs("do_truncate", args, {"length", "killwords", "end", "leeway"}));
  SAVOIR_ASSIGN_OR_RETURN(int64_t length, IntArg(a[0], 255));
  const std::string end = a[2] ? ToStr(*a[2]) : "...";
  SAVOIR_ASSIGN_OR_RETURN(int64_t leeway, IntArg(a[3], 5));
  const auto end_len = static_cast<int64_t>(CodePointCount(end));
  if (length < end_len) {
    return PyError("expected length >= " + std::to_string(end_len) + ", got " +
                   std::to_string(length));
  }
  if (leeway < 0) {
    return PyError("expected leeway >= 0, got " + std::to_string(leeway));
  }
  SAVOIR_ASSIGN_OR_RETURN(int64_t size, Length(v));
  if (size <= length + leeway) {
    return v;
  }
  if (!v.is_string()) {
    if (BoolArg(a[1], false)) {
      return PyError("can only concatenate " + TypeName(v) + " (not \"str\") to " + TypeName(v));
    }
    return PyError("'" + TypeName(v) + "' object has no attribute 'rsplit'");
  }
  const std::u32string cps = DecodeUtf8(v.str());
  const std::string head = EncodeUtf8(std::u32string_view(cps).substr(0, length - end_len));
  if (BoolArg(a[1], false)) {
    return Value::Str(head + end);
  }
  const size_t space = head.rfind(' ');
  return Value::Str((space == std::string::npos ? head : head.substr(0, space)) + end);
}

StatusOr<Value> WordCount(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_wordcount", args).status());
  int64_t count = 0;
  bool in_word = false;
  for (char32_t cp : DecodeUtf8(ToStr(v))) {
    const bool word = IsPyWordChar(cp);
    count += (word && !in_word) ? 1 : 0;
    in_word = word;
  }
  return Value::Int(count);
}

StatusOr<Value> StripTags(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("do_striptags", args).status());
  const std::string text = ToStr(v);
  std::string stripped;
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, 4, "<!--") == 0) {
      const size_t end = text.find("-->", i + 4);
      if (end != std::string::npos) {
        i = end + 3;
        continue;
      }
    }
    if (text[i] == '<') {
      const size_t end = text.find('>', i + 1);
      if (end != std::string::npos) {
        i = end + 1;
        continue;
      }
    }
    stripped.push_back(text[i++]);
  }
  std::string joined;
  for (const std::string& word : PySplit(stripped, std::nullopt, -1, false)) {
    joined += (joined.empty() ? "" : " ") + word;
  }
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"},  {"&lt;", "<"},  {"&gt;", ">"},   {"&quot;", "\""},
      {"&#34;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"}, {"&nbsp;", "\u00a0"}};
  for (const auto& [entity, text_value] : kEntities) {
    joined = PyReplace(joined, entity, text_value, -1);
  }
  return Value::Str(std::move(joined));
}

StatusOr<Value> Format(Interpreter& interp, const Value& v, CallArgs& args) {
  if (!args.args.empty() && !args.kwargs.empty()) {
    return PyError("can't handle positional and keyword arguments at the same time");
  }
  Value format_args;
  if (!args.kwargs.empty()) {
    std::vector<std::pair<Value, Value>> entries;
    for (auto& [k, val] : args.kwargs) {
      entries.emplace_back(Value::Str(k), val);
    }
    format_args = Value::Dict(std::move(entries));
  } else {
    format_args = Value::Tuple(args.args);
  }
  const Value s = SoftStr(v);
  SAVOIR_ASSIGN_OR_RETURN(std::string out, PyPercentFormat(s.str(), format_args));
  SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  return Value::Str(std::move(out), s.is_markup());
}

StatusOr<Value> Default(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_default", args, {"default_value", "boolean"}));
  if (v.is_undefined() || (BoolArg(a[1], false) && !Truthy(v))) {
    return a[0].value_or(Value::Str(""));
  }
  return v;
}

StatusOr<Value> Abs(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(NoArgs("abs", args).status());
  if (v.is_integral()) {
    const int64_t i = v.integral_value();
    if (i == std::numeric_limits<int64_t>::min()) {
      return PyError("integer overflow");
    }
    return Value::Int(i < 0 ? -i : i);
  }
  if (v.is_float()) {
    return Value::Float(std::fabs(v.float_value()));
  }
  return PyError("bad operand type for abs(): '" + TypeName(v) + "'");
}

StatusOr<int64_t> FloatToInt(double f) {
  if (std::isnan(f)) {
    return PyError("cannot convert float NaN to integer");
  }
  if (std::isinf(f)) {
    return PyError("cannot convert float infinity to integer");
  }
  if (f >= 9.2233720368547758e18 || f < -9.2233720368547758e18) {
    return PyError("integer overflow");
  }
  return static_cast<int64_t>(std::trunc(f));
}

StatusOr<Value> Int(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_int", args, {"default", "base"}));
  const Value fallback = a[0].value_or(Value::Int(0));
  if (v.is_undefined()) {
    return UndefinedError(v);
  }
  if (v.is_integral()) {
    return Value::Int(v.integral_value());
  }
  std::optional<double> as_float;
  if (v.is_float()) {
    if (!std::isnan(v.float_value())) {
      SAVOIR_ASSIGN_OR_RETURN(int64_t i, FloatToInt(v.float_value()));
      return Value::Int(i);
    }
    as_float = v.float_value();
  } else if (v.is_string()) {
    const int base = (a[1] && a[1]->is_integral()) ? static_cast<int>(a[1]->integral_value()) : 10;
    StatusOr<int64_t> parsed = PyParseInt(v.str(), base);
    if (parsed.ok()) {
      return Value::Int(*parsed);
    }
    StatusOr<double> f = PyParseFloat(v.str());
    if (f.ok()) {
      as_float = *f;
    }
  }
  if (as_float && !std::isnan(*as_float)) {
    SAVOIR_ASSIGN_OR_RETURN(int64_t i, FloatToInt(*as_float));
    return Value::Int(i);
  }
  return fallback;
}

StatusOr<Value> Float(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_float", args, {"default"}));
  if (v.is_undefined()) {
    return UndefinedError(v);
  }
  if (v.is_number()) {
    return Value::Float(v.number_value());
  }
  if (v.is_string()) {
    StatusOr<double> f = PyParseFloat(v.str());
    if (f.ok()) {
      return Value::Float(*f);
    }
  }
  return a[0].value_or(Value::Float(0.0));
}

// Python's round(x, ndigits) for a float.
double RoundFloat(double x, int64_t ndigits) {
  if (!std::isfinite(x) || ndigits > 323) {
    return x;
  }
  if (ndigits >= 0) {
    char buf[512];
    std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(ndigits), x);
    return std::strtod(buf, nullptr);
  }
  if (ndigits < -308) {
    return std::copysign(0.0, x);
  }
  const double pow10 = std::pow(10.0, static_cast<double>(-ndigits));
  return std::nearbyint(x / pow10) * pow10;
}

StatusOr<Value> Round(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_round", args, {"precision", "method"}));
  SAVOIR_ASSIGN_OR_RETURN(int64_t precision, IntArg(a[0], 0));
  const std::string method = a[1] ? ToStr(*a[1]) : "common";
  if (method != "common" && method != "ceil" && method != "floor") {
    return PyError("method must be common, ceil or floor");
  }
  if (v.is_undefined() && method != "common") {
    return UndefinedError(v);
  }
  if (!v.is_number()) {
    return PyError("type " + TypeName(v) + " doesn't define __round__ method");
  }
  if (method == "common") {
    if (v.is_integral()) {
      int64_t i = v.integral_value();
      if (precision < 0) {
        const double p = std::pow(10.0, static_cast<double>(-precision));
        i = static_cast<int64_t>(std::nearbyint(static_cast<double>(i) / p) * p);
      }
      return Value::Int(i);
    }
    return Value::Float(RoundFloat(v.float_value(), precision));
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double scaled = v.number_value() * scale;
  SAVOIR_ASSIGN_OR_RETURN(int64_t whole,
                          FloatToInt(method == "ceil" ? std::ceil(scaled) : std::floor(scaled)));
  return Value::Float(static_cast<double>(whole) / scale);
}

StatusOr<Value> ToJson(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(
      auto a, BindArgs("tojson", args, {"ensure_ascii", "indent", "separators", "sort_keys"}));
  JsonDumpOptions options;
  options.ensure_ascii = BoolArg(a[0], false);
  options.sort_keys = BoolArg(a[3], false);
  if (a[1] && !a[1]->is_none()) {
    if (a[1]->is_string()) {
      options.indent = a[1]->str();
    } else if (a[1]->is_integral()) {
      options.indent = std::string(
          static_cast<size_t>(std::clamp<int64_t>(a[1]->integral_value(), 0, 1000)), ' ');
    } else {
      return PyError("can't multiply sequence by non-int of type '" + TypeName(*a[1]) + "'");
    }
    options.item_separator = ",";
  }
  if (a[2] && !a[2]->is_none()) {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> seps, interp.Iterate(*a[2]));
    if (seps.size() != 2) {
      return PyError(seps.size() < 2 ? "not enough values to unpack (expected 2, got " +
                                           std::to_string(seps.size()) + ")"
                                     : "too many values to unpack (expected 2)");
    }
    if (!seps[0].is_string() || !seps[1].is_string()) {
      return PyError("separators must be strings");
    }
    options.item_separator = seps[0].str();
    options.key_separator = seps[1].str();
  }
  SAVOIR_ASSIGN_OR_RETURN(std::string out, PyJsonDumps(v, options));
  SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(out.size() / 64)));
  return Value::Str(std::move(out));
}

}  // namespace

FilterFn FindTextFilter(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterFn> kFilters[] = {
      {"abs", Abs},           {"capitalize", Capitalize}, {"center", Center},
      {"d", Default},         {"default", Default},       {"e", Escape},
      {"escape", Escape},     {"float", Float},           {"forceescape", ForceEscape},
      {"format", Format},     {"indent", Indent},         {"int", Int},
      {"lower", Lower},       {"replace", Replace},       {"round", Round},
      {"safe", Safe},         {"string", String},         {"striptags", StripTags},
      {"title", Title},       {"tojson", ToJson},         {"trim", Trim},
      {"truncate", Truncate}, {"upper", Upper},           {"wordcount", WordCount},
  };
  for (const auto& [filter_name, fn] : kFilters) {
    if (filter_name == name) {
      return fn;
    }
  }
  return nullptr;
}

}  // namespace savoir::engine::jinja
