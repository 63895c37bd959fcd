// Structured logging.
//
// A log line is a level, a message and key/value fields. It is written either human-readable
// ("2026-11-22T10:00:00.123Z INFO  listening url=http://127.0.0.1:8080") or as one JSON object
// per line ({"ts":"…","level":"info","msg":"listening","url":"…"}) for log collectors.
//
// The process has one log sink, installed by app/ at start-up with SetLogOptions(); it is the
// single piece of process-wide state in savoir, because threading a logger through every call
// would buy nothing. Until configured, lines go to stderr as text at level info.
//
// Thread safety: every function here may be called from any thread; lines never interleave.
#ifndef SAVOIR_BASE_LOGGING_H_
#define SAVOIR_BASE_LOGGING_H_

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/status.h"

namespace savoir {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };
enum class LogFormat { kText, kJson };

// Parses "debug", "info", "warn"/"warning", "error", "off" (case-insensitive).
StatusOr<LogLevel> ParseLogLevel(std::string_view name);
// Parses "text" or "json".
StatusOr<LogFormat> ParseLogFormat(std::string_view name);

// A field value: text, integer, floating point or boolean.
class LogValue {
 public:
  LogValue(std::string_view v) : v_(std::string(v)) {}  // NOLINT(google-explicit-constructor)
  LogValue(const char* v) : v_(std::string(v)) {}       // NOLINT(google-explicit-constructor)
  LogValue(const std::string& v) : v_(v) {}             // NOLINT(google-explicit-constructor)
  LogValue(bool v) : v_(v) {}                           // NOLINT(google-explicit-constructor)
  LogValue(double v) : v_(v) {}                         // NOLINT(google-explicit-constructor)
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I>>>
  LogValue(I v) : v_(static_cast<int64_t>(v)) {}  // NOLINT(google-explicit-constructor)

  const std::variant<std::string, int64_t, double, bool>& variant() const { return v_; }

 private:
  std::variant<std::string, int64_t, double, bool> v_;
};

using LogField = std::pair<std::string_view, LogValue>;
using LogFields = std::initializer_list<LogField>;

struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
  // Where lines go; not owned, must outlive all logging. nullptr means stderr.
  std::FILE* sink = nullptr;
};

// Replaces the process log configuration.
void SetLogOptions(const LogOptions& options);
LogOptions GetLogOptions();

bool LogEnabled(LogLevel level);

// Writes one line if `level` is enabled.
void Log(LogLevel level, std::string_view message, LogFields fields = {});

inline void LogDebug(std::string_view m, LogFields f = {}) { Log(LogLevel::kDebug, m, f); }
inline void LogInfo(std::string_view m, LogFields f = {}) { Log(LogLevel::kInfo, m, f); }
inline void LogWarn(std::string_view m, LogFields f = {}) { Log(LogLevel::kWarn, m, f); }
inline void LogError(std::string_view m, LogFields f = {}) { Log(LogLevel::kError, m, f); }

// Formats one line without writing it (exposed for tests). `unix_micros` is the timestamp.
std::string FormatLogLine(LogFormat format, LogLevel level, int64_t unix_micros,
                          std::string_view message, LogFields fields);

}  // namespace savoir

#endif  // SAVOIR_BASE_LOGGING_H_
