#include "storage/store.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

namespace savoir::storage {
namespace {

// One table per enum keeps names and parsing in step; the enum value is the index.
template <typename E, size_t N>
std::string_view NameOf(const std::array<std::string_view, N>& names, E value) {
  auto index = static_cast<size_t>(value);
  return index < N ? names[index] : std::string_view("unknown");
}

template <typename E, size_t N>
StatusOr<E> Parse(const std::array<std::string_view, N>& names, std::string_view what,
                  std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return InvalidArgumentError("unknown {} '{}'", what, name);
}

constexpr std::array<std::string_view, 6> kSourceKindNames = {"folder", "upload", "push",
                                                              "web",    "slack",  "confluence"};
constexpr std::array<std::string_view, 4> kSyncStateNames = {"never", "running", "succeeded",
                                                             "failed"};
constexpr std::array<std::string_view, 4> kDocumentStatusNames = {"pending", "indexed", "failed",
                                                                  "deleted"};
constexpr std::array<std::string_view, 5> kChangeKindNames = {
    "document_upserted", "document_failed", "document_deleted", "readers_changed",
    "embeddings_changed"};
constexpr std::array<std::string_view, 5> kJobStateNames = {"queued", "running", "done", "failed",
                                                            "cancelled"};
constexpr std::array<std::string_view, 3> kVectorEncodingNames = {"f32", "f16", "int8"};

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Status CheckJsonObject(std::string_view what, std::string_view text) {
  // accept() parses without building a tree or throwing; the first byte check then tells an
  // object from other JSON values.
  if (!nlohmann::json::accept(text)) return InvalidArgumentError("{} is not valid JSON", what);
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') {
    return InvalidArgumentError("{} is not a JSON object", what);
  }
  return OkStatus();
}

Status CheckLength(std::string_view what, std::string_view text, size_t min, size_t max) {
  if (text.size() < min || text.size() > max) {
    return InvalidArgumentError("{} must be {} to {} bytes, got {}", what, min, max, text.size());
  }
  return OkStatus();
}

Status ValidatePassage(const PassageWrite& write, size_t index) {
  const Passage& p = write.passage;
  if (p.char_start < 0 || p.char_end < p.char_start) {
    return InvalidArgumentError("passage {}: char span [{}, {}) is invalid", index, p.char_start,
                                p.char_end);
  }
  if (p.page < 0 || p.token_count < 0) {
    return InvalidArgumentError("passage {}: page and token_count must not be negative", index);
  }
  for (size_t i = 0; i < write.embeddings.size(); ++i) {
    SAVOIR_RETURN_IF_ERROR(
        ValidateEmbedding(write.embeddings[i]).WithContext(fmt::format("passage {}", index)));
    for (size_t j = 0; j < i; ++j) {
      if (write.embeddings[j].model_id == write.embeddings[i].model_id) {
        return InvalidArgumentError("passage {}: two embeddings for model '{}'", index,
                                    write.embeddings[i].model_id);
      }
    }
  }
  return OkStatus();
}

}  // namespace

int64_t SystemClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int VectorElementSize(VectorEncoding encoding) {
  switch (encoding) {
    case VectorEncoding::kF32:
      return 4;
    case VectorEncoding::kF16:
      return 2;
    case VectorEncoding::kInt8:
      return 1;
  }
  return 0;
}

std::string_view SourceKindName(SourceKind kind) { return NameOf(kSourceKindNames, kind); }
StatusOr<SourceKind> ParseSourceKind(std::string_view name) {
  return Parse<SourceKind>(kSourceKindNames, "source kind", name);
}
std::string_view SyncStateName(SyncState state) { return NameOf(kSyncStateNames, state); }
StatusOr<SyncState> ParseSyncState(std::string_view name) {
  return Parse<SyncState>(kSyncStateNames, "sync state", name);
}
std::string_view DocumentStatusName(DocumentStatus status) {
  return NameOf(kDocumentStatusNames, status);
}
StatusOr<DocumentStatus> ParseDocumentStatus(std::string_view name) {
  return Parse<DocumentStatus>(kDocumentStatusNames, "document status", name);
}
std::string_view ChangeKindName(ChangeKind kind) { return NameOf(kChangeKindNames, kind); }
StatusOr<ChangeKind> ParseChangeKind(std::string_view name) {
  return Parse<ChangeKind>(kChangeKindNames, "change kind", name);
}
std::string_view JobStateName(JobState state) { return NameOf(kJobStateNames, state); }
StatusOr<JobState> ParseJobState(std::string_view name) {
  return Parse<JobState>(kJobStateNames, "job state", name);
}
std::string_view VectorEncodingName(VectorEncoding encoding) {
  return NameOf(kVectorEncodingNames, encoding);
}
StatusOr<VectorEncoding> ParseVectorEncoding(std::string_view name) {
  return Parse<VectorEncoding>(kVectorEncodingNames, "vector encoding", name);
}

