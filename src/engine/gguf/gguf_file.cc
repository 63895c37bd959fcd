#include "engine/gguf/gguf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace savoir::engine {

// GGUF is little-endian; values are read with memcpy straight from the mapping.
static_assert(std::endian::native == std::endian::little, "savoir assumes a little-endian host");

namespace {

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

bool IsKnownValueType(uint32_t type) { return type <= static_cast<uint32_t>(GgufValueType::kF64); }

// Smallest encoding of one array element of `type`: a scalar, a string length, or the
// (type, count) header of a nested array. Used to bound counts before walking them.
uint64_t MinEncodedSize(GgufValueType type) {
  if (type == GgufValueType::kString) return 8;
  if (type == GgufValueType::kArray) return 12;
  return GgufScalarSize(type);
}

// Walks one already-validated value and returns a pointer just past it.
const uint8_t* SkipValue(GgufValueType type, const uint8_t* p) {
  if (type == GgufValueType::kString) return p + 8 + Load<uint64_t>(p);
  if (type != GgufValueType::kArray) return p + GgufScalarSize(type);
  const auto elem = static_cast<GgufValueType>(Load<uint32_t>(p));
  const uint64_t count = Load<uint64_t>(p + 4);
  p += 12;
  if (elem != GgufValueType::kString && elem != GgufValueType::kArray) {
    return p + count * GgufScalarSize(elem);
  }
  for (uint64_t i = 0; i < count; ++i) p = SkipValue(elem, p);
  return p;
}

}  // namespace

std::string_view GgufValueTypeName(GgufValueType type) {
  switch (type) {
    case GgufValueType::kU8:
      return "u8";
    case GgufValueType::kI8:
      return "i8";
    case GgufValueType::kU16:
      return "u16";
    case GgufValueType::kI16:
      return "i16";
    case GgufValueType::kU32:
      return "u32";
    case GgufValueType::kI32:
      return "i32";
    case GgufValueType::kF32:
      return "f32";
    case GgufValueType::kBool:
      return "bool";
    case GgufValueType::kString:
      return "string";
    case GgufValueType::kArray:
      return "array";
    case GgufValueType::kU64:
      return "u64";
    case GgufValueType::kI64:
      return "i64";
    case GgufValueType::kF64:
      return "f64";
  }
  return "unknown";
}

size_t GgufScalarSize(GgufValueType type) {
  switch (type) {
    case GgufValueType::kU8:
    case GgufValueType::kI8:
    case GgufValueType::kBool:
      return 1;
    case GgufValueType::kU16:
    case GgufValueType::kI16:
      return 2;
    case GgufValueType::kU32:
    case GgufValueType::kI32:
    case GgufValueType::kF32:
      return 4;
    case GgufValueType::kU64:
    case GgufValueType::kI64:
    case GgufValueType::kF64:
      return 8;
    case GgufValueType::kString:
    case GgufValueType::kArray:
      return 0;
  }
  return 0;
}

// ---- GgufValue ----

bool GgufValue::is_integer() const {
  switch (type_) {
    case GgufValueType::kU8:
    case GgufValueType::kI8:
    case GgufValueType::kU16:
    case GgufValueType::kI16:
    case GgufValueType::kU32:
    case GgufValueType::kI32:
    case GgufValueType::kU64:
    case GgufValueType::kI64:
      return true;
    default:
      return false;
  }
}

std::optional<int64_t> GgufValue::AsI64() const {
  assert(is_integer());
  switch (type_) {
    case GgufValueType::kU8:
      return Load<uint8_t>(data_);
    case GgufValueType::kI8:
      return Load<int8_t>(data_);
    case GgufValueType::kU16:
      return Load<uint16_t>(data_);
    case GgufValueType::kI16:
      return Load<int16_t>(data_);
    case GgufValueType::kU32:
      return Load<uint32_t>(data_);
    case GgufValueType::kI32:
      return Load<int32_t>(data_);
    case GgufValueType::kI64:
      return Load<int64_t>(data_);
    case GgufValueType::kU64: {
      const uint64_t v = Load<uint64_t>(data_);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(v);
    }
    default:
      return std::nullopt;
  }
}

