#include "engine/convert/gguf_stream_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <unordered_set>

namespace savoir::engine::convert {
namespace {

// Writes go through a buffer of this size: tensor rows arrive in small pieces.
constexpr size_t kBufferBytes = 4 << 20;

template <typename T>
void Put(std::vector<uint8_t>& out, T v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

void PutString(std::vector<uint8_t>& out, std::string_view s) {
  Put<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

StatusOr<uint32_t> AlignmentOf(const GgufMetadataList& metadata, const std::string& path) {
  const GgufMetadataValue* v = metadata.Find("general.alignment");
  if (v == nullptr) return kGgufDefaultAlignment;
  const GgufValue view(v->type(), v->encoded().data());
  const std::optional<uint64_t> a = view.is_integer() ? view.AsU64() : std::nullopt;
  if (!a.has_value() || !std::has_single_bit(*a) || *a > (1u << 30)) {
    return InvalidArgumentError("{}: general.alignment must be a power of two up to 2^30", path);
  }
  return static_cast<uint32_t>(*a);
}

// Byte size of a tensor, after checking its spec.
StatusOr<uint64_t> CheckedSize(const GgufTensorSpec& t, const std::string& path) {
  if (t.name.empty()) return InvalidArgumentError("{}: tensor with an empty name", path);
  if (!IsKnownTensorType(static_cast<uint32_t>(t.type))) {
    return InvalidArgumentError("{}: tensor '{}' has unknown type {}", path, t.name,
                                static_cast<uint32_t>(t.type));
  }
  if (t.dims.empty() || t.dims.size() > static_cast<size_t>(kGgufMaxDims)) {
    return InvalidArgumentError("{}: tensor '{}' has {} dims", path, t.name, t.dims.size());
  }
  uint64_t rows = 1;
  for (size_t i = 0; i < t.dims.size(); ++i) {
    if (t.dims[i] < 1 || t.dims[i] > (int64_t{1} << 40)) {
      return InvalidArgumentError("{}: tensor '{}' has bad dim {}", path, t.name, t.dims[i]);
    }
    if (i > 0) rows *= static_cast<uint64_t>(t.dims[i]);
  }
  if (t.dims[0] % static_cast<int64_t>(BlockSize(t.type)) != 0) {
    return InvalidArgumentError("{}: tensor '{}': row of {} is not a whole number of {} blocks",
                                path, t.name, t.dims[0], TensorTypeName(t.type));
  }
  return rows * RowBytes(t.type, static_cast<size_t>(t.dims[0]));
}

}  // namespace

// ---- GgufMetadataList ----

void GgufMetadataList::Set(std::string_view key, GgufMetadataValue value) {
  for (Entry& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  }
  entries_.push_back({std::string(key), std::move(value)});
}

bool GgufMetadataList::Remove(std::string_view key) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [key](const Entry& e) { return e.key == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const GgufMetadataValue* GgufMetadataList::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

void GgufMetadataList::CopyFrom(const GgufFile& file,
                                const std::function<bool(std::string_view)>& keep) {
  for (const GgufMetadataEntry& e : file.metadata()) {
    if (keep && !keep(e.key)) continue;
    Set(e.key, GgufMetadataValue::Copy(e.value));
  }
}

// ---- GgufStreamWriter ----

GgufStreamWriter::GgufStreamWriter(std::string path, std::string temp_path, int fd,
                                   uint32_t alignment)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), alignment_(alignment) {
  buffer_.reserve(kBufferBytes);
}

GgufStreamWriter::~GgufStreamWriter() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_path_.c_str());
}

StatusOr<std::unique_ptr<GgufStreamWriter>> GgufStreamWriter::Open(
    const std::string& path, const GgufMetadataList& metadata,
    std::span<const GgufTensorSpec> tensors) {
  SAVOIR_ASSIGN_OR_RETURN(const uint32_t alignment, AlignmentOf(metadata, path));
  std::vector<uint64_t> sizes;
  std::unordered_set<std::string_view> names;
  for (const GgufTensorSpec& t : tensors) {
    SAVOIR_ASSIGN_OR_RETURN(uint64_t size, CheckedSize(t, path));
    if (!names.insert(t.name).second) {
      return InvalidArgumentError("{}: duplicate tensor '{}'", path, t.name);
    }
    sizes.push_back(size);
  }
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return UnavailableError("{}: cannot create temporary file: {}", path, std::strerror(errno));
  }
  std::unique_ptr<GgufStreamWriter> w(new GgufStreamWriter(path, temp, fd, alignment));
  w->sizes_ = std::move(sizes);

