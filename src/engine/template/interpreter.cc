#include "engine/template/interpreter.h"

#include <algorithm>

#include "engine/template/builtins.h"
#include "engine/template/operators.h"
#include "engine/template/py_text.h"
#include "engine/template/runtime_objects.h"

namespace savoir::engine::jinja {
namespace {

// Counts nesting for the lifetime of a call (macro calls, recursive loops, Exec and Eval).
class CallDepthGuard {
 public:
  explicit CallDepthGuard(int* depth) : depth_(depth) { ++*depth_; }
  ~CallDepthGuard() { --*depth_; }
  CallDepthGuard(const CallDepthGuard&) = delete;
  CallDepthGuard& operator=(const CallDepthGuard&) = delete;

 private:
  int* depth_;
};

const char* CompareSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    default:
      return ">=";
  }
}

// The values bound to a tuple target, as the tuple Jinja2's loop filter yields.
Value Repack(const Target& target, const Scope& scope) {
  if (target.kind != Target::Kind::kTuple) {
    const Value* v = scope.Find(target.name);
    return v != nullptr ? *v : Value::None();
  }
  std::vector<Value> items;
  for (const Target& item : target.items) {
    items.push_back(Repack(item, scope));
  }
  return Value::Tuple(std::move(items));
}

}  // namespace

const Value* Scope::Find(std::string_view name) const {
  for (const Scope* s = this; s != nullptr; s = s->parent_.get()) {
    for (const auto& [k, v] : s->vars_) {
      if (k == name) {
        return &v;
      }
    }
  }
  return nullptr;
}

void Scope::Set(std::string_view name, Value value) {
  for (auto& [k, v] : vars_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  vars_.emplace_back(std::string(name), std::move(value));
}

Interpreter::Interpreter(const RenderLimits& limits, const std::tm& now)
    : limits_(limits), now_(now) {}

Interpreter::~Interpreter() {
  // Macros, loops and namespaces can form reference cycles through scopes. Every cycle passes
  // through a captured scope or a namespace, all of which are still held here: empty them
  // first, then let the values go while their targets are still alive, so nothing is freed
  // recursively.
  std::vector<Value> graveyard;
  for (const auto& scope : captured_scopes_) {
    for (auto& [name, value] : scope->vars_) {
      graveyard.push_back(std::move(value));
    }
    scope->vars_.clear();
    scope->parent_.reset();
  }
  for (const auto& ns : namespaces_) {
    for (auto& [name, value] : ns->attrs) {
      graveyard.push_back(std::move(value));
    }
    ns->attrs.clear();
  }
  graveyard.clear();
}

StatusOr<std::string> Interpreter::Render(const Program& program, const Value& context) {
  auto globals = std::make_shared<Scope>(nullptr);
  DefineGlobals(*globals);
  auto vars = std::make_shared<Scope>(globals);
  if (context.is_dict()) {
    for (const auto& [key, value] : context.dict().entries) {
      if (key.is_string()) {
        SAVOIR_RETURN_IF_ERROR(Bind(*vars, key.str(), value));
      }
    }
  }
  std::string out;
  Frame frame{std::make_shared<Scope>(vars), &out};
  captured_scopes_.push_back(frame.scope);
  SAVOIR_RETURN_IF_ERROR(ExecList(program.body, frame));
  return out;
}

StatusOr<Value> Interpreter::EvalConstant(const Expr& expr) {
  auto scope = std::make_shared<Scope>(nullptr);
  folding_ = true;
  StatusOr<Value> value = Eval(expr, *scope);
  folding_ = false;
  return value;
}

Status Interpreter::Charge(int64_t steps) {
  steps_ += std::max<int64_t>(steps, 0);
  if (steps_ > limits_.max_steps) {
    return ResourceExhaustedError("template render exceeded its budget of {} steps",
                                  limits_.max_steps);
  }
  return OkStatus();
}

Status Interpreter::CheckSize(size_t size) const {
  if (size > limits_.max_output_bytes) {
    return ResourceExhaustedError("template value exceeds the size limit of {} bytes",
                                  limits_.max_output_bytes);
  }
  return OkStatus();
}

Status Interpreter::Append(std::string* out, std::string_view text) {
  if (out->size() + text.size() > limits_.max_output_bytes) {
    return ResourceExhaustedError("template output exceeds {} bytes", limits_.max_output_bytes);
  }
  SAVOIR_RETURN_IF_ERROR(Charge(static_cast<int64_t>(text.size() / 64)));
  out->append(text);
  return OkStatus();
}

void Interpreter::TrackNamespace(std::shared_ptr<NamespaceData> ns) {
  namespaces_.push_back(std::move(ns));
}

StatusOr<std::vector<Value>> Interpreter::Iterate(const Value& value) {
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, IterateValue(value));
  SAVOIR_RETURN_IF_ERROR(Charge(static_cast<int64_t>(items.size())));
  return items;
}

