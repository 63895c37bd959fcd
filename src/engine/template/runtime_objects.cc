#include "engine/template/runtime_objects.h"

#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

// loop.cycle and loop.changed as bound methods.
class LoopMethod : public Object {
 public:
  LoopMethod(std::shared_ptr<LoopObject> loop, bool cycle)
      : loop_(std::move(loop)), cycle_(cycle) {}
  std::string_view TypeName() const override { return "method"; }
  std::string Repr() const override {
    return std::string("<bound method LoopContext.") + (cycle_ ? "cycle" : "changed") + ">";
  }
  StatusOr<Value> Call(Interpreter& /*interp*/, CallArgs args) override {
    if (!args.kwargs.empty()) {
      return PyError(std::string(cycle_ ? "cycle" : "changed") +
                     "() got an unexpected keyword argument '" + args.kwargs[0].first + "'");
    }
    if (cycle_) {
      return loop_->Cycle(args);
    }
    return loop_->Changed(args);
  }

 private:
  std::shared_ptr<LoopObject> loop_;
  bool cycle_;
};

}  // namespace

std::string MacroObject::Repr() const { return "<Macro " + PyStrRepr(def_.name) + ">"; }

StatusOr<Value> MacroObject::Call(Interpreter& interp, CallArgs args) {
  return interp.CallMacro(*this, std::move(args));
}

StatusOr<std::optional<Value>> MacroObject::GetAttr(Interpreter& /*interp*/,
                                                    std::string_view name) {
  if (name == "name") {
    return std::optional<Value>(Value::Str(def_.name));
  }
  if (name == "arguments") {
    std::vector<Value> params;
    for (const std::string& p : def_.params) {
      params.push_back(Value::Str(p));
    }
    return std::optional<Value>(Value::Tuple(std::move(params)));
  }
  if (name == "catch_kwargs") {
    return std::optional<Value>(Value::Bool(def_.uses_kwargs));
  }
  if (name == "catch_varargs") {
    return std::optional<Value>(Value::Bool(def_.uses_varargs));
  }
  if (name == "caller") {
    return std::optional<Value>(Value::Bool(def_.uses_caller));
  }
  return std::optional<Value>();
}

std::string LoopObject::Repr() const {
  const std::string length = known_length_ ? std::to_string(*known_length_) : "?";
  return "<LoopContext " + std::to_string(index0_ + 1) + "/" + length + ">";
}

StatusOr<Value> LoopObject::Call(Interpreter& interp, CallArgs args) {
  if (!stmt_.recursive) {
    return PyError("The loop must have the 'recursive' marker to be called recursively.");
  }
  if (args.args.size() != 1 || !args.kwargs.empty()) {
    return PyError("LoopContext.__call__() takes exactly one argument");
  }
  return interp.CallRecursiveLoop(*this, args.args[0]);
}

StatusOr<std::optional<Value>> LoopObject::Pull(Interpreter& interp) {
  while (source_pos_ < source_.size()) {
    Value item = source_[source_pos_++];
    if (stmt_.filter == nullptr) {
      return std::optional<Value>(std::move(item));
    }
    SAVOIR_RETURN_IF_ERROR(interp.Charge(1));
    SAVOIR_ASSIGN_OR_RETURN(bool keep, interp.TestLoopFilter(stmt_, &item, outer_));
    if (keep) {
      return std::optional<Value>(std::move(item));
    }
  }
  return std::optional<Value>();
}

StatusOr<bool> LoopObject::HasNext(Interpreter& interp) {
  if (!lookahead_.empty()) {
    return true;
  }
  SAVOIR_ASSIGN_OR_RETURN(std::optional<Value> next, Pull(interp));
  if (!next) {
    return false;
  }
  lookahead_.push_back(std::move(*next));
  return true;
}

StatusOr<int64_t> LoopObject::ComputeLength(Interpreter& interp) {
  if (!known_length_) {
    while (true) {
      SAVOIR_ASSIGN_OR_RETURN(std::optional<Value> next, Pull(interp));
      if (!next) {
        break;
      }
      lookahead_.push_back(std::move(*next));
    }
    known_length_ = index0_ + 1 + static_cast<int64_t>(lookahead_.size());
  }
  return *known_length_;
}

StatusOr<bool> LoopObject::Next(Interpreter& interp, Value* item) {
  if (lookahead_.empty()) {
    SAVOIR_ASSIGN_OR_RETURN(std::optional<Value> next, Pull(interp));
    if (!next) {
      return false;
    }
    lookahead_.push_back(std::move(*next));
  }
  *item = std::move(lookahead_.front());
  lookahead_.pop_front();
  ++index0_;
  before_ = current_;
  current_ = *item;
  if (stmt_.filter == nullptr && !known_length_) {
    known_length_ = static_cast<int64_t>(source_.size());
  }
  return true;
}

StatusOr<Value> LoopObject::Cycle(const CallArgs& args) const {
  if (args.args.empty()) {
    return PyError("no items for cycling given");
  }
  return args.args[static_cast<size_t>(index0_) % args.args.size()];
}

Value LoopObject::Changed(const CallArgs& args) {
  if (last_changed_ && last_changed_->size() == args.args.size()) {
    bool same = true;
    for (size_t i = 0; i < args.args.size() && same; ++i) {
      same = Equals((*last_changed_)[i], args.args[i]);
    }
    if (same) {
      return Value::Bool(false);
    }
  }
  last_changed_ = args.args;
  return Value::Bool(true);
}

StatusOr<std::optional<Value>> LoopObject::GetAttr(Interpreter& interp, std::string_view name) {
  auto some = [](Value v) { return std::optional<Value>(std::move(v)); };
  if (name == "index0") {
    return some(Value::Int(index0_));
  }
  if (name == "index") {
    return some(Value::Int(index0_ + 1));
  }
  if (name == "first") {
    return some(Value::Bool(index0_ == 0));
  }
  if (name == "depth0") {
    return some(Value::Int(depth0_));
  }
  if (name == "depth") {
    return some(Value::Int(depth0_ + 1));
  }
  if (name == "previtem") {
    return some(index0_ == 0 ? Value::Undefined("there is no previous item") : before_);
  }
  if (name == "last" || name == "nextitem") {
    SAVOIR_ASSIGN_OR_RETURN(bool more, HasNext(interp));
    if (name == "last") {
      return some(Value::Bool(!more));
    }
    return some(more ? lookahead_.front() : Value::Undefined("there is no next item"));
  }
  if (name == "length" || name == "revindex" || name == "revindex0") {
    SAVOIR_ASSIGN_OR_RETURN(int64_t length, ComputeLength(interp));
    if (name == "length") {
      return some(Value::Int(length));
    }
    return some(Value::Int(length - index0_ - (name == "revindex" ? 0 : 1)));
  }
  if (name == "cycle" || name == "changed") {
    return some(
        Value::FromObject(std::make_shared<LoopMethod>(shared_from_this(), name == "cycle")));
  }
  return std::optional<Value>();
}

}  // namespace savoir::engine::jinja
