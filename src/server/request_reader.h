// Incremental HTTP/1.x request parsing with limits, shared by the server and the fuzzer.
//
// RequestReader turns the bytes of one request, presented as they arrive, into an
// HttpRequest, or into a ProtocolError that the server answers before closing the connection:
//   malformed request line, header or chunk framing,
//   an HTTP version other than 1.0 and 1.1              400
//   request target that does not parse (see uri.h)      400
//   HTTP/1.1 without exactly one Host field             400
//   header section of max_header_bytes or more          431
//   body over the limit (Content-Length checked before
//   any body byte is read; chunked bodies as they come)  413
//   an Expect other than 100-continue                   417
// The parser is Boost.Beast's basic_parser; this class adds the limits, the checks above and
// the conversion into savoir types. The connection feeds socket bytes through it; the fuzz
// target feeds arbitrary bytes through the very same code.
//
// Usage: call Parse with all bytes received and not yet consumed (unconsumed bytes must be
// presented again, followed by new ones). Parse returns kHeadDone once, when the header is
// complete; the caller may then look at head(), choose the body limit with SetBodyLimit (else
// the default applies) and call Parse again until kComplete or kFailed. Bytes after the end of
// the request are left unconsumed (pipelining).
//
// Thread safety: none; one reader per request, used by one thread at a time.
#ifndef SAVOIR_SERVER_REQUEST_READER_H_
#define SAVOIR_SERVER_REQUEST_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "server/http_message.h"
#include "server/uri.h"

namespace savoir::server {

// A failure answered with `http_status` and then the connection is closed.
struct ProtocolError {
  int http_status = 400;
  Status status;
  std::string code;  // machine-readable code for the error body, e.g. "request_too_large"
};

// The JSON error response for a ProtocolError (through ErrorResponse).
HttpResponse ProtocolErrorResponse(const ProtocolError& error);

struct RequestLimits {
  size_t max_header_bytes = size_t{16} * 1024;
  size_t max_body_bytes = size_t{8} * 1024 * 1024;  // default when SetBodyLimit is not called
};

// What is known once the header is complete.
struct RequestHead {
  std::string method;
  std::string target;
  ParsedTarget parsed_target;
  int version = 11;
  bool keep_alive = true;
  std::optional<uint64_t> content_length;
  bool chunked = false;
  bool expect_continue = false;                    // "Expect: 100-continue"
  std::optional<std::string> incoming_request_id;  // the X-Request-Id field, if any
};

class RequestReader {
 public:
  enum class State { kNeedMore, kHeadDone, kComplete, kFailed };

  explicit RequestReader(RequestLimits limits);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Parses from the start of `data`; adds the number of bytes consumed to `*consumed`.
  State Parse(std::string_view data, size_t* consumed);

  // Valid after kHeadDone. Sets the body limit for this request; returns false (and the
  // reader fails with 413) when the announced Content-Length exceeds it.
  bool SetBodyLimit(size_t max_body_bytes);

  State state() const { return state_; }
  // True once any byte of a request was presented (so an end of stream is not a clean close).
  bool received_any() const;
  // True once the header is complete (head() is then filled, except after a failed check).
  bool header_done() const;
  // True when the body is still to come (after kHeadDone): the moment for "100 Continue".
  bool body_pending() const;
  const RequestHead& head() const { return head_; }
  const ProtocolError& error() const { return error_; }

  // After kComplete: moves the request out (method, target, path, query, headers, body,
  // version). request_id, remote_address and path_params are left to the caller.
  HttpRequest TakeRequest();

 private:
  class Parser;

  State Fail(ProtocolError error);
  State OnHeader();

  RequestLimits limits_;
  std::unique_ptr<Parser> parser_;
  State state_ = State::kNeedMore;
  bool head_reported_ = false;
  bool body_limit_set_ = false;
  RequestHead head_;
  ProtocolError error_;
};

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_REQUEST_READER_H_