StatusOr<Value> Interpreter::CallValue(const Value& callee, CallArgs args) {
  SAVOIR_RETURN_IF_ERROR(Charge(1));
  if (callee.is_undefined()) {
    return UndefinedError(callee);
  }
  if (callee.is_object() && callee.object().IsCallable()) {
    return callee.object().Call(*this, std::move(args));
  }
  return PyError("'" + TypeName(callee) + "' object is not callable");
}

StatusOr<Value> Interpreter::CallFilter(std::string_view name, const Value& value, CallArgs args) {
  const FilterFn fn = FindFilter(name);
  if (fn == nullptr) {
    return PyError("No filter named " + PyStrRepr(name) + ".");
  }
  SAVOIR_RETURN_IF_ERROR(Charge(1));
  return fn(*this, value, args);
}

StatusOr<bool> Interpreter::CallTest(std::string_view name, const Value& value, CallArgs args) {
  const TestFn fn = FindTest(name);
  if (fn == nullptr) {
    return PyError("No test named " + PyStrRepr(name) + ".");
  }
  SAVOIR_RETURN_IF_ERROR(Charge(1));
  return fn(*this, value, args);
}

std::shared_ptr<Scope> Interpreter::ChildScope(const std::shared_ptr<Scope>& parent) {
  return std::make_shared<Scope>(parent);
}

Status Interpreter::Bind(Scope& scope, std::string_view name, Value value) {
  if (value.depth() > kMaxValueDepth) {
    return PyError("value nested more than " + std::to_string(kMaxValueDepth) + " levels deep");
  }
  scope.Set(name, std::move(value));
  return OkStatus();
}

// ---- Statements ----

Status Interpreter::ExecList(const StmtList& stmts, Frame& frame) {
  for (const StmtPtr& stmt : stmts) {
    SAVOIR_RETURN_IF_ERROR(Exec(*stmt, frame));
    if (flow_ != Flow::kNormal) {
      return OkStatus();
    }
  }
  return OkStatus();
}

Status Interpreter::Exec(const Stmt& stmt, Frame& frame) {
  SAVOIR_RETURN_IF_ERROR(Charge(1));
  CallDepthGuard depth(&eval_depth_);
  if (eval_depth_ > kMaxEvalDepth) {
    return PyError("maximum recursion depth exceeded");
  }
  switch (stmt.kind) {
    case StmtKind::kOutput:
      return ExecOutput(static_cast<const OutputStmt&>(stmt), frame);
    case StmtKind::kIf:
      return ExecIf(static_cast<const IfStmt&>(stmt), frame);
    case StmtKind::kFor:
      return ExecFor(static_cast<const ForStmt&>(stmt), frame);
    case StmtKind::kSet: {
      const auto& s = static_cast<const SetStmt&>(stmt);
      SAVOIR_ASSIGN_OR_RETURN(Value value, Eval(*s.value, *frame.scope));
      return Assign(s.target, value, *frame.scope);
    }
    case StmtKind::kSetBlock:
      return ExecSetBlock(static_cast<const SetBlockStmt&>(stmt), frame);
    case StmtKind::kMacro:
      return ExecMacro(static_cast<const MacroStmt&>(stmt), frame);
    case StmtKind::kCallBlock:
      return ExecCallBlock(static_cast<const CallBlockStmt&>(stmt), frame);
    case StmtKind::kFilterBlock:
      return ExecFilterBlock(static_cast<const FilterBlockStmt&>(stmt), frame);
    case StmtKind::kWith:
      return ExecWith(static_cast<const WithStmt&>(stmt), frame);
    case StmtKind::kScope: {
      Frame inner{ChildScope(frame.scope), frame.out};
      return ExecList(static_cast<const ScopeStmt&>(stmt).body, inner);
    }
    case StmtKind::kBreak:
      flow_ = Flow::kBreak;
      return OkStatus();
    case StmtKind::kContinue:
      flow_ = Flow::kContinue;
      return OkStatus();
  }
  return OkStatus();
}

