#include "server/error_response.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace savoir::server {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

std::string_view ErrorTypeFor(int http_status) {
  switch (http_status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 409:
      return "conflict_error";
    case 429:
      return "rate_limit_error";
    case 501:
      return "not_implemented_error";
    case 503:
      return "service_unavailable_error";
    case 504:
      return "timeout_error";
    default:
      return http_status >= 400 && http_status < 500 ? "invalid_request_error" : "server_error";
  }
}

HttpResponse ErrorResponse(const Status& status) { return ErrorResponse(status, {}); }

HttpResponse ErrorResponse(const Status& status, const ErrorOptions& options) {
  int http_status = status.ok() ? 500 : HttpStatusFor(status.code());
  if (options.http_status.has_value()) http_status = *options.http_status;
  std::string code;
  if (options.code.has_value()) {
    code = *options.code;
  } else {
    code = std::string(StatusCodeName(status.ok() ? StatusCode::kInternal : status.code()));
    std::transform(code.begin(), code.end(), code.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
  }
  std::string message = status.message();
  if (message.empty()) message = status.ok() ? "internal error" : code;
  nlohmann::json error = {
      {"message", message},
      {"type", ErrorTypeFor(http_status)},
      {"param", options.param.has_value() ? nlohmann::json(*options.param) : nullptr},
      {"code", code},
  };
  return HttpResponse::Json(http_status, {{"error", error}});
}

}  // namespace savoir::server
