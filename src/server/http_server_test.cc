// End-to-end tests of HttpServer over real loopback sockets: routing, protocol handling,
// limits and timeouts, request ids, access logging and connection scaling. Streaming and
// shutdown are in http_server_stream_test.cc.
#include "server/http_server.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "base/logging.h"
#include "server/testing/server_fixture.h"
#include "server/testing/test_http_client.h"

namespace savoir::server {
namespace {

using namespace std::chrono_literals;
using testutil::GetRequest;
using testutil::RoundTrip;
using testutil::TestHttpClient;
using testutil::TestResponse;

int CountThreads() {
  int count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

class HttpServerTest : public testutil::ServerFixture {
 protected:
  void SetUp() override {
    router_->Add("GET", "/hello", [](HttpRequest&, std::shared_ptr<Responder> responder) {
      responder->Send(HttpResponse::Text(200, "hello"));
    });
    router_->Add("GET", "/echo/{id}", [](HttpRequest& request, std::shared_ptr<Responder> r) {
      r->Send(HttpResponse::Json(200, {{"id", request.path_params["id"]},
                                       {"path", request.path},
                                       {"target", request.target},
                                       {"query", request.query},
                                       {"request_id", request.request_id},
                                       {"remote", request.remote_address}}));
    });
    router_->Add("POST", "/echo", [](HttpRequest& request, std::shared_ptr<Responder> r) {
      r->Send(HttpResponse::Text(200, request.body, "application/octet-stream"));
    });
    router_->Add("POST", "/upload",
                 [](HttpRequest& request, std::shared_ptr<Responder> r) {
                   r->Send(HttpResponse::Json(200, {{"bytes", request.body.size()}}));
                 },
                 {.max_body_bytes = 64 * 1024});
    router_->Add("GET", "/throw", [](HttpRequest&, std::shared_ptr<Responder>) {
      throw std::runtime_error("boom");
    });
    router_->Add("GET", "/drop", [](HttpRequest&, std::shared_ptr<Responder>) {});
    router_->Add("GET", "/later", [](HttpRequest&, std::shared_ptr<Responder> responder) {
      std::thread([responder] {
        std::this_thread::sleep_for(20ms);
        responder->Send(HttpResponse::Text(202, "later"));
      }).detach();
    });
  }
};

TEST_F(HttpServerTest, RoutesPathParamsAndQuery) {
  StartServer();
  auto response = RoundTrip(port(), GetRequest("/echo/a%20b?x=1&y=hello+world&z=%E2%82%AC"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.Get("Content-Type"), "application/json");
  nlohmann::json body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["id"], "a b");
  EXPECT_EQ(body["path"], "/echo/a b");
  EXPECT_EQ(body["target"], "/echo/a%20b?x=1&y=hello+world&z=%E2%82%AC");
  EXPECT_EQ(body["query"]["x"], "1");
  EXPECT_EQ(body["query"]["y"], "hello world");
  EXPECT_EQ(body["query"]["z"], "\xe2\x82\xac");
  EXPECT_EQ(body["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
  StartServer();
  auto missing = RoundTrip(port(), GetRequest("/nowhere"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["error"]["type"], "not_found_error");
  EXPECT_TRUE(missing->headers.Has("X-Request-Id"));

  auto wrong = RoundTrip(port(), "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers.Get("Allow"), "GET, HEAD");
}

TEST_F(HttpServerTest, RequestIdsAreGeneratedUniqueAndPropagated) {
  StartServer();
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    auto response = RoundTrip(port(), GetRequest("/echo/1"));
    ASSERT_TRUE(response.ok());
    std::string header(response->headers.Get("X-Request-Id").value_or(""));
    EXPECT_EQ(header.size(), 16u);
    EXPECT_EQ(nlohmann::json::parse(response->body)["request_id"], header);
    ids.insert(header);
  }
  EXPECT_EQ(ids.size(), 50u);

  auto given = RoundTrip(port(), GetRequest("/echo/1", "X-Request-Id: client-abc.123\r\n"));
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->headers.Get("X-Request-Id"), "client-abc.123");
  EXPECT_EQ(nlohmann::json::parse(given->body)["request_id"], "client-abc.123");

  auto invalid = RoundTrip(port(), GetRequest("/echo/1", "X-Request-Id: bad id <script>\r\n"));
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->headers.Get("X-Request-Id")->size(), 16u);

  auto error = RoundTrip(port(), "BROKEN\r\n\r\n");
  ASSERT_TRUE(error.ok());
  EXPECT_EQ(error->headers.Get("X-Request-Id")->size(), 16u);
}

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client
                  .Send(GetRequest("/echo/1") + GetRequest("/hello") +
                        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
                        GetRequest("/echo/4"))
                  .ok());
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  auto third = client.ReadResponse();
  auto fourth = client.ReadResponse();
  ASSERT_TRUE(first.ok() && second.ok() && third.ok() && fourth.ok());
  EXPECT_EQ(nlohmann::json::parse(first->body)["id"], "1");
  EXPECT_EQ(second->body, "hello");
  EXPECT_EQ(third->body, "abc");
  EXPECT_EQ(nlohmann::json::parse(fourth->body)["id"], "4");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(client.Send(GetRequest("/hello")).ok());
    auto again = client.ReadResponse();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->body, "hello");
  }
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.0\r\n\r\n").ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->headers.Get("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose(5s));

  TestHttpClient keep = Connect();
  ASSERT_TRUE(keep.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
  auto first = keep.ReadResponse();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->headers.Get("Connection"), "keep-alive");
  ASSERT_TRUE(keep.Send("GET /hello HTTP/1.0\r\n\r\n").ok());
  auto second = keep.ReadResponse();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->body, "hello");
}

