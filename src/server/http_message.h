// The request, response and responder types that HTTP handlers see.
//
// A handler receives a fully read HttpRequest and a Responder. It answers either at once with
// Responder::Send, or later from any thread (e.g. when the inference scheduler produced the
// text), or streams the answer with StartStream/Write/End (chunked transfer encoding; used for
// Server-Sent Events). The server owns the socket; the Responder is the handler's only handle
// on it and stays safe to use after the client or the whole server went away (its calls then do
// nothing and Write returns false).
//
// Thread safety: HttpRequest and HttpResponse are plain values. Every Responder method may be
// called from any thread.
#ifndef SAVOIR_SERVER_HTTP_MESSAGE_H_
#define SAVOIR_SERVER_HTTP_MESSAGE_H_

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "server/headers.h"

namespace savoir::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ... exactly as sent (methods are case-sensitive)
  std::string target;  // raw request target, e.g. "/v1/models?x=1"
  std::string path;    // percent-decoded path without the query, e.g. "/v1/models"
  std::map<std::string, std::string> query;        // decoded; the first of repeated keys wins
  std::map<std::string, std::string> path_params;  // from route patterns like "/docs/{id}"
  Headers headers;
  std::string body;
  // From a valid incoming X-Request-Id header (1-128 of [A-Za-z0-9._:-]), else generated
  // (16 lower-case hex digits, unique within the server's lifetime).
  std::string request_id;
  std::string remote_address;  // "ip:port" of the peer
  int version = 11;            // HTTP version times ten: 10 or 11
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  // Extra fields. The server writes Content-Length, Transfer-Encoding, Connection and
  // X-Request-Id itself and drops fields of those names given here, as well as any field
  // whose name or value could break the response framing (CR, LF, NUL).
  Headers headers;
  std::string body;

  // `body` serialised compactly (invalid UTF-8 is replaced, never thrown on).
  static HttpResponse Json(int status, const nlohmann::json& body);
  static HttpResponse Text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
};

// The handler's handle on one request's response. Held by shared_ptr: by the handler and by
// whoever finishes the answer later (e.g. the scheduler). Thread-safe.
//
// A response is either complete (Send, once) or streamed (StartStream, then any number of
// Write, then End). If the last reference is dropped without an answer, the server answers 500;
// if it is dropped in the middle of a stream, the connection is closed without the final
// chunk so that the client sees a truncated response.
class Responder {
 public:
  virtual ~Responder() = default;

  // Sends a complete response. Only the first answer counts: a Send after Send or End is
  // ignored, and a Send in the middle of a stream aborts the connection (the stream cannot be
  // finished in a well-formed way any more). Does nothing once the client is gone.
  virtual void Send(HttpResponse response) = 0;

  // Starts a chunked response (for HTTP/1.0 clients: a response delimited by closing the
  // connection). For Server-Sent Events pass "text/event-stream"; the server then adds
  // "Cache-Control: no-cache" and "X-Accel-Buffering: no" unless `headers` sets them. Returns
  // false if the client is gone or the response was already started.
  virtual bool StartStream(int status, std::string content_type, Headers headers = {}) = 0;

  // Queues `data` as one chunk after StartStream; it is sent without buffering delays. Returns
  // false once the client is gone, when no stream is open, or when the connection's queue of
  // unsent bytes would exceed ServerOptions::max_queued_write_bytes (the client is then too
  // slow: it is disconnected rather than letting memory grow). An empty `data` does nothing.
  virtual bool Write(std::string data) = 0;

  // Finishes the stream (sends the last chunk). Idempotent; does nothing without a stream.
  virtual void End() = 0;

  // True once the client went away (or the server closed the connection) before the response
  // was completely written.
  virtual bool Disconnected() const = 0;

  // Registers the callback that runs once if the client goes away before the response is
  // complete. It runs on a server I/O thread (it must not block) or, when the client is
  // already gone, at once on the calling thread. A later call replaces an earlier callback.
  virtual void OnDisconnect(std::function<void()> callback) = 0;

  virtual const std::string& request_id() const = 0;
};

using Handler = std::function<void(HttpRequest& request, std::shared_ptr<Responder> responder)>;

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_HTTP_MESSAGE_H_
