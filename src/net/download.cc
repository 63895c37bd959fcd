#include "net/download.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include "base/logging.h"
#include "net/sha256.h"

namespace savoir::net {
namespace {

using Clock = std::chrono::steady_clock;

// A server that keeps answering range requests wrongly is not worth more restarts.
constexpr int kMaxRestarts = 3;
constexpr auto kProgressInterval = std::chrono::milliseconds(100);

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  void Reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string DirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// The SHA-256 a response chain announces: X-Linked-Etag of any response first (Hugging Face
// puts it on its redirect to the CDN), then the ETag of the last response, then of the others.
std::pair<std::string, std::string> AnnouncedSha256(const HttpResponse& response) {
  std::vector<const HttpResponseHead*> heads = {&response.head};
  for (auto it = response.intermediate.rbegin(); it != response.intermediate.rend(); ++it) {
    heads.push_back(&*it);
  }
  for (const char* name : {"x-linked-etag", "etag"}) {
    for (const HttpResponseHead* head : heads) {
      std::string sha = Sha256FromEtag(head->headers.Get(name).value_or(""));
      if (!sha.empty()) return {std::move(sha), name};
    }
  }
  return {};
}

Status HttpStatusError(int status, const std::string& url) {
  if (status == 404 || status == 410) return NotFoundError("not found: {}", url);
  if (status == 401) return UnauthenticatedError("unauthorized (HTTP 401): {}", url);
  if (status == 403) return PermissionDeniedError("forbidden (HTTP 403): {}", url);
  if (status == 408 || status == 429 || status >= 500) {
    return UnavailableError("HTTP {} from {}", status, url);
  }
  return FailedPreconditionError("unexpected HTTP status {} from {}", status, url);
}

Status FileError(const std::string& what, const std::string& path, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    return ResourceExhaustedError("disk full while writing {}", path);
  }
  if (err == EACCES || err == EPERM || err == EROFS) {
    return PermissionDeniedError("cannot {} {}: {}", what, path, std::strerror(err));
  }
  if (err == ENOENT) return NotFoundError("cannot {} {}: no such directory", what, path);
  return InternalError("cannot {} {}: {}", what, path, std::strerror(err));
}

class Downloader {
 public:
  Downloader(HttpClient& client, const DownloadOptions& options)
      : client_(client), options_(options), part_(PartialPath(options.destination)) {}

  StatusOr<DownloadResult> Run();

 private:
  Status OpenPart();
  Status Loop();
  Status Attempt();
  Status OnHead(const HttpResponse& response, int64_t range_start);
  Status OnRangeNotSatisfiable(const HttpResponse& response);
  Status NoteValidators(const HttpResponse& response);
  Status OnBody(std::string_view data);
  Status TruncateToZero();
  Status CheckDiskSpace() const;
  Status Install(DownloadResult& result);
  void Notice(const std::string& message) const;
  void ReportProgress(bool done);
  bool Complete() const { return total_ < 0 || written_ == total_; }

  HttpClient& client_;
  const DownloadOptions& options_;
  const std::string part_;
  UniqueFd fd_;
  int64_t written_ = 0;  // bytes in the .part file, all of them hashed
  int64_t total_ = -1;   // size announced by the current response
  Sha256 hasher_;
  std::string announced_sha256_;
  std::string announced_source_;
  std::string entity_tag_;     // strong ETag of the latest response
  bool restart_ = false;       // the response cannot continue the .part: start over
  bool discard_body_ = false;  // the response body is not file content (416)
  bool answered_ = false;      // some response head arrived in this run
  int requests_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_{};
};

StatusOr<DownloadResult> Downloader::Run() {
  SAVOIR_RETURN_IF_ERROR(OpenPart());
  DownloadResult result;
  result.resumed_from = written_;
  Status status = Loop();
  if (!status.ok()) {
    if (written_ == 0) ::unlink(part_.c_str());
    return status;
  }
  ReportProgress(true);
  SAVOIR_RETURN_IF_ERROR(Install(result));
  return result;
}

Status Downloader::OpenPart() {
  fd_.Reset(::open(part_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd_.get() < 0) return FileError("create", part_, errno);
  if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return FailedPreconditionError("{} is being downloaded by another process", part_);
    }
    return FileError("lock", part_, errno);
  }
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return FileError("stat", part_, errno);
  written_ = st.st_size;
  if (written_ > 0) {
    Notice(fmt::format("resuming {} from byte {}", part_, written_));
    SAVOIR_RETURN_IF_ERROR(HashFilePrefix(part_, written_, hasher_));
  }
  return OkStatus();
}

