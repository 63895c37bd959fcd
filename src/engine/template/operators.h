// Python's operators on interpreter values: arithmetic, concatenation, membership, len(),
// iteration and slicing, with CPython's results and error messages.
//
// Integers are 64-bit: where Python would grow a big integer these functions fail with
// "integer overflow" instead.
//
// Thread safety: functions over values owned by one render.
#ifndef SAVOIR_ENGINE_TEMPLATE_OPERATORS_H_
#define SAVOIR_ENGINE_TEMPLATE_OPERATORS_H_

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "engine/template/ast.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

// a <op> b for the arithmetic operators (not `and`/`or`).
StatusOr<Value> ApplyBinary(Interpreter& interp, BinaryOp op, const Value& a, const Value& b);
// -v (kind kNeg) or +v (kind kPos).
StatusOr<Value> ApplyUnary(ExprKind kind, const Value& v);
// `item in container`.
StatusOr<bool> Contains(const Value& container, const Value& item);
// len(v).
StatusOr<int64_t> Length(const Value& v);
// The items iter(v) yields; consumes one-shot iterators.
StatusOr<std::vector<Value>> IterateValue(const Value& v);
// v[start:stop:step] for str, list, tuple and range; each bound may be None.
StatusOr<Value> SliceValue(const Value& v, const Value& start, const Value& stop,
                           const Value& step);
// Python's index normalization: the position of `index` in a sequence of `size`, or -1.
int64_t NormalizeIndex(int64_t index, int64_t size);
// HTML-escapes like markupsafe.escape (& < > " ').
std::string EscapeHtml(std::string_view text);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_OPERATORS_H_
