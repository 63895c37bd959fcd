#include "server/error_response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace savoir::server {
namespace {

struct MappingCase {
  StatusCode code;
  int http_status;
  const char* type;
  const char* code_name;
};

// The table documented in error_response.h.
const MappingCase kMapping[] = {
    {StatusCode::kInvalidArgument, 400, "invalid_request_error", "invalid_argument"},
    {StatusCode::kFailedPrecondition, 400, "invalid_request_error", "failed_precondition"},
    {StatusCode::kOutOfRange, 400, "invalid_request_error", "out_of_range"},
    {StatusCode::kUnauthenticated, 401, "authentication_error", "unauthenticated"},
    {StatusCode::kPermissionDenied, 403, "permission_error", "permission_denied"},
    {StatusCode::kNotFound, 404, "not_found_error", "not_found"},
    {StatusCode::kAlreadyExists, 409, "conflict_error", "already_exists"},
    {StatusCode::kAborted, 409, "conflict_error", "aborted"},
    {StatusCode::kResourceExhausted, 429, "rate_limit_error", "resource_exhausted"},
    {StatusCode::kUnimplemented, 501, "not_implemented_error", "unimplemented"},
    {StatusCode::kUnavailable, 503, "service_unavailable_error", "unavailable"},
    {StatusCode::kDeadlineExceeded, 504, "timeout_error", "deadline_exceeded"},
    {StatusCode::kCancelled, 500, "server_error", "cancelled"},
    {StatusCode::kUnknown, 500, "server_error", "unknown"},
    {StatusCode::kInternal, 500, "server_error", "internal"},
    {StatusCode::kDataLoss, 500, "server_error", "data_loss"},
};

TEST(ErrorResponseTest, MapsEveryStatusCode) {
  for (const MappingCase& c : kMapping) {
    SCOPED_TRACE(std::string(StatusCodeName(c.code)));
    HttpResponse response = ErrorResponse(Status(c.code, "the message"));
    EXPECT_EQ(response.status, c.http_status);
    EXPECT_EQ(response.content_type, "application/json");
    nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["message"], "the message");
    EXPECT_EQ(body["error"]["type"], c.type);
    EXPECT_EQ(body["error"]["code"], c.code_name);
    EXPECT_TRUE(body["error"]["param"].is_null());
    EXPECT_EQ(body.size(), 1u);
    EXPECT_EQ(body["error"].size(), 4u);
  }
}

TEST(ErrorResponseTest, OkStatusIsAServerError) {
  HttpResponse response = ErrorResponse(OkStatus());
  EXPECT_EQ(response.status, 500);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["type"], "server_error");
}

TEST(ErrorResponseTest, OptionsOverrideStatusParamAndCode) {
  HttpResponse response =
      ErrorResponse(InvalidArgumentError("messages must not be empty"),
                    {.http_status = 413, .param = "messages", .code = "request_too_large"});
  EXPECT_EQ(response.status, 413);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["param"], "messages");
  EXPECT_EQ(body["error"]["code"], "request_too_large");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
}

TEST(ErrorResponseTest, MessageOnlyNoInternals) {
  Status status = InternalError("disk full").WithContext("/var/lib/savoir/kb.sqlite");
  HttpResponse response = ErrorResponse(status);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["message"], status.message());
  EXPECT_EQ(response.body.find("INTERNAL"), std::string::npos);
}

TEST(ErrorResponseTest, InvalidUtf8InMessageStillGivesJson) {
  HttpResponse response = ErrorResponse(InvalidArgumentError("bad \xff byte"));
  EXPECT_TRUE(nlohmann::json::accept(response.body));
}

TEST(ErrorResponseTest, ErrorTypeForProtocolStatuses) {
  EXPECT_EQ(ErrorTypeFor(408), "invalid_request_error");
  EXPECT_EQ(ErrorTypeFor(431), "invalid_request_error");
  EXPECT_EQ(ErrorTypeFor(502), "server_error");
}

}  // namespace
}  // namespace savoir::server