Status Downloader::Loop() {
  int failures = 0;
  int restarts = 0;
  std::chrono::milliseconds backoff = options_.first_backoff;
  while (true) {
    const int64_t before = written_;
    restart_ = false;
    Status status = Attempt();
    if (status.ok() && Complete()) return OkStatus();
    if (restart_) {
      if (++restarts > kMaxRestarts) {
        return FailedPreconditionError("{}: the server keeps answering range requests wrongly",
                                       options_.url);
      }
      Notice(status.message());
      SAVOIR_RETURN_IF_ERROR(TruncateToZero());
      continue;
    }
    // Before the server has answered once, a transport error (unknown host, connection
    // refused) is reported at once: waiting through retries would only delay the message.
    if (!status.ok() && (!IsTransient(status) || !answered_)) return status;
    if (status.ok()) {
      if (written_ > before) continue;  // a shorter range than asked for: ask for the rest
      status =
          UnavailableError("{}: transfer ended at byte {} of {}", options_.url, written_, total_);
    }
    if (written_ > before) {
      failures = 0;
      backoff = options_.first_backoff;
    }
    if (++failures >= options_.max_attempts) {
      return Status(status.code(),
                    fmt::format("{} (gave up after {} attempts)", status.message(), failures));
    }
    Notice(fmt::format("{}; retrying in {} ms (attempt {} of {})", status.message(),
                       backoff.count(), failures + 1, options_.max_attempts));
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

Status Downloader::Attempt() {
  HttpRequest request;
  request.url = options_.url;
  request.headers = options_.headers;
  request.range_start = written_ > 0 ? written_ : -1;
  ++requests_;
  HttpStreamHandler handler;
  handler.on_head = [&](const HttpResponse& response) {
    return OnHead(response, request.range_start);
  };
  handler.on_body = [&](std::string_view data) { return OnBody(data); };
  return client_.Stream(request, handler).status();
}

Status Downloader::OnHead(const HttpResponse& response, int64_t range_start) {
  answered_ = true;
  discard_body_ = false;
  const int status = response.head.status;
  if (status == 416 && range_start > 0) return OnRangeNotSatisfiable(response);
  if (status != 200 && status != 206) return HttpStatusError(status, options_.url);
  SAVOIR_RETURN_IF_ERROR(NoteValidators(response));
  const HttpHeaders& headers = response.head.headers;
  if (status == 200) {
    if (written_ > 0) {
      Notice(fmt::format("{}: the server ignored the range request; restarting from zero",
                         options_.url));
      SAVOIR_RETURN_IF_ERROR(TruncateToZero());
    }
    total_ = ParseContentLength(headers.Get("content-length").value_or("")).value_or(-1);
    return CheckDiskSpace();
  }
  const std::string_view value = headers.Get("content-range").value_or("");
  const std::optional<ContentRange> range = ParseContentRange(value);
  if (range_start < 0 || !range || range->first != written_) {
    restart_ = true;
    return AbortedError("{}: asked for bytes from {}, got Content-Range '{}'; restarting from zero",
                        options_.url, written_, value);
  }
  total_ = range->total;
  return CheckDiskSpace();
}

// A 416 to "bytes=N-" with "Content-Range: bytes */N" means the .part is already complete
// (an earlier run was interrupted between download and installation).
Status Downloader::OnRangeNotSatisfiable(const HttpResponse& response) {
  const std::string_view value = response.head.headers.Get("content-range").value_or("");
  const std::optional<ContentRange> range = ParseContentRange(value);
  if (range && range->first < 0 && range->total == written_) {
    SAVOIR_RETURN_IF_ERROR(NoteValidators(response));
    total_ = written_;
    discard_body_ = true;
    return OkStatus();
  }
  restart_ = true;
  return AbortedError(
      "{}: the partial file ({} bytes) does not fit the server's ('{}'); "
      "restarting from zero",
      options_.url, written_, value);
}

// Remembers the ETag and announced SHA-256; a resumed response whose validators differ from
// the previous response's comes from a changed file and cannot continue the .part.
Status Downloader::NoteValidators(const HttpResponse& response) {
  std::string tag(response.head.headers.Get("etag").value_or(""));
  if (tag.rfind("W/", 0) == 0) tag.clear();
  bool changed = !entity_tag_.empty() && !tag.empty() && tag != entity_tag_;
  entity_tag_ = tag;
  if (options_.sha256_from_etag) {
    auto [sha, source] = AnnouncedSha256(response);
    if (!sha.empty()) {
      changed = changed || (!announced_sha256_.empty() && sha != announced_sha256_);
      announced_sha256_ = std::move(sha);
      announced_source_ = std::move(source);
    }
  }
  if (changed && response.head.status == 206) {
    restart_ = true;
    return AbortedError("{}: the file changed on the server; restarting from zero", options_.url);
  }
  return OkStatus();
}

Status Downloader::OnBody(std::string_view data) {
  if (discard_body_ || data.empty()) return OkStatus();
  const auto size = static_cast<int64_t>(data.size());
  if (total_ >= 0 && written_ + size > total_) {
    return DataLossError("{}: the server sent more than the announced {} bytes", options_.url,
                         total_);
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_.get(), data.data() + done, data.size() - done,
                               static_cast<off_t>(written_ + static_cast<int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      // Keep the file equal to what was hashed, so that a later run resumes cleanly.
      if (::ftruncate(fd_.get(), static_cast<off_t>(written_)) != 0) {
        LogWarn("cannot truncate partial download", {{"path", part_}});
      }
      return FileError("write", part_, err);
    }
    done += static_cast<size_t>(n);
  }
  hasher_.Update(data);
  written_ += size;
  ReportProgress(false);
  return OkStatus();
}

Status Downloader::TruncateToZero() {
  if (::ftruncate(fd_.get(), 0) != 0) return FileError("truncate", part_, errno);
  written_ = 0;
  total_ = -1;
  hasher_.Reset();
  return OkStatus();
}

Status Downloader::CheckDiskSpace() const {
  if (total_ < 0) return OkStatus();
  struct statvfs fs {};
  const std::string dir = DirectoryOf(part_);
  if (::statvfs(dir.c_str(), &fs) != 0) return OkStatus();  // unknown: let the writes tell
  const auto available = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  const int64_t needed = total_ - written_;
  if (available < needed) {
    return ResourceExhaustedError("disk full: {} needs {} more bytes, {} has {} available",
                                  options_.destination, needed, dir, available);
  }
  return OkStatus();
}

Status Downloader::Install(DownloadResult& result) {
  if (::fsync(fd_.get()) != 0) return FileError("sync", part_, errno);
  result.size = written_;
  result.sha256 = ToHex(hasher_.Finish());
  result.requests = requests_;
  std::string expected = ToLower(options_.expected_sha256);
  std::string source = "expected";
  if (expected.empty()) {
    expected = announced_sha256_;
    source = announced_source_;
  }
  if (!expected.empty() && expected != result.sha256) {
    ::unlink(part_.c_str());
    return DataLossError(
        "checksum mismatch for {}: expected sha256 {} ({}), got {}; the "
        "download was deleted",
        options_.url, expected, source, result.sha256);
  }
  if (!expected.empty()) result.sha256_source = source;
  if (options_.verify) {
    if (Status status = options_.verify(part_); !status.ok()) {
      ::unlink(part_.c_str());
      return status;
    }
  }
  std::error_code ec;
  if (!options_.replace_existing && std::filesystem::exists(options_.destination, ec)) {
    return AlreadyExistsError("{} already exists", options_.destination);
  }
  if (::rename(part_.c_str(), options_.destination.c_str()) != 0) {
    return FileError("rename to " + options_.destination, part_, errno);
  }
  // Make the new name durable too.
  UniqueFd dir(::open(DirectoryOf(options_.destination).c_str(), O_RDONLY | O_DIRECTORY));
  if (dir.get() >= 0 && ::fsync(dir.get()) != 0) {
    LogWarn("cannot sync directory", {{"path", DirectoryOf(options_.destination)}});
  }
  result.path = options_.destination;
  return OkStatus();
}

void Downloader::Notice(const std::string& message) const {
  if (options_.on_notice) {
    options_.on_notice(message);
  } else {
    LogInfo(message);
  }
}

void Downloader::ReportProgress(bool done) {
  if (!options_.on_progress) return;
  const Clock::time_point now = Clock::now();
  if (!done && now - last_progress_ < kProgressInterval) return;
  last_progress_ = now;
  options_.on_progress({.bytes = written_,
                        .total = total_ >= 0 ? total_ : (done ? written_ : -1),
                        .elapsed_s = std::chrono::duration<double>(now - start_).count(),
                        .done = done});
}

Status ValidateOptions(const DownloadOptions& options) {
  if (options.url.empty()) return InvalidArgumentError("no url to download");
  if (options.destination.empty())
    return InvalidArgumentError("no destination for {}", options.url);
  if (!options.expected_sha256.empty() && !IsSha256Hex(options.expected_sha256)) {
    return InvalidArgumentError("expected sha256 '{}' is not 64 hex digits",
                                options.expected_sha256);
  }
  if (options.max_attempts < 1) return InvalidArgumentError("max_attempts must be at least 1");
  return OkStatus();
}

}  // namespace

std::string PartialPath(const std::string& destination) { return destination + ".part"; }

StatusOr<DownloadResult> DownloadFile(HttpClient& client, const DownloadOptions& options) {
  SAVOIR_RETURN_IF_ERROR(ValidateOptions(options));
  std::error_code ec;
  if (!options.replace_existing && std::filesystem::exists(options.destination, ec)) {
    return AlreadyExistsError("{} already exists", options.destination);
  }
  Downloader downloader(client, options);
  return downloader.Run();
}

}  // namespace savoir::net
