#include "engine/template/builtins_util.h"

#include "engine/template/builtins.h"
#include "engine/template/py_format.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

class BuiltinFunction : public Object {
 public:
  BuiltinFunction(std::string name, BuiltinFn fn) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string_view TypeName() const override { return "function"; }
  std::string Repr() const override { return "<function " + name_ + ">"; }
  StatusOr<Value> Call(Interpreter& interp, CallArgs args) override { return fn_(interp, args); }

 private:
  std::string name_;
  BuiltinFn fn_;
};

// One replacement field of a format string: "name.attr[key]".
StatusOr<Value> LookupField(Interpreter& interp, std::string_view field, const CallArgs& args,
                            size_t* auto_index, bool* manual) {
  size_t end = field.find_first_of(".[");
  const std::string_view first = field.substr(0, end);
  Value obj;
  if (first.empty() || (first[0] >= '0' && first[0] <= '9')) {
    size_t index = 0;
    if (first.empty()) {
      if (*manual) {
        return PyError(
            "cannot switch from manual field specification to automatic field numbering");
      }
      index = (*auto_index)++;
    } else {
      if (*auto_index > 0) {
        return PyError(
            "cannot switch from automatic field numbering to manual field specification");
      }
      *manual = true;
      SAVOIR_ASSIGN_OR_RETURN(int64_t parsed, PyParseInt(first, 10));
      index = static_cast<size_t>(parsed);
    }
    if (index >= args.args.size()) {
      return PyError("Replacement index " + std::to_string(index) +
                     " out of range for positional args tuple");
    }
    obj = args.args[index];
  } else {
    bool found = false;
    for (const auto& [k, v] : args.kwargs) {
      if (k == first) {
        obj = v;
        found = true;
      }
    }
    if (!found) {
      return PyError(PyStrRepr(first));
    }
  }
  while (end != std::string_view::npos && end < field.size()) {
    if (field[end] == '.') {
      const size_t next = field.find_first_of(".[", end + 1);
      const std::string_view attr = field.substr(end + 1, next - end - 1);
      if (attr.empty()) {
        return PyError("Empty attribute in format string");
      }
      SAVOIR_ASSIGN_OR_RETURN(obj, GetAttribute(interp, obj, attr));
      end = next;
    } else {
      const size_t close = field.find(']', end);
      if (close == std::string_view::npos) {
        return PyError("Missing ']' in format string");
      }
      const std::string_view key = field.substr(end + 1, close - end - 1);
      Value key_value = Value::Str(std::string(key));
      if (!key.empty() && key.find_first_not_of("0123456789") == std::string_view::npos) {
        SAVOIR_ASSIGN_OR_RETURN(int64_t k, PyParseInt(key, 10));
        key_value = Value::Int(k);
      }
      SAVOIR_ASSIGN_OR_RETURN(obj, GetItem(interp, obj, key_value));
      end = close + 1;
      if (end < field.size() && field[end] != '.' && field[end] != '[') {
        return PyError("Only '.' or '[' may follow ']' in format field specifier");
      }
    }
  }
  return obj;
}

