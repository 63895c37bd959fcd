// Static file serving, for the built web UI.
//
// MakeStaticHandler returns a handler that serves the file named by a path parameter from a
// root directory: the Content-Type follows the file extension, a directory serves its
// index.html, and "single-page application" routes (a missing file whose last segment has no
// extension, requested by a browser, i.e. with "text/html" in Accept) get the root's
// index.html so that client-side routing works. API clients asking for a missing file get a
// 404 JSON error instead.
//
// No path traversal: "." and ".." segments, backslashes and NUL bytes are rejected, and the
// resolved file (after following symbolic links) must lie under the root.
//
// Files are read whole, on the server I/O thread that runs the handler: this is meant for a
// few small UI assets, not for bulk downloads (see StaticOptions::max_file_bytes).
//
// Thread safety: the handler may run on several threads at once; it only reads files.
#ifndef SAVOIR_SERVER_STATIC_FILES_H_
#define SAVOIR_SERVER_STATIC_FILES_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "server/http_message.h"

namespace savoir::server {

struct StaticOptions {
  std::string index_file = "index.html";
  // Serve index_file for extension-less paths that browsers navigate to.
  bool spa_fallback = true;
  // Larger files are refused with 500 rather than read into memory.
  size_t max_file_bytes = size_t{64} * 1024 * 1024;
};

// The MIME type for a file name by its extension (case-insensitive); text types carry
// "; charset=utf-8". Unknown extensions give "application/octet-stream".
std::string_view MimeTypeForPath(std::string_view path);

// Resolves `relative` ('/'-separated, already percent-decoded) under `root`. Returns the
// canonical path of a regular file (a directory resolves to its `index_file`);
// INVALID_ARGUMENT for a traversal attempt; NOT_FOUND when there is no such file under root.
StatusOr<std::filesystem::path> ResolveStaticPath(const std::filesystem::path& root,
                                                  std::string_view relative,
                                                  std::string_view index_file);

// A handler serving files from `root` for the relative path in the path parameter `param`.
// `root` is resolved on every request, so it may be created after the handler.
Handler MakeStaticHandler(std::filesystem::path root, StaticOptions options,
                          std::string param = "path");

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_STATIC_FILES_H_