std::optional<uint64_t> GgufValue::AsU64() const {
  assert(is_integer());
  if (type_ == GgufValueType::kU64) return Load<uint64_t>(data_);
  const std::optional<int64_t> v = AsI64();
  if (!v.has_value() || *v < 0) return std::nullopt;
  return static_cast<uint64_t>(*v);
}

double GgufValue::AsF64() const {
  assert(is_float());
  return type_ == GgufValueType::kF32 ? Load<float>(data_) : Load<double>(data_);
}

bool GgufValue::AsBool() const {
  assert(type_ == GgufValueType::kBool);
  return data_[0] != 0;
}

std::string_view GgufValue::AsString() const {
  assert(type_ == GgufValueType::kString);
  return {reinterpret_cast<const char*>(data_ + 8), static_cast<size_t>(Load<uint64_t>(data_))};
}

GgufValueType GgufValue::array_type() const {
  assert(type_ == GgufValueType::kArray);
  return static_cast<GgufValueType>(Load<uint32_t>(data_));
}

uint64_t GgufValue::array_size() const {
  assert(type_ == GgufValueType::kArray);
  return Load<uint64_t>(data_ + 4);
}

GgufValue GgufValue::ArrayElement(uint64_t i) const {
  assert(i < array_size());
  const GgufValueType elem = array_type();
  const size_t scalar = GgufScalarSize(elem);
  if (scalar != 0) return GgufValue(elem, data_ + 12 + i * scalar);
  const uint8_t* p = data_ + 12;
  for (uint64_t k = 0; k < i; ++k) p = SkipValue(elem, p);
  return GgufValue(elem, p);
}

std::vector<GgufValue> GgufValue::ArrayElements() const {
  const GgufValueType elem = array_type();
  const uint64_t n = array_size();
  std::vector<GgufValue> out;
  out.reserve(n);
  const uint8_t* p = data_ + 12;
  for (uint64_t i = 0; i < n; ++i) {
    out.emplace_back(elem, p);
    p = SkipValue(elem, p);
  }
  return out;
}

size_t GgufValue::EncodedSize() const {
  return static_cast<size_t>(SkipValue(type_, data_) - data_);
}

// ---- Storage: either a private read-only mapping or a 64-byte aligned heap copy ----

struct GgufFile::Storage {
  void* map = nullptr;
  size_t map_size = 0;
  void* heap = nullptr;
  const uint8_t* bytes = nullptr;
  size_t size = 0;

  ~Storage() {
    if (map != nullptr) munmap(map, map_size);
    std::free(heap);
  }
};

GgufFile::GgufFile(PrivateTag, std::string name, std::unique_ptr<Storage> storage)
    : name_(std::move(name)),
      storage_(std::move(storage)),
      data_(storage_->bytes),
      size_(storage_->size) {}

GgufFile::~GgufFile() = default;

// ---- Parser ----

// Reads the header, metadata and tensor table with a bounds-checked cursor. Each count is
// compared with the bytes left before anything is reserved, so a corrupt count fails fast.
class GgufFile::Parser {
 public:
  explicit Parser(GgufFile& file) : f_(file), data_(file.data_), size_(file.size_) {}

  Status Run() {
    SAVOIR_RETURN_IF_ERROR(ReadHeader());
    SAVOIR_RETURN_IF_ERROR(ReadMetadata());
    SAVOIR_RETURN_IF_ERROR(ReadAlignment());
    SAVOIR_RETURN_IF_ERROR(ReadTensorTable());
    return PlaceTensors();
  }

