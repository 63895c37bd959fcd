// Jinja2's filters on sequences and mappings. Filters that return generators in Jinja2 return
// one-shot iterators here; errors Python would raise while the generator runs are deferred
// until the iterator is consumed.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/template/builtins.h"
#include "engine/template/builtins_util.h"
#include "engine/template/filters.h"
#include "engine/template/operators.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

Value Generator(std::vector<Value> items, Status deferred = {}) {
  return Value::Iterator("generator", std::move(items), std::move(deferred));
}

StatusOr<Value> First(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs("do_first", args, {}).status());
  if (v.is_seq() && v.seq().kind == SeqKind::kIterator) {
    SeqData& s = v.seq();
    if (s.next < s.items.size()) {
      return s.items[s.next++];
    }
    SAVOIR_RETURN_IF_ERROR(interp.Iterate(v).status());
  } else {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
    if (!items.empty()) {
      return items[0];
    }
  }
  return Value::Undefined("No first item, sequence was empty.");
}

StatusOr<Value> Last(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs("do_last", args, {}).status());
  const bool reversible = v.is_string() || v.is_dict() || v.is_undefined() ||
                          (v.is_seq() && v.seq().kind != SeqKind::kIterator);
  if (!reversible) {
    return PyError("'" + TypeName(v) + "' object is not reversible");
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  if (items.empty()) {
    return Value::Undefined("No last item, sequence was empty.");
  }
  return items.back();
}

StatusOr<Value> LengthFilter(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs("len", args, {}).status());
  SAVOIR_ASSIGN_OR_RETURN(int64_t n, Length(v));
  return Value::Int(n);
}

StatusOr<Value> List(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs("do_list", args, {}).status());
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  return Value::List(std::move(items));
}

StatusOr<Value> Join(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_join", args, {"d", "attribute"}));
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  const std::string sep = a[0] ? ToStr(*a[0]) : "";
  std::string out;
  std::optional<AttrGetter> getter;
  if (a[1] && !a[1]->is_none()) {
    getter.emplace(*a[1], std::nullopt, false);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    if (getter) {
      SAVOIR_ASSIGN_OR_RETURN(Value item, getter->Get(interp, items[i]));
      out += ToStr(item);
    } else {
      out += ToStr(items[i]);
    }
    SAVOIR_RETURN_IF_ERROR(interp.CheckSize(out.size()));
  }
  SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(out.size() / 64)));
  return Value::Str(std::move(out));
}

// Items of `v` as the body of a Jinja2 generator sees them, or the error it would raise.
StatusOr<std::vector<Value>> GeneratorInput(Interpreter& interp, const Value& v) {
  if (!Truthy(v)) {
    return std::vector<Value>();
  }
  return interp.Iterate(v);
}

StatusOr<Value> Map(Interpreter& interp, const Value& v, CallArgs& args) {
  std::vector<Value> out;
  Status error = [&]() -> Status {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, GeneratorInput(interp, v));
    if (items.empty()) {
      return OkStatus();
    }
    const Value* attribute = nullptr;
    for (const auto& [k, val] : args.kwargs) {
      if (k == "attribute") {
        attribute = &val;
      }
    }
    if (args.args.empty() && attribute != nullptr) {
      std::optional<Value> def;
      for (const auto& [k, val] : args.kwargs) {
        if (k == "default") {
          def = val;
        } else if (k != "attribute") {
          return PyError("Unexpected keyword argument " + PyStrRepr(k));
        }
      }
      const AttrGetter getter(*attribute, def, false);
      for (const Value& item : items) {
        SAVOIR_ASSIGN_OR_RETURN(Value mapped, getter.Get(interp, item));
        out.push_back(std::move(mapped));
      }
      return OkStatus();
    }
    if (args.args.empty()) {
      return PyError("map requires a filter argument");
    }
    const std::string name = ToStr(args.args[0]);
    CallArgs rest;
    rest.args.assign(args.args.begin() + 1, args.args.end());
    rest.kwargs = args.kwargs;
    for (const Value& item : items) {
      SAVOIR_ASSIGN_OR_RETURN(Value mapped, interp.CallFilter(name, item, rest));
      out.push_back(std::move(mapped));
    }
    return OkStatus();
  }();
  return Generator(std::move(out), std::move(error));
}