Status Interpreter::ExecOutput(const OutputStmt& stmt, Frame& frame) {
  for (const OutputStmt::Part& part : stmt.parts) {
    if (part.expr == nullptr) {
      SAVOIR_RETURN_IF_ERROR(Append(frame.out, part.text));
      continue;
    }
    SAVOIR_ASSIGN_OR_RETURN(Value value, Eval(*part.expr, *frame.scope));
    if (value.is_string()) {
      SAVOIR_RETURN_IF_ERROR(Append(frame.out, value.str()));
    } else {
      SAVOIR_RETURN_IF_ERROR(Append(frame.out, ToStr(value)));
    }
  }
  return OkStatus();
}

Status Interpreter::ExecIf(const IfStmt& stmt, Frame& frame) {
  for (const auto& [test, body] : stmt.branches) {
    SAVOIR_ASSIGN_OR_RETURN(Value cond, Eval(*test, *frame.scope));
    if (Truthy(cond)) {
      return ExecList(body, frame);
    }
  }
  return ExecList(stmt.else_body, frame);
}

Status Interpreter::ExecFor(const ForStmt& stmt, Frame& frame) {
  SAVOIR_ASSIGN_OR_RETURN(Value iterable, Eval(*stmt.iter, *frame.scope));
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(iterable));
  return RunLoop(stmt, std::move(items), 0, frame);
}

Status Interpreter::RunLoop(const ForStmt& stmt, std::vector<Value> items, int depth0,
                            Frame& frame) {
  captured_scopes_.push_back(frame.scope);
  auto loop = std::make_shared<LoopObject>(stmt, std::move(items), depth0, frame.scope);
  const Value loop_value = Value::FromObject(loop);
  // Jinja2 runs the else branch unless some iteration got to the end of the body.
  bool completed_iteration = false;
  Value item;
  while (true) {
    SAVOIR_ASSIGN_OR_RETURN(bool more, loop->Next(*this, &item));
    if (!more) {
      break;
    }
    SAVOIR_RETURN_IF_ERROR(Charge(1));
    Frame inner{ChildScope(frame.scope), frame.out};
    SAVOIR_RETURN_IF_ERROR(Assign(stmt.target, item, *inner.scope));
    inner.scope->Set("loop", loop_value);
    SAVOIR_RETURN_IF_ERROR(ExecList(stmt.body, inner));
    const Flow flow = flow_;
    flow_ = Flow::kNormal;
    if (flow == Flow::kBreak) {
      break;
    }
    completed_iteration = completed_iteration || flow == Flow::kNormal;
  }
  if (completed_iteration || stmt.else_body.empty()) {
    return OkStatus();
  }
  Frame inner{ChildScope(frame.scope), frame.out};
  return ExecList(stmt.else_body, inner);
}

StatusOr<bool> Interpreter::TestLoopFilter(const ForStmt& stmt, Value* item,
                                           const std::shared_ptr<Scope>& outer) {
  auto scope = ChildScope(outer);
  SAVOIR_RETURN_IF_ERROR(Assign(stmt.target, *item, *scope));
  SAVOIR_ASSIGN_OR_RETURN(Value keep, Eval(*stmt.filter, *scope));
  if (stmt.target.kind == Target::Kind::kTuple) {
    *item = Repack(stmt.target, *scope);
  }
  return Truthy(keep);
}

