// GgufWriter: builds a GGUF version 3 file from metadata and tensors.
//
// Metadata values are built as GgufMetadataValue (every GGUF type: scalars, strings and arrays
// of any element type, nested arrays included) and set by key; keys keep their first insertion
// order and setting an existing key replaces its value. Tensors are added with their ggml type,
// dims (ggml order, dims[0] = row length) and bytes, either owned by the writer or borrowed from
// the caller (e.g. from a GgufFile mapping) until Write returns. The alignment is that of the
// `general.alignment` key when set (SetAlignment sets it), else 32. `Write(path)` writes a temp
// file in the same directory and renames it over `path`, so readers never see a partial file;
// `Serialize()` produces the bytes in memory. A GgufWriter is not thread-safe.
#ifndef SAVOIR_ENGINE_GGUF_GGUF_WRITER_H_
#define SAVOIR_ENGINE_GGUF_GGUF_WRITER_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/core/tensor_type.h"
#include "engine/gguf/gguf_file.h"

namespace savoir::engine {

// One metadata value, already encoded as GGUF stores it (without its type tag).
class GgufMetadataValue {
 public:
  static GgufMetadataValue U8(uint8_t v);
  static GgufMetadataValue I8(int8_t v);
  static GgufMetadataValue U16(uint16_t v);
  static GgufMetadataValue I16(int16_t v);
  static GgufMetadataValue U32(uint32_t v);
  static GgufMetadataValue I32(int32_t v);
  static GgufMetadataValue U64(uint64_t v);
  static GgufMetadataValue I64(int64_t v);
  static GgufMetadataValue F32(float v);
  static GgufMetadataValue F64(double v);
  static GgufMetadataValue Bool(bool v);
  static GgufMetadataValue String(std::string_view v);

  // Arrays of scalars. T is one of uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t,
  // uint64_t, int64_t, float, double.
  template <typename T>
  static GgufMetadataValue Array(std::span<const T> values);
  static GgufMetadataValue BoolArray(std::span<const bool> values);
  static GgufMetadataValue StringArray(std::span<const std::string_view> values);
  static GgufMetadataValue StringArray(std::span<const std::string> values);
  // Array of arbitrary values (arrays of arrays included). All elements must have the same
  // type; an empty array needs `element_type`. INVALID_ARGUMENT on mixed types.
  static StatusOr<GgufMetadataValue> ArrayOf(std::span<const GgufMetadataValue> elements,
                                             GgufValueType element_type = GgufValueType::kU8);
  // A copy of a value read from a GgufFile.
  static GgufMetadataValue Copy(const GgufValue& value);

  GgufValueType type() const { return type_; }
  std::span<const uint8_t> encoded() const { return bytes_; }

 private:
  GgufMetadataValue(GgufValueType type, std::vector<uint8_t> bytes)
      : type_(type), bytes_(std::move(bytes)) {}

  GgufValueType type_;
  std::vector<uint8_t> bytes_;
};

// Tensor description for GgufWriter::AddTensor.
struct GgufTensorSpec {
  std::string name;
  TensorType type = TensorType::kF32;
  std::vector<int64_t> dims;  // ggml order, 1 to 4 entries, each >= 1
};

class GgufWriter {
 public:
  GgufWriter() = default;
  GgufWriter(const GgufWriter&) = delete;
  GgufWriter& operator=(const GgufWriter&) = delete;
  GgufWriter(GgufWriter&&) = default;
  GgufWriter& operator=(GgufWriter&&) = default;

  // Sets `key` (replacing an existing value in place).
  void Set(std::string_view key, GgufMetadataValue value);
  void SetU32(std::string_view key, uint32_t v) { Set(key, GgufMetadataValue::U32(v)); }
  void SetI32(std::string_view key, int32_t v) { Set(key, GgufMetadataValue::I32(v)); }
  void SetU64(std::string_view key, uint64_t v) { Set(key, GgufMetadataValue::U64(v)); }
  void SetF32(std::string_view key, float v) { Set(key, GgufMetadataValue::F32(v)); }
  void SetBool(std::string_view key, bool v) { Set(key, GgufMetadataValue::Bool(v)); }
  void SetString(std::string_view key, std::string_view v) {
    Set(key, GgufMetadataValue::String(v));
  }
  // Sets general.alignment (u32). `alignment` must be a power of two (asserted).
  void SetAlignment(uint32_t alignment);
  // Removes `key`; returns whether it was present.
  bool Remove(std::string_view key);
  bool HasKey(std::string_view key) const { return index_.contains(std::string(key)); }
  size_t metadata_count() const { return entries_.size(); }

  // Copies every key of `file` (in file order) for which `keep` returns true (all when empty),
  // replacing keys already set.
  void CopyMetadata(const GgufFile& file,
                    const std::function<bool(std::string_view key)>& keep = nullptr);

  // Adds a tensor whose bytes the writer takes. INVALID_ARGUMENT for an empty or duplicate
  // name, bad dims (count, zero, overflow, row not a multiple of the block size) or a byte count
  // that differs from what type and dims need.
  Status AddTensor(GgufTensorSpec spec, std::vector<uint8_t> data);
  // As AddTensor, but borrows `data`: it must stay valid until Write/Serialize return.
  Status AddTensorView(GgufTensorSpec spec, std::span<const uint8_t> data);
  size_t tensor_count() const { return tensors_.size(); }

  // Writes the file atomically (temp file + rename). Errors: INVALID_ARGUMENT for a bad
  // general.alignment value, UNAVAILABLE for I/O failures (the temp file is removed).
  Status Write(const std::string& path) const;
  // The whole file in memory (same errors as Write, without the I/O ones).
  StatusOr<std::vector<uint8_t>> Serialize() const;

 private:
  struct Entry {
    std::string key;
    GgufMetadataValue value;
  };
  struct Tensor {
    GgufTensorSpec spec;
    std::vector<uint8_t> owned;
    std::span<const uint8_t> data;
  };
  using Sink = std::function<Status(std::span<const uint8_t>)>;

  Status CheckTensor(const GgufTensorSpec& spec, size_t data_size) const;
  StatusOr<uint32_t> Alignment() const;
  Status Emit(const Sink& sink) const;
  static Status EmitZeros(const Sink& sink, uint64_t n);

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;  // key -> position in entries_
  std::vector<Tensor> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_GGUF_GGUF_WRITER_H_