 private:
  template <typename... Args>
  Status Error(fmt::format_string<Args...> format, Args&&... args) {
    return InvalidArgumentError("{}: {}", f_.name_,
                                fmt::format(format, std::forward<Args>(args)...));
  }

  uint64_t Left() const { return size_ - pos_; }

  // `what` and `detail` name the field in the error message; they are only joined on error,
  // which keeps the per-element cost of long string arrays low.
  Status Need(uint64_t n, std::string_view what, std::string_view detail = {}) {
    if (n <= Left()) return OkStatus();
    return Error("truncated file: {}{} needs {} bytes at offset {} but only {} remain", what,
                 detail, n, pos_, Left());
  }

  template <typename T>
  StatusOr<T> Read(std::string_view what, std::string_view detail = {}) {
    SAVOIR_RETURN_IF_ERROR(Need(sizeof(T), what, detail));
    T value = Load<T>(data_ + pos_);
    pos_ += sizeof(T);
    return value;
  }

  StatusOr<std::string_view> ReadString(std::string_view what, std::string_view detail = {}) {
    SAVOIR_ASSIGN_OR_RETURN(uint64_t len, Read<uint64_t>(what, detail));
    if (len > Left()) {
      return Error("{}{} has length {} which runs past the end of the file ({} bytes left)", what,
                   detail, len, Left());
    }
    std::string_view s(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
    pos_ += len;
    return s;
  }

  Status ReadHeader() {
    if (size_ < 4 || Load<uint32_t>(data_) != kGgufMagic) {
      return Error("not a gguf file (bad magic{})", size_ < 4 ? ", file shorter than 4 bytes" : "");
    }
    pos_ = 4;
    SAVOIR_ASSIGN_OR_RETURN(f_.version_, Read<uint32_t>("header version"));
    if (f_.version_ != 2 && f_.version_ != 3) {
      const bool swapped =
          __builtin_bswap32(f_.version_) == 2 || __builtin_bswap32(f_.version_) == 3;
      return Error("unsupported gguf version {}{}", f_.version_,
                   swapped ? " (a big-endian file; only little-endian is supported)"
                           : " (only versions 2 and 3 are supported)");
    }
    SAVOIR_ASSIGN_OR_RETURN(n_tensors_, Read<uint64_t>("header tensor count"));
    SAVOIR_ASSIGN_OR_RETURN(n_kv_, Read<uint64_t>("header metadata count"));
    // Smallest key/value: 8-byte key length + 4-byte type + 1-byte value. Smallest tensor
    // info: 8-byte name length + n_dims + one dim + type + offset = 32 bytes.
    if (n_kv_ > Left() / 13) {
      return Error("metadata count {} is larger than the file can hold ({} bytes)", n_kv_, size_);
    }
    if (n_tensors_ > (Left() - n_kv_ * 13) / 32) {
      return Error("tensor count {} is larger than the file can hold ({} bytes)", n_tensors_,
                   size_);
    }
    return OkStatus();
  }

  Status ReadMetadata() {
    f_.metadata_.reserve(n_kv_);
    f_.key_index_.reserve(n_kv_);
    for (uint64_t i = 0; i < n_kv_; ++i) {
      SAVOIR_ASSIGN_OR_RETURN(std::string_view key, ReadString(fmt::format("key #{}", i)));
      const std::string what = fmt::format("key '{}'", key);
      SAVOIR_ASSIGN_OR_RETURN(uint32_t type, Read<uint32_t>(what, " type"));
      if (!IsKnownValueType(type)) return Error("{} has unknown value type {}", what, type);
      const uint8_t* value = data_ + pos_;
      SAVOIR_RETURN_IF_ERROR(CheckValue(static_cast<GgufValueType>(type), 0, what));
      if (!f_.key_index_.emplace(key, f_.metadata_.size()).second) {
        return Error("duplicate metadata key '{}'", key);
      }
      f_.metadata_.push_back({key, GgufValue(static_cast<GgufValueType>(type), value)});
    }
    return OkStatus();
  }

  // Validates the encoding of one value at pos_ and moves past it.
  Status CheckValue(GgufValueType type, int depth, const std::string& what) {
    if (type == GgufValueType::kString) return ReadString(what, " string").status();
    if (type != GgufValueType::kArray) {
      SAVOIR_RETURN_IF_ERROR(Need(GgufScalarSize(type), what, " value"));
      pos_ += GgufScalarSize(type);
      return OkStatus();
    }
    if (depth >= kGgufMaxArrayDepth) {
      return Error("{} nests arrays deeper than {} levels", what, kGgufMaxArrayDepth);
    }
    SAVOIR_ASSIGN_OR_RETURN(uint32_t elem_id, Read<uint32_t>(what, " array type"));
    if (!IsKnownValueType(elem_id))
      return Error("{} is an array of unknown type {}", what, elem_id);
    SAVOIR_ASSIGN_OR_RETURN(uint64_t count, Read<uint64_t>(what, " array length"));
    const auto elem = static_cast<GgufValueType>(elem_id);
    if (count > Left() / MinEncodedSize(elem)) {
      return Error(
          "{} is an array of {} {} elements which runs past the end of the file ({} "
          "bytes left)",
          what, count, GgufValueTypeName(elem), Left());
    }
    if (elem != GgufValueType::kString && elem != GgufValueType::kArray) {
      pos_ += count * GgufScalarSize(elem);
      return OkStatus();
    }
    for (uint64_t i = 0; i < count; ++i) {
      SAVOIR_RETURN_IF_ERROR(CheckValue(elem, depth + 1, what));
    }
    return OkStatus();
  }

  Status ReadAlignment() {
    const GgufValue* v = f_.FindValue("general.alignment");
    if (v == nullptr) return OkStatus();
    const std::optional<uint64_t> a = v->is_integer() ? v->AsU64() : std::nullopt;
    if (!a.has_value() || *a == 0 || !std::has_single_bit(*a) || *a > (1u << 30)) {
      return Error("general.alignment must be a power of two integer up to 2^30");
    }
    f_.alignment_ = static_cast<uint32_t>(*a);
    return OkStatus();
  }

  Status ReadTensorTable() {
    f_.tensors_.reserve(n_tensors_);
    f_.tensor_index_.reserve(n_tensors_);
    for (uint64_t i = 0; i < n_tensors_; ++i) {
      GgufTensor t;
      SAVOIR_ASSIGN_OR_RETURN(t.name, ReadString(fmt::format("tensor #{} name", i)));
      if (t.name.empty()) return Error("tensor #{} has an empty name", i);
      SAVOIR_RETURN_IF_ERROR(ReadTensorInfo(t));
      if (!f_.tensor_index_.emplace(t.name, f_.tensors_.size()).second) {
        return Error("duplicate tensor name '{}'", t.name);
      }
      f_.tensors_.push_back(t);
    }
    return OkStatus();
  }

  Status ReadTensorInfo(GgufTensor& t) {
    const std::string what = fmt::format("tensor '{}'", t.name);
    SAVOIR_ASSIGN_OR_RETURN(uint32_t n_dims, Read<uint32_t>(what, " n_dims"));
    if (n_dims == 0 || n_dims > kGgufMaxDims) {
      return Error("{} has {} dimensions (1 to {} supported)", what, n_dims, kGgufMaxDims);
    }
    t.n_dims = static_cast<int>(n_dims);
    int64_t n = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      SAVOIR_ASSIGN_OR_RETURN(uint64_t dim, Read<uint64_t>(what, " dims"));
      if (dim == 0) return Error("{} has dimension {} equal to 0", what, d);
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          __builtin_mul_overflow(n, static_cast<int64_t>(dim), &n)) {
        return Error("{} element count overflows (dimension {} is {})", what, d, dim);
      }
      t.dims[d] = static_cast<int64_t>(dim);
    }
    t.n_elements = n;
    SAVOIR_ASSIGN_OR_RETURN(uint32_t type, Read<uint32_t>(what, " type"));
    if (!IsKnownTensorType(type)) return Error("{} has unknown type {}", what, type);
    t.type = static_cast<TensorType>(type);
    const auto block = static_cast<int64_t>(BlockSize(t.type));
    if (t.dims[0] % block != 0) {
      return Error("{} of type {} has row length {} which is not a multiple of the block size {}",
                   what, TensorTypeName(t.type), t.dims[0], block);
    }
    if (__builtin_mul_overflow(static_cast<uint64_t>(n / block),
                               static_cast<uint64_t>(BlockBytes(t.type)), &t.size_bytes)) {
      return Error("{} byte size overflows", what);
    }
    SAVOIR_ASSIGN_OR_RETURN(t.offset, Read<uint64_t>(what, " offset"));
    return OkStatus();
  }

  Status PlaceTensors() {
    const uint64_t a = f_.alignment_;
    f_.data_offset_ = (pos_ + a - 1) / a * a;  // pos_ <= size_ < 2^63: no overflow
    for (GgufTensor& t : f_.tensors_) {
      if (t.offset % a != 0) {
        return Error("tensor '{}' offset {} is not a multiple of the alignment {}", t.name,
                     t.offset, a);
      }
      const uint64_t room = size_ >= f_.data_offset_ ? size_ - f_.data_offset_ : 0;
      if (t.offset > room || t.size_bytes > room - t.offset) {
        return Error(
            "tensor '{}' data ({} bytes at data offset {}) lies outside the file ({} "
            "bytes, data section starts at {})",
            t.name, t.size_bytes, t.offset, size_, f_.data_offset_);
      }
      t.data = data_ + f_.data_offset_ + t.offset;
    }
    return OkStatus();
  }

  GgufFile& f_;
  const uint8_t* data_;
  const uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
};

