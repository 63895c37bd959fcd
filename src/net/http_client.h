// HttpClient: HTTP/1.1 and HTTP/2 GET requests over TLS, on libcurl.
//
// One client owns one libcurl easy handle, so consecutive requests to the same host reuse the
// connection. It verifies TLS certificates against the system store, follows up to
// `max_redirects` redirects (only to http and https URLs; an Authorization header is not sent
// on to another host), gives up on a connection that cannot be opened within
// `connect_timeout` or a transfer that stays below `low_speed_bytes_per_s` for
// `low_speed_time`, and honours the usual proxy environment variables (http_proxy,
// https_proxy, all_proxy, no_proxy) as curl does. No curl type appears in this header.
//
// Responses are returned whatever their HTTP status: a 404 is a response, not an error.
// Errors are transport failures, as one-line Statuses naming the URL:
//   UNAVAILABLE         the host cannot be resolved or reached, the connection dropped, the
//                       response was cut short (transient: worth retrying);
//   DEADLINE_EXCEEDED   connect or low-speed timeout (transient);
//   FAILED_PRECONDITION TLS failure, too many redirects, malformed response;
//   INVALID_ARGUMENT    malformed URL or unsupported scheme;
//   anything a handler callback returned, unchanged (it aborts the transfer).
//
// Thread safety: a client serves one request at a time; use one client per thread.
#ifndef SAVOIR_NET_HTTP_CLIENT_H_
#define SAVOIR_NET_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/http_headers.h"

namespace savoir::net {

struct HttpClientOptions {
  // Sent as User-Agent, e.g. "savoir/0.1.0".
  std::string user_agent = "savoir";
  std::chrono::milliseconds connect_timeout{15000};
  // A transfer that moves fewer than `low_speed_bytes_per_s` bytes per second for
  // `low_speed_time` is aborted with DEADLINE_EXCEEDED. 0 disables the check.
  int64_t low_speed_bytes_per_s = 1024;
  std::chrono::seconds low_speed_time{60};
  int max_redirects = 10;
};

struct HttpRequest {
  std::string url;
  // Extra request header fields (e.g. Authorization).
  HttpHeaders headers;
  // When >= 0, asks for the bytes from this offset on ("Range: bytes=N-").
  int64_t range_start = -1;
};

struct HttpResponseHead {
  int status = 0;
  HttpHeaders headers;
};

struct HttpResponse {
  // The last response: the one whose body was delivered.
  HttpResponseHead head;
  // Responses before the last one, in order (the redirects that were followed).
  std::vector<HttpResponseHead> intermediate;
  // The URL of the last response.
  std::string url;
  // The body, filled by Get() only.
  std::string body;
};

// Callbacks of a streamed request. Either may return an error, which aborts the transfer and
// becomes the result of Stream().
struct HttpStreamHandler {
  // Called exactly once per successful exchange, with the last response's head (and the
  // redirect chain) before any of its body, whatever the status. May be empty.
  std::function<Status(const HttpResponse&)> on_head;
  // Called with consecutive pieces of the last response's body. May be empty.
  std::function<Status(std::string_view)> on_body;
};

class HttpClient {
 public:
  // INTERNAL if libcurl cannot be initialised.
  static StatusOr<std::unique_ptr<HttpClient>> Create(const HttpClientOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs a GET, delivering the body to `handler` as it arrives. Returns the response
  // head (body empty) or an error as described above.
  StatusOr<HttpResponse> Stream(const HttpRequest& request, const HttpStreamHandler& handler);

  // Performs a GET and returns the body in memory; RESOURCE_EXHAUSTED if it exceeds
  // `max_body_bytes`.
  StatusOr<HttpResponse> Get(const HttpRequest& request, size_t max_body_bytes);

  const HttpClientOptions& options() const { return options_; }

 private:
  struct Handle;
  HttpClient(const HttpClientOptions& options, std::unique_ptr<Handle> handle);

  HttpClientOptions options_;
  std::unique_ptr<Handle> handle_;
};

// True for the error codes a download should retry: UNAVAILABLE and DEADLINE_EXCEEDED.
bool IsTransient(const Status& status);

}  // namespace savoir::net

#endif  // SAVOIR_NET_HTTP_CLIENT_H_