StatusOr<Value> SelectOrReject(Interpreter& interp, const Value& v, CallArgs& args, bool select,
                               bool lookup_attr) {
  std::vector<Value> out;
  Status error = [&]() -> Status {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, GeneratorInput(interp, v));
    if (items.empty()) {
      return OkStatus();
    }
    size_t off = 0;
    std::optional<AttrGetter> getter;
    if (lookup_attr) {
      if (args.args.empty()) {
        return PyError("Missing parameter for attribute name");
      }
      getter.emplace(args.args[0], std::nullopt, false);
      off = 1;
    }
    std::optional<std::string> test;
    CallArgs test_args;
    if (args.args.size() > off) {
      test = ToStr(args.args[off]);
      test_args.args.assign(args.args.begin() + static_cast<std::ptrdiff_t>(off + 1),
                            args.args.end());
      test_args.kwargs = args.kwargs;
    }
    for (const Value& item : items) {
      Value subject = item;
      if (getter) {
        SAVOIR_ASSIGN_OR_RETURN(subject, getter->Get(interp, item));
      }
      bool passed = false;
      if (test) {
        SAVOIR_ASSIGN_OR_RETURN(passed, interp.CallTest(*test, subject, test_args));
      } else {
        passed = Truthy(subject);
      }
      if (passed == select) {
        out.push_back(item);
      }
    }
    return OkStatus();
  }();
  return Generator(std::move(out), std::move(error));
}

StatusOr<Value> Select(Interpreter& interp, const Value& v, CallArgs& args) {
  return SelectOrReject(interp, v, args, true, false);
}
StatusOr<Value> Reject(Interpreter& interp, const Value& v, CallArgs& args) {
  return SelectOrReject(interp, v, args, false, false);
}
StatusOr<Value> SelectAttr(Interpreter& interp, const Value& v, CallArgs& args) {
  return SelectOrReject(interp, v, args, true, true);
}
StatusOr<Value> RejectAttr(Interpreter& interp, const Value& v, CallArgs& args) {
  return SelectOrReject(interp, v, args, false, true);
}

StatusOr<Value> Items(Interpreter&, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs("do_items", args, {}).status());
  std::vector<Value> out;
  Status error;
  if (v.is_dict()) {
    for (const auto& [k, val] : v.dict().entries) {
      out.push_back(Value::Tuple({k, val}));
    }
  } else if (!v.is_undefined()) {
    error = PyError("Can only get item pairs from a mapping.");
  }
  return Generator(std::move(out), std::move(error));
}

// Python's comparison of two sort keys that are lists of values.
StatusOr<bool> KeyLess(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (!Equals(a[i], b[i])) {
      return LessThan(a[i], b[i]);
    }
  }
  return a.size() < b.size();
}

struct Keyed {
  std::vector<Value> key;
  Value item;
};

// Sorts by the key lists as Python compares lists, or (`direct`) by the single key itself.
Status SortKeyed(std::vector<Keyed>& keyed, bool reverse, bool direct = false) {
  return StableSort(keyed, [reverse, direct](const Keyed& a, const Keyed& b) {
    const Keyed& x = reverse ? b : a;
    const Keyed& y = reverse ? a : b;
    return direct ? LessThan(x.key[0], y.key[0]) : KeyLess(x.key, y.key);
  });
}

