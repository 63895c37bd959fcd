// Helpers shared by the builtin filters, tests and methods: Python-style argument binding,
// Jinja2's attribute getters and builtin function objects.
//
// Thread safety: functions over values owned by one render.
#ifndef SAVOIR_ENGINE_TEMPLATE_BUILTINS_UTIL_H_
#define SAVOIR_ENGINE_TEMPLATE_BUILTINS_UTIL_H_

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/template/interpreter.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

// Binds `args` to the parameters `names` of `func` (positional first, then by keyword).
// Returns one entry per name, nullopt where the caller gave nothing. Fails like Python on
// surplus or unknown arguments.
StatusOr<std::vector<std::optional<Value>>> BindArgs(std::string_view func, const CallArgs& args,
                                                     std::initializer_list<std::string_view> names);

// An argument that must be an int (bool accepted), or `fallback` when absent or None.
StatusOr<int64_t> IntArg(const std::optional<Value>& arg, int64_t fallback);
// Truthiness of an argument, or `fallback` when absent.
bool BoolArg(const std::optional<Value>& arg, bool fallback);

// Jinja2's make_attrgetter: follows "a.b.0" through getitem; `default` replaces undefined
// results; `lower` lower-cases string results (ignore_case).
class AttrGetter {
 public:
  AttrGetter(const Value& attribute, std::optional<Value> default_value, bool lower);
  StatusOr<Value> Get(Interpreter& interp, const Value& item) const;

 private:
  std::vector<Value> parts_;
  std::optional<Value> default_;
  bool lower_;
};

// Lower-cases a value when it is a string (Jinja2's ignore_case).
Value IgnoreCase(const Value& v);

// The Python attribute `name` of `obj` (methods of str, dict and list, namespace and object
// attributes), without falling back to items; nullopt when there is none.
StatusOr<std::optional<Value>> GetPythonAttr(Interpreter& interp, const Value& obj,
                                             std::string_view name);

// A builtin function as a callable value.
using BuiltinFn = std::function<StatusOr<Value>(Interpreter&, CallArgs&)>;
Value MakeBuiltin(std::string name, BuiltinFn fn);

// str.format with the sandbox's formatter (fields may use .attr and [key]).
StatusOr<std::string> PyStrFormat(Interpreter& interp, std::string_view fmt, const CallArgs& args);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_BUILTINS_UTIL_H_