// ---- Construction ----

StatusOr<std::unique_ptr<GgufFile>> GgufFile::Parse(std::unique_ptr<GgufFile> file) {
  SAVOIR_RETURN_IF_ERROR(Parser(*file).Run());
  return file;
}

StatusOr<std::unique_ptr<GgufFile>> GgufFile::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFoundError("{}: no such file", path);
    return InvalidArgumentError("{}: cannot open: {}", path, std::strerror(err));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return UnavailableError("{}: cannot stat: {}", path, std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return InvalidArgumentError("{}: is a directory, not a gguf file", path);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return InvalidArgumentError("{}: not a regular file", path);
  }
  if (st.st_size == 0) {
    close(fd);
    return InvalidArgumentError("{}: not a gguf file (empty file)", path);
  }
  auto storage = std::make_unique<Storage>();
  storage->map_size = static_cast<size_t>(st.st_size);
  void* map = mmap(nullptr, storage->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  close(fd);
  if (map == MAP_FAILED) return UnavailableError("{}: mmap failed: {}", path, std::strerror(err));
  storage->map = map;
  storage->bytes = static_cast<const uint8_t*>(map);
  storage->size = storage->map_size;
  return Parse(std::make_unique<GgufFile>(PrivateTag(), path, std::move(storage)));
}

