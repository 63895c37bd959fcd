// json.dumps as Hugging Face's tojson filter calls it.
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/template/py_format.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

void AppendJsonString(std::string_view text, bool ensure_ascii, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto append_u = [&](uint32_t unit) {
    out->append("\\u");
    for (int shift = 12; shift >= 0; shift -= 4) {
      out->push_back(kHex[(unit >> shift) & 0xF]);
    }
  };
  out->push_back('"');
  auto append_ascii = [&](char32_t c) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          append_u(c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  };
  if (!ensure_ascii || IsAscii(text)) {
    for (char c : text) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= 0x80) {
        out->push_back(c);
      } else {
        append_ascii(b);
      }
    }
  } else {
    for (char32_t cp : DecodeUtf8(text)) {
      if (cp < 0x80) {
        append_ascii(cp);
      } else if (cp < 0x10000) {
        append_u(cp);
      } else {
        const char32_t v = cp - 0x10000;
        append_u(0xD800 | (v >> 10));
        append_u(0xDC00 | (v & 0x3FF));
      }
    }
  }
  out->push_back('"');
}

std::string JsonFloat(double f) {
  if (std::isnan(f)) {
    return "NaN";
  }
  if (std::isinf(f)) {
    return f > 0 ? "Infinity" : "-Infinity";
  }
  return PyFloatRepr(f);
}

StatusOr<std::string> JsonKey(const Value& key) {
  switch (key.kind()) {
    case Kind::kString:
      return key.str();
    case Kind::kFloat:
      return JsonFloat(key.float_value());
    case Kind::kBool:
      return std::string(key.bool_value() ? "true" : "false");
    case Kind::kNone:
      return std::string("null");
    case Kind::kInt:
      return std::to_string(key.int_value());
    default:
      return PyError("keys must be str, int, float, bool or None, not " + TypeName(key));
  }
}

class JsonWriter {
 public:
  explicit JsonWriter(const JsonDumpOptions& options) : options_(options) {}

  Status Write(const Value& v, int level, std::string* out) {
    if (level > kMaxValueDepth) {
      return PyError("maximum recursion depth exceeded while encoding a JSON object");
    }
    switch (v.kind()) {
      case Kind::kNone:
        out->append("null");
        return OkStatus();
      case Kind::kBool:
        out->append(v.bool_value() ? "true" : "false");
        return OkStatus();
      case Kind::kInt:
        out->append(std::to_string(v.int_value()));
        return OkStatus();
      case Kind::kFloat:
        out->append(JsonFloat(v.float_value()));
        return OkStatus();
      case Kind::kString:
        AppendJsonString(v.str(), options_.ensure_ascii, out);
        return OkStatus();
      case Kind::kSeq:
        if (v.seq().kind == SeqKind::kList || v.seq().kind == SeqKind::kTuple) {
          return WriteList(v.seq().items, level, out);
        }
        break;
      case Kind::kDict:
        return WriteDict(v.dict(), level, out);
      default:
        break;
    }
    return PyError("Object of type " + TypeName(v) + " is not JSON serializable");
  }

 private:
  // Writes the newline and indentation before an item at `level`, or nothing on one line.
  void NewLine(int level, std::string* out) const {
    if (!options_.indent) {
      return;
    }
    out->push_back('\n');
    for (int i = 0; i < level; ++i) {
      out->append(*options_.indent);
    }
  }

  Status WriteList(const std::vector<Value>& items, int level, std::string* out) {
    if (items.empty()) {
      out->append("[]");
      return OkStatus();
    }
    out->push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) {
        out->append(options_.item_separator);
      }
      NewLine(level + 1, out);
      SAVOIR_RETURN_IF_ERROR(Write(items[i], level + 1, out));
    }
    NewLine(level, out);
    out->push_back(']');
    return OkStatus();
  }

  Status WriteDict(const DictData& dict, int level, std::string* out) {
    if (dict.entries.empty()) {
      out->append("{}");
      return OkStatus();
    }
    std::vector<const std::pair<Value, Value>*> entries;
    entries.reserve(dict.entries.size());
    for (const auto& entry : dict.entries) {
      entries.push_back(&entry);
    }
    if (options_.sort_keys) {
      SAVOIR_RETURN_IF_ERROR(StableSort(
          entries, [](const auto* a, const auto* b) { return LessThan(a->first, b->first); }));
    }
    out->push_back('{');
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i > 0) {
        out->append(options_.item_separator);
      }
      NewLine(level + 1, out);
      SAVOIR_ASSIGN_OR_RETURN(std::string key, JsonKey(entries[i]->first));
      AppendJsonString(key, options_.ensure_ascii, out);
      out->append(options_.key_separator);
      SAVOIR_RETURN_IF_ERROR(Write(entries[i]->second, level + 1, out));
    }
    NewLine(level, out);
    out->push_back('}');
    return OkStatus();
  }

  const JsonDumpOptions& options_;
};

}  // namespace

StatusOr<std::string> PyJsonDumps(const Value& value, const JsonDumpOptions& options) {
  JsonWriter writer(options);
  std::string out;
  SAVOIR_RETURN_IF_ERROR(writer.Write(value, 0, &out));
  return out;
}
}  // namespace savoir::engine::jinja
