#include "engine/gguf/gguf_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>

namespace savoir::engine {
namespace {

template <typename T>
void Append(std::vector<uint8_t>& out, T v) {
  // resize + memcpy rather than insert: gcc 12 at -O3 warns (falsely) about the insert.
  const size_t old = out.size();
  out.resize(old + sizeof(T));
  std::memcpy(out.data() + old, &v, sizeof(T));
}

void AppendString(std::vector<uint8_t>& out, std::string_view s) {
  Append<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

template <typename T>
constexpr GgufValueType TypeOf() {
  if constexpr (std::is_same_v<T, uint8_t>) return GgufValueType::kU8;
  if constexpr (std::is_same_v<T, int8_t>) return GgufValueType::kI8;
  if constexpr (std::is_same_v<T, uint16_t>) return GgufValueType::kU16;
  if constexpr (std::is_same_v<T, int16_t>) return GgufValueType::kI16;
  if constexpr (std::is_same_v<T, uint32_t>) return GgufValueType::kU32;
  if constexpr (std::is_same_v<T, int32_t>) return GgufValueType::kI32;
  if constexpr (std::is_same_v<T, uint64_t>) return GgufValueType::kU64;
  if constexpr (std::is_same_v<T, int64_t>) return GgufValueType::kI64;
  if constexpr (std::is_same_v<T, float>) return GgufValueType::kF32;
  if constexpr (std::is_same_v<T, double>) return GgufValueType::kF64;
}

template <typename T>
std::vector<uint8_t> ScalarBytes(T v) {
  std::vector<uint8_t> out;
  Append(out, v);
  return out;
}

std::vector<uint8_t> ArrayHeader(GgufValueType element_type, uint64_t count, size_t reserve) {
  std::vector<uint8_t> out;
  out.reserve(12 + reserve);
  Append<uint32_t>(out, static_cast<uint32_t>(element_type));
  Append<uint64_t>(out, count);
  return out;
}

}  // namespace

// ---- GgufMetadataValue ----

GgufMetadataValue GgufMetadataValue::U8(uint8_t v) { return {GgufValueType::kU8, ScalarBytes(v)}; }
GgufMetadataValue GgufMetadataValue::I8(int8_t v) { return {GgufValueType::kI8, ScalarBytes(v)}; }
GgufMetadataValue GgufMetadataValue::U16(uint16_t v) {
  return {GgufValueType::kU16, ScalarBytes(v)};
}
GgufMetadataValue GgufMetadataValue::I16(int16_t v) {
  return {GgufValueType::kI16, ScalarBytes(v)};
}
GgufMetadataValue GgufMetadataValue::U32(uint32_t v) {
  return {GgufValueType::kU32, ScalarBytes(v)};
}
GgufMetadataValue GgufMetadataValue::I32(int32_t v) {
  return {GgufValueType::kI32, ScalarBytes(v)};
}
GgufMetadataValue GgufMetadataValue::U64(uint64_t v) {
  return {GgufValueType::kU64, ScalarBytes(v)};
}
GgufMetadataValue GgufMetadataValue::I64(int64_t v) {
  return {GgufValueType::kI64, ScalarBytes(v)};
}
GgufMetadataValue GgufMetadataValue::F32(float v) { return {GgufValueType::kF32, ScalarBytes(v)}; }
GgufMetadataValue GgufMetadataValue::F64(double v) { return {GgufValueType::kF64, ScalarBytes(v)}; }
GgufMetadataValue GgufMetadataValue::Bool(bool v) {
  return {GgufValueType::kBool, ScalarBytes<uint8_t>(v ? 1 : 0)};
}

GgufMetadataValue GgufMetadataValue::String(std::string_view v) {
  std::vector<uint8_t> out;
  out.reserve(8 + v.size());
  AppendString(out, v);
  return {GgufValueType::kString, std::move(out)};
}

template <typename T>
GgufMetadataValue GgufMetadataValue::Array(std::span<const T> values) {
  std::vector<uint8_t> out = ArrayHeader(TypeOf<T>(), values.size(), values.size_bytes());
  const auto* p = reinterpret_cast<const uint8_t*>(values.data());
  out.insert(out.end(), p, p + values.size_bytes());
  return {GgufValueType::kArray, std::move(out)};
}

template GgufMetadataValue GgufMetadataValue::Array(std::span<const uint8_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const int8_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const uint16_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const int16_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const uint32_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const int32_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const uint64_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const int64_t>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const float>);
template GgufMetadataValue GgufMetadataValue::Array(std::span<const double>);

GgufMetadataValue GgufMetadataValue::BoolArray(std::span<const bool> values) {
  std::vector<uint8_t> out = ArrayHeader(GgufValueType::kBool, values.size(), values.size());
  for (bool v : values) out.push_back(v ? 1 : 0);
  return {GgufValueType::kArray, std::move(out)};
}

GgufMetadataValue GgufMetadataValue::StringArray(std::span<const std::string_view> values) {
  size_t total = 0;
  for (std::string_view s : values) total += 8 + s.size();
  std::vector<uint8_t> out = ArrayHeader(GgufValueType::kString, values.size(), total);
  for (std::string_view s : values) AppendString(out, s);
  return {GgufValueType::kArray, std::move(out)};
}

GgufMetadataValue GgufMetadataValue::StringArray(std::span<const std::string> values) {
  std::vector<std::string_view> views(values.begin(), values.end());
  return StringArray(std::span<const std::string_view>(views));
}

StatusOr<GgufMetadataValue> GgufMetadataValue::ArrayOf(std::span<const GgufMetadataValue> elements,
                                                       GgufValueType element_type) {
  if (!elements.empty()) element_type = elements[0].type();
  size_t total = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].type() != element_type) {
      return InvalidArgumentError("array element {} has type {}, expected {}", i,
                                  GgufValueTypeName(elements[i].type()),
                                  GgufValueTypeName(element_type));
    }
    total += elements[i].bytes_.size();
  }
  std::vector<uint8_t> out = ArrayHeader(element_type, elements.size(), total);
  for (const GgufMetadataValue& e : elements)
    out.insert(out.end(), e.bytes_.begin(), e.bytes_.end());
  return GgufMetadataValue(GgufValueType::kArray, std::move(out));
}