StatusOr<Value> Interpreter::CallRecursiveLoop(LoopObject& loop, const Value& iterable) {
  CallDepthGuard guard(&call_depth_);
  if (call_depth_ > limits_.max_call_depth) {
    return PyError("maximum recursion depth exceeded");
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(iterable));
  std::string out;
  Frame frame{loop.outer(), &out};
  SAVOIR_RETURN_IF_ERROR(RunLoop(loop.stmt(), std::move(items), loop.depth0() + 1, frame));
  return Value::Str(std::move(out));
}

StatusOr<std::string> Interpreter::Capture(const StmtList& stmts,
                                           const std::shared_ptr<Scope>& parent) {
  std::string out;
  Frame frame{ChildScope(parent), &out};
  SAVOIR_RETURN_IF_ERROR(ExecList(stmts, frame));
  return out;
}

Status Interpreter::ExecSetBlock(const SetBlockStmt& stmt, Frame& frame) {
  SAVOIR_ASSIGN_OR_RETURN(std::string text, Capture(stmt.body, frame.scope));
  Value value = Value::Str(std::move(text));
  if (stmt.filter != nullptr) {
    SAVOIR_ASSIGN_OR_RETURN(
        value, EvalFilter(static_cast<const FilterExpr&>(*stmt.filter), *frame.scope, &value));
  }
  return Assign(stmt.target, value, *frame.scope);
}

Status Interpreter::ExecMacro(const MacroStmt& stmt, Frame& frame) {
  captured_scopes_.push_back(frame.scope);
  frame.scope->Set(stmt.name, Value::FromObject(std::make_shared<MacroObject>(stmt, frame.scope)));
  return OkStatus();
}

Status Interpreter::ExecCallBlock(const CallBlockStmt& stmt, Frame& frame) {
  captured_scopes_.push_back(frame.scope);
  const Value caller = Value::FromObject(std::make_shared<MacroObject>(*stmt.caller, frame.scope));
  SAVOIR_ASSIGN_OR_RETURN(Value result, EvalCall(*stmt.call, *frame.scope, &caller));
  return Append(frame.out, ToStr(result));
}

Status Interpreter::ExecFilterBlock(const FilterBlockStmt& stmt, Frame& frame) {
  SAVOIR_ASSIGN_OR_RETURN(std::string text, Capture(stmt.body, frame.scope));
  const Value captured = Value::Str(std::move(text));
  SAVOIR_ASSIGN_OR_RETURN(Value result, EvalFilter(static_cast<const FilterExpr&>(*stmt.filter),
                                                   *frame.scope, &captured));
  return Append(frame.out, ToStr(result));
}

Status Interpreter::ExecWith(const WithStmt& stmt, Frame& frame) {
  Frame inner{ChildScope(frame.scope), frame.out};
  for (size_t i = 0; i < stmt.targets.size(); ++i) {
    SAVOIR_ASSIGN_OR_RETURN(Value value, Eval(*stmt.values[i], *frame.scope));
    SAVOIR_RETURN_IF_ERROR(Assign(stmt.targets[i], value, *inner.scope));
  }
  return ExecList(stmt.body, inner);
}

Status Interpreter::Assign(const Target& target, const Value& value, Scope& scope) {
  switch (target.kind) {
    case Target::Kind::kName:
      return Bind(scope, target.name, value);
    case Target::Kind::kNamespaceAttr: {
      const Value* ns = scope.Find(target.name);
      if (ns == nullptr || !ns->is_namespace()) {
        return PyError("cannot assign attribute on non-namespace object");
      }
      if (value.depth() > kMaxValueDepth) {
        return PyError("value nested more than " + std::to_string(kMaxValueDepth) + " levels deep");
      }
      ns->ns().Set(target.attr, value);
      return OkStatus();
    }
    case Target::Kind::kTuple: {
      const bool iterable =
          value.is_string() || value.is_seq() || value.is_dict() || value.is_undefined();
      if (!iterable) {
        return PyError("cannot unpack non-iterable " + TypeName(value) + " object");
      }
      SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(value));
      const size_t expected = target.items.size();
      if (items.size() < expected) {
        return PyError("not enough values to unpack (expected " + std::to_string(expected) +
                       ", got " + std::to_string(items.size()) + ")");
      }
      if (items.size() > expected) {
        return PyError("too many values to unpack (expected " + std::to_string(expected) + ")");
      }
      for (size_t i = 0; i < expected; ++i) {
        SAVOIR_RETURN_IF_ERROR(Assign(target.items[i], items[i], scope));
      }
      return OkStatus();
    }
  }
  return OkStatus();
}

