#include "server/response_writer.h"

#include <fmt/format.h>

#include <boost/beast/http/status.hpp>

namespace savoir::server {
namespace {

bool IsReservedField(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "X-Request-Id") ||
         EqualsIgnoreCase(name, "Content-Type") || EqualsIgnoreCase(name, "Keep-Alive");
}

int SanitizeStatus(int status) { return status >= 100 && status <= 599 ? status : 500; }

bool StatusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

// Status line, Content-Type, the handler's fields, X-Request-Id; without the framing fields.
std::string CommonHead(int status, std::string_view content_type, const Headers& headers,
                       const ResponseFraming& framing) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", status, ReasonPhrase(status));
  if (StatusHasBody(status) && !content_type.empty() && IsValidHeaderValue(content_type)) {
    fmt::format_to(std::back_inserter(out), "Content-Type: {}\r\n", content_type);
  }
  for (const auto& [name, value] : headers) {
    if (IsReservedField(name) || !IsValidHeaderName(name) || !IsValidHeaderValue(value)) continue;
    fmt::format_to(std::back_inserter(out), "{}: {}\r\n", name, value);
  }
  if (!framing.request_id.empty() && IsValidHeaderValue(framing.request_id)) {
    fmt::format_to(std::back_inserter(out), "X-Request-Id: {}\r\n", framing.request_id);
  }
  return out;
}

void AppendConnection(std::string& out, const ResponseFraming& framing) {
  if (!framing.keep_alive) {
    out += "Connection: close\r\n";
  } else if (framing.request_version == 10) {
    out += "Connection: keep-alive\r\n";
  }
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  boost::beast::string_view reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return std::string_view(reason.data(), reason.size());
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string SerializeResponse(const HttpResponse& response, const ResponseFraming& framing) {
  int status = SanitizeStatus(response.status);
  std::string out = CommonHead(status, response.content_type, response.headers, framing);
  bool has_body = StatusHasBody(status);
  if (has_body)
    fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", response.body.size());
  AppendConnection(out, framing);
  out += "\r\n";
  if (has_body && !framing.head_request) out += response.body;
  return out;
}

std::string SerializeStreamHead(int status, std::string_view content_type, const Headers& headers,
                                const ResponseFraming& framing) {
  status = SanitizeStatus(status);
  Headers extra = headers;
  if (content_type.substr(0, 17) == "text/event-stream") {
    if (!extra.Has("Cache-Control")) extra.Add("Cache-Control", "no-cache");
    if (!extra.Has("X-Accel-Buffering")) extra.Add("X-Accel-Buffering", "no");
  }
  std::string out = CommonHead(status, content_type, extra, framing);
  if (framing.request_version == 10) {
    out += "Connection: close\r\n";
  } else {
    out += "Transfer-Encoding: chunked\r\n";
    AppendConnection(out, framing);
  }
  out += "\r\n";
  return out;
}

std::string EncodeChunk(std::string_view data) {
  std::string out = fmt::format("{:x}\r\n", data.size());
  out.reserve(out.size() + data.size() + 2);
  out += data;
  out += "\r\n";
  return out;
}

}  // namespace savoir::server
