// GgufFile: a validating, zero-copy reader of GGUF model files (versions 2 and 3).
//
// `GgufFile::Open(path)` maps the file read-only (mmap, MAP_PRIVATE) and parses its header,
// metadata and tensor table; `GgufFile::FromBuffer(bytes, name)` parses a copy of an in-memory
// buffer (tests, fuzzing). Every structural problem -- bad magic, unsupported version,
// truncation, impossible counts or lengths, bad tensor shapes/types/offsets, duplicate names --
// is reported as one INVALID_ARGUMENT (NOT_FOUND for a missing path) Status whose message starts
// with the file name; nothing is allocated before the file is known to be able to hold it.
// After a successful parse the file is immutable. Metadata is read with typed getters
// (`GetString`, `GetU32`/`GetI32`/`GetU64`/`GetI64` which accept any integer type whose value
// fits, `GetF32`/`GetF64`, `GetBool`) returning StatusOr (NOT_FOUND for a missing key,
// INVALID_ARGUMENT for a wrong type), the `...Or(key, fallback)` variants for optional keys,
// array getters (`GetStringArray` returns string_views into the mapping, `GetF32Array`,
// `GetI32Array` copy the numbers), and a generic `GgufValue` view for iteration over
// `metadata()` in file order (nested arrays included). Tensors are found with
// `FindTensor(name)` -> `const GgufTensor*` (nullptr when absent) or listed with `tensors()`;
// `GgufTensor::data` points into the mapping. All string_views, GgufValues and pointers handed
// out stay valid as long as the GgufFile lives. Thread safety: all const methods may be called
// concurrently.
#ifndef SAVOIR_ENGINE_GGUF_GGUF_FILE_H_
#define SAVOIR_ENGINE_GGUF_GGUF_FILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/core/tensor_type.h"

namespace savoir::engine {

// "GGUF" read as a little-endian uint32.
inline constexpr uint32_t kGgufMagic = 0x46554747;
inline constexpr uint32_t kGgufDefaultAlignment = 32;
// ggml's GGML_MAX_DIMS.
inline constexpr int kGgufMaxDims = 4;
// Arrays of arrays deeper than this are rejected (protects the parser's stack).
inline constexpr int kGgufMaxArrayDepth = 8;

// Metadata value types; the numeric values are those stored in the file.
enum class GgufValueType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

// Lower-case name as the GGUF spec writes it ("u32", "string", "array"); "unknown" otherwise.
std::string_view GgufValueTypeName(GgufValueType type);
// Encoded size of one scalar of `type` (1..8), or 0 for string, array and unknown types.
size_t GgufScalarSize(GgufValueType type);

// A view of one metadata value inside a parsed file (valid while the GgufFile lives). The
// accessors require the matching type (checked with assert); a GgufValue obtained from a
// GgufFile has already been validated, so reading it cannot go out of bounds.
class GgufValue {
 public:
  GgufValue() = default;
  GgufValue(GgufValueType type, const uint8_t* data) : type_(type), data_(data) {}

  GgufValueType type() const { return type_; }
  bool is_integer() const;  // u8..i64 (not bool)
  bool is_float() const { return type_ == GgufValueType::kF32 || type_ == GgufValueType::kF64; }

  // Integer value for integer types, widened; requires is_integer(). The unsigned form of a
  // negative value and the signed form of a value above INT64_MAX return nullopt.
  std::optional<uint64_t> AsU64() const;
  std::optional<int64_t> AsI64() const;
  // f32 or f64 value; requires is_float().
  double AsF64() const;
  // Requires type() == kBool. Any non-zero byte is true.
  bool AsBool() const;
  // Requires type() == kString.
  std::string_view AsString() const;

  // Arrays (require type() == kArray).
  GgufValueType array_type() const;
  uint64_t array_size() const;
  // Element `i` (< array_size()); O(1) for scalar element types, O(i) for strings and arrays.
  GgufValue ArrayElement(uint64_t i) const;
  // All elements in order (one walk over the array).
  std::vector<GgufValue> ArrayElements() const;

  // Encoded size in bytes of this value (for copying raw values, e.g. by GgufWriter).
  size_t EncodedSize() const;
  const uint8_t* encoded_data() const { return data_; }

 private:
  GgufValueType type_ = GgufValueType::kU8;
  const uint8_t* data_ = nullptr;  // first byte of the value, after its type tag
};

struct GgufMetadataEntry {
  std::string_view key;
  GgufValue value;
};

// One entry of the tensor table.
struct GgufTensor {
  std::string_view name;
  TensorType type = TensorType::kF32;
  int n_dims = 0;
  // ggml order: dims[0] is the row length (contiguous); unused dims are 1.
  std::array<int64_t, kGgufMaxDims> dims = {1, 1, 1, 1};
  int64_t n_elements = 0;
  uint64_t size_bytes = 0;
  uint64_t offset = 0;            // relative to the start of the data section
  const uint8_t* data = nullptr;  // inside the mapping; size_bytes long

