#include "engine/template/value.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

int ChildDepth(const Value& v) { return v.depth(); }

// Exact comparison of an int with a float, as Python does it: returns -1, 0 or 1, or 2 for nan.
int CompareIntFloat(int64_t i, double f) {
  if (std::isnan(f)) {
    return 2;
  }
  const long double li = static_cast<long double>(i);
  const long double lf = static_cast<long double>(f);
  return li < lf ? -1 : (li > lf ? 1 : 0);
}

bool NumEquals(const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral()) {
    return a.integral_value() == b.integral_value();
  }
  if (a.is_float() && b.is_float()) {
    return a.float_value() == b.float_value();
  }
  if (a.is_float()) {
    return CompareIntFloat(b.integral_value(), a.float_value()) == 0;
  }
  return CompareIntFloat(a.integral_value(), b.float_value()) == 0;
}

// Python's rich comparison of two numbers for op in <, <=, >, >=.
bool NumCompare(std::string_view op, const Value& a, const Value& b) {
  int c = 0;
  if (a.is_integral() && b.is_integral()) {
    const int64_t x = a.integral_value();
    const int64_t y = b.integral_value();
    c = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_float() && b.is_float()) {
    const double x = a.float_value();
    const double y = b.float_value();
    if (std::isnan(x) || std::isnan(y)) {
      return false;
    }
    c = x < y ? -1 : (x > y ? 1 : 0);
  } else if (a.is_float()) {
    c = CompareIntFloat(b.integral_value(), a.float_value());
    if (c == 2) {
      return false;
    }
    c = -c;
  } else {
    c = CompareIntFloat(a.integral_value(), b.float_value());
    if (c == 2) {
      return false;
    }
  }
  if (op == "<") {
    return c < 0;
  }
  if (op == "<=") {
    return c <= 0;
  }
  if (op == ">") {
    return c > 0;
  }
  return c >= 0;
}

bool CompareOrdered(std::string_view op, int c) {
  if (op == "<") {
    return c < 0;
  }
  if (op == "<=") {
    return c <= 0;
  }
  if (op == ">") {
    return c > 0;
  }
  return c >= 0;
}

// Sequence types that compare with each other: list with list, tuple with tuple, ...
bool SameSeqClass(const SeqData& a, const SeqData& b) {
  if (a.kind == SeqKind::kIterator || b.kind == SeqKind::kIterator) {
    return false;
  }
  return a.kind == b.kind && std::string_view(a.type_name) == std::string_view(b.type_name);
}

bool SeqLikeTuple(const SeqData& s) { return s.kind == SeqKind::kTuple; }

void AppendSeqItems(const std::vector<Value>& items, int depth, std::string* out) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out->append(", ");
    }
    AppendRepr(items[i], depth + 1, out);
  }
}

void AppendDictRepr(const std::vector<std::pair<Value, Value>>& entries, int depth,
                    std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) {
      out->append(", ");
    }
    AppendRepr(entries[i].first, depth + 1, out);
    out->append(": ");
    AppendRepr(entries[i].second, depth + 1, out);
  }
  out->push_back('}');
}

void AppendSeqRepr(const SeqData& s, int depth, std::string* out) {
  switch (s.kind) {
    case SeqKind::kList:
      out->push_back('[');
      AppendSeqItems(s.items, depth, out);
      out->push_back(']');
      return;
    case SeqKind::kTuple:
      out->push_back('(');
      AppendSeqItems(s.items, depth, out);
      out->append(s.items.size() == 1 ? ",)" : ")");
      return;
    case SeqKind::kRange:
      out->append("range(" + std::to_string(s.range_start) + ", " + std::to_string(s.range_stop));
      if (s.range_step != 1) {
        out->append(", " + std::to_string(s.range_step));
      }
      out->push_back(')');
      return;
    case SeqKind::kView:
      out->append(s.type_name);
      out->append("([");
      AppendSeqItems(s.items, depth, out);
      out->append("])");
      return;
    case SeqKind::kIterator:
      out->append("<");
      out->append(s.type_name);
      out->append(" object>");
      return;
  }
}

}  // namespace