StatusOr<std::string> FormatImpl(Interpreter& interp, std::string_view fmt, const CallArgs& args,
                                 size_t* auto_index, bool* manual, int depth) {
  if (depth > 2) {
    return PyError("Max string recursion exceeded");
  }
  std::string out;
  size_t i = 0;
  while (i < fmt.size()) {
    const char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out.push_back('}');
        i += 2;
        continue;
      }
      return PyError("Single '}' encountered in format string");
    }
    if (c != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out.push_back('{');
      i += 2;
      continue;
    }
    // Find the matching '}' allowing nested braces in the format spec.
    size_t j = i + 1;
    int nesting = 1;
    while (j < fmt.size() && nesting > 0) {
      if (fmt[j] == '{') {
        ++nesting;
      } else if (fmt[j] == '}') {
        --nesting;
      }
      if (nesting > 0) {
        ++j;
      }
    }
    if (j >= fmt.size()) {
      return PyError(i + 1 >= fmt.size() ? "Single '{' encountered in format string"
                                         : "expected '}' before end of string");
    }
    std::string_view field = fmt.substr(i + 1, j - i - 1);
    std::string_view spec;
    char conversion = 0;
    const size_t colon = field.find(':');
    if (colon != std::string_view::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    const size_t bang = field.find('!');
    if (bang != std::string_view::npos) {
      if (bang + 2 != field.size()) {
        return PyError("expected ':' after conversion specifier");
      }
      conversion = field[bang + 1];
      field = field.substr(0, bang);
    }
    SAVOIR_ASSIGN_OR_RETURN(Value value, LookupField(interp, field, args, auto_index, manual));
    if (conversion == 'r' || conversion == 'a') {
      value = Value::Str(Repr(value));
    } else if (conversion == 's') {
      value = Value::Str(ToStr(value));
    } else if (conversion != 0) {
      return PyError(std::string("Unknown conversion specifier ") + conversion);
    }
    SAVOIR_ASSIGN_OR_RETURN(std::string expanded_spec,
                            FormatImpl(interp, spec, args, auto_index, manual, depth + 1));
    SAVOIR_ASSIGN_OR_RETURN(std::string piece, PyFormatSpec(value, expanded_spec));
    out += piece;
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
    i = j + 1;
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::optional<Value>>> BindArgs(
    std::string_view func, const CallArgs& args, std::initializer_list<std::string_view> names) {
  std::vector<std::optional<Value>> bound(names.size());
  if (args.args.size() > names.size()) {
    return PyError(std::string(func) + "() takes at most " + std::to_string(names.size()) +
                   " arguments (" + std::to_string(args.args.size()) + " given)");
  }
  for (size_t i = 0; i < args.args.size(); ++i) {
    bound[i] = args.args[i];
  }
  for (const auto& [key, value] : args.kwargs) {
    size_t index = 0;
    for (std::string_view name : names) {
      if (name == key) {
        break;
      }
      ++index;
    }
    if (index == names.size()) {
      return PyError(std::string(func) + "() got an unexpected keyword argument " + PyStrRepr(key));
    }
    if (bound[index]) {
      return PyError(std::string(func) + "() got multiple values for argument " + PyStrRepr(key));
    }
    bound[index] = value;
  }
  return bound;
}

StatusOr<int64_t> IntArg(const std::optional<Value>& arg, int64_t fallback) {
  if (!arg || arg->is_none()) {
    return fallback;
  }
  if (arg->is_undefined()) {
    return UndefinedError(*arg);
  }
  if (!arg->is_integral()) {
    return PyError("'" + TypeName(*arg) + "' object cannot be interpreted as an integer");
  }
  return arg->integral_value();
}

bool BoolArg(const std::optional<Value>& arg, bool fallback) {
  return arg ? Truthy(*arg) : fallback;
}

Value IgnoreCase(const Value& v) { return v.is_string() ? Value::Str(PyLower(v.str())) : v; }

AttrGetter::AttrGetter(const Value& attribute, std::optional<Value> default_value, bool lower)
    : default_(std::move(default_value)), lower_(lower) {
  if (attribute.is_string()) {
    for (const std::string& part : PySplit(attribute.str(), std::string("."), -1, false)) {
      const bool digits =
          !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
      StatusOr<int64_t> index = digits ? PyParseInt(part, 10) : StatusOr<int64_t>(PyError(""));
      parts_.push_back(index.ok() ? Value::Int(*index) : Value::Str(part));
    }
  } else if (!attribute.is_none()) {
    parts_.push_back(attribute);
  }
}

StatusOr<Value> AttrGetter::Get(Interpreter& interp, const Value& item) const {
  Value current = item;
  for (const Value& part : parts_) {
    SAVOIR_ASSIGN_OR_RETURN(current, GetItem(interp, current, part));
    if (default_ && current.is_undefined()) {
      current = *default_;
    }
  }
  return lower_ ? IgnoreCase(current) : current;
}

Value MakeBuiltin(std::string name, BuiltinFn fn) {
  return Value::FromObject(std::make_shared<BuiltinFunction>(std::move(name), std::move(fn)));
}

StatusOr<std::string> PyStrFormat(Interpreter& interp, std::string_view fmt, const CallArgs& args) {
  size_t auto_index = 0;
  bool manual = false;
  return FormatImpl(interp, fmt, args, &auto_index, &manual, 0);
}

}  // namespace savoir::engine::jinja