StatusOr<std::unique_ptr<GgufFile>> GgufFile::FromBuffer(std::span<const uint8_t> bytes,
                                                         std::string name) {
  auto storage = std::make_unique<Storage>();
  constexpr size_t kAlign = 64;
  storage->heap = std::aligned_alloc(kAlign, (bytes.size() / kAlign + 1) * kAlign);
  if (storage->heap == nullptr) {
    return ResourceExhaustedError("{}: cannot allocate {} bytes", name, bytes.size());
  }
  if (!bytes.empty()) std::memcpy(storage->heap, bytes.data(), bytes.size());
  storage->bytes = static_cast<const uint8_t*>(storage->heap);
  storage->size = bytes.size();
  return Parse(std::make_unique<GgufFile>(PrivateTag(), std::move(name), std::move(storage)));
}

// ---- Lookups ----

std::string_view GgufFile::architecture() const {
  const GgufValue* v = FindValue("general.architecture");
  return v != nullptr && v->type() == GgufValueType::kString ? v->AsString() : std::string_view();
}

const GgufValue* GgufFile::FindValue(std::string_view key) const {
  auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &metadata_[it->second].value;
}

const GgufTensor* GgufFile::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

StatusOr<GgufValue> GgufFile::Lookup(std::string_view key, std::string_view wanted) const {
  const GgufValue* v = FindValue(key);
  if (v == nullptr) return NotFoundError("{}: missing key '{}' ({})", name_, key, wanted);
  return *v;
}

