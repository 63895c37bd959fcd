#include "server/testing/test_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace savoir::server::testutil {
namespace {

using Clock = std::chrono::steady_clock;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

StatusOr<TestResponse> ParseHead(std::string_view head) {
  TestResponse response;
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) {
    return DataLossError("bad status line '{}'", status_line);
  }
  response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return DataLossError("bad header line '{}'", line);
    response.headers.Add(std::string(line.substr(0, colon)),
                         std::string(Trim(line.substr(colon + 1))));
  }
  response.chunked = response.headers.Get("Transfer-Encoding") == "chunked";
  return response;
}

}  // namespace

StatusOr<TestHttpClient> TestHttpClient::Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return UnavailableError("socket: {}", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    ::close(fd);
    return UnavailableError("connect to port {}: {}", port, std::strerror(err));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return TestHttpClient(fd);
}

TestHttpClient::TestHttpClient(TestHttpClient&& other) noexcept
    : fd_(other.fd_), timeout_(other.timeout_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

TestHttpClient& TestHttpClient::operator=(TestHttpClient&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    timeout_ = other.timeout_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
  }
  return *this;
}

TestHttpClient::~TestHttpClient() { Close(); }

void TestHttpClient::SetReceiveBuffer(int bytes) {
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

Status TestHttpClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("send: {}", std::strerror(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

int TestHttpClient::Fill(Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return -1;
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return -1;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 0;  // a reset counts as closed
    buffer_.append(chunk, static_cast<size_t>(n));
    return static_cast<int>(n);
  }
}

Status TestHttpClient::ReadUntil(std::string_view delimiter, Clock::time_point deadline,
                                 std::string* out) {
  for (;;) {
    size_t pos = buffer_.find(delimiter);
    if (pos != std::string::npos) {
      *out = buffer_.substr(0, pos);
      buffer_.erase(0, pos + delimiter.size());
      return OkStatus();
    }
    int n = Fill(deadline);
    if (n < 0) return DeadlineExceededError("timed out waiting for the server");
    if (n == 0) return UnavailableError("connection closed by the server");
  }
}

Status TestHttpClient::ReadExactly(size_t size, Clock::time_point deadline, std::string* out) {
  while (buffer_.size() < size) {
    int n = Fill(deadline);
    if (n < 0) return DeadlineExceededError("timed out waiting for the server");
    if (n == 0) return UnavailableError("connection closed by the server");
  }
  *out = buffer_.substr(0, size);
  buffer_.erase(0, size);
  return OkStatus();
}

StatusOr<TestResponse> TestHttpClient::ReadHead() {
  std::string head;
  SAVOIR_RETURN_IF_ERROR(ReadUntil("\r\n\r\n", Clock::now() + timeout_, &head));
  return ParseHead(head);
}

StatusOr<std::string> TestHttpClient::ReadChunk() {
  auto deadline = Clock::now() + timeout_;
  std::string size_line;
  SAVOIR_RETURN_IF_ERROR(ReadUntil("\r\n", deadline, &size_line));
  size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
  std::string data;
  SAVOIR_RETURN_IF_ERROR(ReadExactly(size, deadline, &data));
  std::string crlf;
  SAVOIR_RETURN_IF_ERROR(ReadExactly(2, deadline, &crlf));
  if (crlf != "\r\n") return DataLossError("chunk not followed by CRLF");
  return data;
}

StatusOr<TestResponse> TestHttpClient::ReadResponse(bool head_request) {
  SAVOIR_ASSIGN_OR_RETURN(TestResponse response, ReadHead());
  if (head_request || response.status < 200 || response.status == 204 || response.status == 304) {
    return response;
  }
  if (response.chunked) {
    for (;;) {
      SAVOIR_ASSIGN_OR_RETURN(std::string chunk, ReadChunk());
      if (chunk.empty()) break;
      response.body += chunk;
      response.chunks.push_back(std::move(chunk));
    }
  } else if (auto length = response.headers.Get("Content-Length")) {
    size_t size = std::strtoul(std::string(*length).c_str(), nullptr, 10);
    SAVOIR_RETURN_IF_ERROR(ReadExactly(size, Clock::now() + timeout_, &response.body));
  } else {
    auto deadline = Clock::now() + timeout_;
    int n;
    while ((n = Fill(deadline)) > 0) {
    }
    if (n < 0) return DeadlineExceededError("timed out reading a body delimited by close");
    response.body = std::move(buffer_);
    buffer_.clear();
  }
  return response;
}

bool TestHttpClient::WaitForClose(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int n = Fill(deadline);
    if (n == 0) return true;
    if (n < 0) return false;
    buffer_.clear();
  }
}

void TestHttpClient::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void TestHttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

StatusOr<TestResponse> RoundTrip(uint16_t port, std::string_view request) {
  SAVOIR_ASSIGN_OR_RETURN(TestHttpClient client, TestHttpClient::Connect(port));
  SAVOIR_RETURN_IF_ERROR(client.Send(request));
  for (;;) {
    SAVOIR_ASSIGN_OR_RETURN(TestResponse response, client.ReadResponse());
    if (response.status >= 200) return response;
  }
}

std::string GetRequest(std::string_view path, std::string_view extra_headers) {
  std::string request = "GET ";
  request += path;
  request += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  request += extra_headers;
  request += "\r\n";
  return request;
}

}  // namespace savoir::server::testutil