bool IsValidPrincipal(std::string_view principal) {
  if (principal == "public") return true;
  size_t colon = principal.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  std::string_view kind = principal.substr(0, colon);
  std::string_view name = principal.substr(colon + 1);
  bool kind_ok = std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return kind_ok && !name.empty() && name.size() <= 256 && !HasControlCharacter(name);
}

StatusOr<std::vector<std::string>> NormalizeReaders(std::vector<std::string> readers) {
  for (const std::string& reader : readers) {
    if (!IsValidPrincipal(reader)) return InvalidArgumentError("invalid principal '{}'", reader);
  }
  std::sort(readers.begin(), readers.end());
  readers.erase(std::unique(readers.begin(), readers.end()), readers.end());
  return readers;
}

Status ValidateSource(const Source& source) {
  SAVOIR_RETURN_IF_ERROR(CheckLength("source name", source.name, 1, 200));
  if (HasControlCharacter(source.name)) {
    return InvalidArgumentError("source name has control characters");
  }
  if (SourceKindName(source.kind) == "unknown") return InvalidArgumentError("bad source kind");
  SAVOIR_RETURN_IF_ERROR(CheckJsonObject("source config", source.config_json));
  SAVOIR_RETURN_IF_ERROR(CheckLength("source schedule", source.schedule, 0, 200));
  return NormalizeReaders(source.default_readers).status();
}

Status ValidateDocumentWrite(const DocumentWrite& write) {
  const Document& doc = write.document;
  SAVOIR_RETURN_IF_ERROR(CheckLength("external key", doc.external_key, 1, 4096));
  if (doc.status == DocumentStatus::kDeleted) {
    return InvalidArgumentError("a document cannot be written as deleted; delete it instead");
  }
  if (DocumentStatusName(doc.status) == "unknown") return InvalidArgumentError("bad status");
  if (doc.size_bytes < 0) return InvalidArgumentError("document size must not be negative");
  SAVOIR_RETURN_IF_ERROR(CheckJsonObject("document metadata", doc.metadata_json));
  SAVOIR_RETURN_IF_ERROR(NormalizeReaders(doc.readers).status());
  for (size_t i = 0; i < write.passages.size(); ++i) {
    SAVOIR_RETURN_IF_ERROR(ValidatePassage(write.passages[i], i));
  }
  return OkStatus();
}

Status ValidateEmbedding(const Embedding& embedding) {
  SAVOIR_RETURN_IF_ERROR(CheckLength("embedding model id", embedding.model_id, 1, 200));
  if (embedding.dim < 1 || embedding.dim > 65536) {
    return InvalidArgumentError("embedding dim {} is out of range", embedding.dim);
  }
  int element = VectorElementSize(embedding.encoding);
  if (element == 0) return InvalidArgumentError("bad vector encoding");
  size_t expected = static_cast<size_t>(embedding.dim) * element;
  if (embedding.data.size() != expected) {
    return InvalidArgumentError("embedding of dim {} as {} needs {} bytes, got {}", embedding.dim,
                                VectorEncodingName(embedding.encoding), expected,
                                embedding.data.size());
  }
  return OkStatus();
}

Status ValidateJobSpec(const JobSpec& spec) {
  SAVOIR_RETURN_IF_ERROR(CheckLength("job kind", spec.kind, 1, 100));
  SAVOIR_RETURN_IF_ERROR(CheckJsonObject("job payload", spec.payload_json));
  if (spec.max_attempts < 1) return InvalidArgumentError("job max_attempts must be at least 1");
  if (spec.run_at_ms < 0) return InvalidArgumentError("job run_at_ms must not be negative");
  return CheckLength("job dedupe key", spec.dedupe_key, 0, 400);
}

Status ValidatePageLimit(int limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return InvalidArgumentError("page limit {} is outside 1..{}", limit, kMaxPageSize);
  }
  return OkStatus();
}

int64_t RetryDelayMs(const RetryPolicy& policy, int32_t attempt) {
  int64_t delay = std::max<int64_t>(policy.base_delay_ms, 0);
  for (int32_t i = 1; i < attempt && delay < policy.max_delay_ms; ++i) delay *= 2;
  return std::min(delay, std::max<int64_t>(policy.max_delay_ms, 0));
}

}  // namespace savoir::storage
