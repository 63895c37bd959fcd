// Model pull: downloads a GGUF model into the models directory, as `savoir model pull` does.
//
// A source is an http(s) URL or a Hugging Face file, `hf://owner/repo/path/file.gguf` or
// `hf://owner/repo@revision/path/file.gguf`, which resolves to
// `<endpoint>/owner/repo/resolve/<revision, default main>/path/file.gguf` (endpoint
// https://huggingface.co, or a mirror). A Hugging Face page URL (`.../blob/main/x.gguf`) is
// turned into its download URL (`.../resolve/main/x.gguf`). An access token, when given, is
// sent as "Authorization: Bearer" to the Hugging Face endpoint only, never to other hosts
// (and libcurl drops it when the endpoint redirects to its CDN).
//
// The file is stored as `<models_dir>/<name>`: the given name (".gguf" appended when
// missing) or the source's file name. The download itself is net::DownloadFile (resumable
// .part file, retries, size and SHA-256 checks -- an explicit `sha256`, else the SHA-256 that
// Hugging Face announces for LFS files); before the file is installed it must also open as a
// GGUF file (engine/gguf), so an HTML error page or a truncated model never lands in the
// models directory.
//
// Errors are one line: those of net::DownloadFile, with a hint about HF_TOKEN added to 401 and
// 403 from Hugging Face; INVALID_ARGUMENT for a malformed source or name, or a file that is not
// GGUF ("not a GGUF file: URL: <why>").
//
// Thread safety: the functions are thread-safe; PullModel needs its own HttpClient per thread.
#ifndef SAVOIR_ENGINE_DOWNLOAD_MODEL_PULL_H_
#define SAVOIR_ENGINE_DOWNLOAD_MODEL_PULL_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "net/download.h"
#include "net/http_client.h"

namespace savoir::engine {

inline constexpr std::string_view kHuggingFaceEndpoint = "https://huggingface.co";

struct ModelSource {
  // What is fetched.
  std::string url;
  // The last path segment, percent-decoded (e.g. "stories260K.gguf").
  std::string file_name;
  // The URL is on the Hugging Face endpoint (an access token may be sent).
  bool hugging_face = false;
};

// Parses `spec` (hf://... or an http(s) URL). `hf_endpoint` is the Hugging Face base URL
// without a trailing slash. INVALID_ARGUMENT names what is wrong with `spec`.
StatusOr<ModelSource> ResolveModelSource(std::string_view spec, std::string_view hf_endpoint);

// The file name a pulled model is stored under: `name` if not empty, else the source's file
// name; ".gguf" is appended when missing. INVALID_ARGUMENT for an empty name, one with a
// '/', a leading '.', or characters other than letters, digits and "._-+".
StatusOr<std::string> ModelFileName(const ModelSource& source, std::string_view name);

struct PullOptions {
  // hf://owner/repo[@revision]/path/file.gguf or an http(s) URL.
  std::string source;
  // Created if missing.
  std::string models_dir;
  // Stored name; empty: the source's file name.
  std::string name;
  // Expected SHA-256 (64 hex digits); empty: use the one the server announces, if any.
  std::string sha256;
  // Hugging Face access token (HF_TOKEN); empty: none.
  std::string hf_token;
  std::string hf_endpoint = std::string(kHuggingFaceEndpoint);
  // Replace an existing model of the same name.
  bool force = false;
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{1000};
  // As in net::DownloadOptions; may be empty.
  std::function<void(const net::DownloadProgress&)> on_progress;
  std::function<void(std::string_view)> on_notice;
};

struct PullResult {
  // Where the model now is.
  std::string path;
  // The URL it came from.
  std::string url;
  net::DownloadResult download;
};

// Downloads, checks and installs one model as described above.
StatusOr<PullResult> PullModel(net::HttpClient& client, const PullOptions& options);

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_DOWNLOAD_MODEL_PULL_H_