StatusOr<Value> Sort(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a,
                          BindArgs("do_sort", args, {"reverse", "case_sensitive", "attribute"}));
  const bool lower = !BoolArg(a[1], false);
  std::vector<AttrGetter> getters;
  if (a[2] && a[2]->is_string()) {
    for (const std::string& part : PySplit(a[2]->str(), std::string(","), -1, false)) {
      getters.emplace_back(Value::Str(part), std::nullopt, lower);
    }
  } else {
    getters.emplace_back(a[2].value_or(Value::None()), std::nullopt, lower);
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  std::vector<Keyed> keyed;
  keyed.reserve(items.size());
  for (Value& item : items) {
    Keyed k{{}, std::move(item)};
    for (const AttrGetter& getter : getters) {
      SAVOIR_ASSIGN_OR_RETURN(Value key, getter.Get(interp, k.item));
      k.key.push_back(std::move(key));
    }
    keyed.push_back(std::move(k));
  }
  SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(keyed.size()) * 8));
  SAVOIR_RETURN_IF_ERROR(SortKeyed(keyed, BoolArg(a[0], false)));
  std::vector<Value> out;
  out.reserve(keyed.size());
  for (Keyed& k : keyed) {
    out.push_back(std::move(k.item));
  }
  return Value::List(std::move(out));
}

StatusOr<Value> DictSort(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a,
                          BindArgs("do_dictsort", args, {"case_sensitive", "by", "reverse"}));
  const std::string by = a[1] ? ToStr(*a[1]) : "key";
  if (by != "key" && by != "value") {
    return PyError("You can only sort by either \"key\" or \"value\"");
  }
  if (!v.is_dict()) {
    if (v.is_undefined()) {
      return UndefinedError(v);
    }
    return PyError("'" + TypeName(v) + "' object has no attribute 'items'");
  }
  std::vector<Keyed> keyed;
  for (const auto& [k, val] : v.dict().entries) {
    const Value& key = by == "key" ? k : val;
    keyed.push_back({{BoolArg(a[0], false) ? key : IgnoreCase(key)}, Value::Tuple({k, val})});
  }
  SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(keyed.size()) * 8));
  SAVOIR_RETURN_IF_ERROR(SortKeyed(keyed, BoolArg(a[2], false), true));
  std::vector<Value> out;
  for (Keyed& k : keyed) {
    out.push_back(std::move(k.item));
  }
  return Value::List(std::move(out));
}

StatusOr<Value> Unique(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_unique", args, {"case_sensitive", "attribute"}));
  std::vector<Value> out;
  Status error = [&]() -> Status {
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
    const AttrGetter getter(a[1].value_or(Value::None()), std::nullopt, !BoolArg(a[0], false));
    std::vector<Value> seen;
    for (const Value& item : items) {
      SAVOIR_ASSIGN_OR_RETURN(Value key, getter.Get(interp, item));
      if (!IsHashable(key)) {
        return PyError("unhashable type: '" + TypeName(key) + "'");
      }
      SAVOIR_RETURN_IF_ERROR(interp.Charge(static_cast<int64_t>(seen.size())));
      if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return Equals(s, key); })) {
        seen.push_back(key);
        out.push_back(item);
      }
    }
    return OkStatus();
  }();
  return Generator(std::move(out), std::move(error));
}