StatusOr<std::optional<Value>> Object::GetAttr(Interpreter& /*interp*/, std::string_view /*name*/) {
  return std::optional<Value>();
}

const Value* DictData::Find(const Value& key) const {
  for (const auto& [k, v] : entries) {
    if (Equals(k, key)) {
      return &v;
    }
  }
  return nullptr;
}

const Value* NamespaceData::Find(std::string_view name) const {
  for (const auto& [k, v] : attrs) {
    if (k == name) {
      return &v;
    }
  }
  return nullptr;
}

void NamespaceData::Set(std::string_view name, Value value) {
  for (auto& [k, v] : attrs) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(std::string(name), std::move(value));
}

Value Value::Undefined(std::string message, bool security) {
  auto data = std::make_shared<UndefinedData>();
  data->message = std::move(message);
  data->security = security;
  return Value(Data(std::in_place_index<0>, std::move(data)));
}

Value Value::Str(std::string s, bool markup) {
  return Value(Data(std::in_place_index<5>,
                    StrRep{std::make_shared<const std::string>(std::move(s)), markup}));
}

Value Value::Seq(SeqKind kind, const char* type_name, std::vector<Value> items) {
  auto data = std::make_shared<SeqData>();
  data->kind = kind;
  data->type_name = type_name;
  int depth = 0;
  for (const Value& item : items) {
    depth = std::max(depth, ChildDepth(item));
  }
  data->depth = depth + 1;
  data->items = std::move(items);
  return Value(Data(std::in_place_index<6>, std::move(data)));
}

Value Value::Iterator(const char* type_name, std::vector<Value> items, Status deferred) {
  Value v = Seq(SeqKind::kIterator, type_name, std::move(items));
  v.seq().deferred_error = std::move(deferred);
  return v;
}

Value Value::Dict(std::vector<std::pair<Value, Value>> entries) {
  auto data = std::make_shared<DictData>();
  int depth = 0;
  bool all_strings = true;
  for (const auto& [k, v] : entries) {
    depth = std::max({depth, ChildDepth(k), ChildDepth(v)});
    all_strings = all_strings && k.is_string();
  }
  data->depth = depth + 1;
  data->entries.reserve(entries.size());
  if (all_strings) {
    std::unordered_map<std::string_view, size_t> index;
    for (auto& entry : entries) {
      auto [it, inserted] = index.emplace(entry.first.str(), data->entries.size());
      if (inserted) {
        data->entries.push_back(std::move(entry));
      } else {
        data->entries[it->second].second = std::move(entry.second);
      }
    }
  } else {
    for (auto& entry : entries) {
      bool replaced = false;
      for (auto& existing : data->entries) {
        if (Equals(existing.first, entry.first)) {
          existing.second = std::move(entry.second);
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        data->entries.push_back(std::move(entry));
      }
    }
  }
  return Value(Data(std::in_place_index<7>, std::move(data)));
}

Value Value::Namespace(std::shared_ptr<NamespaceData> ns) {
  return Value(Data(std::in_place_index<8>, std::move(ns)));
}

Value Value::FromObject(std::shared_ptr<Object> object) {
  return Value(Data(std::in_place_index<9>, std::move(object)));
}

int Value::depth() const {
  if (is_seq()) {
    return seq().depth;
  }
  if (is_dict()) {
    return dict().depth;
  }
  return 0;
}

bool Value::SameObject(const Value& other) const {
  if (kind() != other.kind()) {
    return false;
  }
  switch (kind()) {
    case Kind::kSeq:
      return seq_ptr() == other.seq_ptr();
    case Kind::kDict:
      return &dict() == &other.dict();
    case Kind::kNamespace:
      return ns_ptr() == other.ns_ptr();
    case Kind::kObject:
      return object_ptr() == other.object_ptr();
    case Kind::kString:
      return &str() == &other.str();
    default:
      return false;
  }
}

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return v.bool_value();
    case Kind::kInt:
      return v.int_value() != 0;
    case Kind::kFloat:
      return v.float_value() != 0.0;
    case Kind::kString:
      return !v.str().empty();
    case Kind::kSeq:
      return v.seq().kind == SeqKind::kIterator || !v.seq().items.empty();
    case Kind::kDict:
      return !v.dict().entries.empty();
    case Kind::kNamespace:
      return true;
    case Kind::kObject: {
      const std::optional<int64_t> len = v.object().Length();
      return !len || *len != 0;
    }
  }
  return false;
}

