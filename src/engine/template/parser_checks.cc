#include "engine/template/parser_checks.h"

#include <functional>

namespace savoir::engine::jinja {
namespace {

// Visits every expression with whether it sits in a "soft" frame (an if statement or a
// conditional expression, without a new scope such as a loop body in between).
using ExprVisitor = std::function<Status(const Expr&, bool soft)>;

// What to visit: the visitor, and (when set) the folder that tells which operands constant
// folding removes, so that they are skipped.
struct Walk {
  const ExprVisitor& visit;
  ConstFolder* folder;
};

Status WalkStmts(const StmtList& stmts, bool soft, const Walk& w);

Status WalkExpr(const Expr* expr, bool soft, const Walk& w);

Status WalkArgs(const CallArgExprs& args, bool soft, const Walk& w) {
  for (const ExprPtr& arg : args.args) {
    SAVOIR_RETURN_IF_ERROR(WalkExpr(arg.get(), soft, w));
  }
  for (const auto& kwarg : args.kwargs) {
    SAVOIR_RETURN_IF_ERROR(WalkExpr(kwarg.second.get(), soft, w));
  }
  SAVOIR_RETURN_IF_ERROR(WalkExpr(args.dyn_args.get(), soft, w));
  return WalkExpr(args.dyn_kwargs.get(), soft, w);
}

Status WalkExpr(const Expr* expr, bool soft, const Walk& w) {
  if (expr == nullptr) {
    return OkStatus();
  }
  SAVOIR_RETURN_IF_ERROR(w.visit(*expr, soft));
  switch (expr->kind) {
    case ExprKind::kConst:
    case ExprKind::kName:
      return OkStatus();
    case ExprKind::kTuple:
    case ExprKind::kList:
      for (const ExprPtr& item : static_cast<const SeqExpr*>(expr)->items) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(item.get(), soft, w));
      }
      return OkStatus();
    case ExprKind::kDict:
      for (const auto& [k, v] : static_cast<const DictExpr*>(expr)->items) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(k.get(), soft, w));
        SAVOIR_RETURN_IF_ERROR(WalkExpr(v.get(), soft, w));
      }
      return OkStatus();
    case ExprKind::kGetAttr:
      return WalkExpr(static_cast<const GetAttrExpr*>(expr)->object.get(), soft, w);
    case ExprKind::kGetItem: {
      const auto* e = static_cast<const GetItemExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->object.get(), soft, w));
      return WalkExpr(e->key.get(), soft, w);
    }
    case ExprKind::kSlice: {
      const auto* e = static_cast<const SliceExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->start.get(), soft, w));
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->stop.get(), soft, w));
      return WalkExpr(e->step.get(), soft, w);
    }
    case ExprKind::kCall: {
      const auto* e = static_cast<const CallExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->callee.get(), soft, w));
      return WalkArgs(e->args, soft, w);
    }
    case ExprKind::kFilter: {
      const auto* e = static_cast<const FilterExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->operand.get(), soft, w));
      return WalkArgs(e->args, soft, w);
    }
    case ExprKind::kTest: {
      const auto* e = static_cast<const TestExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->operand.get(), soft, w));
      return WalkArgs(e->args, soft, w);
    }
    case ExprKind::kNot:
    case ExprKind::kNeg:
    case ExprKind::kPos:
      return WalkExpr(static_cast<const UnaryExpr*>(expr)->operand.get(), soft, w);
    case ExprKind::kBinary: {
      const auto* e = static_cast<const BinaryExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->left.get(), soft, w));
      if (w.folder != nullptr && w.folder->RightOperandFoldedAway(*e)) {
        return OkStatus();
      }
      return WalkExpr(e->right.get(), soft, w);
    }
    case ExprKind::kConcat:
      for (const ExprPtr& item : static_cast<const ConcatExpr*>(expr)->items) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(item.get(), soft, w));
      }
      return OkStatus();
    case ExprKind::kCompare: {
      const auto* e = static_cast<const CompareExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->first.get(), soft, w));
      for (const auto& [op, operand] : e->rest) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(operand.get(), soft, w));
      }
      return OkStatus();
    }
    case ExprKind::kCondExpr: {
      const auto* e = static_cast<const CondExpr*>(expr);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->test.get(), true, w));
      SAVOIR_RETURN_IF_ERROR(WalkExpr(e->then_expr.get(), true, w));
      return WalkExpr(e->else_expr.get(), true, w);
    }
  }
  return OkStatus();
}

Status WalkMacro(const MacroStmt& macro, const Walk& w) {
  for (const ExprPtr& def : macro.defaults) {
    SAVOIR_RETURN_IF_ERROR(WalkExpr(def.get(), false, w));
  }
  return WalkStmts(macro.body, false, w);
}

