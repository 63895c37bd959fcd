// The global functions of the chat template environment.
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>

#include "engine/template/builtins.h"
#include "engine/template/builtins_util.h"
#include "engine/template/interpreter.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

constexpr int64_t kMaxRange = 100000;

StatusOr<Value> Range(Interpreter& interp, CallArgs& args) {
  if (!args.kwargs.empty()) {
    return PyError("range() takes no keyword arguments");
  }
  const size_t n = args.args.size();
  if (n == 0) {
    return PyError("range expected at least 1 argument, got 0");
  }
  if (n > 3) {
    return PyError("range expected at most 3 arguments, got " + std::to_string(n));
  }
  int64_t bounds[3] = {0, 0, 1};
  for (size_t i = 0; i < n; ++i) {
    SAVOIR_ASSIGN_OR_RETURN(bounds[n == 1 ? 1 : i], IntArg(args.args[i], 0));
  }
  const auto [start, stop, step] = bounds;
  if (step == 0) {
    return PyError("range() arg 3 must not be zero");
  }
  // Length computed in floating point first to avoid overflow on extreme bounds.
  const long double span = static_cast<long double>(stop) - static_cast<long double>(start);
  long double count = span / static_cast<long double>(step);
  count = count <= 0 ? 0 : std::ceil(count);
  if (count > kMaxRange) {
    return PyError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  }
  SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(count)));
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
    items.push_back(Value::Int(start + i * step));
  }
  Value range = Value::Seq(SeqKind::kRange, "range", std::move(items));
  range.seq().range_start = start;
  range.seq().range_stop = stop;
  range.seq().range_step = step;
  return range;
}

// dict(*args, **kwargs): entries of a mapping or of an iterable of pairs, then the kwargs.
StatusOr<std::vector<std::pair<Value, Value>>> DictEntries(Interpreter& interp, CallArgs& args,
                                                           const char* func) {
  if (args.args.size() > 1) {
    return PyError(std::string(func) + " expected at most 1 argument, got " +
                   std::to_string(args.args.size()));
  }
  std::vector<std::pair<Value, Value>> entries;
  if (!args.args.empty()) {
    const Value& source = args.args[0];
    if (source.is_dict()) {
      entries = source.dict().entries;
    } else {
      SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(source));
      for (size_t i = 0; i < items.size(); ++i) {
        SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> pair, interp.Iterate(items[i]));
        if (pair.size() != 2) {
          return PyError("dictionary update sequence element #" + std::to_string(i) +
                         " has length " + std::to_string(pair.size()) + "; 2 is required");
        }
        if (!IsHashable(pair[0])) {
          return PyError("unhashable type: '" + TypeName(pair[0]) + "'");
        }
        entries.emplace_back(pair[0], pair[1]);
      }
    }
  }
  for (auto& [k, v] : args.kwargs) {
    entries.emplace_back(Value::Str(k), v);
  }
  return entries;
}

class Cycler : public Object, public std::enable_shared_from_this<Cycler> {
 public:
  explicit Cycler(std::vector<Value> items) : items_(std::move(items)) {}
  std::string_view TypeName() const override { return "Cycler"; }
  std::string QualifiedTypeName() const override { return "jinja2.utils.Cycler"; }
  std::string Repr() const override { return "<jinja2.utils.Cycler object>"; }
  bool IsCallable() const override { return false; }
  StatusOr<Value> Call(Interpreter& /*interp*/, CallArgs /*args*/) override {
    return PyError("'Cycler' object is not callable");
  }
  StatusOr<std::optional<Value>> GetAttr(Interpreter& /*interp*/, std::string_view name) override {
    if (name == "current") {
      return std::optional<Value>(items_[pos_]);
    }
    if (name == "next" || name == "reset") {
      const bool next = name == "next";
      std::shared_ptr<Cycler> self = shared_from_this();
      return std::optional<Value>(
          MakeBuiltin(std::string(name), [self, next](Interpreter&, CallArgs&) -> StatusOr<Value> {
            if (!next) {
              self->pos_ = 0;
              return Value::None();
            }
            Value current = self->items_[self->pos_];
            self->pos_ = (self->pos_ + 1) % self->items_.size();
            return current;
          }));
    }
    return std::optional<Value>();
  }