std::string TypeName(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return v.is_markup() ? "Markup" : "str";
    case Kind::kSeq:
      return v.seq().type_name;
    case Kind::kDict:
      return "dict";
    case Kind::kNamespace:
      return "Namespace";
    case Kind::kObject:
      return std::string(v.object().TypeName());
  }
  return "object";
}

std::string ObjectTypeRepr(const Value& v) {
  switch (v.kind()) {
    case Kind::kNone:
      return "None";
    case Kind::kUndefined:
      return "jinja2.runtime.Undefined object";
    case Kind::kString:
      return v.is_markup() ? "markupsafe.Markup object" : "str object";
    case Kind::kNamespace:
      return "jinja2.utils.Namespace object";
    case Kind::kSeq:
      if (v.seq().field_names != nullptr) {
        return "jinja2.filters._GroupTuple object";
      }
      return TypeName(v) + " object";
    case Kind::kObject:
      return v.object().QualifiedTypeName() + " object";
    default:
      return TypeName(v) + " object";
  }
}

std::string ToStr(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
      return "";
    case Kind::kString:
      return v.str();
    default:
      return Repr(v);
  }
}

std::string Repr(const Value& v) {
  std::string out;
  AppendRepr(v, 0, &out);
  return out;
}

void AppendRepr(const Value& v, int depth, std::string* out) {
  if (depth > kMaxValueDepth + 8) {
    out->append("...");
    return;
  }
  switch (v.kind()) {
    case Kind::kUndefined:
      out->append("Undefined");
      return;
    case Kind::kNone:
      out->append("None");
      return;
    case Kind::kBool:
      out->append(v.bool_value() ? "True" : "False");
      return;
    case Kind::kInt:
      out->append(std::to_string(v.int_value()));
      return;
    case Kind::kFloat:
      out->append(PyFloatRepr(v.float_value()));
      return;
    case Kind::kString:
      if (v.is_markup()) {
        out->append("Markup(" + PyStrRepr(v.str()) + ")");
      } else {
        out->append(PyStrRepr(v.str()));
      }
      return;
    case Kind::kSeq:
      AppendSeqRepr(v.seq(), depth, out);
      return;
    case Kind::kDict:
      AppendDictRepr(v.dict().entries, depth, out);
      return;
    case Kind::kNamespace: {
      out->append("<Namespace ");
      std::vector<std::pair<Value, Value>> entries;
      for (const auto& [k, val] : v.ns().attrs) {
        entries.emplace_back(Value::Str(k), val);
      }
      AppendDictRepr(entries, depth, out);
      out->push_back('>');
      return;
    }
    case Kind::kObject:
      out->append(v.object().Repr());
      return;
  }
}

bool Equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    return NumEquals(a, b);
  }
  if (a.kind() != b.kind()) {
    return false;
  }
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNone:
      return true;
    case Kind::kString:
      return a.str() == b.str();
    case Kind::kSeq: {
      const SeqData& x = a.seq();
      const SeqData& y = b.seq();
      if (&x == &y) {
        return true;
      }
      if (!SameSeqClass(x, y) && !(SeqLikeTuple(x) && SeqLikeTuple(y))) {
        return false;
      }
      if (x.items.size() != y.items.size() || x.depth > kMaxValueDepth) {
        return false;
      }
      for (size_t i = 0; i < x.items.size(); ++i) {
        if (!Equals(x.items[i], y.items[i])) {
          return false;
        }
      }
      return true;
    }
    case Kind::kDict: {
      const DictData& x = a.dict();
      const DictData& y = b.dict();
      if (&x == &y) {
        return true;
      }
      if (x.entries.size() != y.entries.size() || x.depth > kMaxValueDepth) {
        return false;
      }
      for (const auto& [k, v] : x.entries) {
        const Value* other = y.Find(k);
        if (other == nullptr || !Equals(v, *other)) {
          return false;
        }
      }
      return true;
    }
    default:
      return a.SameObject(b);
  }
}

