// Jinja2's builtin filters, tests, global functions and the methods of str, dict and list, as
// Hugging Face's ImmutableSandboxedEnvironment exposes them (tojson replaced by HF's json.dumps
// wrapper; raise_exception and strftime_now added; range capped at 100000 items; methods that
// mutate lists and dicts refused, except list.pop and list.clear which the sandbox allows).
//
// Unsupported Jinja2 builtins (the parser then reports "No filter named ..."): the filters
// pprint, random, urlize, urlencode, wordwrap, xmlattr, filesizeformat; the global lipsum.
//
// Thread safety: the lookup functions read constant tables.
#ifndef SAVOIR_ENGINE_TEMPLATE_BUILTINS_H_
#define SAVOIR_ENGINE_TEMPLATE_BUILTINS_H_

#include <string_view>

#include "engine/template/ast.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

class Scope;

// The filter or test called `name`, or nullptr.
FilterFn FindFilter(std::string_view name);
TestFn FindTest(std::string_view name);

// Defines the global functions (range, dict, namespace, cycler, joiner, raise_exception,
// strftime_now) in `scope`.
void DefineGlobals(Scope& scope);

// The sandbox's getattr(obj, name): Python attribute first (methods of str/dict/list, loop and
// namespace attributes), then obj[name]; an undefined value when neither exists.
StatusOr<Value> GetAttribute(Interpreter& interp, const Value& obj, std::string_view name);
// The sandbox's getitem(obj, key): obj[key] first, then the attribute when key is a str.
StatusOr<Value> GetItem(Interpreter& interp, const Value& obj, const Value& key);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_BUILTINS_H_
