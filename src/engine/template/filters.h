// Lookup of the builtin filters, split by kind across filters_text.cc and filters_seq.cc.
//
// Thread safety: constant tables.
#ifndef SAVOIR_ENGINE_TEMPLATE_FILTERS_H_
#define SAVOIR_ENGINE_TEMPLATE_FILTERS_H_

#include <string_view>

#include "engine/template/ast.h"

namespace savoir::engine::jinja {

// Filters on strings and scalars (upper, trim, tojson, ...), or nullptr.
FilterFn FindTextFilter(std::string_view name);
// Filters on sequences and mappings (map, select, join, sort, ...), or nullptr.
FilterFn FindSeqFilter(std::string_view name);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_FILTERS_H_