StatusOr<Value> MinMax(Interpreter& interp, const Value& v, CallArgs& args, bool max) {
  SAVOIR_ASSIGN_OR_RETURN(
      auto a, BindArgs(max ? "do_max" : "do_min", args, {"case_sensitive", "attribute"}));
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  if (items.empty()) {
    return Value::Undefined("No aggregated item, sequence was empty.");
  }
  const AttrGetter getter(a[1].value_or(Value::None()), std::nullopt, !BoolArg(a[0], false));
  size_t best = 0;
  SAVOIR_ASSIGN_OR_RETURN(Value best_key, getter.Get(interp, items[0]));
  for (size_t i = 1; i < items.size(); ++i) {
    SAVOIR_ASSIGN_OR_RETURN(Value key, getter.Get(interp, items[i]));
    SAVOIR_ASSIGN_OR_RETURN(bool better, PyCompare(max ? ">" : "<", key, best_key));
    if (better) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

StatusOr<Value> Max(Interpreter& interp, const Value& v, CallArgs& args) {
  return MinMax(interp, v, args, true);
}
StatusOr<Value> Min(Interpreter& interp, const Value& v, CallArgs& args) {
  return MinMax(interp, v, args, false);
}

StatusOr<Value> Sum(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_sum", args, {"attribute", "start"}));
  Value total = a[1].value_or(Value::Int(0));
  if (total.is_string()) {
    return PyError("sum() can't sum strings [use ''.join(seq) instead]");
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  std::optional<AttrGetter> getter;
  if (a[0] && !a[0]->is_none()) {
    getter.emplace(*a[0], std::nullopt, false);
  }
  for (const Value& item : items) {
    Value term = item;
    if (getter) {
      SAVOIR_ASSIGN_OR_RETURN(term, getter->Get(interp, item));
    }
    SAVOIR_ASSIGN_OR_RETURN(total, ApplyBinary(interp, BinaryOp::kAdd, total, term));
  }
  return total;
}

const std::vector<std::string>& GroupFields() {
  static const std::vector<std::string> fields = {"grouper", "list"};
  return fields;
}

StatusOr<Value> GroupBy(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a,
                          BindArgs("do_groupby", args, {"attribute", "default", "case_sensitive"}));
  if (!a[0]) {
    return PyError("do_groupby() missing 1 required positional argument: 'attribute'");
  }
  std::optional<Value> def;
  if (a[1] && !a[1]->is_none()) {
    def = *a[1];
  }
  const bool case_sensitive = BoolArg(a[2], false);
  const AttrGetter key_getter(*a[0], def, !case_sensitive);
  const AttrGetter output_getter(*a[0], def, false);
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  std::vector<Keyed> keyed;
  for (Value& item : items) {
    SAVOIR_ASSIGN_OR_RETURN(Value key, key_getter.Get(interp, item));
    keyed.push_back({{std::move(key)}, std::move(item)});
  }
  SAVOIR_RETURN_IF_ERROR(SortKeyed(keyed, false, true));
  std::vector<Value> groups;
  size_t i = 0;
  while (i < keyed.size()) {
    size_t j = i;
    std::vector<Value> members;
    while (j < keyed.size() && Equals(keyed[j].key[0], keyed[i].key[0])) {
      members.push_back(keyed[j++].item);
    }
    Value grouper = keyed[i].key[0];
    if (!case_sensitive) {
      SAVOIR_ASSIGN_OR_RETURN(grouper, output_getter.Get(interp, members[0]));
    }
    Value group = Value::Tuple({grouper, Value::List(std::move(members))});
    group.seq().type_name = "_GroupTuple";
    group.seq().field_names = &GroupFields();
    groups.push_back(std::move(group));
    i = j;
  }
  return Value::List(std::move(groups));
}

StatusOr<Value> Batch(Interpreter& interp, const Value& v, CallArgs& args) {
  std::vector<Value> out;
  Status error = [&]() -> Status {
    SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_batch", args, {"linecount", "fill_with"}));
    SAVOIR_ASSIGN_OR_RETURN(int64_t linecount, IntArg(a[0], 0));
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
    std::vector<Value> current;
    for (Value& item : items) {
      if (static_cast<int64_t>(current.size()) == linecount) {
        out.push_back(Value::List(std::move(current)));
        current.clear();
      }
      current.push_back(std::move(item));
    }
    if (!current.empty()) {
      const bool fill = a[1] && !a[1]->is_none();
      while (fill && static_cast<int64_t>(current.size()) < linecount) {
        SAVOIR_RETURN_IF_ERROR(interp.Charge(1));
        current.push_back(*a[1]);
      }
      out.push_back(Value::List(std::move(current)));
    }
    return OkStatus();
  }();
  return Generator(std::move(out), std::move(error));
}

StatusOr<Value> SliceFilter(Interpreter& interp, const Value& v, CallArgs& args) {
  std::vector<Value> out;
  Status error = [&]() -> Status {
    SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_slice", args, {"slices", "fill_with"}));
    SAVOIR_ASSIGN_OR_RETURN(int64_t slices, IntArg(a[0], 0));
    SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> seq, interp.Iterate(v));
    if (slices == 0) {
      return PyError("integer division or modulo by zero");
    }
    if (slices < 0 || slices > 100000) {
      return OkStatus();
    }
    SAVOIR_RETURN_IF_ERROR(interp.Charge(slices));
    const auto length = static_cast<int64_t>(seq.size());
    const int64_t per_slice = length / slices;
    const int64_t with_extra = length % slices;
    int64_t offset = 0;
    for (int64_t n = 0; n < slices; ++n) {
      const int64_t start = offset + n * per_slice;
      if (n < with_extra) {
        ++offset;
      }
      const int64_t end = offset + (n + 1) * per_slice;
      std::vector<Value> part(seq.begin() + start, seq.begin() + end);
      if (a[1] && !a[1]->is_none() && n >= with_extra) {
        part.push_back(*a[1]);
      }
      out.push_back(Value::List(std::move(part)));
    }
    return OkStatus();
  }();
  return Generator(std::move(out), std::move(error));
}

StatusOr<Value> Reverse(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_RETURN_IF_ERROR(BindArgs("do_reverse", args, {}).status());
  if (v.is_string()) {
    std::u32string cps = DecodeUtf8(v.str());
    std::reverse(cps.begin(), cps.end());
    return Value::Str(EncodeUtf8(cps), v.is_markup());
  }
  const char* type = nullptr;
  if (v.is_seq()) {
    switch (v.seq().kind) {
      case SeqKind::kList:
        type = "list_reverseiterator";
        break;
      case SeqKind::kRange:
        type = "range_iterator";
        break;
      case SeqKind::kView:
        type = std::string_view(v.seq().type_name) == "dict_keys"     ? "dict_reversekeyiterator"
               : std::string_view(v.seq().type_name) == "dict_values" ? "dict_reversevalueiterator"
                                                                      : "dict_reverseitemiterator";
        break;
      case SeqKind::kTuple:
        type = "reversed";
        break;
      case SeqKind::kIterator:
        break;
    }
  } else if (v.is_dict()) {
    type = "dict_reversekeyiterator";
  } else if (v.is_undefined()) {
    type = "reversed";
  }
  const bool iterable = v.is_seq() || v.is_dict() || v.is_undefined();
  if (!iterable) {
    return PyError("argument must be iterable");
  }
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Value> items, interp.Iterate(v));
  std::reverse(items.begin(), items.end());
  if (type == nullptr) {
    return Value::List(std::move(items));
  }
  return Value::Iterator(type, std::move(items));
}

