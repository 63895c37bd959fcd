#include "server/static_files.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <system_error>
#include <utility>

#include "server/error_response.h"
#include "server/uri.h"

namespace savoir::server {
namespace fs = std::filesystem;
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kMimeTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
}};

// True if `path` lies inside `root` (both canonical).
bool IsUnder(const fs::path& root, const fs::path& path) {
  auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

StatusOr<std::string> ReadWholeFile(const fs::path& path, size_t max_bytes) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return NotFoundError("not found");
  if (size > max_bytes) return InternalError("file too large to serve");
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("not found");
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

bool WantsHtml(const HttpRequest& request) {
  std::optional<std::string_view> accept = request.headers.Get("Accept");
  return accept.has_value() && accept->find("text/html") != std::string_view::npos;
}

bool LastSegmentHasExtension(std::string_view relative) {
  size_t slash = relative.rfind('/');
  std::string_view last = slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  return last.find('.') != std::string_view::npos;
}

HttpResponse FileResponse(const fs::path& file, std::string body) {
  std::string name = file.filename().string();
  HttpResponse response =
      HttpResponse::Text(200, std::move(body), std::string(MimeTypeForPath(name)));
  response.headers.Add("X-Content-Type-Options", "nosniff");
  if (response.content_type.rfind("text/html", 0) == 0) {
    response.headers.Add("Cache-Control", "no-cache");
  }
  return response;
}

}  // namespace

std::string_view MimeTypeForPath(std::string_view path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string_view extension = path.substr(dot + 1);
  for (const auto& [ext, type] : kMimeTypes) {
    if (EqualsIgnoreCase(ext, extension)) return type;
  }
  return "application/octet-stream";
}

StatusOr<fs::path> ResolveStaticPath(const fs::path& root, std::string_view relative,
                                     std::string_view index_file) {
  fs::path joined;
  for (std::string_view segment : SplitPathSegments(relative)) {
    if (segment == "." || segment == ".." ||
        segment.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) {
      return InvalidArgumentError("invalid path");
    }
    joined /= fs::path(std::string(segment));
  }
  std::error_code ec;
  fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return NotFoundError("not found");
  fs::path candidate = canonical_root / joined;
  if (fs::is_directory(candidate, ec)) candidate /= fs::path(std::string(index_file));
  fs::path resolved = fs::canonical(candidate, ec);
  if (ec || !IsUnder(canonical_root, resolved) || !fs::is_regular_file(resolved, ec)) {
    return NotFoundError("not found");
  }
  return resolved;
}

Handler MakeStaticHandler(fs::path root, StaticOptions options, std::string param) {
  return [root = std::move(root), options = std::move(options), param = std::move(param)](
             HttpRequest& request, std::shared_ptr<Responder> responder) {
    auto it = request.path_params.find(param);
    std::string relative = it == request.path_params.end() ? std::string() : it->second;
    StatusOr<fs::path> file = ResolveStaticPath(root, relative, options.index_file);
    if (!file.ok() && file.status().code() == StatusCode::kNotFound && options.spa_fallback &&
        WantsHtml(request) && !LastSegmentHasExtension(relative)) {
      file = ResolveStaticPath(root, "", options.index_file);
    }
    if (!file.ok()) {
      std::string message = file.status().code() == StatusCode::kNotFound
                                ? "not found: " + request.path
                                : "invalid path: " + request.path;
      responder->Send(ErrorResponse(Status(file.status().code(), message)));
      return;
    }
    StatusOr<std::string> body = ReadWholeFile(*file, options.max_file_bytes);
    if (!body.ok()) {
      responder->Send(ErrorResponse(body.status()));
      return;
    }
    responder->Send(FileResponse(*file, std::move(body).value()));
  };
}

}  // namespace savoir::server