Status GgufFile::WrongType(std::string_view key, const GgufValue& value,
                           std::string_view wanted) const {
  return InvalidArgumentError("{}: key '{}' has type {}, expected {}", name_, key,
                              GgufValueTypeName(value.type()), wanted);
}

StatusOr<std::string_view> GgufFile::GetString(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, Lookup(key, "string"));
  if (v.type() != GgufValueType::kString) return WrongType(key, v, "string");
  return v.AsString();
}

namespace {

// Converts an integer value to T when it fits; nullopt otherwise.
template <typename T>
std::optional<T> FitInteger(const GgufValue& v) {
  if constexpr (std::is_signed_v<T>) {
    const std::optional<int64_t> x = v.AsI64();
    if (!x || *x < std::numeric_limits<T>::min() || *x > std::numeric_limits<T>::max()) {
      return std::nullopt;
    }
    return static_cast<T>(*x);
  } else {
    const std::optional<uint64_t> x = v.AsU64();
    if (!x || *x > std::numeric_limits<T>::max()) return std::nullopt;
    return static_cast<T>(*x);
  }
}

template <typename T>
StatusOr<T> GetInteger(const GgufFile& f, std::string_view key, std::string_view wanted) {
  const GgufValue* v = f.FindValue(key);
  if (v == nullptr) return NotFoundError("{}: missing key '{}' ({})", f.name(), key, wanted);
  if (!v->is_integer()) {
    return InvalidArgumentError("{}: key '{}' has type {}, expected an integer ({})", f.name(), key,
                                GgufValueTypeName(v->type()), wanted);
  }
  const std::optional<T> x = FitInteger<T>(*v);
  if (!x.has_value()) {
    return InvalidArgumentError("{}: key '{}' value does not fit in {}", f.name(), key, wanted);
  }
  return *x;
}

}  // namespace

StatusOr<uint32_t> GgufFile::GetU32(std::string_view key) const {
  return GetInteger<uint32_t>(*this, key, "u32");
}
StatusOr<int32_t> GgufFile::GetI32(std::string_view key) const {
  return GetInteger<int32_t>(*this, key, "i32");
}
StatusOr<uint64_t> GgufFile::GetU64(std::string_view key) const {
  return GetInteger<uint64_t>(*this, key, "u64");
}
StatusOr<int64_t> GgufFile::GetI64(std::string_view key) const {
  return GetInteger<int64_t>(*this, key, "i64");
}

StatusOr<double> GgufFile::GetF64(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, Lookup(key, "f64"));
  if (!v.is_float()) return WrongType(key, v, "f32 or f64");
  return v.AsF64();
}

StatusOr<float> GgufFile::GetF32(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(double v, GetF64(key));
  return static_cast<float>(v);
}

StatusOr<bool> GgufFile::GetBool(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, Lookup(key, "bool"));
  if (v.type() != GgufValueType::kBool) return WrongType(key, v, "bool");
  return v.AsBool();
}

