#include "support/http_test_client.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "support/subprocess.h"

namespace savoir::testing {

HttpResult ParseHttpResponse(const std::string& raw) {
  HttpResult r;
  r.status = StatusOf(raw);
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    size_t start = line.find_first_not_of(' ', colon + 1);
    r.headers[name] = start == std::string::npos ? "" : line.substr(start);
  }
  std::string body = raw.substr(head_end + 4);
  if (r.headers["transfer-encoding"] != "chunked") {
    r.body = body;
    return r;
  }
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find("\r\n", pos);
    if (eol == std::string::npos) break;
    size_t size = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) break;
    r.body += body.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return r;
}

HttpResult Request(int port, const std::string& method, const std::string& path,
                   const std::string& body, const std::map<std::string, std::string>& headers) {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") {
    raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n";
  }
  raw += "\r\n" + body;
  return ParseHttpResponse(RawHttp(port, raw, std::chrono::seconds(120)));
}

std::vector<std::string> SseData(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) == 0) out.push_back(line.substr(6));
  }
  return out;
}

}  // namespace savoir::testing