TEST_F(HttpServerTest, HeadSendsLengthWithoutBody) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  auto head = client.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers.Get("Content-Length"), "5");
  // Had a body been sent, it would be taken for the start of the next response.
  ASSERT_TRUE(client.Send(GetRequest("/echo/2")).ok());
  auto next = client.ReadResponse();
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(nlohmann::json::parse(next->body)["id"], "2");
}

TEST_F(HttpServerTest, ExpectContinue) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client
                  .Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        "Expect: 100-continue\r\n\r\n")
                  .ok());
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim.ok());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello").ok());
  auto final_response = client.ReadResponse();
  ASSERT_TRUE(final_response.ok());
  EXPECT_EQ(final_response->status, 200);
  EXPECT_EQ(final_response->body, "hello");

  // Too large: the final answer comes at once, without "100 Continue".
  TestHttpClient big = Connect();
  ASSERT_TRUE(big.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n"
                       "Expect: 100-continue\r\n\r\n")
                  .ok());
  auto rejected = big.ReadResponse();
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, 413);
}

TEST_F(HttpServerTest, MalformedRequestLineIs400) {
  StartServer();
  auto response = RoundTrip(port(), "THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["type"], "invalid_request_error");
  EXPECT_EQ(response->headers.Get("Connection"), "close");
  ExpectStillServing();
}

TEST_F(HttpServerTest, MegabyteHeaderIs431) {
  StartServer();
  TestHttpClient client = Connect();
  std::string request =
      "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
  client.Send(request).IgnoreError();  // the server may stop reading early
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["code"],
            "request_header_fields_too_large");
  EXPECT_TRUE(client.WaitForClose(5s));
  ExpectStillServing();
}

TEST_F(HttpServerTest, BodyOverLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  // Announced length: rejected before any body byte is sent.
  auto announced =
      RoundTrip(port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n");
  ASSERT_TRUE(announced.ok()) << announced.status().ToString();
  EXPECT_EQ(announced->status, 413);

  TestHttpClient chunked = Connect();
  std::string chunk(600, 'c');
  chunked
      .Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk +
            "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n")
      .IgnoreError();
  auto streamed = chunked.ReadResponse();
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  EXPECT_EQ(streamed->status, 413);
  ExpectStillServing();
}

TEST_F(HttpServerTest, RouteMayAllowLargerBodies) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  std::string body(10000, 'x');
  auto upload =
      RoundTrip(port(), "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n" + body);
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload->status, 200);
  EXPECT_EQ(nlohmann::json::parse(upload->body)["bytes"], 10000);
  auto echo =
      RoundTrip(port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n" + body);
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->status, 413);
}

TEST_F(HttpServerTest, SilentAndStalledClientsGet408) {
  ServerOptions options;
  options.read_timeout = 300ms;
  StartServer(options);
  TestHttpClient silent = Connect();
  auto response = silent.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 408);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["code"], "request_timeout");
  EXPECT_TRUE(silent.WaitForClose(5s));

  TestHttpClient stalled = Connect();
  ASSERT_TRUE(stalled.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc").ok());
  auto partial = stalled.ReadResponse();
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_EQ(partial->status, 408);
  EXPECT_TRUE(stalled.WaitForClose(5s));
  ExpectStillServing();
}

TEST_F(HttpServerTest, RouteMayAllowSlowerBodies) {
  router_->Add("POST", "/slow-upload",
               [](HttpRequest& request, std::shared_ptr<Responder> r) {
                 r->Send(HttpResponse::Text(200, request.body));
               },
               {.max_body_bytes = std::nullopt, .read_timeout = 10s});
  ServerOptions options;
  options.read_timeout = 300ms;
  StartServer(options);
  TestHttpClient client = Connect();
  ASSERT_TRUE(
      client.Send("POST /slow-upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab").ok());
  std::this_thread::sleep_for(700ms);  // longer than the server's read_timeout
  ASSERT_TRUE(client.Send("cd").ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "abcd");
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedSilently) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  StartServer(options);
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/hello")).ok());
  ASSERT_TRUE(client.ReadResponse().ok());
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_TRUE(client.pending().empty());
}

