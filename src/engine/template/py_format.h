// Python's formatting and parsing of values: json.dumps, printf-style `%`, format specs, int()
// and float() of strings.
//
// Chat templates serialize tool schemas with Hugging Face's `tojson` filter, which is
// `json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`; PyJsonDumps
// produces the same bytes, including float repr, key conversion and the error texts of
// json.dumps for values it cannot serialize.
//
// Thread safety: pure functions.
#ifndef SAVOIR_ENGINE_TEMPLATE_PY_FORMAT_H_
#define SAVOIR_ENGINE_TEMPLATE_PY_FORMAT_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // the text of one indent level; absent: one line
  std::string item_separator = ", ";
  std::string key_separator = ": ";
  bool sort_keys = false;
};

// json.dumps(value, ...). Errors: "Object of type X is not JSON serializable", bad keys.
StatusOr<std::string> PyJsonDumps(const Value& value, const JsonDumpOptions& options);

// `fmt % args` for a str (printf-style); args is a tuple, a mapping or a single value.
StatusOr<std::string> PyPercentFormat(std::string_view fmt, const Value& args);

// format(value, spec) for str, int, bool and float; other types accept only an empty spec.
StatusOr<std::string> PyFormatSpec(const Value& value, std::string_view spec);

// int(text, base): ValueError message on malformed input or int64 overflow.
StatusOr<int64_t> PyParseInt(std::string_view text, int base);
// float(text): ValueError message on malformed input.
StatusOr<double> PyParseFloat(std::string_view text);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_PY_FORMAT_H_