StatusOr<Value> Attr(Interpreter& interp, const Value& v, CallArgs& args) {
  SAVOIR_ASSIGN_OR_RETURN(auto a, BindArgs("do_attr", args, {"name"}));
  if (!a[0]) {
    return PyError("do_attr() missing 1 required positional argument: 'name'");
  }
  const std::string name = ToStr(*a[0]);
  SAVOIR_ASSIGN_OR_RETURN(std::optional<Value> attr, GetPythonAttr(interp, v, name));
  if (attr) {
    return *attr;
  }
  return Value::Undefined(PyStrRepr(ObjectTypeRepr(v)) + " has no attribute " + PyStrRepr(name));
}

}  // namespace

FilterFn FindSeqFilter(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterFn> kFilters[] = {
      {"attr", Attr},
      {"batch", Batch},
      {"count", LengthFilter},
      {"dictsort", DictSort},
      {"first", First},
      {"groupby", GroupBy},
      {"items", Items},
      {"join", Join},
      {"last", Last},
      {"length", LengthFilter},
      {"list", List},
      {"map", Map},
      {"max", Max},
      {"min", Min},
      {"reject", Reject},
      {"rejectattr", RejectAttr},
      {"reverse", Reverse},
      {"select", Select},
      {"selectattr", SelectAttr},
      {"slice", SliceFilter},
      {"sort", Sort},
      {"sum", Sum},
      {"unique", Unique},
  };
  for (const auto& [filter_name, fn] : kFilters) {
    if (filter_name == name) {
      return fn;
    }
  }
  return nullptr;
}

}  // namespace savoir::engine::jinja
