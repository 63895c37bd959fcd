// Checks and analyses of a parsed template that need the whole tree.
//
// Thread safety: pure functions over a tree that the caller owns.
#ifndef SAVOIR_ENGINE_TEMPLATE_PARSER_CHECKS_H_
#define SAVOIR_ENGINE_TEMPLATE_PARSER_CHECKS_H_

#include "base/status.h"
#include "engine/template/ast.h"
#include "engine/template/const_fold.h"

namespace savoir::engine::jinja {

// Fails with "No filter named 'x'." (or test) for unknown filters and tests outside `if`
// statements and conditional expressions, where Jinja2's compiler rejects them; inside those
// they fail only when evaluated, and in operands that constant folding removes.
Status CheckFiltersAndTests(const Program& program, ConstFolder& folder);

// Sets macro->uses_caller/uses_varargs/uses_kwargs from the names its body reads.
void ScanMacroNames(MacroStmt* macro);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_PARSER_CHECKS_H_