GgufMetadataValue GgufMetadataValue::Copy(const GgufValue& value) {
  const uint8_t* p = value.encoded_data();
  return {value.type(), std::vector<uint8_t>(p, p + value.EncodedSize())};
}

// ---- GgufWriter: metadata ----

void GgufWriter::Set(std::string_view key, GgufMetadataValue value) {
  auto [it, inserted] = index_.emplace(std::string(key), entries_.size());
  if (inserted) {
    entries_.push_back({std::string(key), std::move(value)});
  } else {
    entries_[it->second].value = std::move(value);
  }
}

void GgufWriter::SetAlignment(uint32_t alignment) {
  assert(std::has_single_bit(alignment));
  SetU32("general.alignment", alignment);
}

bool GgufWriter::Remove(std::string_view key) {
  auto it = index_.find(std::string(key));
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(it->second));
  index_.erase(it);
  for (size_t i = 0; i < entries_.size(); ++i) index_[entries_[i].key] = i;
  return true;
}

void GgufWriter::CopyMetadata(const GgufFile& file,
                              const std::function<bool(std::string_view key)>& keep) {
  for (const GgufMetadataEntry& e : file.metadata()) {
    if (keep && !keep(e.key)) continue;
    Set(e.key, GgufMetadataValue::Copy(e.value));
  }
}

// ---- GgufWriter: tensors ----

Status GgufWriter::CheckTensor(const GgufTensorSpec& spec, size_t data_size) const {
  if (spec.name.empty()) return InvalidArgumentError("tensor name is empty");
  const std::string& name = spec.name;
  if (tensor_index_.contains(name)) return InvalidArgumentError("duplicate tensor '{}'", name);
  if (spec.dims.empty() || spec.dims.size() > kGgufMaxDims) {
    return InvalidArgumentError("tensor '{}' has {} dimensions (1 to {} supported)", name,
                                spec.dims.size(), kGgufMaxDims);
  }
  if (!IsKnownTensorType(static_cast<uint32_t>(spec.type))) {
    return InvalidArgumentError("tensor '{}' has unknown type {}", name,
                                static_cast<uint32_t>(spec.type));
  }
  int64_t n = 1;
  for (int64_t d : spec.dims) {
    if (d <= 0 || __builtin_mul_overflow(n, d, &n)) {
      return InvalidArgumentError("tensor '{}' has invalid dimension {}", name, d);
    }
  }
  const auto block = static_cast<int64_t>(BlockSize(spec.type));
  if (spec.dims[0] % block != 0) {
    return InvalidArgumentError(
        "tensor '{}' of type {} has row length {} which is not a multiple of the block size {}",
        name, TensorTypeName(spec.type), spec.dims[0], block);
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(n / block), BlockBytes(spec.type), &bytes) ||
      bytes != data_size) {
    return InvalidArgumentError("tensor '{}' has {} bytes of data, its type and dims need {}", name,
                                data_size, bytes);
  }
  return OkStatus();
}

Status GgufWriter::AddTensor(GgufTensorSpec spec, std::vector<uint8_t> data) {
  SAVOIR_RETURN_IF_ERROR(CheckTensor(spec, data.size()));
  tensor_index_.emplace(spec.name, tensors_.size());
  tensors_.push_back({std::move(spec), std::move(data), {}});
  tensors_.back().data = tensors_.back().owned;
  return OkStatus();
}