 private:
  std::vector<Value> items_;
  size_t pos_ = 0;
};

class Joiner : public Object {
 public:
  explicit Joiner(std::string sep) : sep_(std::move(sep)) {}
  std::string_view TypeName() const override { return "Joiner"; }
  std::string QualifiedTypeName() const override { return "jinja2.utils.Joiner"; }
  std::string Repr() const override { return "<jinja2.utils.Joiner object>"; }
  StatusOr<Value> Call(Interpreter& /*interp*/, CallArgs /*args*/) override {
    if (!used_) {
      used_ = true;
      return Value::Str("");
    }
    return Value::Str(sep_);
  }

 private:
  std::string sep_;
  bool used_ = false;
};

// datetime.strftime for a naive datetime: %f is microseconds (always 0 here), %z and %Z are
// empty; everything else is C's strftime, as CPython does.
std::string Strftime(const std::string& format, const std::tm& now) {
  std::string expanded;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size()) {
      const char c = format[i + 1];
      if (c == 'f') {
        expanded += "000000";
        ++i;
        continue;
      }
      if (c == 'z' || c == 'Z') {
        ++i;
        continue;
      }
      expanded.push_back('%');
      expanded.push_back(c);
      ++i;
      continue;
    }
    expanded.push_back(format[i]);
  }
  if (expanded.empty()) {
    return "";
  }
  std::vector<char> buf(expanded.size() * 8 + 256);
  const size_t n = std::strftime(buf.data(), buf.size(), expanded.c_str(), &now);
  return std::string(buf.data(), n);
}

}  // namespace

void DefineGlobals(Scope& scope) {
  scope.Set("range", MakeBuiltin("range", Range));
  scope.Set("dict", MakeBuiltin("dict", [](Interpreter& interp, CallArgs& args) -> StatusOr<Value> {
              SAVOIR_ASSIGN_OR_RETURN(auto entries, DictEntries(interp, args, "dict"));
              return Value::Dict(std::move(entries));
            }));
  scope.Set("namespace",
            MakeBuiltin("namespace", [](Interpreter& interp, CallArgs& args) -> StatusOr<Value> {
              SAVOIR_ASSIGN_OR_RETURN(auto entries, DictEntries(interp, args, "dict"));
              auto ns = std::make_shared<NamespaceData>();
              for (auto& [k, v] : entries) {
                if (v.depth() > kMaxValueDepth) {
                  return PyError("value nested too deeply");
                }
                ns->Set(ToStr(k), std::move(v));
              }
              interp.TrackNamespace(ns);
              return Value::Namespace(std::move(ns));
            }));
  scope.Set("cycler", MakeBuiltin("cycler", [](Interpreter&, CallArgs& args) -> StatusOr<Value> {
              if (args.args.empty()) {
                return PyError("at least one item has to be provided");
              }
              return Value::FromObject(std::make_shared<Cycler>(args.args));
            }));
  scope.Set(
      "joiner", MakeBuiltin("joiner", [](Interpreter&, CallArgs& args) -> StatusOr<Value> {
        SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("joiner", args, {"sep"}));
        return Value::FromObject(std::make_shared<Joiner>(a[0] ? ToStr(*a[0]) : std::string(", ")));
      }));
  scope.Set(
      "raise_exception",
      MakeBuiltin("raise_exception", [](Interpreter&, CallArgs& args) -> StatusOr<Value> {
        SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("raise_exception", args, {"message"}));
        if (!a[0]) {
          return PyError("raise_exception() missing 1 required positional argument: 'message'");
        }
        return PyError(ToStr(*a[0]));
      }));
  scope.Set("strftime_now",
            MakeBuiltin("strftime_now", [](Interpreter& interp, CallArgs& args) -> StatusOr<Value> {
              SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("strftime_now", args, {"format"}));
              if (!a[0] || !a[0]->is_string()) {
                return PyError("strftime() argument 1 must be str");
              }
              return Value::Str(Strftime(a[0]->str(), interp.now()));
            }));
}

}  // namespace savoir::engine::jinja
