#include "engine/download/model_pull.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "engine/gguf/gguf_file.h"

namespace savoir::engine {
namespace {

constexpr std::string_view kHfScheme = "hf://";

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Percent-encodes a path segment; '%' passes through so that pre-encoded text (a revision
// "refs%2Fpr%2F1") is kept as written.
std::string EncodeSegment(std::string_view segment) {
  std::string out;
  for (char c : segment) {
    if (IsUnreserved(c) || c == '%') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodePercent(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool IsRepoPart(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    if (!IsUnreserved(c)) return false;
  }
  return true;
}

StatusOr<ModelSource> ResolveHfSource(std::string_view spec, std::string_view endpoint) {
  const auto bad = [&](std::string_view why) {
    return InvalidArgumentError(
        "bad model source '{}': {} (expected "
        "hf://owner/repo[@revision]/path/file.gguf)",
        spec, why);
  };
  std::vector<std::string_view> parts = Split(spec.substr(kHfScheme.size()), '/');
  if (parts.size() < 3) return bad("no file path");
  std::string_view repo = parts[1];
  std::string_view revision = "main";
  if (const size_t at = repo.find('@'); at != std::string_view::npos) {
    revision = repo.substr(at + 1);
    repo = repo.substr(0, at);
    if (revision.empty()) return bad("empty revision");
  }
  if (!IsRepoPart(parts[0]) || !IsRepoPart(repo)) return bad("bad owner or repository name");
  ModelSource source;
  source.url =
      fmt::format("{}/{}/{}/resolve/{}", endpoint, parts[0], repo, EncodeSegment(revision));
  for (size_t i = 2; i < parts.size(); ++i) {
    if (parts[i].empty() || parts[i] == "." || parts[i] == "..") return bad("bad file path");
    source.url += "/" + EncodeSegment(parts[i]);
  }
  source.file_name = DecodePercent(parts.back());
  source.hugging_face = true;
  return source;
}

StatusOr<ModelSource> ResolveUrlSource(std::string_view spec, std::string_view endpoint) {
  std::string url(spec.substr(0, spec.find('#')));
  const size_t host = url.find("://") + 3;
  const size_t path_start = url.find('/', host);
  if (host == url.size() || path_start == host) {
    return InvalidArgumentError("bad model source '{}': no host", spec);
  }
  ModelSource source;
  source.hugging_face = url.rfind(std::string(endpoint) + "/", 0) == 0;
  if (path_start != std::string::npos) {
    const std::string_view path = std::string_view(url).substr(path_start);
    const std::string_view no_query = path.substr(0, path.find('?'));
    source.file_name = DecodePercent(no_query.substr(no_query.rfind('/') + 1));
  }
  if (source.hugging_face) {
    // A Hugging Face page URL, <endpoint>/owner/repo/blob/rev/file: the file is under /resolve/.
    const std::string_view rest = std::string_view(url).substr(endpoint.size());
    const std::vector<std::string_view> parts = Split(rest.substr(0, rest.find('?')), '/');
    if (parts.size() >= 6 && parts[3] == "blob") {
      url.replace(endpoint.size() + 2 + parts[1].size() + parts[2].size(), 5, "/resolve");
    }
  }
  source.url = std::move(url);
  return source;
}

// The first bytes of a file, printable, for an error message ("<!DOCTYPE html>").
std::string Preview(const std::string& path) {
  char bytes[16] = {};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  const size_t n = std::fread(bytes, 1, sizeof bytes, f);
  std::fclose(f);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.');
  }
  return out;
}

Status VerifyGguf(const std::string& path, const std::string& url) {
  StatusOr<std::unique_ptr<GgufFile>> file = GgufFile::Open(path);
  if (file.ok()) return OkStatus();
  const std::string preview = Preview(path);
  if (preview.rfind("GGUF", 0) != 0) {
    return InvalidArgumentError("not a GGUF file: {} (it starts with '{}')", url, preview);
  }
  return InvalidArgumentError("not a GGUF file: {}: {}", url, file.status().message());
}

Status Explain(const Status& status, const ModelSource& source, bool sent_token) {
  const bool denied = status.code() == StatusCode::kUnauthenticated ||
                      status.code() == StatusCode::kPermissionDenied;
  if (!denied || !source.hugging_face) return status;
  const std::string_view hint =
      sent_token ? "; HF_TOKEN was refused: check that it grants access to this repository "
                   "and that you accepted the model's terms on its page"
                 : "; if the repository is gated or private, set HF_TOKEN to an access token";
  return Status(status.code(), status.message() + std::string(hint));
}

}  // namespace

StatusOr<ModelSource> ResolveModelSource(std::string_view spec, std::string_view hf_endpoint) {
  for (char c : spec) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgumentError("bad model source '{}': spaces or control characters", spec);
    }
  }
  while (!hf_endpoint.empty() && hf_endpoint.back() == '/') hf_endpoint.remove_suffix(1);
  if (StartsWithIgnoreCase(spec, kHfScheme)) return ResolveHfSource(spec, hf_endpoint);
  if (StartsWithIgnoreCase(spec, "https://") || StartsWithIgnoreCase(spec, "http://")) {
    return ResolveUrlSource(spec, hf_endpoint);
  }
  return InvalidArgumentError(
      "bad model source '{}': give hf://owner/repo/file.gguf or an "
      "http(s) URL",
      spec);
}

StatusOr<std::string> ModelFileName(const ModelSource& source, std::string_view name) {
  std::string file(name.empty() ? std::string_view(source.file_name) : name);
  if (file.empty()) {
    return InvalidArgumentError("no file name in {}: give the model a name", source.url);
  }
  const auto allowed = [](char c) { return c == '+' || (c != '~' && IsUnreserved(c)); };
  const bool ok = file[0] != '.' && std::all_of(file.begin(), file.end(), allowed);
  if (!ok) {
    return InvalidArgumentError("bad model name '{}': use letters, digits and ._-+ only", file);
  }
  if (file.size() < 5 || file.compare(file.size() - 5, 5, ".gguf") != 0) file += ".gguf";
  return file;
}

StatusOr<PullResult> PullModel(net::HttpClient& client, const PullOptions& options) {
  SAVOIR_ASSIGN_OR_RETURN(ModelSource source,
                          ResolveModelSource(options.source, options.hf_endpoint));
  SAVOIR_ASSIGN_OR_RETURN(std::string file_name, ModelFileName(source, options.name));
  std::error_code ec;
  std::filesystem::create_directories(options.models_dir, ec);
  if (ec) {
    return PermissionDeniedError("cannot create models directory {}: {}", options.models_dir,
                                 ec.message());
  }
  net::DownloadOptions download;
  download.url = source.url;
  download.destination = (std::filesystem::path(options.models_dir) / file_name).string();
  const bool send_token = source.hugging_face && !options.hf_token.empty();
  if (send_token) download.headers.Add("Authorization", "Bearer " + options.hf_token);
  download.expected_sha256 = options.sha256;
  download.replace_existing = options.force;
  download.max_attempts = options.max_attempts;
  download.first_backoff = options.first_backoff;
  download.on_progress = options.on_progress;
  download.on_notice = options.on_notice;
  download.verify = [url = source.url](const std::string& path) { return VerifyGguf(path, url); };
  StatusOr<net::DownloadResult> result = net::DownloadFile(client, download);
  if (!result.ok()) return Explain(result.status(), source, send_token);
  return PullResult{.path = result->path, .url = source.url, .download = *std::move(result)};
}

}  // namespace savoir::engine
