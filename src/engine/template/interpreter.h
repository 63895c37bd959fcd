// Tree-walking evaluator of parsed Jinja2 templates with Jinja2's runtime semantics.
//
// Scopes follow Jinja2's frames: `if` shares its scope; each loop iteration, macro call, call
// block, `with`, set block and filter block gets a child scope, so `set` inside them does not
// leak out (namespace() objects are how templates carry state out of loops). Macros see the
// scope they were defined in, as Python closures do.
//
// Runaway templates end with an error instead of exhausting the machine: a step budget bounds
// the work (each expression, statement, loop iteration and produced item costs steps), the
// output and every produced string are bounded in size, macro and recursive-loop calls are
// bounded in depth, and values may not nest deeper than kMaxValueDepth.
//
// Thread safety: an Interpreter renders once, on one thread. The Program it reads may be shared.
#ifndef SAVOIR_ENGINE_TEMPLATE_INTERPRETER_H_
#define SAVOIR_ENGINE_TEMPLATE_INTERPRETER_H_

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/template/ast.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

struct RenderLimits {
  size_t max_output_bytes = size_t{16} << 20;  // also bounds any single string or list
  int64_t max_steps = 50'000'000;
  int max_call_depth = 100;  // nested macro calls and recursive loops
};

// Deepest nesting of statement and expression evaluation (bounds the native stack).
inline constexpr int kMaxEvalDepth = 1000;

// A variable scope; lookups walk up to the globals.
class Scope {
 public:
  explicit Scope(std::shared_ptr<Scope> parent) : parent_(std::move(parent)) {}
  // The value bound to `name` here or in an enclosing scope, or nullptr.
  const Value* Find(std::string_view name) const;
  // Binds `name` in this scope.
  void Set(std::string_view name, Value value);

 private:
  friend class Interpreter;
  std::shared_ptr<Scope> parent_;
  std::vector<std::pair<std::string, Value>> vars_;
};

class LoopObject;
class MacroObject;

class Interpreter {
 public:
  Interpreter(const RenderLimits& limits, const std::tm& now);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Renders `program` with the variables of `context` (a dict value). Errors carry the message
  // of the Python exception Jinja2 would raise; limits give RESOURCE_EXHAUSTED.
  StatusOr<std::string> Render(const Program& program, const Value& context);

  // Evaluates an expression without variables as Jinja2's compile-time constant folding does
  // (slices go through the sandbox's getitem).
  StatusOr<Value> EvalConstant(const Expr& expr);

  // ---- Services for builtins ----

  // Spends `steps` of the work budget.
  Status Charge(int64_t steps);
  // Fails when a produced string or list of `size` bytes/items exceeds the limits.
  Status CheckSize(size_t size) const;
  const std::tm& now() const { return now_; }

  // Calls a callable value (macro, builtin, bound method, loop, ...).
  StatusOr<Value> CallValue(const Value& callee, CallArgs args);
  // environment.call_filter / call_test by name (for map, select and friends).
  StatusOr<Value> CallFilter(std::string_view name, const Value& value, CallArgs args);
  StatusOr<bool> CallTest(std::string_view name, const Value& value, CallArgs args);
  // Python's iter(): the items of a sequence, dict keys, characters of a string; consumes
  // one-shot iterators. Undefined iterates as empty.
  StatusOr<std::vector<Value>> Iterate(const Value& value);
  // Keeps a namespace alive until the render ends, so reference cycles are broken then.
  void TrackNamespace(std::shared_ptr<NamespaceData> ns);

  // Used by macro and loop objects.
  StatusOr<Value> CallMacro(const MacroObject& macro, CallArgs args);
  StatusOr<Value> CallRecursiveLoop(LoopObject& loop, const Value& iterable);
  // Evaluates the `if` filter of a for loop for `*item`, in a scope below `outer`. Like
  // Jinja2's filter generator, replaces `*item` by the unpacked target repacked as tuples.
  StatusOr<bool> TestLoopFilter(const ForStmt& stmt, Value* item,
                                const std::shared_ptr<Scope>& outer);

 private:
  enum class Flow : uint8_t { kNormal, kBreak, kContinue };
  struct Frame {
    std::shared_ptr<Scope> scope;
    std::string* out;
  };

  std::shared_ptr<Scope> ChildScope(const std::shared_ptr<Scope>& parent);
  Status Append(std::string* out, std::string_view text);

  Status ExecList(const StmtList& stmts, Frame& frame);
  Status Exec(const Stmt& stmt, Frame& frame);
  Status ExecOutput(const OutputStmt& stmt, Frame& frame);
  Status ExecIf(const IfStmt& stmt, Frame& frame);
  Status ExecFor(const ForStmt& stmt, Frame& frame);
  Status RunLoop(const ForStmt& stmt, std::vector<Value> items, int depth0, Frame& frame);
  Status ExecSetBlock(const SetBlockStmt& stmt, Frame& frame);
  Status ExecMacro(const MacroStmt& stmt, Frame& frame);
  Status ExecCallBlock(const CallBlockStmt& stmt, Frame& frame);
  Status ExecFilterBlock(const FilterBlockStmt& stmt, Frame& frame);
  Status ExecWith(const WithStmt& stmt, Frame& frame);
  // Renders `stmts` in a child scope of `frame` into a new string.
  StatusOr<std::string> Capture(const StmtList& stmts, const std::shared_ptr<Scope>& parent);
  Status Assign(const Target& target, const Value& value, Scope& scope);
  // Binds a macro call's arguments in the macro's new scope, as Jinja2's Macro.__call__ does.
  Status BindMacroArgs(const MacroStmt& def, CallArgs& args, Scope& scope);
  Status BindMacroExtras(const MacroStmt& def, CallArgs& args, Scope& scope);
  Status Bind(Scope& scope, std::string_view name, Value value);

  StatusOr<Value> Eval(const Expr& expr, Scope& scope);
  StatusOr<Value> EvalName(const NameExpr& expr, Scope& scope);
  StatusOr<Value> EvalSeq(const SeqExpr& expr, Scope& scope);
  StatusOr<Value> EvalDict(const DictExpr& expr, Scope& scope);
  StatusOr<Value> EvalGetItem(const GetItemExpr& expr, Scope& scope);
  StatusOr<CallArgs> EvalArgs(const CallArgExprs& exprs, Scope& scope);
  StatusOr<Value> EvalCall(const CallExpr& expr, Scope& scope, const Value* caller);
  StatusOr<Value> EvalFilter(const FilterExpr& expr, Scope& scope, const Value* piped);
  StatusOr<Value> EvalTest(const TestExpr& expr, Scope& scope);
  StatusOr<Value> EvalBinary(const BinaryExpr& expr, Scope& scope);
  StatusOr<Value> EvalConcat(const ConcatExpr& expr, Scope& scope);
  StatusOr<Value> EvalCompare(const CompareExpr& expr, Scope& scope);
  StatusOr<Value> EvalCond(const CondExpr& expr, Scope& scope);

  RenderLimits limits_;
  std::tm now_;
  int64_t steps_ = 0;
  int call_depth_ = 0;
  int eval_depth_ = 0;  // nested Exec and Eval calls
  Flow flow_ = Flow::kNormal;
  bool folding_ = false;  // EvalConstant in progress
  // Scopes captured by macros and loops, and namespaces: cleared at the end of the render to
  // break reference cycles between them.
  std::vector<std::shared_ptr<Scope>> captured_scopes_;
  std::vector<std::shared_ptr<NamespaceData>> namespaces_;
};

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_INTERPRETER_H_