TEST_F(HttpServerTest, ThrowingHandlerIs500AndConnectionSurvives) {
  StartServer();
  TestHttpClient client = Connect();
  ASSERT_TRUE(client.Send(GetRequest("/throw")).ok());
  auto response = client.ReadResponse();
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("boom"), std::string::npos);
  ASSERT_TRUE(client.Send(GetRequest("/hello")).ok());
  auto next = client.ReadResponse();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->body, "hello");
}

TEST_F(HttpServerTest, DroppedResponderIs500) {
  StartServer();
  auto response = RoundTrip(port(), GetRequest("/drop"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 500);
}

TEST_F(HttpServerTest, AnswerFromAnotherThread) {
  StartServer();
  auto response = RoundTrip(port(), GetRequest("/later"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "later");
}

TEST_F(HttpServerTest, AccessLogLineHasRequestFields) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  LogOptions saved = GetLogOptions();
  SetLogOptions({.level = LogLevel::kInfo, .format = LogFormat::kJson, .sink = sink});
  StartServer();
  auto response = RoundTrip(port(), GetRequest("/echo/7", "X-Request-Id: log-check-1\r\n"));
  ASSERT_TRUE(response.ok());
  server_->Stop(2s);  // the line is written when the response is complete
  SetLogOptions(saved);
  std::rewind(sink);
  std::string line;
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), sink) != nullptr) {
    if (std::string(buf).find("log-check-1") != std::string::npos) line = buf;
  }
  std::fclose(sink);
  ASSERT_FALSE(line.empty());
  nlohmann::json entry = nlohmann::json::parse(line);
  EXPECT_EQ(entry["level"], "info");
  EXPECT_EQ(entry["method"], "GET");
  EXPECT_EQ(entry["path"], "/echo/7");
  EXPECT_EQ(entry["status"], 200);
  EXPECT_EQ(entry["bytes"], response->body.size());
  EXPECT_TRUE(entry["ms"].is_number());
  EXPECT_EQ(entry["request_id"], "log-check-1");
  EXPECT_EQ(entry["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

TEST_F(HttpServerTest, FiveHundredIdleConnectionsOnTwoThreads) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < 2048 && limit.rlim_max >= 2048) {
    limit.rlim_cur = 2048;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  int threads_before = CountThreads();
  ServerOptions options;
  options.io_threads = 2;
  StartServer(options);
  EXPECT_EQ(CountThreads() - threads_before, 2);
  std::vector<TestHttpClient> clients;
  for (int i = 0; i < 500; ++i) clients.push_back(Connect());
  ExpectStillServing();
  for (TestHttpClient& client : clients) ASSERT_TRUE(client.Send(GetRequest("/hello")).ok());
  for (TestHttpClient& client : clients) {
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, "hello");
  }
  EXPECT_GE(server_->connection_count(), 500u);
  EXPECT_EQ(CountThreads() - threads_before, 2);
}

TEST_F(HttpServerTest, ConnectionLimitAnswers503) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  TestHttpClient a = Connect();
  TestHttpClient b = Connect();
  ASSERT_TRUE(a.Send(GetRequest("/hello")).ok());
  ASSERT_TRUE(a.ReadResponse().ok());
  ASSERT_TRUE(b.Send(GetRequest("/hello")).ok());
  ASSERT_TRUE(b.ReadResponse().ok());
  TestHttpClient c = Connect();
  auto refused = c.ReadResponse();
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 503);
}

TEST_F(HttpServerTest, PortInUseIsAnError) {
  StartServer();
  ServerOptions options;
  options.port = port();
  auto second = HttpServer::Start(options, router_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndRefusesNewOnes) {
  StartServer();
  TestHttpClient idle = Connect();
  ASSERT_TRUE(idle.Send(GetRequest("/hello")).ok());
  ASSERT_TRUE(idle.ReadResponse().ok());
  uint16_t bound = port();
  server_->Stop(5s);
  EXPECT_TRUE(idle.WaitForClose(1s));
  EXPECT_FALSE(TestHttpClient::Connect(bound).ok());
  server_->Stop(5s);  // idempotent
}

// Interoperability with a real client, when curl is installed.
TEST_F(HttpServerTest, CurlUploadsWithExpectContinueAndChunking) {
  if (std::system("curl --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  StartServer();
  std::string path = ::testing::TempDir() + "/savoir_upload.bin";
  std::ofstream(path, std::ios::binary) << std::string(40000, 'u');
  std::string url = "http://127.0.0.1:" + std::to_string(port()) + "/upload";
  for (std::string extra : {"-H 'Expect: 100-continue'", "-H 'Transfer-Encoding: chunked'"}) {
    std::string command =
        "curl -sS --max-time 10 -X POST --data-binary @" + path + " " + extra + " " + url;
    std::FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buf[256];
    while (std::fgets(buf, sizeof(buf), pipe) != nullptr) output += buf;
    EXPECT_EQ(pclose(pipe), 0) << command;
    EXPECT_EQ(output, R"({"bytes":40000})") << command;
  }
}

}  // namespace
}  // namespace savoir::server
