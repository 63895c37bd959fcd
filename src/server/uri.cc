#include "server/uri.h"

namespace savoir::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Strips "scheme://authority" from an absolute-form target, leaving the path and query.
StatusOr<std::string_view> StripAbsoluteForm(std::string_view target) {
  size_t scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return InvalidArgumentError("invalid request target");
  }
  for (char c : target.substr(0, scheme_end)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.';
    if (!ok) return InvalidArgumentError("invalid request target");
  }
  std::string_view rest = target.substr(scheme_end + 3);
  size_t path_start = rest.find_first_of("/?");
  if (path_start == std::string_view::npos) return std::string_view("/");
  if (rest[path_start] == '?') return InvalidArgumentError("invalid request target");
  return rest.substr(path_start);
}

}  // namespace

StatusOr<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return InvalidArgumentError("malformed percent-encoding");
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return InvalidArgumentError("percent-encoded NUL byte");
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (IsUnreserved(u)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

StatusOr<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    SAVOIR_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      SAVOIR_ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1), true));
    }
    params.emplace(std::move(key), std::move(value));
  }
  return params;
}

std::vector<std::string_view> SplitPathSegments(std::string_view raw_path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos < raw_path.size()) {
    size_t slash = raw_path.find('/', pos);
    if (slash == std::string_view::npos) slash = raw_path.size();
    if (slash > pos) segments.push_back(raw_path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return segments;
}

StatusOr<ParsedTarget> ParseTarget(std::string_view target) {
  ParsedTarget parsed;
  if (target == "*") {
    parsed.raw_path = parsed.path = "*";
    return parsed;
  }
  if (target.empty()) return InvalidArgumentError("empty request target");
  if (target.front() != '/') {
    SAVOIR_ASSIGN_OR_RETURN(target, StripAbsoluteForm(target));
  }
  size_t question = target.find('?');
  parsed.raw_path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) parsed.raw_query = target.substr(question + 1);
  size_t hash = parsed.raw_query.find('#');
  if (hash != std::string::npos) parsed.raw_query.resize(hash);
  for (std::string_view segment : SplitPathSegments(parsed.raw_path)) {
    SAVOIR_ASSIGN_OR_RETURN(std::string decoded, PercentDecode(segment, false));
    if (decoded == "." || decoded == "..") {
      return InvalidArgumentError("request path has dot segments");
    }
  }
  SAVOIR_ASSIGN_OR_RETURN(parsed.path, PercentDecode(parsed.raw_path, false));
  SAVOIR_ASSIGN_OR_RETURN(parsed.query, ParseQuery(parsed.raw_query));
  return parsed;
}

}  // namespace savoir::server
