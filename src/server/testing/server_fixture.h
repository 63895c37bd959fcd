// GoogleTest fixture that runs a real HttpServer on 127.0.0.1 with a free port.
//
// Tests add routes to router_ and call StartServer; the server is stopped in TearDown.
// Header-only because it depends on GoogleTest, which only test binaries link.
#ifndef SAVOIR_SERVER_TESTING_SERVER_FIXTURE_H_
#define SAVOIR_SERVER_TESTING_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "server/http_server.h"
#include "server/testing/test_http_client.h"

namespace savoir::server::testutil {

class ServerFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    auto server = HttpServer::Start(options, router_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop(std::chrono::milliseconds(2000));
    server_.reset();
  }
  uint16_t port() const { return server_->port(); }

  TestHttpClient Connect() {
    auto client = TestHttpClient::Connect(port());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  // Asserts that a fresh client still gets an answer from a route registered as GET /hello.
  void ExpectStillServing() {
    auto response = RoundTrip(port(), GetRequest("/hello"));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello");
  }

  std::shared_ptr<Router> router_ = std::make_shared<Router>();
  std::unique_ptr<HttpServer> server_;
};

}  // namespace savoir::server::testutil

#endif  // SAVOIR_SERVER_TESTING_SERVER_FIXTURE_H_
