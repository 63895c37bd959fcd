// Serialisation of HTTP/1.1 responses: status line, header fields, body and chunk framing.
//
// The server frames every response itself: Content-Length for complete responses, chunked
// transfer encoding for streams (or, for HTTP/1.0 clients, a body delimited by closing the
// connection), Connection as decided by the keep-alive logic, and X-Request-Id. Header fields
// given by handlers that would break the framing are dropped here.
//
// Thread safety: pure functions.
#ifndef SAVOIR_SERVER_RESPONSE_WRITER_H_
#define SAVOIR_SERVER_RESPONSE_WRITER_H_

#include <string>
#include <string_view>

#include "server/headers.h"
#include "server/http_message.h"

namespace savoir::server {

inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

struct ResponseFraming {
  int request_version = 11;          // 10 or 11
  bool head_request = false;         // HEAD: header only, Content-Length as for GET
  bool keep_alive = true;            // keep the connection open after this response
  std::string_view request_id = {};  // written as X-Request-Id when not empty
};

// The reason phrase for `status` ("Not Found"), or "Unknown".
std::string_view ReasonPhrase(int status);

// True for an RFC 9110 token (header names) / a value without CR, LF or NUL.
bool IsValidHeaderName(std::string_view name);
bool IsValidHeaderValue(std::string_view value);

// The complete response. Statuses outside 100-599 become 500. 1xx, 204 and 304 responses and
// HEAD requests get no body.
std::string SerializeResponse(const HttpResponse& response, const ResponseFraming& framing);

// The head of a streamed response. For HTTP/1.1: Transfer-Encoding: chunked; for HTTP/1.0: no
// length and "Connection: close" (framing.keep_alive is ignored). text/event-stream responses
// get "Cache-Control: no-cache" and "X-Accel-Buffering: no" unless `headers` set them.
std::string SerializeStreamHead(int status, std::string_view content_type, const Headers& headers,
                                const ResponseFraming& framing);

// One chunk of chunked transfer encoding ("1a\r\n<data>\r\n"); `data` must not be empty.
std::string EncodeChunk(std::string_view data);

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_RESPONSE_WRITER_H_
