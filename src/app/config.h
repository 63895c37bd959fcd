// Effective configuration of a savoir process, and where each value came from.
//
// Values come from four layers, each overriding the one before: built-in defaults, a TOML file
// (`--config savoir.toml`), environment variables (`SAVOIR_` + the key upper-cased with dots as
// underscores: `server.port` → `SAVOIR_SERVER_PORT`), and command-line flags. Every key is
// declared once in config_keys.cc with its type, default and help; unknown keys in a file are
// errors (they are almost always typos), and an invalid value names the key and where it came
// from (`savoir.toml:12: server.port: …`).
//
// Thread safety: a Config is filled on the main thread at start-up and read-only afterwards.
#ifndef SAVOIR_APP_CONFIG_H_
#define SAVOIR_APP_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace savoir::app {

enum class ConfigType { kString, kInt, kBool };

struct ConfigKeySpec {
  std::string_view key;  // "server.port"
  ConfigType type;
  std::string_view default_value;
  std::string_view help;
  int64_t min = 0;  // for kInt
  int64_t max = INT64_MAX;
  std::span<const std::string_view> allowed = {};  // for kString: allowed values, if not empty
};

// All keys savoir knows, in display order.
std::span<const ConfigKeySpec> AllConfigKeys();

// Environment variable name for `key`: "server.port" → "SAVOIR_SERVER_PORT".
std::string EnvVarForKey(std::string_view key);

class Config {
 public:
  struct Value {
    std::string text;    // normalised textual value ("8080", "true")
    std::string origin;  // "default", "savoir.toml:12", "env SAVOIR_SERVER_PORT", "flag --port"
  };

  // A configuration holding the defaults of AllConfigKeys().
  Config();

  // Reads a TOML file. Errors: missing/unreadable file, TOML syntax (with line and column),
  // unknown key or wrong type (with line). Values already set by env or flags are not changed
  // by a later file load: call LoadFile first.
  Status LoadFile(const std::string& path);

  // Applies SAVOIR_* variables found through `getenv` (injectable for tests).
  Status LoadEnv(const std::function<const char*(const char*)>& getenv);

  // Sets `key` from a command-line flag named `flag` (used in messages).
  Status SetFromFlag(std::string_view key, std::string_view value, std::string_view flag);

  // Typed accessors; `key` must be declared in AllConfigKeys() with that type (programmer
  // error otherwise).
  const std::string& GetString(std::string_view key) const;
  int64_t GetInt(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  const Value& Get(std::string_view key) const;

  // "key = value  # origin" lines, and the same as a JSON object {key: {value, origin}}.
  std::string Show() const;
  nlohmann::ordered_json ToJson() const;

 private:
  Status Set(std::string_view key, std::string_view text, std::string origin);

  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace savoir::app

#endif  // SAVOIR_APP_CONFIG_H_
