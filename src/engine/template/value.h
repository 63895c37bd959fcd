// Values of the Jinja2 interpreter, modelled on the Python objects that Jinja2 handles.
//
// A Value is one of: Undefined (Jinja2's default undefined, with the message it raises when
// used), None, bool, int (64-bit), float, str (UTF-8, optionally marked safe like markupsafe's
// Markup), a sequence (list, tuple, range, dict view or one-shot iterator such as a generator),
// a dict (insertion-ordered, with Python's key equality), a namespace (mutable attribute bag),
// or an opaque Object (macros, bound methods, loop contexts, builtin functions).
//
// Lists may be mutated in place (Jinja2's sandbox still allows list.pop and list.clear), so
// sequences are shared by reference like Python lists; dicts and strings are immutable and
// shared. Copying a Value is cheap.
//
// The printing functions reproduce Python's str() and repr() byte for byte for the supported
// types; Equals and LessThan follow Python's == and <.
//
// Thread safety: a Value and everything it references belongs to one render; none of it is
// safe to share between threads.
#ifndef SAVOIR_ENGINE_TEMPLATE_VALUE_H_
#define SAVOIR_ENGINE_TEMPLATE_VALUE_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/status.h"

namespace savoir::engine::jinja {

class Interpreter;
class Value;

// Deepest nesting of lists and dicts that a value may have.
inline constexpr int kMaxValueDepth = 200;

// Positional and keyword arguments of a call, filter or test.
struct CallArgs {
  std::vector<Value> args;
  std::vector<std::pair<std::string, Value>> kwargs;
};

enum class Kind : uint8_t {
  kUndefined,
  kNone,
  kBool,
  kInt,
  kFloat,
  kString,
  kSeq,
  kDict,
  kNamespace,
  kObject,
};

enum class SeqKind : uint8_t {
  kList,
  kTuple,
  kRange,
  kView,      // dict_keys, dict_values, dict_items
  kIterator,  // generator and other one-shot iterators
};

// An opaque Python object: a callable or an object with attributes.
class Object {
 public:
  virtual ~Object() = default;
  // Python's type(x).__name__, e.g. "Macro".
  virtual std::string_view TypeName() const = 0;
  // Module-qualified name as Jinja2's object_type_repr prints it, e.g. "jinja2.runtime.Macro".
  virtual std::string QualifiedTypeName() const { return std::string(TypeName()); }
  virtual std::string Repr() const = 0;
  virtual bool IsCallable() const { return true; }
  // Calls the object. Errors are the Python exceptions the call would raise.
  virtual StatusOr<Value> Call(Interpreter& interp, CallArgs args) = 0;
  // The attribute `name`, or nullopt when the object has none.
  virtual StatusOr<std::optional<Value>> GetAttr(Interpreter& interp, std::string_view name);
  // len(), when the object supports it.
  virtual std::optional<int64_t> Length() const { return std::nullopt; }
};

struct UndefinedData {
  std::string message;    // what UndefinedError says when the value is used
  bool security = false;  // raises SecurityError instead (unsafe attribute)
};

struct SeqData {
  SeqKind kind = SeqKind::kList;
  const char* type_name = "list";
  std::vector<Value> items;
  int depth = 1;
  int64_t range_start = 0;  // kRange: the arguments, for repr()
  int64_t range_stop = 0;
  int64_t range_step = 1;
  const std::vector<std::string>* field_names = nullptr;  // named tuples (groupby)
  size_t next = 0;                                        // kIterator: items already consumed
  Status deferred_error;  // kIterator: error raised once the items are exhausted
};

struct DictData {
  std::vector<std::pair<Value, Value>> entries;
  int depth = 1;
  // The value stored under `key` (Python key equality: 1 == 1.0 == True), or nullptr.
  const Value* Find(const Value& key) const;
};

struct NamespaceData {
  std::vector<std::pair<std::string, Value>> attrs;
  const Value* Find(std::string_view name) const;
  void Set(std::string_view name, Value value);
};

class Value {
 public:
  Value() : data_(std::monostate()) {}  // None

