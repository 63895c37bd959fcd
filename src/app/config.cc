#include "app/config.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace savoir::app {
namespace {

const ConfigKeySpec* FindSpec(std::string_view key) {
  for (const ConfigKeySpec& spec : AllConfigKeys()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// Normalises `text` for `spec`, or explains why it does not fit.
StatusOr<std::string> Normalise(const ConfigKeySpec& spec, std::string_view text) {
  switch (spec.type) {
    case ConfigType::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || v < spec.min || v > spec.max) {
        return InvalidArgumentError("expected an integer from {} to {}, got \"{}\"", spec.min,
                                    spec.max, text);
      }
      return std::to_string(v);
    }
    case ConfigType::kBool: {
      std::string lower(text);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return std::string("true");
      if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
        return std::string("false");
      }
      return InvalidArgumentError("expected true or false, got \"{}\"", text);
    }
    case ConfigType::kString:
      if (!spec.allowed.empty() &&
          std::find(spec.allowed.begin(), spec.allowed.end(), text) == spec.allowed.end()) {
        return InvalidArgumentError("expected one of {}, got \"{}\"",
                                    fmt::join(spec.allowed, ", "), text);
      }
      return std::string(text);
  }
  return std::string(text);
}

// Converts a TOML leaf to text if its TOML type matches the key's type.
std::optional<std::string> TomlLeafText(const ConfigKeySpec& spec, const toml::node& node) {
  switch (spec.type) {
    case ConfigType::kInt:
      if (auto v = node.value<int64_t>(); v && node.is_integer()) return std::to_string(*v);
      return std::nullopt;
    case ConfigType::kBool:
      if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
      return std::nullopt;
    case ConfigType::kString:
      if (node.is_string()) return *node.value<std::string>();
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view TypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kInt: return "an integer";
    case ConfigType::kBool: return "a boolean";
    case ConfigType::kString: return "a string";
  }
  return "a value";
}

}  // namespace

std::string EnvVarForKey(std::string_view key) {
  std::string name = "SAVOIR_";
  for (char c : key) name += c == '.' ? '_' : static_cast<char>(::toupper(c));
  return name;
}

Config::Config() {
  for (const ConfigKeySpec& spec : AllConfigKeys()) {
    values_[std::string(spec.key)] = Value{std::string(spec.default_value), "default"};
  }
}

Status Config::Set(std::string_view key, std::string_view text, std::string origin) {
  const ConfigKeySpec* spec = FindSpec(key);
  if (spec == nullptr) return InvalidArgumentError("unknown configuration key '{}'", key);
  StatusOr<std::string> normalised = Normalise(*spec, text);
  if (!normalised.ok()) return normalised.status().WithContext(fmt::format("{}: {}", origin, key));
  values_[std::string(key)] = Value{*std::move(normalised), std::move(origin)};
  return OkStatus();
}

Status Config::LoadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFoundError("config file '{}' does not exist or is not a regular file", path);
  }
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError("{}:{}:{}: {}", path, e.source().begin.line,
                                e.source().begin.column, e.description());
  }
  Status status;
  std::function<void(const toml::table&, const std::string&)> walk =
      [&](const toml::table& table, const std::string& prefix) {
        for (const auto& [k, node] : table) {
          if (!status.ok()) return;
          std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
          std::string where = fmt::format("{}:{}", path, node.source().begin.line);
          if (const toml::table* sub = node.as_table()) {
            walk(*sub, key);
            continue;
          }
          const ConfigKeySpec* spec = FindSpec(key);
          if (spec == nullptr) {
            status = InvalidArgumentError("{}: unknown configuration key '{}'", where, key);
            return;
          }
          std::optional<std::string> text = TomlLeafText(*spec, node);
          if (!text) {
            status = InvalidArgumentError("{}: {}: expected {}", where, key, TypeName(spec->type));
            return;
          }
          status = Set(key, *text, where);
        }
      };
  walk(root, "");
  return status;
}

Status Config::LoadEnv(const std::function<const char*(const char*)>& getenv) {
  for (const ConfigKeySpec& spec : AllConfigKeys()) {
    std::string var = EnvVarForKey(spec.key);
    if (const char* v = getenv(var.c_str()); v != nullptr) {
      SAVOIR_RETURN_IF_ERROR(Set(spec.key, v, "env " + var));
    }
  }
  return OkStatus();
}

Status Config::SetFromFlag(std::string_view key, std::string_view value, std::string_view flag) {
  return Set(key, value, fmt::format("flag {}", flag));
}

const Config::Value& Config::Get(std::string_view key) const {
  auto it = values_.find(key);
  assert(it != values_.end() && "undeclared configuration key");
  return it->second;
}

const std::string& Config::GetString(std::string_view key) const { return Get(key).text; }

int64_t Config::GetInt(std::string_view key) const {
  assert(FindSpec(key) != nullptr && FindSpec(key)->type == ConfigType::kInt);
  return std::stoll(Get(key).text);
}

bool Config::GetBool(std::string_view key) const {
  assert(FindSpec(key) != nullptr && FindSpec(key)->type == ConfigType::kBool);
  return Get(key).text == "true";
}

std::string Config::Show() const {
  std::string out;
  for (const ConfigKeySpec& spec : AllConfigKeys()) {
    const Value& v = Get(spec.key);
    std::string shown = spec.type == ConfigType::kString ? fmt::format("\"{}\"", v.text) : v.text;
    out += fmt::format("{} = {}  # {}\n", spec.key, shown, v.origin);
  }
  return out;
}

nlohmann::ordered_json Config::ToJson() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const ConfigKeySpec& spec : AllConfigKeys()) {
    const Value& v = Get(spec.key);
    nlohmann::ordered_json value;
    switch (spec.type) {
      case ConfigType::kInt: value = std::stoll(v.text); break;
      case ConfigType::kBool: value = v.text == "true"; break;
      case ConfigType::kString: value = v.text; break;
    }
    out[std::string(spec.key)] = {{"value", value}, {"origin", v.origin}};
  }
  return out;
}

}  // namespace savoir::app
