// Runtime objects of the interpreter: macros and loop contexts (the `loop` variable).
//
// LoopObject reproduces jinja2.runtime.LoopContext: items pass the loop's `if` filter lazily,
// one ahead when `loop.last`, `loop.nextitem` or `loop.length` need it, as in Jinja2.
//
// Thread safety: objects of one render, used on its thread.
#ifndef SAVOIR_ENGINE_TEMPLATE_RUNTIME_OBJECTS_H_
#define SAVOIR_ENGINE_TEMPLATE_RUNTIME_OBJECTS_H_

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/template/ast.h"
#include "engine/template/interpreter.h"
#include "engine/template/value.h"

namespace savoir::engine::jinja {

class MacroObject : public Object {
 public:
  MacroObject(const MacroStmt& def, std::shared_ptr<Scope> closure)
      : def_(def), closure_(std::move(closure)) {}
  std::string_view TypeName() const override { return "Macro"; }
  std::string QualifiedTypeName() const override { return "jinja2.runtime.Macro"; }
  std::string Repr() const override;
  StatusOr<Value> Call(Interpreter& interp, CallArgs args) override;
  StatusOr<std::optional<Value>> GetAttr(Interpreter& interp, std::string_view name) override;

  const MacroStmt& def() const { return def_; }
  const std::shared_ptr<Scope>& closure() const { return closure_; }

 private:
  const MacroStmt& def_;
  std::shared_ptr<Scope> closure_;
};

class LoopObject : public Object, public std::enable_shared_from_this<LoopObject> {
 public:
  LoopObject(const ForStmt& stmt, std::vector<Value> source, int depth0,
             std::shared_ptr<Scope> outer)
      : stmt_(stmt), source_(std::move(source)), depth0_(depth0), outer_(std::move(outer)) {}

  std::string_view TypeName() const override { return "LoopContext"; }
  std::string QualifiedTypeName() const override { return "jinja2.runtime.LoopContext"; }
  std::string Repr() const override;
  StatusOr<Value> Call(Interpreter& interp, CallArgs args) override;
  StatusOr<std::optional<Value>> GetAttr(Interpreter& interp, std::string_view name) override;
  std::optional<int64_t> Length() const override { return known_length_; }

  // Advances to the next item that passes the loop filter; false at the end.
  StatusOr<bool> Next(Interpreter& interp, Value* item);
  // loop.cycle(*args) and loop.changed(*args).
  StatusOr<Value> Cycle(const CallArgs& args) const;
  Value Changed(const CallArgs& args);

  const ForStmt& stmt() const { return stmt_; }
  int depth0() const { return depth0_; }
  const std::shared_ptr<Scope>& outer() const { return outer_; }

 private:
  // The next source item that passes the filter, or nullopt.
  StatusOr<std::optional<Value>> Pull(Interpreter& interp);
  StatusOr<bool> HasNext(Interpreter& interp);
  StatusOr<int64_t> ComputeLength(Interpreter& interp);

  const ForStmt& stmt_;
  std::vector<Value> source_;
  size_t source_pos_ = 0;
  std::deque<Value> lookahead_;
  int depth0_;
  std::shared_ptr<Scope> outer_;
  int64_t index0_ = -1;
  Value current_;
  Value before_;
  std::optional<int64_t> known_length_;
  std::optional<std::vector<Value>> last_changed_;
};

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_RUNTIME_OBJECTS_H_
