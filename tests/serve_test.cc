// `savoir serve` end to end: the real binary on a loopback port, as `make run` starts it.
#include <signal.h>

#include <chrono>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/subprocess.h"

namespace savoir::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Starts `savoir serve --port 0` and waits for the URL line it prints.
class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = MakeTempDir("serve");
    server_ = std::make_unique<Subprocess>(std::vector<std::string>{
        SavoirBinary(), "--log-format", "json", "serve", "--port", "0", "--data-dir", data_dir_,
        "--host", "127.0.0.1"});
    std::regex url_re(R"(listening on http://127\.0\.0\.1:(\d+))");
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      std::string out = server_->OutSoFar();
      if (std::regex_search(out, m, url_re)) {
        port_ = std::stoi(m[1]);
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "server did not print its URL within 15 s";
  }

  std::string Get(const std::string& path) {
    return RawHttp(port_, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }

  static std::string BodyOf(const std::string& response) {
    size_t pos = response.find("\r\n\r\n");
    return pos == std::string::npos ? "" : response.substr(pos + 4);
  }

  std::string data_dir_;
  std::unique_ptr<Subprocess> server_;
  int port_ = 0;
};

TEST_F(ServeTest, HealthReadyVersionAndGracefulSigterm) {
  std::string health = Get("/healthz");
  ASSERT_EQ(StatusOf(health), 200) << health;
  EXPECT_THAT(health, HasSubstr("X-Request-Id: "));
  auto body = nlohmann::json::parse(BodyOf(health));
  EXPECT_EQ(body["status"], "ok");

  EXPECT_EQ(StatusOf(Get("/readyz")), 200);
  auto version = nlohmann::json::parse(BodyOf(Get("/version")));
  EXPECT_EQ(version["version"], "0.1.0");
  EXPECT_EQ(StatusOf(Get("/no/such/path")), 404);

  auto start = std::chrono::steady_clock::now();
  server_->Signal(SIGTERM);
  auto result = server_->Wait(10s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.term_signal, 0);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // Access log lines are JSON with the request id.
  EXPECT_THAT(result.err, HasSubstr("\"path\":\"/healthz\""));
  EXPECT_THAT(result.err, HasSubstr("\"request_id\":"));
}

TEST_F(ServeTest, MalformedRequestsGetErrorsAndServerKeepsServing) {
  EXPECT_EQ(StatusOf(RawHttp(port_, "THIS IS NOT HTTP\r\n\r\n")), 400);
  std::string huge_header = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                            std::string(1 << 20, 'a') + "\r\n\r\n";
  EXPECT_EQ(StatusOf(RawHttp(port_, huge_header)), 431);
  std::string big_body = "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
  EXPECT_EQ(StatusOf(RawHttp(port_, big_body)), 413);
  EXPECT_EQ(StatusOf(Get("/healthz")), 200);
}

TEST_F(ServeTest, SecondServerOnSameDataDirFailsClearly) {
  auto r = RunCommand({SavoirBinary(), "serve", "--port", "0", "--data-dir", data_dir_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("in use by another savoir process"));
}

TEST_F(ServeTest, PortInUseFailsClearly) {
  std::string other_dir = MakeTempDir("serve_port");
  auto r = RunCommand({SavoirBinary(), "serve", "--port", std::to_string(port_), "--data-dir", other_dir});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(std::to_string(port_)));
}

}  // namespace
}  // namespace savoir::testing
