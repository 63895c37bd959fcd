#include "base/logging.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

namespace savoir {
namespace {

struct LogState {
  std::mutex mu;
  LogOptions options;  // guarded by mu
};

LogState& State() {
  static LogState state;
  return state;
}

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

std::string Timestamp(int64_t unix_micros) {
  std::time_t secs = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unix_micros / 1000) % 1000);
}

// Text values are quoted when they would otherwise be ambiguous to read back.
void AppendTextValue(std::string& out, const LogValue& value) {
  std::visit(
      [&out](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          bool plain = !v.empty() && std::none_of(v.begin(), v.end(), [](char c) {
            return c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20;
          });
          out += plain ? v : nlohmann::json(v).dump(-1, ' ', false,
                                                    nlohmann::json::error_handler_t::replace);
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else {
          out += fmt::format("{}", v);
        }
      },
      value.variant());
}

}  // namespace

StatusOr<LogLevel> ParseLogLevel(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  if (lower == "off") return LogLevel::kOff;
  return InvalidArgumentError("unknown log level '{}' (expected debug, info, warn, error, off)",
                              name);
}

StatusOr<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return InvalidArgumentError("unknown log format '{}' (expected text or json)", name);
}

void SetLogOptions(const LogOptions& options) {
  std::lock_guard lock(State().mu);
  State().options = options;
}

LogOptions GetLogOptions() {
  std::lock_guard lock(State().mu);
  return State().options;
}

bool LogEnabled(LogLevel level) {
  std::lock_guard lock(State().mu);
  return level >= State().options.level && level != LogLevel::kOff;
}

std::string FormatLogLine(LogFormat format, LogLevel level, int64_t unix_micros,
                          std::string_view message, LogFields fields) {
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json line;
    line["ts"] = Timestamp(unix_micros);
    line["level"] = LevelName(level);
    line["msg"] = message;
    for (const LogField& field : fields) {
      std::visit([&](const auto& v) { line[std::string(field.first)] = v; },
                 field.second.variant());
    }
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::string out = Timestamp(unix_micros);
  std::string level_name(LevelName(level));
  std::transform(level_name.begin(), level_name.end(), level_name.begin(), ::toupper);
  fmt::format_to(std::back_inserter(out), " {:<5} {}", level_name, message);
  for (const auto& [key, value] : fields) {
    out += ' ';
    out += key;
    out += '=';
    AppendTextValue(out, value);
  }
  out += '\n';
  return out;
}

void Log(LogLevel level, std::string_view message, LogFields fields) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  LogState& state = State();
  std::lock_guard lock(state.mu);
  if (level < state.options.level || level == LogLevel::kOff) return;
  std::string line = FormatLogLine(state.options.format, level, micros, message, fields);
  std::FILE* sink = state.options.sink != nullptr ? state.options.sink : stderr;
  std::fwrite(line.data(), 1, line.size(), sink);
  std::fflush(sink);
}

}  // namespace savoir
