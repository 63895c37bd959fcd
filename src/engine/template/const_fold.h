// Emulation of the observable effects of Jinja2's compile-time constant folding.
//
// Jinja2's optimizer evaluates constant subexpressions while compiling (`as_const`). The
// results equal run-time evaluation except in two ways this class reproduces:
//  - slices: folded, `true[1:]` goes through the sandbox's getitem and becomes undefined, while
//    at run time the same slice raises TypeError. FoldSlices marks the slices Jinja2 folds: a
//    constant subtree folds when it evaluates without error to a value with a literal
//    representation, or to anything when it is a whole `{{ }}` expression;
//  - dead operands: in `true or x|f` the right operand is folded away, so an unknown filter
//    there is not an error (RightOperandFoldedAway);
//  - negative bases: a folded `-3` is written back as the Python literal -3, so `-3 ** x`
//    computes -(3 ** x) when x is not constant (BinaryExpr::negative_literal_base).
//
// Thread safety: one instance per parse, on one thread, over a tree the caller owns.
#ifndef SAVOIR_ENGINE_TEMPLATE_CONST_FOLD_H_
#define SAVOIR_ENGINE_TEMPLATE_CONST_FOLD_H_

#include <optional>
#include <unordered_map>

#include "engine/template/ast.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

class ConstFolder {
 public:
  // Whether Jinja2's as_const can evaluate `expr` (no variables, calls or context filters).
  bool IsConst(const Expr& expr);
  // The value as_const gives `expr`, when it has one.
  std::optional<Value> ConstValue(const Expr& expr);
  // The folded value of `expr`, when Jinja2 folds it into a literal.
  std::optional<Value> FoldedValue(const Expr& expr);
  // True when the left operand of this `and`/`or` is a folded constant that decides the result.
  bool RightOperandFoldedAway(const BinaryExpr& expr);
  // Sets GetItemExpr::fold_slice on the slices Jinja2 evaluates at compile time.
  void FoldSlices(Program& program);

 private:
  void FoldExpr(Expr* expr, bool output_root);
  void FoldStmts(StmtList& stmts);
  void FoldStmt(Stmt& stmt);

  std::unordered_map<const Expr*, bool> is_const_;
  std::unordered_map<const Expr*, std::optional<Value>> values_;
};

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_CONST_FOLD_H_
