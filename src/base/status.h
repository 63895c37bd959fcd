// Status and StatusOr: the one error type of savoir.
//
// Every expected failure (bad input, missing file, full queue, I/O error) is returned as a
// Status or a StatusOr<T>; exceptions never cross a component boundary. Code that calls a
// throwing library catches at that edge and converts with a Status. Assertions are kept for
// programmer errors only.
//
// The codes follow the canonical gRPC/absl set so that one function (server/error_response.h)
// can map any Status to an HTTP status and an OpenAI-style error body.
//
// Thread safety: Status and StatusOr are values; distinct objects may be used from any thread.
#ifndef SAVOIR_BASE_STATUS_H_
#define SAVOIR_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace savoir {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Returns the canonical name of `code`, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message". OK statuses are returned unchanged.
  Status WithContext(std::string_view prefix) const;

  // Explicitly discards the status where ignoring an error is the documented intent.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// Constructors for each error code, formatting their message with fmt.
#define SAVOIR_DEFINE_STATUS_FACTORY(Name, Code)                               \
  template <typename... Args>                                                  \
  Status Name(fmt::format_string<Args...> format, Args&&... args) {            \
    return Status(StatusCode::Code, fmt::format(format, std::forward<Args>(args)...)); \
  }
SAVOIR_DEFINE_STATUS_FACTORY(CancelledError, kCancelled)
SAVOIR_DEFINE_STATUS_FACTORY(UnknownError, kUnknown)
SAVOIR_DEFINE_STATUS_FACTORY(InvalidArgumentError, kInvalidArgument)
SAVOIR_DEFINE_STATUS_FACTORY(DeadlineExceededError, kDeadlineExceeded)
SAVOIR_DEFINE_STATUS_FACTORY(NotFoundError, kNotFound)
SAVOIR_DEFINE_STATUS_FACTORY(AlreadyExistsError, kAlreadyExists)
SAVOIR_DEFINE_STATUS_FACTORY(PermissionDeniedError, kPermissionDenied)
SAVOIR_DEFINE_STATUS_FACTORY(ResourceExhaustedError, kResourceExhausted)
SAVOIR_DEFINE_STATUS_FACTORY(FailedPreconditionError, kFailedPrecondition)
SAVOIR_DEFINE_STATUS_FACTORY(AbortedError, kAborted)
SAVOIR_DEFINE_STATUS_FACTORY(OutOfRangeError, kOutOfRange)
SAVOIR_DEFINE_STATUS_FACTORY(UnimplementedError, kUnimplemented)
SAVOIR_DEFINE_STATUS_FACTORY(InternalError, kInternal)
SAVOIR_DEFINE_STATUS_FACTORY(UnavailableError, kUnavailable)
SAVOIR_DEFINE_STATUS_FACTORY(DataLossError, kDataLoss)
SAVOIR_DEFINE_STATUS_FACTORY(UnauthenticatedError, kUnauthenticated)
#undef SAVOIR_DEFINE_STATUS_FACTORY

// Either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // Implicit from an error status; constructing from an OK status is a programmer error.
  StatusOr(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "StatusOr constructed from an OK status");
  }
  StatusOr(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }

  // The error, or OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

  // Accessors require ok(); calling them on an error is a programmer error.
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(data_) : std::move(fallback); }

 private:
  std::variant<Status, T> data_;
};

}  // namespace savoir

#define SAVOIR_STATUS_CONCAT_INNER(a, b) a##b
#define SAVOIR_STATUS_CONCAT(a, b) SAVOIR_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define SAVOIR_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::savoir::Status savoir_status_ = (expr);        \
    if (!savoir_status_.ok()) return savoir_status_; \
  } while (0)

// Evaluates `rexpr` (a StatusOr); on error returns its status, else moves the value into `lhs`.
#define SAVOIR_ASSIGN_OR_RETURN(lhs, rexpr) \
  SAVOIR_ASSIGN_OR_RETURN_IMPL(SAVOIR_STATUS_CONCAT(savoir_statusor_, __LINE__), lhs, rexpr)
#define SAVOIR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // SAVOIR_BASE_STATUS_H_
