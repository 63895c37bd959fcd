// libFuzzer target: the parsers of server-sent header text must accept or reject any input
// without crashing, and what they accept must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/http_headers.h"
#include "net/sha256.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (std::optional<int> status = savoir::net::ParseStatusLine(text)) {
    if (*status < 0 || *status > 999) std::abort();
  }
  if (auto field = savoir::net::ParseHeaderLine(text)) {
    if (field->first.empty()) std::abort();
  }
  if (std::optional<int64_t> length = savoir::net::ParseContentLength(text)) {
    if (*length < 0) std::abort();
  }
  if (auto range = savoir::net::ParseContentRange(text)) {
    const bool unsatisfied = range->first < 0;
    if (unsatisfied && (range->last >= 0 || range->total < 0)) std::abort();
    if (!unsatisfied && range->last < range->first) std::abort();
    if (!unsatisfied && range->total >= 0 && range->last >= range->total) std::abort();
  }
  const std::string sha = savoir::net::Sha256FromEtag(text);
  if (!sha.empty() && !savoir::net::IsSha256Hex(sha)) std::abort();
  return 0;
}