  static Value Undefined(std::string message, bool security = false);
  static Value None() { return Value(); }
  static Value Bool(bool b) { return Value(Data(std::in_place_index<2>, b)); }
  static Value Int(int64_t i) { return Value(Data(std::in_place_index<3>, i)); }
  static Value Float(double f) { return Value(Data(std::in_place_index<4>, f)); }
  static Value Str(std::string s, bool markup = false);
  static Value Seq(SeqKind kind, const char* type_name, std::vector<Value> items);
  static Value List(std::vector<Value> items) {
    return Seq(SeqKind::kList, "list", std::move(items));
  }
  static Value Tuple(std::vector<Value> items) {
    return Seq(SeqKind::kTuple, "tuple", std::move(items));
  }
  static Value Iterator(const char* type_name, std::vector<Value> items, Status deferred = {});
  // Builds a dict; later duplicates of a key replace the earlier value in its first position.
  static Value Dict(std::vector<std::pair<Value, Value>> entries);
  static Value Namespace(std::shared_ptr<NamespaceData> ns);
  static Value FromObject(std::shared_ptr<Object> object);

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_undefined() const { return kind() == Kind::kUndefined; }
  bool is_none() const { return kind() == Kind::kNone; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_seq() const { return kind() == Kind::kSeq; }
  bool is_dict() const { return kind() == Kind::kDict; }
  bool is_namespace() const { return kind() == Kind::kNamespace; }
  bool is_object() const { return kind() == Kind::kObject; }
  // bool or int: what Python's operator.index accepts.
  bool is_integral() const { return is_bool() || is_int(); }
  bool is_number() const { return is_integral() || is_float(); }
  bool is_seq_kind(SeqKind k) const { return is_seq() && seq().kind == k; }
  bool is_list() const { return is_seq_kind(SeqKind::kList); }

  bool bool_value() const { return std::get<2>(data_); }
  int64_t int_value() const { return std::get<3>(data_); }
  double float_value() const { return std::get<4>(data_); }
  // bool or int as int64.
  int64_t integral_value() const { return is_bool() ? (bool_value() ? 1 : 0) : int_value(); }
  // Any number as double.
  double number_value() const {
    return is_float() ? float_value() : static_cast<double>(integral_value());
  }
  const std::string& str() const { return *std::get<5>(data_).text; }
  bool is_markup() const { return is_string() && std::get<5>(data_).markup; }
  SeqData& seq() const { return *std::get<6>(data_); }
  const std::shared_ptr<SeqData>& seq_ptr() const { return std::get<6>(data_); }
  const DictData& dict() const { return *std::get<7>(data_); }
  NamespaceData& ns() const { return *std::get<8>(data_); }
  const std::shared_ptr<NamespaceData>& ns_ptr() const { return std::get<8>(data_); }
  Object& object() const { return *std::get<9>(data_); }
  const std::shared_ptr<Object>& object_ptr() const { return std::get<9>(data_); }
  const UndefinedData& undefined() const { return *std::get<0>(data_); }

  // Nesting depth of lists and dicts (0 for scalars).
  int depth() const;
  // True when both values are the same Python object (for `is` semantics of containers).
  bool SameObject(const Value& other) const;

 private:
  struct StrRep {
    std::shared_ptr<const std::string> text;
    bool markup = false;
  };
  using Data =
      std::variant<std::shared_ptr<const UndefinedData>, std::monostate, bool, int64_t, double,
                   StrRep, std::shared_ptr<SeqData>, std::shared_ptr<const DictData>,
                   std::shared_ptr<NamespaceData>, std::shared_ptr<Object>>;
  explicit Value(Data data) : data_(std::move(data)) {}

  Data data_;
};

// Python's truth value (undefined is false; iterators and objects are true).
bool Truthy(const Value& v);
// type(v).__name__: "str", "int", "NoneType", "list", "Markup", "Undefined", ...
std::string TypeName(const Value& v);
// What Jinja2's object_type_repr prints: "None", "dict object", "jinja2.utils.Namespace object".
std::string ObjectTypeRepr(const Value& v);
// str(v): the text {{ v }} prints (undefined prints nothing).
std::string ToStr(const Value& v);
// repr(v).
std::string Repr(const Value& v);
void AppendRepr(const Value& v, int depth, std::string* out);
// Python's ==.
bool Equals(const Value& a, const Value& b);
// Whether v may be a dict key or set member.
bool IsHashable(const Value& v);
// Python's <; TypeError for unorderable types, UndefinedError when either side is undefined.
StatusOr<bool> LessThan(const Value& a, const Value& b);
// Python's rich comparison for `op` in "<", "<=", ">", ">=".
StatusOr<bool> PyCompare(std::string_view op, const Value& a, const Value& b);

// Stable merge sort with a comparator that may fail (Python's sorted() on values whose
// comparison raises). Stops comparing at the first error and returns it.
template <typename T, typename Less>
Status StableSort(std::vector<T>& items, Less less) {
  Status error;
  std::vector<T> buffer(items.size());
  for (size_t width = 1; width < items.size() && error.ok(); width *= 2) {
    for (size_t lo = 0; lo < items.size(); lo += 2 * width) {
      const size_t mid = std::min(lo + width, items.size());
      const size_t hi = std::min(lo + 2 * width, items.size());
      size_t i = lo;
      size_t j = mid;
      size_t k = lo;
      while (i < mid && j < hi) {
        bool take_right = false;
        if (error.ok()) {
          StatusOr<bool> right_first = less(items[j], items[i]);
          if (right_first.ok()) {
            take_right = *right_first;
          } else {
            error = right_first.status();
          }
        }
        buffer[k++] = std::move(take_right ? items[j++] : items[i++]);
      }
      while (i < mid) {
        buffer[k++] = std::move(items[i++]);
      }
      while (j < hi) {
        buffer[k++] = std::move(items[j++]);
      }
    }
    items.swap(buffer);
  }
  return error;
}

// Converts JSON (objects keep their order) to values: null → None, integers → int (unsigned
// beyond int64 → float), floats → float. Fails on nesting deeper than kMaxValueDepth.
StatusOr<Value> ValueFromJson(const nlohmann::ordered_json& json);

// A Python exception raised while rendering, as a Status whose message is exactly what the
// exception's str() gives (so "raise_exception('x')" fails with message "x").
inline Status PyError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
// The error an undefined value raises when used.
Status UndefinedError(const Value& undefined);
// "unsupported operand type(s) for +: 'int' and 'str'".
std::string UnsupportedOperands(std::string_view op, const Value& a, const Value& b);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_VALUE_H_
