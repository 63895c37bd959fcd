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

// str.format with the sandbox's field lookups (string.Formatter.vformat).
class StrFormatter {
 public:
  StrFormatter(Interpreter& interp, const CallArgs& args) : interp_(interp), args_(args) {}

  StatusOr<std::string> Format(std::string_view fmt, int depth) {
    if (depth > 2) {
      return PyError("Max string recursion exceeded");
    }
    std::string out;
    size_t i = 0;
    while (i < fmt.size()) {
      const char c = fmt[i];
      const bool doubled = i + 1 < fmt.size() && fmt[i + 1] == c;
      if ((c == '{' || c == '}') && doubled) {
        out.push_back(c);
        i += 2;
        continue;
      }
      if (c == '}') {
        return PyError("Single '}' encountered in format string");
      }
      if (c != '{') {
        out.push_back(c);
        ++i;
        continue;
      }
      SAVOIR_ASSIGN_OR_RETURN(const size_t close, MatchingBrace(fmt, i));
      SAVOIR_ASSIGN_OR_RETURN(std::string piece, Field(fmt.substr(i + 1, close - i - 1), depth));
      out += piece;
      SAVOIR_RETURN_IF_ERROR(interp_.CheckSize(out.size()));
      i = close + 1;
    }
    return out;
  }

 private:
  // The '}' closing the field opened at `open`, allowing nested fields in the format spec.
  static StatusOr<size_t> MatchingBrace(std::string_view fmt, size_t open) {
    int nesting = 1;
    for (size_t j = open + 1; j < fmt.size(); ++j) {
      nesting += fmt[j] == '{' ? 1 : (fmt[j] == '}' ? -1 : 0);
      if (nesting == 0) {
        return j;
      }
    }
    return PyError(open + 1 >= fmt.size() ? "Single '{' encountered in format string"
                                          : "expected '}' before end of string");
  }

  // One replacement field "name.attr[key]!conversion:spec".
  StatusOr<std::string> Field(std::string_view field, int depth) {
    std::string_view spec;
    char conversion = 0;
    if (const size_t colon = field.find(':'); colon != std::string_view::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    if (const size_t bang = field.find('!'); bang != std::string_view::npos) {
      if (bang + 2 != field.size()) {
        return PyError("expected ':' after conversion specifier");
      }
      conversion = field[bang + 1];
      field = field.substr(0, bang);
    }
    const size_t path = field.find_first_of(".[");
    SAVOIR_ASSIGN_OR_RETURN(Value value, Argument(field.substr(0, path)));
    if (path != std::string_view::npos) {
      SAVOIR_ASSIGN_OR_RETURN(value, FollowPath(std::move(value), field.substr(path)));
    }
    if (conversion == 'r' || conversion == 'a') {
      value = Value::Str(Repr(value));
    } else if (conversion == 's') {
      value = Value::Str(ToStr(value));
    } else if (conversion != 0) {
      return PyError(std::string("Unknown conversion specifier ") + conversion);
    }
    SAVOIR_ASSIGN_OR_RETURN(std::string expanded_spec, Format(spec, depth + 1));
    return PyFormatSpec(value, expanded_spec);
  }

  // The positional ("", "0") or keyword argument a field names.
  StatusOr<Value> Argument(std::string_view first) {
    if (!first.empty() && !(first[0] >= '0' && first[0] <= '9')) {
      for (const auto& [k, v] : args_.kwargs) {
        if (k == first) {
          return v;
        }
      }
      return PyError(PyStrRepr(first));
    }
    size_t index = 0;
    if (first.empty()) {
      if (manual_) {
        return PyError(
            "cannot switch from manual field specification to automatic field numbering");
      }
      index = auto_index_++;
    } else {
      if (auto_index_ > 0) {
        return PyError(
            "cannot switch from automatic field numbering to manual field specification");
      }
      manual_ = true;
      SAVOIR_ASSIGN_OR_RETURN(int64_t parsed, PyParseInt(first, 10));
      index = static_cast<size_t>(parsed);
    }
    if (index >= args_.args.size()) {
      return PyError("Replacement index " + std::to_string(index) +
                     " out of range for positional args tuple");
    }
    return args_.args[index];
  }

  // Follows ".attr" and "[key]" parts through the sandbox's getattr and getitem.
  StatusOr<Value> FollowPath(Value obj, std::string_view path) {
    size_t at = 0;
    while (at < path.size()) {
      if (path[at] == '.') {
        const size_t next = path.find_first_of(".[", at + 1);
        const std::string_view attr = path.substr(at + 1, next - at - 1);
        if (attr.empty()) {
          return PyError("Empty attribute in format string");
        }
        SAVOIR_ASSIGN_OR_RETURN(obj, GetAttribute(interp_, obj, attr));
        at = next == std::string_view::npos ? path.size() : next;
        continue;
      }
      const size_t close = path.find(']', at);
      if (close == std::string_view::npos) {
        return PyError("Missing ']' in format string");
      }
      const std::string_view key = path.substr(at + 1, close - at - 1);
      Value key_value = Value::Str(std::string(key));
      if (!key.empty() && key.find_first_not_of("0123456789") == std::string_view::npos) {
        SAVOIR_ASSIGN_OR_RETURN(int64_t k, PyParseInt(key, 10));
        key_value = Value::Int(k);
      }
      SAVOIR_ASSIGN_OR_RETURN(obj, GetItem(interp_, obj, key_value));
      at = close + 1;
      if (at < path.size() && path[at] != '.' && path[at] != '[') {
        return PyError("Only '.' or '[' may follow ']' in format field specifier");
      }
    }
    return obj;
  }

  Interpreter& interp_;
  const CallArgs& args_;
  size_t auto_index_ = 0;
  bool manual_ = false;
};

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
  return StrFormatter(interp, args).Format(fmt, 0);
}

}  // namespace savoir::engine::jinja
