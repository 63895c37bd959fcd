// DownloadFile: fetches one URL into a file, resumably, and installs it only once verified.
//
// The bytes go to `<destination>.part` (locked with flock while a download runs, so that two
// processes never write the same file). An existing .part is resumed: its bytes are hashed,
// then a "Range: bytes=N-" request asks for the rest. The server must honour it -- 206 with a
// Content-Range starting at N -- otherwise the download restarts from zero (a 200 answer is
// used as the new start; a mismatched 206 is dropped and fetched again without Range).
// Transient failures (HTTP 408, 429 and 5xx; once the server has answered, dropped or refused
// connections and timeouts) are retried with exponential backoff, each retry resuming where
// the last one stopped; the count of consecutive failures resets whenever an attempt made
// progress. A transport error before any answer (unknown host, connection refused) is
// returned at once.
//
// When the transfer completes, the file must have the size announced by Content-Length or the
// Content-Range total, and the SHA-256 computed while downloading must equal the expected one:
// `expected_sha256` if given, else (with `sha256_from_etag`) a 64-hex X-Linked-Etag or ETag of
// the response chain, as Hugging Face sends for LFS files. Then `verify` runs on the .part,
// and only then is it renamed over the destination (atomic in one directory; the file and
// the directory are fsynced). A corrupt file never appears under the destination name.
//
// What is left behind on failure: after a checksum mismatch or a failed `verify` the .part is
// deleted (its bytes are known bad, resuming would reproduce them); after any other failure
// (network, HTTP error, disk full) a non-empty .part is kept so that the next run resumes it.
//
// Errors (one line, naming the URL or file):
//   NOT_FOUND (HTTP 404: "not found: URL"), UNAUTHENTICATED (401), PERMISSION_DENIED (403),
//   UNAVAILABLE / DEADLINE_EXCEEDED (transient, after `max_attempts`), ALREADY_EXISTS
//   (destination exists and `replace_existing` is false), FAILED_PRECONDITION (another
//   process downloads the same file, unexpected HTTP status), RESOURCE_EXHAUSTED (disk full),
//   DATA_LOSS (checksum or size mismatch), INVALID_ARGUMENT (bad options), whatever `verify`
//   returns, INTERNAL (file system errors).
//
// Thread safety: DownloadFile may run on several threads at once with distinct clients; the
// callbacks run on the calling thread.
#ifndef SAVOIR_NET_DOWNLOAD_H_
#define SAVOIR_NET_DOWNLOAD_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "net/http_client.h"
#include "net/http_headers.h"

namespace savoir::net {

struct DownloadProgress {
  // Bytes in the partial file, resumed ones included.
  int64_t bytes = 0;
  // Expected final size; -1 while unknown.
  int64_t total = -1;
  // Seconds since DownloadFile started.
  double elapsed_s = 0;
  // True on the last call, once all bytes are in.
  bool done = false;
};

struct DownloadOptions {
  std::string url;
  // The final path. Its directory must exist.
  std::string destination;
  // Extra request headers (e.g. "Authorization: Bearer ..."); curl does not forward an
  // Authorization header to another host on redirect.
  HttpHeaders headers;
  // Expected SHA-256 as 64 hex digits (either case); empty if unknown.
  std::string expected_sha256;
  // Take a 64-hex X-Linked-Etag, else ETag, as the expected SHA-256 when none is given.
  bool sha256_from_etag = true;
  // Replace an existing destination instead of failing with ALREADY_EXISTS.
  bool replace_existing = false;
  // Consecutive failed attempts before giving up (at least 1).
  int max_attempts = 5;
  // Wait before the first retry; doubled after each failure, at most `max_backoff`.
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  // Called at most every 100 ms while bytes arrive, and once with done = true. May be empty.
  std::function<void(const DownloadProgress&)> on_progress;
  // Called with one-line notes (resuming, retrying, restarting); empty: logged at info level.
  std::function<void(std::string_view)> on_notice;
  // Checks the complete, checksum-verified .part file before it is installed. May be empty.
  std::function<Status(const std::string& path)> verify;
};

struct DownloadResult {
  std::string path;
  int64_t size = 0;
  // SHA-256 of the installed file, lower-case hex.
  std::string sha256;
  // Where the checked SHA-256 came from: "expected", "x-linked-etag", "etag"; empty when
  // there was nothing to check against.
  std::string sha256_source;
  // Bytes that were already in the .part file when the download started.
  int64_t resumed_from = 0;
  // HTTP exchanges made (redirects not counted).
  int requests = 0;
};

// Downloads `options.url` to `options.destination` as described above.
StatusOr<DownloadResult> DownloadFile(HttpClient& client, const DownloadOptions& options);

// `destination` + ".part": where DownloadFile keeps the bytes until they are verified.
std::string PartialPath(const std::string& destination);

}  // namespace savoir::net

#endif  // SAVOIR_NET_DOWNLOAD_H_
