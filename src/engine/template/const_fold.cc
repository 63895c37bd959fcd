#include "engine/template/const_fold.h"

#include <cmath>
#include <ctime>
#include <functional>
#include <optional>
#include <vector>

#include "engine/template/interpreter.h"

namespace savoir::engine::jinja {
namespace {

using ExprSlot = std::function<void(const Expr*)>;

void ForEachChild(const Expr& expr, const ExprSlot& fn) {
  auto args = [&](const CallArgExprs& a) {
    for (const ExprPtr& e : a.args) {
      fn(e.get());
    }
    for (const auto& kw : a.kwargs) {
      fn(kw.second.get());
    }
    fn(a.dyn_args.get());
    fn(a.dyn_kwargs.get());
  };
  switch (expr.kind) {
    case ExprKind::kConst:
    case ExprKind::kName:
      return;
    case ExprKind::kTuple:
    case ExprKind::kList:
      for (const ExprPtr& e : static_cast<const SeqExpr&>(expr).items) {
        fn(e.get());
      }
      return;
    case ExprKind::kDict:
      for (const auto& [k, v] : static_cast<const DictExpr&>(expr).items) {
        fn(k.get());
        fn(v.get());
      }
      return;
    case ExprKind::kGetAttr:
      fn(static_cast<const GetAttrExpr&>(expr).object.get());
      return;
    case ExprKind::kGetItem:
      fn(static_cast<const GetItemExpr&>(expr).object.get());
      fn(static_cast<const GetItemExpr&>(expr).key.get());
      return;
    case ExprKind::kSlice: {
      const auto& e = static_cast<const SliceExpr&>(expr);
      fn(e.start.get());
      fn(e.stop.get());
      fn(e.step.get());
      return;
    }
    case ExprKind::kCall:
      fn(static_cast<const CallExpr&>(expr).callee.get());
      args(static_cast<const CallExpr&>(expr).args);
      return;
    case ExprKind::kFilter:
      fn(static_cast<const FilterExpr&>(expr).operand.get());
      args(static_cast<const FilterExpr&>(expr).args);
      return;
    case ExprKind::kTest:
      fn(static_cast<const TestExpr&>(expr).operand.get());
      args(static_cast<const TestExpr&>(expr).args);
      return;
    case ExprKind::kNot:
    case ExprKind::kNeg:
    case ExprKind::kPos:
      fn(static_cast<const UnaryExpr&>(expr).operand.get());
      return;
    case ExprKind::kBinary:
      fn(static_cast<const BinaryExpr&>(expr).left.get());
      fn(static_cast<const BinaryExpr&>(expr).right.get());
      return;
    case ExprKind::kConcat:
      for (const ExprPtr& e : static_cast<const ConcatExpr&>(expr).items) {
        fn(e.get());
      }
      return;
    case ExprKind::kCompare:
      fn(static_cast<const CompareExpr&>(expr).first.get());
      for (const auto& [op, e] : static_cast<const CompareExpr&>(expr).rest) {
        fn(e.get());
      }
      return;
    case ExprKind::kCondExpr: {
      const auto& e = static_cast<const CondExpr&>(expr);
      fn(e.test.get());
      fn(e.then_expr.get());
      fn(e.else_expr.get());
      return;
    }
  }
}

Status EvalFolded(const Expr& expr, Value* out) {
  RenderLimits limits;
  limits.max_steps = 100000;
  limits.max_output_bytes = size_t{1} << 20;
  const std::tm epoch{};
  Interpreter interp(limits, epoch);
  SAVOIR_ASSIGN_OR_RETURN(*out, interp.EvalConstant(expr));
  return OkStatus();
}

bool HasSlice(const Expr& expr) {
  if (expr.kind == ExprKind::kGetItem &&
      static_cast<const GetItemExpr&>(expr).key->kind == ExprKind::kSlice) {
    return true;
  }
  bool found = false;
  ForEachChild(expr,
               [&](const Expr* child) { found = found || (child != nullptr && HasSlice(*child)); });
  return found;
}

void MarkSlices(const Expr& expr) {
  if (expr.kind == ExprKind::kGetItem &&
      static_cast<const GetItemExpr&>(expr).key->kind == ExprKind::kSlice) {
    // The tree is still owned by the parser here; the flag is read-only once rendering starts.
    const_cast<GetItemExpr&>(static_cast<const GetItemExpr&>(expr)).fold_slice = true;
  }
  ForEachChild(expr, [](const Expr* child) {
    if (child != nullptr) {
      MarkSlices(*child);
    }
  });
}

// Values the compiler can write back as a Python literal (has_safe_repr).
bool SafeRepr(const Value& v) {
  switch (v.kind()) {
    case Kind::kNone:
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kFloat:
    case Kind::kString:
      return true;
    case Kind::kSeq: {
      const SeqData& s = v.seq();
      if (s.kind == SeqKind::kRange) {
        return true;
      }
      if (s.kind != SeqKind::kList && s.kind != SeqKind::kTuple) {
        return false;
      }
      for (const Value& item : s.items) {
        if (!SafeRepr(item)) {
          return false;
        }
      }
      return s.field_names == nullptr;
    }
    case Kind::kDict:
      for (const auto& [k, item] : v.dict().entries) {
        if (!SafeRepr(k) || !SafeRepr(item)) {
          return false;
        }
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

bool ConstFolder::IsConst(const Expr& expr) {
  if (auto it = is_const_.find(&expr); it != is_const_.end()) {
    return it->second;
  }
  bool result = true;
  switch (expr.kind) {
    case ExprKind::kName:
    case ExprKind::kCall:
      result = false;
      break;
    case ExprKind::kFilter: {
      const auto& f = static_cast<const FilterExpr&>(expr);
      result = f.fn != nullptr && f.operand != nullptr && f.name != "map" && f.name != "select" &&
               f.name != "reject" && f.name != "selectattr" && f.name != "rejectattr";
      break;
    }
    case ExprKind::kTest:
      result = static_cast<const TestExpr&>(expr).fn != nullptr;
      break;
    case ExprKind::kCondExpr: {
      // as_const evaluates the test, then only the branch it selects.
      const auto& c = static_cast<const CondExpr&>(expr);
      const std::optional<Value> test = ConstValue(*c.test);
      if (!test) {
        result = false;
      } else if (Truthy(*test)) {
        result = IsConst(*c.then_expr);
      } else {
        result = c.else_expr != nullptr && IsConst(*c.else_expr);
      }
      is_const_[&expr] = result;
      return result;
    }
    case ExprKind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(expr);
      if (b.op == BinaryOp::kAnd || b.op == BinaryOp::kOr) {
        result = IsConst(*b.left) && (RightOperandFoldedAway(b) || IsConst(*b.right));
        is_const_[&expr] = result;
        return result;
      }
      break;
    }
    default:
      break;
  }
  if (result) {
    ForEachChild(
        expr, [&](const Expr* child) { result = result && (child == nullptr || IsConst(*child)); });
  }
  is_const_[&expr] = result;
  return result;
}

std::optional<Value> ConstFolder::ConstValue(const Expr& expr) {
  if (auto it = values_.find(&expr); it != values_.end()) {
    return it->second;
  }
  std::optional<Value> result;
  Value value;
  if (IsConst(expr) && EvalFolded(expr, &value).ok()) {
    result = std::move(value);
  }
  values_[&expr] = result;
  return result;
}

std::optional<Value> ConstFolder::FoldedValue(const Expr& expr) {
  std::optional<Value> value = ConstValue(expr);
  if (value && !SafeRepr(*value)) {
    return std::nullopt;
  }
  return value;
}

bool ConstFolder::RightOperandFoldedAway(const BinaryExpr& expr) {
  if (expr.op != BinaryOp::kAnd && expr.op != BinaryOp::kOr) {
    return false;
  }
  const std::optional<Value> left = FoldedValue(*expr.left);
  return left && Truthy(*left) == (expr.op == BinaryOp::kOr);
}

void ConstFolder::FoldExpr(Expr* expr, bool output_root) {
  if (expr == nullptr) {
    return;
  }
  ForEachChild(*expr, [this](const Expr* child) { FoldExpr(const_cast<Expr*>(child), false); });
  if (expr->kind == ExprKind::kBinary && static_cast<BinaryExpr*>(expr)->op == BinaryOp::kPow &&
      !IsConst(*expr)) {
    // A folded negative base is written back as the literal "-3", so the compiled Python
    // reads `-3 ** x` as -(3 ** x).
    auto* pow = static_cast<BinaryExpr*>(expr);
    const std::optional<Value> base = FoldedValue(*pow->left);
    pow->negative_literal_base =
        base && base->is_number() && !base->is_bool() && std::signbit(base->number_value());
  }
  if (!HasSlice(*expr) || !IsConst(*expr)) {
    return;
  }
  Value value;
  if (output_root ? EvalFolded(*expr, &value).ok() : FoldedValue(*expr).has_value()) {
    MarkSlices(*expr);
  }
}

void ConstFolder::FoldStmt(Stmt& stmt) {
  switch (stmt.kind) {
    case StmtKind::kOutput:
      for (auto& part : static_cast<OutputStmt&>(stmt).parts) {
        FoldExpr(part.expr.get(), true);
      }
      return;
    case StmtKind::kIf:
      for (auto& [test, body] : static_cast<IfStmt&>(stmt).branches) {
        FoldExpr(test.get(), false);
        FoldStmts(body);
      }
      FoldStmts(static_cast<IfStmt&>(stmt).else_body);
      return;
    case StmtKind::kFor: {
      auto& s = static_cast<ForStmt&>(stmt);
      FoldExpr(s.iter.get(), false);
      FoldExpr(s.filter.get(), false);
      FoldStmts(s.body);
      FoldStmts(s.else_body);
      return;
    }
    case StmtKind::kSet:
      FoldExpr(static_cast<SetStmt&>(stmt).value.get(), false);
      return;
    case StmtKind::kSetBlock:
      FoldStmts(static_cast<SetBlockStmt&>(stmt).body);
      return;
    case StmtKind::kMacro:
      for (ExprPtr& def : static_cast<MacroStmt&>(stmt).defaults) {
        FoldExpr(def.get(), false);
      }
      FoldStmts(static_cast<MacroStmt&>(stmt).body);
      return;
    case StmtKind::kCallBlock:
      FoldStmts(static_cast<CallBlockStmt&>(stmt).caller->body);
      return;
    case StmtKind::kFilterBlock:
      FoldStmts(static_cast<FilterBlockStmt&>(stmt).body);
      return;
    case StmtKind::kWith:
      for (ExprPtr& value : static_cast<WithStmt&>(stmt).values) {
        FoldExpr(value.get(), false);
      }
      FoldStmts(static_cast<WithStmt&>(stmt).body);
      return;
    case StmtKind::kScope:
      FoldStmts(static_cast<ScopeStmt&>(stmt).body);
      return;
    case StmtKind::kBreak:
    case StmtKind::kContinue:
      return;
  }
}

void ConstFolder::FoldStmts(StmtList& stmts) {
  for (StmtPtr& stmt : stmts) {
    FoldStmt(*stmt);
  }
}

void ConstFolder::FoldSlices(Program& program) { FoldStmts(program.body); }

}  // namespace savoir::engine::jinja