Status Interpreter::BindMacroArgs(const MacroStmt& def, CallArgs& args, Scope& scope) {
  const size_t n = def.params.size();
  std::vector<std::optional<Value>> bound(n);
  const size_t positional = std::min(n, args.args.size());
  for (size_t i = 0; i < positional; ++i) {
    bound[i] = args.args[i];
  }
  auto take_kwarg = [&](std::string_view name) -> std::optional<Value> {
    for (auto it = args.kwargs.begin(); it != args.kwargs.end(); ++it) {
      if (it->first == name) {
        Value v = std::move(it->second);
        args.kwargs.erase(it);
        return v;
      }
    }
    return std::nullopt;
  };
  // Like jinja2.runtime.Macro.__call__: missing positionals come from keywords, then the
  // special caller, kwargs and varargs.
  bool found_caller = std::find(def.params.begin(), def.params.end(), "caller") != def.params.end();
  if (positional != n) {
    found_caller = false;
    for (size_t i = positional; i < n; ++i) {
      bound[i] = take_kwarg(def.params[i]);
      found_caller = found_caller || def.params[i] == "caller";
    }
  }
  if (def.uses_caller && !found_caller) {
    std::optional<Value> caller = take_kwarg("caller");
    scope.Set("caller", caller ? *caller : Value::Undefined("No caller defined"));
  }
  SAVOIR_RETURN_IF_ERROR(BindMacroExtras(def, args, scope));
  const size_t first_default = n - def.defaults.size();
  for (size_t i = 0; i < n; ++i) {
    if (bound[i]) {
      SAVOIR_RETURN_IF_ERROR(Bind(scope, def.params[i], std::move(*bound[i])));
    } else if (i >= first_default) {
      SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*def.defaults[i - first_default], scope));
      SAVOIR_RETURN_IF_ERROR(Bind(scope, def.params[i], std::move(v)));
    } else {
      scope.Set(def.params[i],
                Value::Undefined("parameter " + PyStrRepr(def.params[i]) + " was not provided"));
    }
  }
  return OkStatus();
}

Status Interpreter::BindMacroExtras(const MacroStmt& def, CallArgs& args, Scope& scope) {
  if (def.uses_kwargs) {
    std::vector<std::pair<Value, Value>> entries;
    for (auto& [k, v] : args.kwargs) {
      entries.emplace_back(Value::Str(k), std::move(v));
    }
    scope.Set("kwargs", Value::Dict(std::move(entries)));
  } else if (!args.kwargs.empty()) {
    if (args.kwargs[0].first == "caller") {
      return PyError("macro " + PyStrRepr(def.name) +
                     " was invoked with two values for the special caller argument. This is "
                     "most likely a bug.");
    }
    return PyError("macro " + PyStrRepr(def.name) + " takes no keyword argument " +
                   PyStrRepr(args.kwargs[0].first));
  }
  const size_t n = def.params.size();
  if (def.uses_varargs) {
    std::vector<Value> extra;
    for (size_t i = n; i < args.args.size(); ++i) {
      extra.push_back(args.args[i]);
    }
    scope.Set("varargs", Value::Tuple(std::move(extra)));
  } else if (args.args.size() > n) {
    return PyError("macro " + PyStrRepr(def.name) + " takes not more than " + std::to_string(n) +
                   " argument(s)");
  }
  return OkStatus();
}

