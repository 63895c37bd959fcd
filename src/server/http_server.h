// The HTTP/1.1 server of savoir: asynchronous (Boost.Asio/Beast), a fixed pool of I/O threads.
//
// HttpServer accepts connections on one address and serves them with `io_threads` threads
// however many connections are open: an idle keep-alive connection or a slow Server-Sent
// Events stream costs a socket and a few kilobytes, not a thread. Each connection runs on its
// own strand (so its state needs no lock) and handles one request at a time: requests
// pipelined by the client are read ahead (bounded) and answered in order.
//
// Per request, the server reads the head (limit max_header_bytes → 431), matches the route,
// checks the body size against the route's limit (→ 413, before reading the body when the
// length is announced), answers "100 Continue" when asked, reads the body (the whole request
// within read_timeout → 408), gives the request an id (X-Request-Id) and calls the handler on
// an I/O thread. Handlers must not block: long work (inference) goes to other threads, which
// answer through the Responder. Malformed requests get 400. Every response carries
// X-Request-Id and every request produces one access-log line (base/logging.h, info:
// method, path, status, bytes, ms, request_id, remote). Errors are JSON bodies made by
// ErrorResponse. While a handler works or a response streams, the server keeps reading the
// socket, so a client that closes is noticed at once (Responder::OnDisconnect fires); note
// that a client half-closing its side is taken for gone.
//
// Thread safety: Start, port and Stop may be called from any thread except the server's own
// I/O threads (i.e. not from a handler or Responder callback: Stop waits for those threads).
#ifndef SAVOIR_SERVER_HTTP_SERVER_H_
#define SAVOIR_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/router.h"

namespace savoir::server {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address or a resolvable name
  uint16_t port = 8080;            // 0: pick a free port (see HttpServer::port)
  int io_threads = 2;
  size_t max_header_bytes = size_t{16} * 1024;      // request line + header fields; more → 431
  size_t max_body_bytes = size_t{8} * 1024 * 1024;  // more → 413, unless the route allows more
  // The whole request (head and body) must arrive within this time of its first byte, and a
  // new connection must send its first request within it → 408, then the connection closes.
  std::chrono::milliseconds read_timeout{30000};
  // A keep-alive connection idle for this long between requests is closed (silently).
  std::chrono::milliseconds idle_timeout{60000};
  // A response write that makes no progress for this long closes the connection.
  std::chrono::milliseconds write_timeout{60000};
  // More connections are answered 503 and closed.
  size_t max_connections = 10000;
  // Streamed bytes accepted by Responder::Write but not yet sent, per connection; beyond this
  // the client is too slow and is disconnected.
  size_t max_queued_write_bytes = size_t{4} * 1024 * 1024;
};

class HttpServer {
 public:
  // Binds options.host:options.port and starts the I/O threads. UNAVAILABLE if the address
  // cannot be bound (e.g. the port is taken), INVALID_ARGUMENT for a bad host or options.
  // `router` must not be null; it is shared with the caller, who may still add routes.
  static StatusOr<std::unique_ptr<HttpServer>> Start(ServerOptions options,
                                                     std::shared_ptr<Router> router);

  // Stops the server (Stop with a grace of 5 s, if not stopped yet).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  uint16_t port() const;

  // Number of open connections (for metrics and tests).
  size_t connection_count() const;

  // Stops accepting, closes idle connections, lets requests in flight and streams finish (they
  // are answered with "Connection: close") for up to `grace`, then closes the remaining
  // connections (their Responders report Disconnected and fire OnDisconnect) and joins the
  // I/O threads. Responders kept by other threads stay safe to call afterwards. Idempotent;
  // thread-safe; blocks until done; must not be called from an I/O thread.
  void Stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_HTTP_SERVER_H_
