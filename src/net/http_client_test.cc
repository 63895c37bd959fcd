#include "net/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/testing/test_http_server.h"

namespace savoir::net {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

HttpRequest Request(std::string url, int64_t range_start = -1) {
  HttpRequest request;
  request.url = std::move(url);
  request.range_start = range_start;
  return request;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestHttpServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    auto client = HttpClient::Create(
        {.user_agent = "savoir/test", .connect_timeout = std::chrono::milliseconds(5000)});
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *std::move(client);
    server_->Serve("/hello", TestResource::File("hello world").WithHeader("ETag", "\"v1\""));
  }

  std::unique_ptr<TestHttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HttpClientTest, GetReturnsBodyHeadersAndSendsUserAgent) {
  auto response = client_->Get(Request(server_->Url("/hello")), 1024);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->head.status, 200);
  EXPECT_EQ(response->body, "hello world");
  EXPECT_EQ(response->head.headers.Get("etag"), "\"v1\"");
  EXPECT_EQ(response->head.headers.Get("Content-Length"), "11");
  EXPECT_TRUE(response->intermediate.empty());
  auto requests = server_->RequestsFor("/hello");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].headers.Get("user-agent"), "savoir/test");
  EXPECT_EQ(requests[0].headers.Get("range"), std::nullopt);
}

TEST_F(HttpClientTest, NotFoundIsAResponseNotAnError) {
  auto response = client_->Get(Request(server_->Url("/missing")), 1024);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->head.status, 404);
}

TEST_F(HttpClientTest, RangeRequest) {
  auto response = client_->Get(Request(server_->Url("/hello"), 6), 1024);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->head.status, 206);
  EXPECT_EQ(response->body, "world");
  EXPECT_EQ(response->head.headers.Get("content-range"), "bytes 6-10/11");
  EXPECT_EQ(server_->RequestsFor("/hello").at(0).headers.Get("range"), "bytes=6-");
}

TEST_F(HttpClientTest, FollowsRedirectsAndKeepsTheirHeaders) {
  server_->Serve("/old", TestResource::Redirect("/hello")
                             .WithBody("this body must not reach the caller")
                             .WithHeader("X-Linked-Etag", "\"abc\""));
  auto response = client_->Get(Request(server_->Url("/old")), 1024);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->head.status, 200);
  EXPECT_EQ(response->body, "hello world");
  EXPECT_EQ(response->url, server_->Url("/hello"));
  ASSERT_EQ(response->intermediate.size(), 1u);
  EXPECT_EQ(response->intermediate[0].status, 302);
  EXPECT_EQ(response->intermediate[0].headers.Get("x-linked-etag"), "\"abc\"");
}

TEST_F(HttpClientTest, AuthorizationIsNotForwardedToAnotherHost) {
  const std::string other_host = "http://localhost:" + std::to_string(server_->port());
  server_->Serve("/private", TestResource::Redirect(other_host + "/hello"));
  HttpRequest request = Request(server_->Url("/private"));
  request.headers.Add("Authorization", "Bearer secret");
  auto response = client_->Get(request, 1024);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "hello world");
  EXPECT_EQ(server_->RequestsFor("/private").at(0).headers.Get("authorization"), "Bearer secret");
  EXPECT_EQ(server_->RequestsFor("/hello").at(0).headers.Get("authorization"), std::nullopt);
}

TEST_F(HttpClientTest, RedirectLoopAndForbiddenSchemeFail) {
  server_->Serve("/loop", TestResource::Redirect("/loop"));
  auto loop = client_->Get(Request(server_->Url("/loop")), 1024);
  EXPECT_EQ(loop.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(loop.status().message(), HasSubstr("too many redirects"));

  server_->Serve("/file", TestResource::Redirect("file:///etc/passwd"));
  auto file = client_->Get(Request(server_->Url("/file")), 1 << 20);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), Not(HasSubstr("root:")));
}

TEST_F(HttpClientTest, DroppedConnectionIsTransient) {
  server_->Serve("/drop", TestResource::File(std::string(100000, 'x')).DroppingFirst(1, 500));
  auto response = client_->Get(Request(server_->Url("/drop")), 1 << 20);
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
  EXPECT_TRUE(IsTransient(response.status()));
  // The next request is served in full.
  response = client_->Get(Request(server_->Url("/drop")), 1 << 20);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body.size(), 100000u);
}

TEST_F(HttpClientTest, ConnectionRefusedAndUnknownHost) {
  const std::string url = server_->Url("/hello");
  server_.reset();  // nothing listens on that port any more
  auto refused = client_->Get(Request(url), 1024);
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), StartsWith("cannot connect to " + url));

  auto unknown = client_->Get(Request("http://no-such-host.invalid/x"), 1024);
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(unknown.status().message(), StartsWith("cannot resolve host"));
}

TEST_F(HttpClientTest, CallbackErrorsAbortTheTransfer) {
  HttpStreamHandler handler;
  handler.on_head = [](const HttpResponse&) { return DataLossError("stop here"); };
  auto response = client_->Stream(Request(server_->Url("/hello")), handler);
  EXPECT_EQ(response.status(), DataLossError("stop here"));

  auto too_big = client_->Get(Request(server_->Url("/hello")), 5);
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(HttpClientTest, MalformedUrl) {
  auto response = client_->Get(Request("ftp://127.0.0.1/x"), 1024);
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace savoir::net