Status GgufWriter::AddTensorView(GgufTensorSpec spec, std::span<const uint8_t> data) {
  SAVOIR_RETURN_IF_ERROR(CheckTensor(spec, data.size()));
  tensor_index_.emplace(spec.name, tensors_.size());
  tensors_.push_back({std::move(spec), {}, data});
  return OkStatus();
}

// ---- GgufWriter: output ----

StatusOr<uint32_t> GgufWriter::Alignment() const {
  auto it = index_.find("general.alignment");
  if (it == index_.end()) return kGgufDefaultAlignment;
  const GgufMetadataValue& v = entries_[it->second].value;
  const GgufValue view(v.type(), v.encoded().data());
  const std::optional<uint64_t> a = view.is_integer() ? view.AsU64() : std::nullopt;
  if (!a.has_value() || !std::has_single_bit(*a) || *a > (1u << 30)) {
    return InvalidArgumentError("general.alignment must be a power of two integer up to 2^30");
  }
  return static_cast<uint32_t>(*a);
}

// Padding comes from a small constant block: the alignment may be up to 2^30, and a buffer of
// that size must never be allocated for it.
Status GgufWriter::EmitZeros(const Sink& sink, uint64_t n) {
  static constexpr std::array<uint8_t, 4096> kZeros = {};
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, kZeros.size()));
    SAVOIR_RETURN_IF_ERROR(sink(std::span(kZeros.data(), chunk)));
    n -= chunk;
  }
  return OkStatus();
}

// Streams the file to `sink` in order: header, metadata, tensor table, padded tensor data.
// Tensor data is handed over in place, never concatenated into one buffer.
Status GgufWriter::Emit(const Sink& sink) const {
  SAVOIR_ASSIGN_OR_RETURN(const uint32_t alignment, Alignment());
  const auto pad = [alignment](uint64_t n) { return (n + alignment - 1) / alignment * alignment; };
  std::vector<uint8_t> head;
  Append<uint32_t>(head, kGgufMagic);
  Append<uint32_t>(head, 3);
  Append<uint64_t>(head, tensors_.size());
  Append<uint64_t>(head, entries_.size());
  for (const Entry& e : entries_) {
    AppendString(head, e.key);
    Append<uint32_t>(head, static_cast<uint32_t>(e.value.type()));
    head.insert(head.end(), e.value.encoded().begin(), e.value.encoded().end());
  }
  uint64_t offset = 0;
  for (const Tensor& t : tensors_) {
    AppendString(head, t.spec.name);
    Append<uint32_t>(head, static_cast<uint32_t>(t.spec.dims.size()));
    for (int64_t d : t.spec.dims) Append<uint64_t>(head, static_cast<uint64_t>(d));
    Append<uint32_t>(head, static_cast<uint32_t>(t.spec.type));
    Append<uint64_t>(head, offset);
    offset = pad(offset + t.data.size());
  }
  SAVOIR_RETURN_IF_ERROR(sink(head));
  // Like llama.cpp, a file without tensors ends right after its tables, unpadded.
  if (tensors_.empty()) return OkStatus();
  SAVOIR_RETURN_IF_ERROR(EmitZeros(sink, pad(head.size()) - head.size()));
  for (const Tensor& t : tensors_) {
    SAVOIR_RETURN_IF_ERROR(sink(t.data));
    SAVOIR_RETURN_IF_ERROR(EmitZeros(sink, pad(t.data.size()) - t.data.size()));
  }
  return OkStatus();
}

StatusOr<std::vector<uint8_t>> GgufWriter::Serialize() const {
  std::vector<uint8_t> out;
  SAVOIR_RETURN_IF_ERROR(Emit([&out](std::span<const uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
    return OkStatus();
  }));
  return out;
}

namespace {

Status WriteAll(int fd, std::span<const uint8_t> bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return UnavailableError("{}: write failed: {}", path, std::strerror(errno));
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return OkStatus();
}

}  // namespace

Status GgufWriter::Write(const std::string& path) const {
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return UnavailableError("{}: cannot create temporary file: {}", path, std::strerror(errno));
  }
  Status status = Emit([&](std::span<const uint8_t> bytes) { return WriteAll(fd, bytes, path); });
  if (status.ok() && fchmod(fd, 0644) != 0) {
    status = UnavailableError("{}: chmod failed: {}", path, std::strerror(errno));
  }
  if (status.ok() && fsync(fd) != 0) {
    status = UnavailableError("{}: fsync failed: {}", path, std::strerror(errno));
  }
  if (close(fd) != 0 && status.ok()) {
    status = UnavailableError("{}: close failed: {}", path, std::strerror(errno));
  }
  if (status.ok() && std::rename(temp.c_str(), path.c_str()) != 0) {
    status = UnavailableError("{}: cannot rename temporary file: {}", path, std::strerror(errno));
  }
  if (!status.ok()) unlink(temp.c_str());
  return status;
}

}  // namespace savoir::engine