StatusOr<std::string_view> GgufFile::GetStringOr(std::string_view key,
                                                 std::string_view fallback) const {
  return HasKey(key) ? GetString(key) : StatusOr<std::string_view>(fallback);
}
StatusOr<uint32_t> GgufFile::GetU32Or(std::string_view key, uint32_t fallback) const {
  return HasKey(key) ? GetU32(key) : StatusOr<uint32_t>(fallback);
}
StatusOr<uint64_t> GgufFile::GetU64Or(std::string_view key, uint64_t fallback) const {
  return HasKey(key) ? GetU64(key) : StatusOr<uint64_t>(fallback);
}
StatusOr<float> GgufFile::GetF32Or(std::string_view key, float fallback) const {
  return HasKey(key) ? GetF32(key) : StatusOr<float>(fallback);
}
StatusOr<bool> GgufFile::GetBoolOr(std::string_view key, bool fallback) const {
  return HasKey(key) ? GetBool(key) : StatusOr<bool>(fallback);
}

StatusOr<GgufValue> GgufFile::GetArray(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, Lookup(key, "array"));
  if (v.type() != GgufValueType::kArray) return WrongType(key, v, "array");
  return v;
}

StatusOr<std::vector<std::string_view>> GgufFile::GetStringArray(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, GetArray(key));
  if (v.array_type() != GgufValueType::kString) {
    return InvalidArgumentError("{}: key '{}' is an array of {}, expected an array of string",
                                name_, key, GgufValueTypeName(v.array_type()));
  }
  std::vector<std::string_view> out;
  out.reserve(v.array_size());
  const uint8_t* p = v.encoded_data() + 12;
  for (uint64_t i = 0; i < v.array_size(); ++i) {
    const uint64_t len = Load<uint64_t>(p);
    out.emplace_back(reinterpret_cast<const char*>(p + 8), static_cast<size_t>(len));
    p += 8 + len;
  }
  return out;
}

StatusOr<std::vector<float>> GgufFile::GetF32Array(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, GetArray(key));
  const GgufValueType elem = v.array_type();
  if (elem != GgufValueType::kF32 && elem != GgufValueType::kF64) {
    return InvalidArgumentError("{}: key '{}' is an array of {}, expected an array of f32", name_,
                                key, GgufValueTypeName(elem));
  }
  std::vector<float> out(v.array_size());
  if (elem == GgufValueType::kF32) {
    if (!out.empty()) std::memcpy(out.data(), v.encoded_data() + 12, out.size() * sizeof(float));
    return out;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<float>(Load<double>(v.encoded_data() + 12 + i * 8));
  }
  return out;
}

StatusOr<std::vector<int32_t>> GgufFile::GetI32Array(std::string_view key) const {
  SAVOIR_ASSIGN_OR_RETURN(GgufValue v, GetArray(key));
  const GgufValueType elem = v.array_type();
  if (!GgufValue(elem, nullptr).is_integer() && elem != GgufValueType::kBool) {
    return InvalidArgumentError("{}: key '{}' is an array of {}, expected an array of integers",
                                name_, key, GgufValueTypeName(elem));
  }
  std::vector<int32_t> out(v.array_size());
  if (elem == GgufValueType::kI32) {
    if (!out.empty()) std::memcpy(out.data(), v.encoded_data() + 12, out.size() * 4);
    return out;
  }
  const size_t width = GgufScalarSize(elem);
  for (size_t i = 0; i < out.size(); ++i) {
    const GgufValue e(elem == GgufValueType::kBool ? GgufValueType::kU8 : elem,
                      v.encoded_data() + 12 + i * width);
    const std::optional<int32_t> x = FitInteger<int32_t>(e);
    if (!x.has_value()) {
      return InvalidArgumentError("{}: key '{}' element {} does not fit in i32", name_, key, i);
    }
    out[i] = *x;
  }
  return out;
}

}  // namespace savoir::engine