StatusOr<Value> Interpreter::CallMacro(const MacroObject& macro, CallArgs args) {
  CallDepthGuard guard(&call_depth_);
  if (call_depth_ > limits_.max_call_depth) {
    return PyError("maximum recursion depth exceeded");
  }
  auto scope = ChildScope(macro.closure());
  SAVOIR_RETURN_IF_ERROR(BindMacroArgs(macro.def(), args, *scope));
  std::string out;
  Frame frame{scope, &out};
  SAVOIR_RETURN_IF_ERROR(ExecList(macro.def().body, frame));
  flow_ = Flow::kNormal;
  return Value::Str(std::move(out));
}

// ---- Expressions ----

StatusOr<Value> Interpreter::Eval(const Expr& expr, Scope& scope) {
  SAVOIR_RETURN_IF_ERROR(Charge(1));
  CallDepthGuard depth(&eval_depth_);
  if (eval_depth_ > kMaxEvalDepth) {
    return PyError("maximum recursion depth exceeded");
  }
  switch (expr.kind) {
    case ExprKind::kConst:
      return static_cast<const ConstExpr&>(expr).value;
    case ExprKind::kName:
      return EvalName(static_cast<const NameExpr&>(expr), scope);
    case ExprKind::kTuple:
    case ExprKind::kList:
      return EvalSeq(static_cast<const SeqExpr&>(expr), scope);
    case ExprKind::kDict:
      return EvalDict(static_cast<const DictExpr&>(expr), scope);
    case ExprKind::kGetAttr: {
      const auto& e = static_cast<const GetAttrExpr&>(expr);
      SAVOIR_ASSIGN_OR_RETURN(Value object, Eval(*e.object, scope));
      return GetAttribute(*this, object, e.attr);
    }
    case ExprKind::kGetItem:
      return EvalGetItem(static_cast<const GetItemExpr&>(expr), scope);
    case ExprKind::kSlice:
      return PyError("unexpected slice");
    case ExprKind::kCall:
      return EvalCall(static_cast<const CallExpr&>(expr), scope, nullptr);
    case ExprKind::kFilter:
      return EvalFilter(static_cast<const FilterExpr&>(expr), scope, nullptr);
    case ExprKind::kTest:
      return EvalTest(static_cast<const TestExpr&>(expr), scope);
    case ExprKind::kNot: {
      SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*static_cast<const UnaryExpr&>(expr).operand, scope));
      return Value::Bool(!Truthy(v));
    }
    case ExprKind::kNeg:
    case ExprKind::kPos: {
      SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*static_cast<const UnaryExpr&>(expr).operand, scope));
      return ApplyUnary(expr.kind, v);
    }
    case ExprKind::kBinary:
      return EvalBinary(static_cast<const BinaryExpr&>(expr), scope);
    case ExprKind::kConcat:
      return EvalConcat(static_cast<const ConcatExpr&>(expr), scope);
    case ExprKind::kCompare:
      return EvalCompare(static_cast<const CompareExpr&>(expr), scope);
    case ExprKind::kCondExpr:
      return EvalCond(static_cast<const CondExpr&>(expr), scope);
  }
  return PyError("unknown expression");
}

StatusOr<Value> Interpreter::EvalName(const NameExpr& expr, Scope& scope) {
  if (const Value* v = scope.Find(expr.name)) {
    return *v;
  }
  return Value::Undefined(PyStrRepr(expr.name) + " is undefined");
}

StatusOr<Value> Interpreter::EvalSeq(const SeqExpr& expr, Scope& scope) {
  std::vector<Value> items;
  items.reserve(expr.items.size());
  for (const ExprPtr& item : expr.items) {
    SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*item, scope));
    items.push_back(std::move(v));
  }
  return expr.kind == ExprKind::kTuple ? Value::Tuple(std::move(items))
                                       : Value::List(std::move(items));
}