Status WalkStmt(const Stmt& stmt, bool soft, const Walk& w) {
  switch (stmt.kind) {
    case StmtKind::kOutput:
      for (const auto& part : static_cast<const OutputStmt&>(stmt).parts) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(part.expr.get(), soft, w));
      }
      return OkStatus();
    case StmtKind::kIf: {
      const auto& s = static_cast<const IfStmt&>(stmt);
      for (const auto& [test, body] : s.branches) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(test.get(), true, w));
        SAVOIR_RETURN_IF_ERROR(WalkStmts(body, true, w));
      }
      return WalkStmts(s.else_body, true, w);
    }
    case StmtKind::kFor: {
      const auto& s = static_cast<const ForStmt&>(stmt);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(s.iter.get(), soft, w));
      SAVOIR_RETURN_IF_ERROR(WalkExpr(s.filter.get(), false, w));
      SAVOIR_RETURN_IF_ERROR(WalkStmts(s.body, false, w));
      return WalkStmts(s.else_body, false, w);
    }
    case StmtKind::kSet:
      return WalkExpr(static_cast<const SetStmt&>(stmt).value.get(), soft, w);
    case StmtKind::kSetBlock: {
      const auto& s = static_cast<const SetBlockStmt&>(stmt);
      SAVOIR_RETURN_IF_ERROR(WalkStmts(s.body, false, w));
      return WalkExpr(s.filter.get(), false, w);
    }
    case StmtKind::kMacro:
      return WalkMacro(static_cast<const MacroStmt&>(stmt), w);
    case StmtKind::kCallBlock: {
      const auto& s = static_cast<const CallBlockStmt&>(stmt);
      SAVOIR_RETURN_IF_ERROR(WalkExpr(s.call.get(), soft, w));
      return WalkMacro(*s.caller, w);
    }
    case StmtKind::kFilterBlock: {
      const auto& s = static_cast<const FilterBlockStmt&>(stmt);
      SAVOIR_RETURN_IF_ERROR(WalkStmts(s.body, false, w));
      return WalkExpr(s.filter.get(), false, w);
    }
    case StmtKind::kWith: {
      const auto& s = static_cast<const WithStmt&>(stmt);
      for (const ExprPtr& value : s.values) {
        SAVOIR_RETURN_IF_ERROR(WalkExpr(value.get(), soft, w));
      }
      return WalkStmts(s.body, false, w);
    }
    case StmtKind::kScope:
      return WalkStmts(static_cast<const ScopeStmt&>(stmt).body, false, w);
    case StmtKind::kBreak:
    case StmtKind::kContinue:
      return OkStatus();
  }
  return OkStatus();
}

Status WalkStmts(const StmtList& stmts, bool soft, const Walk& w) {
  for (const StmtPtr& stmt : stmts) {
    SAVOIR_RETURN_IF_ERROR(WalkStmt(*stmt, soft, w));
  }
  return OkStatus();
}

}  // namespace

Status CheckFiltersAndTests(const Program& program, ConstFolder& folder) {
  const ExprVisitor check = [](const Expr& expr, bool soft) -> Status {
    if (soft) {
      return OkStatus();
    }
    if (expr.kind == ExprKind::kFilter && static_cast<const FilterExpr&>(expr).fn == nullptr) {
      return InvalidArgumentError("line {}, column {}: No filter named '{}'.", expr.line,
                                  expr.column, static_cast<const FilterExpr&>(expr).name);
    }
    if (expr.kind == ExprKind::kTest && static_cast<const TestExpr&>(expr).fn == nullptr) {
      return InvalidArgumentError("line {}, column {}: No test named '{}'.", expr.line, expr.column,
                                  static_cast<const TestExpr&>(expr).name);
    }
    return OkStatus();
  };
  return WalkStmts(program.body, false, Walk{check, &folder});
}

void ScanMacroNames(MacroStmt* macro) {
  const ExprVisitor scan = [macro](const Expr& expr, bool /*soft*/) -> Status {
    if (expr.kind == ExprKind::kName) {
      const std::string& name = static_cast<const NameExpr&>(expr).name;
      macro->uses_caller = macro->uses_caller || name == "caller";
      macro->uses_varargs = macro->uses_varargs || name == "varargs";
      macro->uses_kwargs = macro->uses_kwargs || name == "kwargs";
    }
    return OkStatus();
  };
  WalkStmts(macro->body, false, Walk{scan, nullptr}).IgnoreError();
}

}  // namespace savoir::engine::jinja
