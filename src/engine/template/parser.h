// Parser of Jinja2 templates into the syntax tree of ast.h.
//
// It follows the grammar of Jinja2 3.1's parser (operator precedence, tuples, tests with one
// unparenthesized argument, filters, slices, call arguments) with the statements chat templates
// use: if/elif/else, for (with `if` filter, `recursive` and `else`), set (plain, tuple,
// namespace attribute and block forms), macro, call, filter, with, block, print, break and
// continue (the loopcontrols extension) and Hugging Face's `generation` tag.
//
// Like Jinja2's compiler it rejects unknown filters and tests at parse time, except inside
// `if` statements and conditional expressions, where they fail only when evaluated. Templates
// that use include/import/extends (which need a loader that Hugging Face does not provide) or
// autoescape are rejected.
//
// Thread safety: pure function.
#ifndef SAVOIR_ENGINE_TEMPLATE_PARSER_H_
#define SAVOIR_ENGINE_TEMPLATE_PARSER_H_

#include <memory>
#include <string_view>

#include "base/status.h"
#include "engine/template/ast.h"

namespace savoir::engine::jinja {

// Parses `source`. Errors (INVALID_ARGUMENT) name the line and column of the offending token,
// e.g. "line 2, column 9: unexpected '}'". Nesting deeper than 100 levels is an error.
StatusOr<std::unique_ptr<Program>> ParseTemplate(std::string_view source);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_PARSER_H_
