// Syntax tree of a parsed Jinja2 template.
//
// Expressions and statements mirror the nodes of Jinja2's parser (jinja2/nodes.py) for the
// subset chat templates use. The tree is immutable after parsing and may be rendered from many
// threads at once: constants hold only scalar values, whose shared strings are never mutated.
#ifndef SAVOIR_ENGINE_TEMPLATE_AST_H_
#define SAVOIR_ENGINE_TEMPLATE_AST_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/template/value.h"

namespace savoir::engine::jinja {

// A filter: receives the piped value and the call arguments.
using FilterFn = StatusOr<Value> (*)(Interpreter& interp, const Value& value, CallArgs& args);
// A test (`x is name(args)`).
using TestFn = StatusOr<bool> (*)(Interpreter& interp, const Value& value, CallArgs& args);

struct Node {
  int line = 0;
  int column = 0;
};

enum class ExprKind : uint8_t {
  kConst,
  kName,
  kTuple,
  kList,
  kDict,
  kGetAttr,
  kGetItem,
  kSlice,
  kCall,
  kFilter,
  kTest,
  kNot,
  kNeg,
  kPos,
  kBinary,
  kConcat,
  kCompare,
  kCondExpr,
};

struct Expr : Node {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  ExprKind kind;
};
using ExprPtr = std::unique_ptr<Expr>;

struct ConstExpr : Expr {
  explicit ConstExpr(Value v) : Expr(ExprKind::kConst), value(std::move(v)) {}
  Value value;
};

struct NameExpr : Expr {
  explicit NameExpr(std::string n) : Expr(ExprKind::kName), name(std::move(n)) {}
  std::string name;
};

// kTuple and kList literals.
struct SeqExpr : Expr {
  using Expr::Expr;
  std::vector<ExprPtr> items;
};

struct DictExpr : Expr {
  DictExpr() : Expr(ExprKind::kDict) {}
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

struct GetAttrExpr : Expr {
  GetAttrExpr() : Expr(ExprKind::kGetAttr) {}
  ExprPtr object;
  std::string attr;
};

struct GetItemExpr : Expr {
  GetItemExpr() : Expr(ExprKind::kGetItem) {}
  ExprPtr object;
  ExprPtr key;  // may be a SliceExpr
  // Jinja2 folds constant expressions at compile time, and there a slice goes through the
  // sandbox's getitem, which turns TypeError into an undefined value; at run time slices
  // raise. Set by const_fold.cc where Jinja2 would fold this slice.
  bool fold_slice = false;
};

struct SliceExpr : Expr {
  SliceExpr() : Expr(ExprKind::kSlice) {}
  ExprPtr start;  // each may be null
  ExprPtr stop;
  ExprPtr step;
};

struct CallArgExprs {
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  ExprPtr dyn_args;    // *args
  ExprPtr dyn_kwargs;  // **kwargs
};

struct CallExpr : Expr {
  CallExpr() : Expr(ExprKind::kCall) {}
  ExprPtr callee;
  CallArgExprs args;
};

struct FilterExpr : Expr {
  FilterExpr() : Expr(ExprKind::kFilter) {}
  ExprPtr operand;  // null inside {% filter %} and {% set x | f %}: the captured text
  std::string name;
  CallArgExprs args;
  FilterFn fn = nullptr;  // null: unknown filter, an error when evaluated
};

struct TestExpr : Expr {
  TestExpr() : Expr(ExprKind::kTest) {}
  ExprPtr operand;
  std::string name;
  CallArgExprs args;
  TestFn fn = nullptr;  // null: unknown test, an error when evaluated
};

// kNot, kNeg, kPos.
struct UnaryExpr : Expr {
  using Expr::Expr;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow, kAnd, kOr };

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(ExprKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr left;
  ExprPtr right;
  // kPow whose left operand Jinja2 folds to a negative number: it computes -(|left| ** right).
  // Set by const_fold.cc.
  bool negative_literal_base = false;
};

struct ConcatExpr : Expr {
  ConcatExpr() : Expr(ExprKind::kConcat) {}
  std::vector<ExprPtr> items;
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

struct CompareExpr : Expr {
  CompareExpr() : Expr(ExprKind::kCompare) {}
  ExprPtr first;
  std::vector<std::pair<CompareOp, ExprPtr>> rest;
};

struct CondExpr : Expr {
  CondExpr() : Expr(ExprKind::kCondExpr) {}
  ExprPtr test;
  ExprPtr then_expr;
  ExprPtr else_expr;  // null: undefined when the test is false
};

// Assignment target: a name, a (nested) tuple of names, or `namespace.attr`.
struct Target {
  enum class Kind : uint8_t { kName, kTuple, kNamespaceAttr };
  Kind kind = Kind::kName;
  std::string name;
  std::string attr;
  std::vector<Target> items;
};

enum class StmtKind : uint8_t {
  kOutput,
  kIf,
  kFor,
  kSet,
  kSetBlock,
  kMacro,
  kCallBlock,
  kFilterBlock,
  kWith,
  kBreak,
  kContinue,
  kScope,
};

struct Stmt : Node {
  explicit Stmt(StmtKind k) : kind(k) {}
  virtual ~Stmt() = default;
  StmtKind kind;
};
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

// Template text and {{ expressions }}, in order.
struct OutputStmt : Stmt {
  OutputStmt() : Stmt(StmtKind::kOutput) {}
  struct Part {
    std::string text;  // used when expr is null
    ExprPtr expr;
  };
  std::vector<Part> parts;
};

struct IfStmt : Stmt {
  IfStmt() : Stmt(StmtKind::kIf) {}
  std::vector<std::pair<ExprPtr, StmtList>> branches;  // if, then each elif
  StmtList else_body;
};

struct ForStmt : Stmt {
  ForStmt() : Stmt(StmtKind::kFor) {}
  Target target;
  ExprPtr iter;
  ExprPtr filter;  // `for x in y if cond`; may be null
  bool recursive = false;
  StmtList body;
  StmtList else_body;
};

struct SetStmt : Stmt {
  SetStmt() : Stmt(StmtKind::kSet) {}
  Target target;
  ExprPtr value;
};

struct SetBlockStmt : Stmt {
  SetBlockStmt() : Stmt(StmtKind::kSetBlock) {}
  Target target;
  ExprPtr filter;  // FilterExpr chain over the captured text; may be null
  StmtList body;
};

// A macro, or the anonymous `caller` of a call block.
struct MacroStmt : Stmt {
  MacroStmt() : Stmt(StmtKind::kMacro) {}
  std::string name;
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;  // defaults of the last params
  StmtList body;
  bool uses_caller = false;
  bool uses_varargs = false;
  bool uses_kwargs = false;
};

struct CallBlockStmt : Stmt {
  CallBlockStmt() : Stmt(StmtKind::kCallBlock) {}
  std::unique_ptr<CallExpr> call;
  std::unique_ptr<MacroStmt> caller;
};

struct FilterBlockStmt : Stmt {
  FilterBlockStmt() : Stmt(StmtKind::kFilterBlock) {}
  ExprPtr filter;  // FilterExpr chain whose innermost operand is null
  StmtList body;
};

struct WithStmt : Stmt {
  WithStmt() : Stmt(StmtKind::kWith) {}
  std::vector<Target> targets;
  std::vector<ExprPtr> values;
  StmtList body;
};

// {% block name %} (rendered in place: there is no inheritance) and HF's {% generation %}.
struct ScopeStmt : Stmt {
  ScopeStmt() : Stmt(StmtKind::kScope) {}
  StmtList body;
};

struct LoopControlStmt : Stmt {
  using Stmt::Stmt;  // kBreak or kContinue
};

struct Program {
  StmtList body;
};

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_AST_H_