StatusOr<Value> Interpreter::EvalDict(const DictExpr& expr, Scope& scope) {
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(expr.items.size());
  for (const auto& [key_expr, value_expr] : expr.items) {
    SAVOIR_ASSIGN_OR_RETURN(Value key, Eval(*key_expr, scope));
    SAVOIR_ASSIGN_OR_RETURN(Value value, Eval(*value_expr, scope));
    if (!IsHashable(key)) {
      return PyError("unhashable type: '" + TypeName(key) + "'");
    }
    entries.emplace_back(std::move(key), std::move(value));
  }
  return Value::Dict(std::move(entries));
}

StatusOr<Value> Interpreter::EvalGetItem(const GetItemExpr& expr, Scope& scope) {
  SAVOIR_ASSIGN_OR_RETURN(Value object, Eval(*expr.object, scope));
  if (expr.key->kind != ExprKind::kSlice) {
    SAVOIR_ASSIGN_OR_RETURN(Value key, Eval(*expr.key, scope));
    return GetItem(*this, object, key);
  }
  const auto& slice = static_cast<const SliceExpr&>(*expr.key);
  Value bounds[3];
  const Expr* exprs[3] = {slice.start.get(), slice.stop.get(), slice.step.get()};
  for (int i = 0; i < 3; ++i) {
    if (exprs[i] != nullptr) {
      SAVOIR_ASSIGN_OR_RETURN(bounds[i], Eval(*exprs[i], scope));
    }
  }
  StatusOr<Value> sliced = SliceValue(object, bounds[0], bounds[1], bounds[2]);
  const bool zero_step = bounds[2].is_integral() && bounds[2].integral_value() == 0;
  if (!sliced.ok() && (expr.fold_slice || folding_) && !object.is_undefined() && !zero_step) {
    return Value::Undefined(ObjectTypeRepr(object) + " has no element slice(" + Repr(bounds[0]) +
                            ", " + Repr(bounds[1]) + ", " + Repr(bounds[2]) + ")");
  }
  SAVOIR_ASSIGN_OR_RETURN(Value result, std::move(sliced));
  if (result.is_seq()) {
    SAVOIR_RETURN_IF_ERROR(Charge(static_cast<int64_t>(result.seq().items.size())));
  }
  return result;
}

StatusOr<CallArgs> Interpreter::EvalArgs(const CallArgExprs& exprs, Scope& scope) {
  CallArgs args;
  for (const ExprPtr& arg : exprs.args) {
    SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*arg, scope));
    args.args.push_back(std::move(v));
  }
  for (const auto& [name, arg] : exprs.kwargs) {
    SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*arg, scope));
    args.kwargs.emplace_back(name, std::move(v));
  }
  if (exprs.dyn_args != nullptr) {
    SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*exprs.dyn_args, scope));
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    args.args.insert(args.args.end(), items.begin(), items.end());
  }
  if (exprs.dyn_kwargs != nullptr) {
    SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*exprs.dyn_kwargs, scope));
    if (!v.is_dict()) {
      return PyError("argument after ** must be a mapping, not " + TypeName(v));
    }
    for (const auto& [key, value] : v.dict().entries) {
      if (!key.is_string()) {
        return PyError("keywords must be strings");
      }
      args.kwargs.emplace_back(key.str(), value);
    }
  }
  return args;
}

StatusOr<Value> Interpreter::EvalCall(const CallExpr& expr, Scope& scope, const Value* caller) {
  SAVOIR_ASSIGN_OR_RETURN(Value callee, Eval(*expr.callee, scope));
  SAVOIR_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(expr.args, scope));
  if (caller != nullptr) {
    args.kwargs.emplace_back("caller", *caller);
  }
  return CallValue(callee, std::move(args));
}

StatusOr<Value> Interpreter::EvalFilter(const FilterExpr& expr, Scope& scope, const Value* piped) {
  Value value;
  if (expr.operand == nullptr) {
    if (piped == nullptr) {
      return PyError("filter without a value");
    }
    value = *piped;
  } else if (piped != nullptr && expr.operand->kind == ExprKind::kFilter) {
    SAVOIR_ASSIGN_OR_RETURN(
        value, EvalFilter(static_cast<const FilterExpr&>(*expr.operand), scope, piped));
  } else {
    SAVOIR_ASSIGN_OR_RETURN(value, Eval(*expr.operand, scope));
  }
  SAVOIR_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(expr.args, scope));
  if (expr.fn == nullptr) {
    return PyError("No filter named " + PyStrRepr(expr.name) + " found.");
  }
  return expr.fn(*this, value, args);
}