  std::vector<uint8_t> head;
  Put<uint32_t>(head, kGgufMagic);
  Put<uint32_t>(head, 3);
  Put<uint64_t>(head, tensors.size());
  Put<uint64_t>(head, metadata.entries().size());
  for (const GgufMetadataList::Entry& e : metadata.entries()) {
    PutString(head, e.key);
    Put<uint32_t>(head, static_cast<uint32_t>(e.value.type()));
    head.insert(head.end(), e.value.encoded().begin(), e.value.encoded().end());
  }
  const auto pad = [alignment](uint64_t n) { return (n + alignment - 1) / alignment * alignment; };
  uint64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    PutString(head, tensors[i].name);
    Put<uint32_t>(head, static_cast<uint32_t>(tensors[i].dims.size()));
    for (int64_t d : tensors[i].dims) Put<uint64_t>(head, static_cast<uint64_t>(d));
    Put<uint32_t>(head, static_cast<uint32_t>(tensors[i].type));
    Put<uint64_t>(head, offset);
    offset = pad(offset + w->sizes_[i]);
  }
  SAVOIR_RETURN_IF_ERROR(w->Write(head));
  // Like llama.cpp, a file without tensors ends right after its tables, unpadded.
  if (!tensors.empty()) SAVOIR_RETURN_IF_ERROR(w->WriteZeros(pad(head.size()) - head.size()));
  // Zero-sized tensors cannot exist (dims >= 1), so the first tensor is the current one.
  return w;
}

Status GgufStreamWriter::Write(std::span<const uint8_t> bytes) {
  if (buffer_.size() + bytes.size() > kBufferBytes) SAVOIR_RETURN_IF_ERROR(Flush());
  if (bytes.size() >= kBufferBytes) {
    while (!bytes.empty()) {
      const ssize_t n = write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return UnavailableError("{}: write failed: {}", path_, std::strerror(errno));
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
    return OkStatus();
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  return OkStatus();
}

Status GgufStreamWriter::Flush() {
  std::span<const uint8_t> rest(buffer_);
  while (!rest.empty()) {
    const ssize_t n = write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("{}: write failed: {}", path_, std::strerror(errno));
    rest = rest.subspan(static_cast<size_t>(n));
  }
  buffer_.clear();
  return OkStatus();
}

Status GgufStreamWriter::WriteZeros(uint64_t n) {
  static constexpr std::array<uint8_t, 4096> kZeros = {};
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, kZeros.size()));
    SAVOIR_RETURN_IF_ERROR(Write(std::span(kZeros.data(), chunk)));
    n -= chunk;
  }
  return OkStatus();
}

Status GgufStreamWriter::Append(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    if (current_ >= sizes_.size()) {
      return InvalidArgumentError("{}: {} bytes beyond the last tensor", path_, bytes.size());
    }
    const uint64_t room = sizes_[current_] - written_in_current_;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(room, bytes.size()));
    SAVOIR_RETURN_IF_ERROR(Write(bytes.first(take)));
    bytes = bytes.subspan(take);
    written_in_current_ += take;
    if (written_in_current_ == sizes_[current_]) {
      const uint64_t size = sizes_[current_];
      SAVOIR_RETURN_IF_ERROR(WriteZeros((size + alignment_ - 1) / alignment_ * alignment_ - size));
      ++current_;
      written_in_current_ = 0;
    }
  }
  return OkStatus();
}

Status GgufStreamWriter::Commit() {
  if (committed_ || fd_ < 0) return FailedPreconditionError("{}: already committed", path_);
  if (current_ < sizes_.size()) {
    return FailedPreconditionError("{}: tensor {} of {} is incomplete", path_, current_,
                                   sizes_.size());
  }
  Status status = Flush();
  if (status.ok() && fchmod(fd_, 0644) != 0) {
    status = UnavailableError("{}: chmod failed: {}", path_, std::strerror(errno));
  }
  if (status.ok() && fsync(fd_) != 0) {
    status = UnavailableError("{}: fsync failed: {}", path_, std::strerror(errno));
  }
  if (close(fd_) != 0 && status.ok()) {
    status = UnavailableError("{}: close failed: {}", path_, std::strerror(errno));
  }
  fd_ = -1;
  if (status.ok() && std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    status = UnavailableError("{}: cannot rename temporary file: {}", path_, std::strerror(errno));
  }
  committed_ = status.ok();
  return status;
}

}  // namespace savoir::engine::convert