  std::span<const int64_t> shape() const { return {dims.data(), static_cast<size_t>(n_dims)}; }
  // Elements in one row (dims[0]) and number of rows (product of the other dims).
  int64_t row_length() const { return dims[0]; }
  int64_t n_rows() const { return n_elements / dims[0]; }
};

class GgufFile {
 public:
  // Maps and parses `path`. Errors: NOT_FOUND (no such file), INVALID_ARGUMENT (a directory,
  // an empty or malformed file), UNAVAILABLE (mmap/read failures). Messages begin "path: ".
  static StatusOr<std::unique_ptr<GgufFile>> Open(const std::string& path);
  // Parses a copy of `bytes` (kept 64-byte aligned); `name` prefixes error messages.
  static StatusOr<std::unique_ptr<GgufFile>> FromBuffer(std::span<const uint8_t> bytes,
                                                        std::string name = "<memory>");

  // Use Open or FromBuffer; the tag keeps construction private to this class.
  class PrivateTag {
    friend class GgufFile;
    PrivateTag() = default;
  };
  struct Storage;
  GgufFile(PrivateTag, std::string name, std::unique_ptr<Storage> storage);
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  // File name (path, or the name given to FromBuffer).
  const std::string& name() const { return name_; }
  uint32_t version() const { return version_; }
  uint64_t file_size() const { return size_; }
  uint32_t alignment() const { return alignment_; }
  // Byte offset of the data section in the file (a multiple of alignment()).
  uint64_t data_offset() const { return data_offset_; }
  // Value of general.architecture, or "" when absent or not a string.
  std::string_view architecture() const;
  // Whole file contents.
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

  // ---- Metadata ----
  // All key/value pairs in file order.
  const std::vector<GgufMetadataEntry>& metadata() const { return metadata_; }
  bool HasKey(std::string_view key) const { return FindValue(key) != nullptr; }
  // The value of `key`, or nullptr when absent.
  const GgufValue* FindValue(std::string_view key) const;

  // Typed getters: NOT_FOUND when the key is absent, INVALID_ARGUMENT when its type does not
  // convert (integers convert between widths when the value fits; f64 narrows to f32).
  StatusOr<std::string_view> GetString(std::string_view key) const;
  StatusOr<uint32_t> GetU32(std::string_view key) const;
  StatusOr<int32_t> GetI32(std::string_view key) const;
  StatusOr<uint64_t> GetU64(std::string_view key) const;
  StatusOr<int64_t> GetI64(std::string_view key) const;
  StatusOr<float> GetF32(std::string_view key) const;
  StatusOr<double> GetF64(std::string_view key) const;
  StatusOr<bool> GetBool(std::string_view key) const;
  // As above but return `fallback` when the key is absent (a wrong type is still an error).
  StatusOr<std::string_view> GetStringOr(std::string_view key, std::string_view fallback) const;
  StatusOr<uint32_t> GetU32Or(std::string_view key, uint32_t fallback) const;
  StatusOr<uint64_t> GetU64Or(std::string_view key, uint64_t fallback) const;
  StatusOr<float> GetF32Or(std::string_view key, float fallback) const;
  StatusOr<bool> GetBoolOr(std::string_view key, bool fallback) const;

  // The array value of `key` (NOT_FOUND / INVALID_ARGUMENT if absent / not an array).
  StatusOr<GgufValue> GetArray(std::string_view key) const;
  // Array of strings as views into the file (no string is copied).
  StatusOr<std::vector<std::string_view>> GetStringArray(std::string_view key) const;
  // Array of f32 (f64 elements narrow) copied out of the file.
  StatusOr<std::vector<float>> GetF32Array(std::string_view key) const;
  // Array of any integer type whose values fit in int32 (also bool), copied out.
  StatusOr<std::vector<int32_t>> GetI32Array(std::string_view key) const;

  // ---- Tensors ----
  // Tensors in file order.
  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  // The tensor called `name`, or nullptr.
  const GgufTensor* FindTensor(std::string_view name) const;

 private:
  class Parser;

  static StatusOr<std::unique_ptr<GgufFile>> Parse(std::unique_ptr<GgufFile> file);
  StatusOr<GgufValue> Lookup(std::string_view key, std::string_view wanted) const;
  Status WrongType(std::string_view key, const GgufValue& value, std::string_view wanted) const;

  std::string name_;
  std::unique_ptr<Storage> storage_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<GgufMetadataEntry> metadata_;
  std::unordered_map<std::string_view, size_t> key_index_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_GGUF_GGUF_FILE_H_
