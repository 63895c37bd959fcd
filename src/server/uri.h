// Request-target parsing: splitting into path and query, percent-decoding, query parameters.
//
// The server accepts origin-form targets ("/path?query") and absolute-form targets
// ("http://host/path?query", whose scheme and authority are dropped), plus "*" for OPTIONS.
// Paths with "." or ".." segments (also percent-encoded) are rejected rather than resolved, so
// that routing and static file serving never see them.
//
// Thread safety: pure functions.
#ifndef SAVOIR_SERVER_URI_H_
#define SAVOIR_SERVER_URI_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::server {

struct ParsedTarget {
  std::string raw_path;  // still percent-encoded, e.g. "/docs/a%20b"
  std::string path;      // decoded, e.g. "/docs/a b"
  std::string raw_query;
  std::map<std::string, std::string> query;  // decoded; the first of repeated keys wins
};

// Decodes %XX escapes; with `plus_as_space`, '+' becomes ' ' (query strings). Returns
// INVALID_ARGUMENT for a malformed escape or an escape that decodes to NUL.
StatusOr<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Percent-encodes every byte outside the RFC 3986 unreserved set.
std::string PercentEncode(std::string_view text);

// Parses "a=1&b=x+y&c" into {a:1, b:"x y", c:""}. INVALID_ARGUMENT on bad escapes.
StatusOr<std::map<std::string, std::string>> ParseQuery(std::string_view query);

// Splits the raw path "/a/b%2Fc/" into raw segments {"a", "b%2Fc"}; a trailing slash and
// repeated slashes produce no empty segments.
std::vector<std::string_view> SplitPathSegments(std::string_view raw_path);

// Parses a request target as described above. INVALID_ARGUMENT for anything else, for dot
// segments and for malformed escapes.
StatusOr<ParsedTarget> ParseTarget(std::string_view target);

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_URI_H_
