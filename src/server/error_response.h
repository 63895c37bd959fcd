// The one mapping from a savoir::Status to an HTTP error response.
//
// Every error the server or a handler returns to a client goes through ErrorResponse, so the
// HTTP status and the OpenAI-style body stay consistent:
//   {"error": {"message": "...", "type": "invalid_request_error", "param": null,
//              "code": "invalid_argument"}}
// The message is Status::message() alone: the code name and any context other than the
// message never leak to the client.
//
//   Status code          HTTP  type
//   INVALID_ARGUMENT     400   invalid_request_error
//   FAILED_PRECONDITION  400   invalid_request_error
//   OUT_OF_RANGE         400   invalid_request_error
//   UNAUTHENTICATED      401   authentication_error
//   PERMISSION_DENIED    403   permission_error
//   NOT_FOUND            404   not_found_error
//   ALREADY_EXISTS       409   conflict_error
//   ABORTED              409   conflict_error
//   RESOURCE_EXHAUSTED   429   rate_limit_error
//   UNIMPLEMENTED        501   not_implemented_error
//   UNAVAILABLE          503   service_unavailable_error
//   DEADLINE_EXCEEDED    504   timeout_error
//   anything else        500   server_error   (CANCELLED, UNKNOWN, INTERNAL, DATA_LOSS, OK)
//
// Protocol errors that have no Status code of their own (408, 413, 431, ...) pass the HTTP
// status explicitly through ErrorOptions; the type then follows the HTTP status class.
//
// Thread safety: pure functions.
#ifndef SAVOIR_SERVER_ERROR_RESPONSE_H_
#define SAVOIR_SERVER_ERROR_RESPONSE_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "server/http_message.h"

namespace savoir::server {

struct ErrorOptions {
  // Overrides the HTTP status of the table (e.g. 413 for an oversized body).
  std::optional<int> http_status = std::nullopt;
  // The request parameter at fault, e.g. "messages[0].role"; null when absent.
  std::optional<std::string> param = std::nullopt;
  // Overrides the machine-readable code (default: the lower-case Status code name).
  std::optional<std::string> code = std::nullopt;
};

// The HTTP status for `code` according to the table above.
int HttpStatusFor(StatusCode code);

// The OpenAI error type for an HTTP status: 401 authentication_error, 403 permission_error,
// 404 not_found_error, 409 conflict_error, 429 rate_limit_error, other 4xx
// invalid_request_error, 501 not_implemented_error, 503 service_unavailable_error,
// 504 timeout_error, other 5xx server_error.
std::string_view ErrorTypeFor(int http_status);

// The JSON error response for `status` (which should not be OK; an OK status yields a 500).
HttpResponse ErrorResponse(const Status& status);
HttpResponse ErrorResponse(const Status& status, const ErrorOptions& options);

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_ERROR_RESPONSE_H_
