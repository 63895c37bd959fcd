#include "net/http_headers.h"

#include <charconv>

#include "net/sha256.h"

namespace savoir::net {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 9110 token characters.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<int64_t> ParseDecimal(std::string_view s) {
  if (!IsDigits(s)) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

void HttpHeaders::Add(std::string_view name, std::string_view value) {
  std::string lower(name);
  for (char& c : lower) c = Lower(c);
  entries_.emplace_back(std::move(lower), std::string(value));
}

std::optional<std::string_view> HttpHeaders::Get(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<int> ParseStatusLine(std::string_view line) {
  line = Trim(line);
  if (line.substr(0, 5) != "HTTP/") return std::nullopt;
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(space + 1);
  const std::string_view code = rest.substr(0, 3);
  if (code.size() != 3 || !IsDigits(code)) return std::nullopt;
  if (rest.size() > 3 && rest[3] != ' ') return std::nullopt;
  return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

std::optional<std::pair<std::string, std::string>> ParseHeaderLine(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view name = line.substr(0, colon);
  for (char c : name) {
    if (!IsTokenChar(c)) return std::nullopt;
  }
  std::string lower(name);
  for (char& c : lower) c = Lower(c);
  return std::make_pair(std::move(lower), std::string(Trim(line.substr(colon + 1))));
}

std::optional<int64_t> ParseContentLength(std::string_view value) {
  return ParseDecimal(Trim(value));
}

std::optional<ContentRange> ParseContentRange(std::string_view value) {
  value = Trim(value);
  if (!EqualsIgnoreCase(value.substr(0, 6), "bytes ")) return std::nullopt;
  value = Trim(value.substr(6));
  const size_t slash = value.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view range = value.substr(0, slash);
  const std::string_view total = value.substr(slash + 1);
  ContentRange result;
  if (total != "*") {
    std::optional<int64_t> t = ParseDecimal(total);
    if (!t) return std::nullopt;
    result.total = *t;
  }
  if (range == "*") {
    if (result.total < 0) return std::nullopt;
    return result;
  }
  const size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::optional<int64_t> first = ParseDecimal(range.substr(0, dash));
  std::optional<int64_t> last = ParseDecimal(range.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  if (result.total >= 0 && *last >= result.total) return std::nullopt;
  result.first = *first;
  result.last = *last;
  return result;
}

std::string Sha256FromEtag(std::string_view etag) {
  etag = Trim(etag);
  if (etag.substr(0, 2) == "W/") return "";
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  if (!IsSha256Hex(etag)) return "";
  std::string hex(etag);
  for (char& c : hex) c = Lower(c);
  return hex;
}

}  // namespace savoir::net
