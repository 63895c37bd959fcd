#include "server/request_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace savoir::server {
namespace {

using State = RequestReader::State;

std::string StateName(State state) {
  switch (state) {
    case State::kNeedMore:
      return "need_more";
    case State::kHeadDone:
      return "head_done";
    case State::kComplete:
      return "complete";
    case State::kFailed:
      return "failed";
  }
  return "?";
}

struct Outcome {
  State state = State::kNeedMore;
  size_t consumed = 0;
  std::optional<HttpRequest> request;
  RequestHead head;
  ProtocolError error;
};

// Feeds `input` in pieces of `step` bytes (0: all at once), the way the server does: bytes not
// consumed are presented again followed by the new ones.
Outcome Feed(const std::string& input, RequestLimits limits, std::optional<size_t> route_limit,
             size_t step) {
  RequestReader reader(limits);
  Outcome outcome;
  std::string pending;
  size_t fed = 0;
  for (;;) {
    size_t take = step == 0 ? input.size() - fed : std::min(step, input.size() - fed);
    pending.append(input, fed, take);
    fed += take;
    size_t consumed = 0;
    State state = reader.Parse(pending, &consumed);
    pending.erase(0, consumed);
    outcome.consumed += consumed;
    if (state == State::kHeadDone) {
      if (route_limit) reader.SetBodyLimit(*route_limit);
      consumed = 0;
      state = reader.Parse(pending, &consumed);
      pending.erase(0, consumed);
      outcome.consumed += consumed;
    }
    if (state == State::kHeadDone || (state == State::kNeedMore && fed < input.size())) continue;
    outcome.state = state;
    outcome.head = reader.head();
    if (state == State::kComplete) outcome.request = reader.TakeRequest();
    if (state == State::kFailed) outcome.error = reader.error();
    return outcome;
  }
}

void CheckExpectations(const nlohmann::json& expect, const Outcome& outcome) {
  EXPECT_EQ(StateName(outcome.state), expect["state"].get<std::string>());
  if (expect.contains("http_status")) {
    EXPECT_EQ(outcome.error.http_status, expect["http_status"]);
  }
  if (expect.contains("consumed")) {
    EXPECT_EQ(outcome.consumed, expect["consumed"]);
  }
  if (expect.contains("expect_continue")) {
    EXPECT_EQ(outcome.head.expect_continue, expect["expect_continue"]);
  }
  if (expect.contains("chunked")) {
    EXPECT_EQ(outcome.head.chunked, expect["chunked"]);
  }
  if (expect.contains("keep_alive")) {
    EXPECT_EQ(outcome.head.keep_alive, expect["keep_alive"]);
  }
  if (!outcome.request) return;
  const HttpRequest& request = *outcome.request;
  if (expect.contains("method")) {
    EXPECT_EQ(request.method, expect["method"]);
  }
  if (expect.contains("path")) {
    EXPECT_EQ(request.path, expect["path"]);
  }
  if (expect.contains("target")) {
    EXPECT_EQ(request.target, expect["target"]);
  }
  if (expect.contains("body")) {
    EXPECT_EQ(request.body, expect["body"]);
  }
  if (expect.contains("version")) {
    EXPECT_EQ(request.version, expect["version"]);
  }
  if (expect.contains("query")) {
    EXPECT_EQ(nlohmann::json(request.query), expect["query"]);
  }
  if (expect.contains("headers")) {
    for (const auto& [name, value] : expect["headers"].items()) {
      EXPECT_EQ(request.headers.Get(name), value.get<std::string>()) << name;
    }
  }
}

nlohmann::json LoadCases() {
  std::ifstream in(std::string(SAVOIR_SOURCE_DIR) + "/src/server/testdata/request_cases.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST(RequestReaderTest, GoldenCasesAllAtOnceAndByteByByte) {
  nlohmann::json cases = LoadCases();
  ASSERT_GT(cases.size(), 30u);
  for (const nlohmann::json& c : cases) {
    RequestLimits limits;
    if (c.contains("max_header")) limits.max_header_bytes = c["max_header"];
    std::optional<size_t> route_limit;
    if (c.contains("max_body")) route_limit = c["max_body"].get<size_t>();
    std::string input = c["input"];
    for (size_t step : {size_t{0}, size_t{1}, size_t{7}}) {
      SCOPED_TRACE(c["name"].get<std::string>() + " step " + std::to_string(step));
      CheckExpectations(c["expect"], Feed(input, limits, route_limit, step));
    }
  }
}

TEST(RequestReaderTest, DefaultBodyLimitAppliesWithoutSetBodyLimit) {
  RequestReader reader({.max_header_bytes = 1024, .max_body_bytes = 4});
  std::string input = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  size_t consumed = 0;
  EXPECT_EQ(reader.Parse(input, &consumed), State::kHeadDone);
  EXPECT_EQ(reader.Parse(std::string_view(input).substr(consumed), &consumed), State::kFailed);
  EXPECT_EQ(reader.error().http_status, 413);
}

TEST(RequestReaderTest, NoBodyByteParsedBeforeTheHeadIsReported) {
  RequestReader reader({});
  std::string input = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  size_t consumed = 0;
  ASSERT_EQ(reader.Parse(input, &consumed), State::kHeadDone);
  EXPECT_EQ(consumed, input.size() - 5);
  EXPECT_TRUE(reader.body_pending());
  ASSERT_TRUE(reader.SetBodyLimit(5));
  EXPECT_EQ(reader.Parse(std::string_view(input).substr(consumed), &consumed), State::kComplete);
  EXPECT_EQ(reader.TakeRequest().body, "hello");
}

TEST(RequestReaderTest, EmptyInputNeedsMoreAndReceivedNothing) {
  RequestReader reader({});
  size_t consumed = 0;
  EXPECT_EQ(reader.Parse("", &consumed), State::kNeedMore);
  EXPECT_FALSE(reader.received_any());
  EXPECT_EQ(reader.Parse("G", &consumed), State::kNeedMore);
  EXPECT_TRUE(reader.received_any());
}

TEST(RequestReaderTest, ProtocolErrorResponseIsJson) {
  HttpResponse response = ProtocolErrorResponse(
      {431, ResourceExhaustedError("request header fields too large"), "too_large"});
  EXPECT_EQ(response.status, 431);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "too_large");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
}

}  // namespace
}  // namespace savoir::server
