// TestHttpServer: a small threaded HTTP/1.1 file server on 127.0.0.1, for tests only.
//
// Tests of the HTTP client and of downloads run against it instead of a mock: it speaks real
// HTTP over real loopback sockets, one thread per connection, one request per connection
// ("Connection: close"). Each path is served from a TestResource:
//   - status 200: a file; GET and HEAD, single "Range: bytes=N-" / "bytes=N-M" requests
//     answered with 206 and Content-Range (or 416 past the end), extra headers such as ETag;
//     optional misbehaviour: ignore Range (always 200), answer a range with a Content-Range
//     that does not match, fail the first requests with an error status, or drop the
//     connection after some body bytes for the first requests;
//   - status 3xx: a redirect to `location`;
//   - any other status: that status with `body`.
// Unknown paths get 404. Every request is recorded (method, target, headers) for the test to
// inspect.
//
// Thread safety: all methods may be called from any thread while the server runs.
#ifndef SAVOIR_NET_TESTING_TEST_HTTP_SERVER_H_
#define SAVOIR_NET_TESTING_TEST_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "base/status.h"
#include "net/http_headers.h"

namespace savoir::net {

// What one path serves. Build it with File, Redirect or Reply and chain the modifiers:
//   TestResource::File(bytes).WithHeader("ETag", "\"v1\"").DroppingFirst(1, 300000)
struct TestResource {
  // A file: 200 with `body`, ranges honoured.
  static TestResource File(std::string body);
  // A redirect to `location` (absolute URL or absolute path) with `status` (301, 302, 307...).
  static TestResource Redirect(std::string location, int status = 302);
  // `status` with a text `body`, e.g. 403 or 500.
  static TestResource Reply(int status, std::string body);

  // Adds a response header field, e.g. ("ETag", "\"...\"").
  TestResource&& WithHeader(std::string name, std::string value) &&;
  // Sends `body` with a redirect too (clients must not deliver it).
  TestResource&& WithBody(std::string body) &&;
  // Ignores Range: always 200 with the whole file.
  TestResource&& IgnoringRange() &&;
  // Answers a range request with 206 but with the whole file and its Content-Range from 0.
  TestResource&& WithWrongContentRange() &&;
  // The first `count` requests get `status` (e.g. 503) and no body.
  TestResource&& FailingFirst(int count, int status) &&;
  // The first `count` GET requests announce the full length but close the connection after
  // `after_bytes` body bytes.
  TestResource&& DroppingFirst(int count, int64_t after_bytes) &&;
  // Announces a Content-Length of `length` for the whole file (sending only the real body).
  TestResource&& AnnouncingLength(int64_t length) &&;

  int status = 200;
  std::string body;
  std::string location;
  std::vector<std::pair<std::string, std::string>> headers;
  bool honour_range = true;
  bool wrong_content_range = false;
  int error_count = 0;
  int error_status = 503;
  int drop_count = 0;
  int64_t drop_after = 0;
  int64_t announced_length = -1;
};

struct RecordedRequest {
  std::string method;
  std::string target;
  HttpHeaders headers;
};

class TestHttpServer {
 public:
  // Listens on 127.0.0.1 on a free port. INTERNAL if the socket cannot be set up. Sets
  // no_proxy (and NO_PROXY) to "127.0.0.1,localhost" so that a proxy configured in the
  // environment does not intercept the test's requests.
  static StatusOr<std::unique_ptr<TestHttpServer>> Start();
  // Stops accepting, closes open connections and joins every thread.
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Serves `resource` at `path` (e.g. "/models/a.gguf"), replacing any previous one.
  void Serve(const std::string& path, TestResource resource);

  // "http://127.0.0.1:<port>" + path.
  std::string Url(std::string_view path) const;
  int port() const { return port_; }

  // Requests received so far, in arrival order; RequestsFor keeps those for one path.
  std::vector<RecordedRequest> requests() const;
  std::vector<RecordedRequest> RequestsFor(std::string_view path) const;

 private:
  TestHttpServer(int listen_fd, int port) : listen_fd_(listen_fd), port_(port) {}
  void AcceptLoop();
  void HandleConnection(int fd);
  void Respond(int fd, const RecordedRequest& request);
  void SendFile(int fd, const RecordedRequest& request, TestResource& resource);

  const int listen_fd_;
  const int port_;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;

  mutable std::mutex mu_;
  std::map<std::string, TestResource, std::less<>> resources_;  // guarded by mu_
  std::vector<RecordedRequest> requests_;                       // guarded by mu_
  std::vector<std::thread> connection_threads_;                 // guarded by mu_
  std::set<int> open_fds_;                                      // guarded by mu_
};

}  // namespace savoir::net

#endif  // SAVOIR_NET_TESTING_TEST_HTTP_SERVER_H_
