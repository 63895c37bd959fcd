#include "net/testing/test_http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace savoir::net {
namespace {

constexpr size_t kMaxRequestHead = 64 * 1024;

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 307:
      return "Temporary Redirect";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

bool SendHead(int fd, int status, const HeaderList& headers, int64_t content_length) {
  std::string head = fmt::format("HTTP/1.1 {} {}\r\n", status, Reason(status));
  for (const auto& [name, value] : headers) head += fmt::format("{}: {}\r\n", name, value);
  head += fmt::format("Content-Length: {}\r\nConnection: close\r\n\r\n", content_length);
  return SendAll(fd, head);
}

// Reads up to the blank line that ends a request head; empty on error or EOF.
std::string ReadRequestHead(int fd) {
  std::string data;
  char buffer[4096];
  while (data.find("\r\n\r\n") == std::string::npos && data.size() < kMaxRequestHead) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "";
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

bool ParseRequest(std::string_view head, RecordedRequest& request) {
  size_t end = head.find("\r\n");
  if (end == std::string_view::npos) return false;
  const std::string_view line = head.substr(0, end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  request.method = std::string(line.substr(0, sp1));
  request.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  head.remove_prefix(end + 2);
  while ((end = head.find("\r\n")) != std::string_view::npos && end > 0) {
    if (auto field = ParseHeaderLine(head.substr(0, end))) {
      request.headers.Add(field->first, field->second);
    }
    head.remove_prefix(end + 2);
  }
  return true;
}

// Parses "bytes=N-" or "bytes=N-M" into [first, last] clipped to `size`; false otherwise.
bool ParseRange(std::string_view value, int64_t size, int64_t& first, int64_t& last) {
  if (value.substr(0, 6) != "bytes=") return false;
  value.remove_prefix(6);
  const size_t dash = value.find('-');
  if (dash == std::string_view::npos || dash == 0) return false;
  auto [p, ec] = std::from_chars(value.data(), value.data() + dash, first);
  if (ec != std::errc() || p != value.data() + dash) return false;
  last = size - 1;
  if (dash + 1 < value.size()) {
    auto [q, ec2] = std::from_chars(value.data() + dash + 1, value.data() + value.size(), last);
    if (ec2 != std::errc() || q != value.data() + value.size()) return false;
    last = std::min(last, size - 1);
  }
  return true;
}

}  // namespace

TestResource TestResource::File(std::string body) {
  TestResource resource;
  resource.body = std::move(body);
  return resource;
}

TestResource TestResource::Redirect(std::string location, int status) {
  TestResource resource;
  resource.status = status;
  resource.location = std::move(location);
  return resource;
}

TestResource TestResource::Reply(int status, std::string body) {
  TestResource resource;
  resource.status = status;
  resource.body = std::move(body);
  return resource;
}

TestResource&& TestResource::WithHeader(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

TestResource&& TestResource::WithBody(std::string text) && {
  body = std::move(text);
  return std::move(*this);
}

TestResource&& TestResource::IgnoringRange() && {
  honour_range = false;
  return std::move(*this);
}

TestResource&& TestResource::WithWrongContentRange() && {
  wrong_content_range = true;
  return std::move(*this);
}

TestResource&& TestResource::FailingFirst(int count, int error) && {
  error_count = count;
  error_status = error;
  return std::move(*this);
}

TestResource&& TestResource::DroppingFirst(int count, int64_t after_bytes) && {
  drop_count = count;
  drop_after = after_bytes;
  return std::move(*this);
}

TestResource&& TestResource::AnnouncingLength(int64_t length) && {
  announced_length = length;
  return std::move(*this);
}

StatusOr<std::unique_ptr<TestHttpServer>> TestHttpServer::Start() {
  // A proxy configured in the environment must not intercept requests to this server.
  ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return InternalError("socket: {}", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    return InternalError("test http server: {}", std::strerror(err));
  }
  std::unique_ptr<TestHttpServer> server(new TestHttpServer(fd, ntohs(addr.sin_port)));
  server->accept_thread_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

TestHttpServer::~TestHttpServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  accept_thread_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(connection_threads_);
  }
  for (std::thread& t : threads) t.join();
}

void TestHttpServer::Serve(const std::string& path, TestResource resource) {
  std::lock_guard<std::mutex> lock(mu_);
  resources_[path] = std::move(resource);
}

std::string TestHttpServer::Url(std::string_view path) const {
  return fmt::format("http://127.0.0.1:{}{}", port_, path);
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<RecordedRequest> TestHttpServer::RequestsFor(std::string_view path) const {
  std::vector<RecordedRequest> matching;
  for (RecordedRequest& r : requests()) {
    if (r.target == path) matching.push_back(std::move(r));
  }
  return matching;
}

void TestHttpServer::AcceptLoop() {
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.insert(fd);
    connection_threads_.emplace_back([this, fd] { HandleConnection(fd); });
  }
}

void TestHttpServer::HandleConnection(int fd) {
  const std::string head = ReadRequestHead(fd);
  RecordedRequest request;
  if (!head.empty() && ParseRequest(head, request)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    Respond(fd, request);
  }
  std::lock_guard<std::mutex> lock(mu_);
  open_fds_.erase(fd);
  ::close(fd);
}

void TestHttpServer::Respond(int fd, const RecordedRequest& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  TestResource resource;
  bool fail = false;
  bool drop = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = resources_.find(path);
    if (it == resources_.end()) {
      resource.status = 404;
      resource.body = "not found\n";
    } else {
      resource = it->second;
      // The failure modes apply to the first requests only: count them down in the stored copy.
      if (it->second.error_count > 0) fail = it->second.error_count-- > 0;
      if (!fail && request.method == "GET" && it->second.drop_count > 0) {
        drop = it->second.drop_count-- > 0;
      }
    }
  }
  if (fail) {
    SendHead(fd, resource.error_status, {}, 0);
    return;
  }
  if (!drop) resource.drop_after = -1;
  if (resource.status == 200) {
    SendFile(fd, request, resource);
    return;
  }
  HeaderList headers = resource.headers;
  if (!resource.location.empty()) headers.emplace_back("Location", resource.location);
  headers.emplace_back("Content-Type", "text/plain");
  if (SendHead(fd, resource.status, headers, static_cast<int64_t>(resource.body.size())) &&
      request.method != "HEAD") {
    SendAll(fd, resource.body);
  }
}

void TestHttpServer::SendFile(int fd, const RecordedRequest& request, TestResource& resource) {
  const std::string_view body = resource.body;
  const int64_t size = static_cast<int64_t>(body.size());
  HeaderList headers = resource.headers;
  headers.emplace_back("Content-Type", "application/octet-stream");
  headers.emplace_back("Accept-Ranges", resource.honour_range ? "bytes" : "none");
  int status = 200;
  int64_t first = 0;
  int64_t last = size - 1;
  const std::optional<std::string_view> range = request.headers.Get("range");
  if (range && resource.honour_range && ParseRange(*range, size, first, last)) {
    if (first >= size) {
      headers.emplace_back("Content-Range", fmt::format("bytes */{}", size));
      SendHead(fd, 416, headers, 0);
      return;
    }
    status = 206;
    if (resource.wrong_content_range) {
      first = 0;
      last = size - 1;
    }
    headers.emplace_back("Content-Range", fmt::format("bytes {}-{}/{}", first, last, size));
  }
  const int64_t length = last - first + 1;
  const int64_t announced = resource.announced_length >= 0 ? resource.announced_length : length;
  if (!SendHead(fd, status, headers, announced) || request.method == "HEAD") return;
  std::string_view part = body.substr(static_cast<size_t>(first), static_cast<size_t>(length));
  if (resource.drop_after >= 0) {
    part = part.substr(0, static_cast<size_t>(std::min<int64_t>(resource.drop_after, length)));
  }
  SendAll(fd, part);
}

}  // namespace savoir::net
