// HTTP/1.1 header values that downloads depend on, parsed strictly.
//
// HttpHeaders keeps the header fields of one response in arrival order with lower-cased names.
// The parsers read a status line ("HTTP/1.1 206 Partial Content", "HTTP/2 200"), one header
// line ("Content-Range: bytes 0-99/1000"), Content-Length, Content-Range (RFC 9110 section
// 14.4) and the SHA-256 that Hugging Face puts in the ETag / X-Linked-Etag of LFS files. They
// take untrusted server input and return nullopt (or an empty string) for anything malformed,
// never throwing and never reading out of bounds.
//
// Thread safety: pure functions; HttpHeaders is a value type.
#ifndef SAVOIR_NET_HTTP_HEADERS_H_
#define SAVOIR_NET_HTTP_HEADERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace savoir::net {

class HttpHeaders {
 public:
  // Appends a field; `name` is stored lower-cased, `value` as given.
  void Add(std::string_view name, std::string_view value);

  // The value of the first field named `name` (any case), or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;

  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// The status code of "HTTP/<version> <3 digits>[ reason]", or nullopt.
std::optional<int> ParseStatusLine(std::string_view line);

// Splits "Name: value\r\n" into its lower-cased name and its value without surrounding
// whitespace; nullopt for a line without a colon or with an empty or invalid name.
std::optional<std::pair<std::string, std::string>> ParseHeaderLine(std::string_view line);

// A non-negative decimal integer that fits in int64, as Content-Length carries; nullopt
// otherwise.
std::optional<int64_t> ParseContentLength(std::string_view value);

struct ContentRange {
  // The bytes sent, inclusive; both -1 for the "bytes */total" form of a 416 response.
  int64_t first = -1;
  int64_t last = -1;
  // The size of the whole resource, -1 when the server sent "*".
  int64_t total = -1;
};

// Parses "bytes first-last/total", "bytes first-last/*" and "bytes */total". Rejects
// last < first, last >= total, and a missing total in the unsatisfied form.
std::optional<ContentRange> ParseContentRange(std::string_view value);

// The lower-case SHA-256 hex in an entity tag such as "\"<64 hex>\"" (Hugging Face's ETag or
// X-Linked-Etag for LFS files); empty when the tag is weak (W/) or is not 64 hex digits.
std::string Sha256FromEtag(std::string_view etag);

}  // namespace savoir::net

#endif  // SAVOIR_NET_HTTP_HEADERS_H_