bool IsHashable(const Value& v) {
  switch (v.kind()) {
    case Kind::kDict:
      return false;
    case Kind::kSeq: {
      const SeqData& s = v.seq();
      if (s.kind == SeqKind::kList || s.kind == SeqKind::kView) {
        return false;
      }
      if (s.kind == SeqKind::kTuple) {
        for (const Value& item : s.items) {
          if (!IsHashable(item)) {
            return false;
          }
        }
      }
      return true;
    }
    default:
      return true;
  }
}

namespace {

StatusOr<bool> RichCompare(std::string_view op, const Value& a, const Value& b, int depth) {
  if (a.is_undefined()) {
    return UndefinedError(a);
  }
  if (b.is_undefined()) {
    return UndefinedError(b);
  }
  if (a.is_number() && b.is_number()) {
    return NumCompare(op, a, b);
  }
  if (a.is_string() && b.is_string()) {
    return CompareOrdered(op, a.str().compare(b.str()));
  }
  if (a.is_seq() && b.is_seq() && depth < kMaxValueDepth &&
      (SameSeqClass(a.seq(), b.seq()) || (SeqLikeTuple(a.seq()) && SeqLikeTuple(b.seq()))) &&
      (a.seq().kind == SeqKind::kList || a.seq().kind == SeqKind::kTuple)) {
    const auto& x = a.seq().items;
    const auto& y = b.seq().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!Equals(x[i], y[i])) {
        return RichCompare(op, x[i], y[i], depth + 1);
      }
    }
    const int c = x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    return CompareOrdered(op, c);
  }
  return PyError("'" + std::string(op) + "' not supported between instances of '" + TypeName(a) +
                 "' and '" + TypeName(b) + "'");
}

StatusOr<Value> FromJson(const nlohmann::ordered_json& json, int depth) {
  if (depth > kMaxValueDepth) {
    return InvalidArgumentError("template context: json nested deeper than {} levels",
                                kMaxValueDepth);
  }
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::None();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const auto u = json.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Value::Float(static_cast<double>(u));
      }
      return Value::Int(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::Float(json.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::Str(json.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) {
        SAVOIR_ASSIGN_OR_RETURN(Value v, FromJson(item, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::List(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      std::vector<std::pair<Value, Value>> entries;
      entries.reserve(json.size());
      for (const auto& [key, item] : json.items()) {
        SAVOIR_ASSIGN_OR_RETURN(Value v, FromJson(item, depth + 1));
        entries.emplace_back(Value::Str(key), std::move(v));
      }
      return Value::Dict(std::move(entries));
    }
    default:
      return InvalidArgumentError("template context: unsupported json value of type {}",
                                  json.type_name());
  }
}

}  // namespace

StatusOr<bool> LessThan(const Value& a, const Value& b) { return RichCompare("<", a, b, 0); }

StatusOr<bool> PyCompare(std::string_view op, const Value& a, const Value& b) {
  return RichCompare(op, a, b, 0);
}

StatusOr<Value> ValueFromJson(const nlohmann::ordered_json& json) { return FromJson(json, 0); }

Status UndefinedError(const Value& undefined) { return PyError(undefined.undefined().message); }

std::string UnsupportedOperands(std::string_view op, const Value& a, const Value& b) {
  return "unsupported operand type(s) for " + std::string(op) + ": '" + TypeName(a) + "' and '" +
         TypeName(b) + "'";
}

}  // namespace savoir::engine::jinja