StatusOr<Value> Interpreter::EvalTest(const TestExpr& expr, Scope& scope) {
  SAVOIR_ASSIGN_OR_RETURN(Value value, Eval(*expr.operand, scope));
  SAVOIR_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(expr.args, scope));
  if (expr.fn == nullptr) {
    return PyError("No test named " + PyStrRepr(expr.name) + " found.");
  }
  SAVOIR_ASSIGN_OR_RETURN(bool result, expr.fn(*this, value, args));
  return Value::Bool(result);
}

StatusOr<Value> Interpreter::EvalBinary(const BinaryExpr& expr, Scope& scope) {
  SAVOIR_ASSIGN_OR_RETURN(Value left, Eval(*expr.left, scope));
  if (expr.op == BinaryOp::kAnd) {
    return Truthy(left) ? Eval(*expr.right, scope) : StatusOr<Value>(left);
  }
  if (expr.op == BinaryOp::kOr) {
    return Truthy(left) ? StatusOr<Value>(left) : Eval(*expr.right, scope);
  }
  SAVOIR_ASSIGN_OR_RETURN(Value right, Eval(*expr.right, scope));
  if (expr.negative_literal_base && left.is_number()) {
    SAVOIR_ASSIGN_OR_RETURN(Value base, ApplyUnary(ExprKind::kNeg, left));
    SAVOIR_ASSIGN_OR_RETURN(Value power, ApplyBinary(*this, expr.op, base, right));
    return ApplyUnary(ExprKind::kNeg, power);
  }
  return ApplyBinary(*this, expr.op, left, right);
}

StatusOr<Value> Interpreter::EvalConcat(const ConcatExpr& expr, Scope& scope) {
  std::string out;
  for (const ExprPtr& item : expr.items) {
    SAVOIR_ASSIGN_OR_RETURN(Value v, Eval(*item, scope));
    out += ToStr(v);
    SAVOIR_RETURN_IF_ERROR(CheckSize(out.size()));
  }
  SAVOIR_RETURN_IF_ERROR(Charge(static_cast<int64_t>(out.size() / 64)));
  return Value::Str(std::move(out));
}

StatusOr<Value> Interpreter::EvalCompare(const CompareExpr& expr, Scope& scope) {
  SAVOIR_ASSIGN_OR_RETURN(Value left, Eval(*expr.first, scope));
  for (const auto& [op, operand] : expr.rest) {
    SAVOIR_ASSIGN_OR_RETURN(Value right, Eval(*operand, scope));
    bool result = false;
    switch (op) {
      case CompareOp::kEq:
        result = Equals(left, right);
        break;
      case CompareOp::kNe:
        result = !Equals(left, right);
        break;
      case CompareOp::kIn:
      case CompareOp::kNotIn: {
        SAVOIR_ASSIGN_OR_RETURN(bool found, Contains(right, left));
        result = (op == CompareOp::kIn) == found;
        break;
      }
      default: {
        SAVOIR_ASSIGN_OR_RETURN(result, PyCompare(CompareSymbol(op), left, right));
      }
    }
    if (!result) {
      return Value::Bool(false);
    }
    left = std::move(right);
  }
  return Value::Bool(true);
}

StatusOr<Value> Interpreter::EvalCond(const CondExpr& expr, Scope& scope) {
  SAVOIR_ASSIGN_OR_RETURN(Value test, Eval(*expr.test, scope));
  if (Truthy(test)) {
    return Eval(*expr.then_expr, scope);
  }
  if (expr.else_expr != nullptr) {
    return Eval(*expr.else_expr, scope);
  }
  return Value::Undefined("the inline if-expression on line " + std::to_string(expr.line) +
                          " evaluated to false and no else section was defined.");
}

}  // namespace savoir::engine::jinja
