// A deliberately simple HTTP/1.1 client on raw POSIX sockets, for testing the server.
//
// TestHttpClient writes exactly the bytes a test gives it (so tests can send malformed,
// partial, pipelined or oversized requests) and reads responses with a small parser of its
// own: status line, header fields, and a body framed by Content-Length, chunked encoding or
// the end of the connection. Every read has a deadline, so a server bug fails a test instead
// of hanging it. Not thread-safe; one client per thread.
#ifndef SAVOIR_SERVER_TESTING_TEST_HTTP_CLIENT_H_
#define SAVOIR_SERVER_TESTING_TEST_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "server/headers.h"

namespace savoir::server::testutil {

struct TestResponse {
  int status = 0;
  Headers headers;
  std::string body;                 // de-chunked
  std::vector<std::string> chunks;  // for chunked responses, each chunk as received
  bool chunked = false;
};

class TestHttpClient {
 public:
  // Connects to 127.0.0.1:`port`.
  static StatusOr<TestHttpClient> Connect(uint16_t port);

  TestHttpClient(TestHttpClient&& other) noexcept;
  TestHttpClient& operator=(TestHttpClient&& other) noexcept;
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;
  ~TestHttpClient();

  // The deadline of each read below (default 5 s).
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // Shrinks the kernel receive buffer (to make a slow reader quickly).
  void SetReceiveBuffer(int bytes);

  // Sends all of `bytes`. UNAVAILABLE if the server closed or reset the connection.
  Status Send(std::string_view bytes);

  // Reads one response; interim 1xx responses are returned too (call again for the final
  // one). With `head_request`, no body is read. DEADLINE_EXCEEDED on timeout, UNAVAILABLE if
  // the connection closes before a complete response.
  StatusOr<TestResponse> ReadResponse(bool head_request = false);
  // Reads only the status line and header fields.
  StatusOr<TestResponse> ReadHead();
  // After ReadHead of a chunked response: the next chunk's data ("" for the last chunk).
  StatusOr<std::string> ReadChunk();

  // Waits until the server closes the connection (discarding any data); false on timeout.
  bool WaitForClose(std::chrono::milliseconds timeout);
  // Bytes received and not yet parsed.
  const std::string& pending() const { return buffer_; }

  void ShutdownWrite();
  void Close();

 private:
  explicit TestHttpClient(int fd) : fd_(fd) {}
  // Reads more bytes into buffer_ before `deadline`; 0 on close, -1 on timeout or error.
  int Fill(std::chrono::steady_clock::time_point deadline);
  Status ReadUntil(std::string_view delimiter, std::chrono::steady_clock::time_point deadline,
                   std::string* out);
  Status ReadExactly(size_t n, std::chrono::steady_clock::time_point deadline, std::string* out);

  int fd_ = -1;
  std::chrono::milliseconds timeout_{5000};
  std::string buffer_;
};

// Sends `request` on a new connection and reads one (final) response.
StatusOr<TestResponse> RoundTrip(uint16_t port, std::string_view request);

// "GET <path> HTTP/1.1" with Host and the given extra header lines (each ending in "\r\n").
std::string GetRequest(std::string_view path, std::string_view extra_headers = "");

}  // namespace savoir::server::testutil

#endif  // SAVOIR_SERVER_TESTING_TEST_HTTP_CLIENT_H_
