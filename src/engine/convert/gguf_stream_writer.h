// GgufStreamWriter: writes a GGUF version 3 file whose tensor data arrives one tensor at a time.
//
// engine/gguf's GgufWriter needs every tensor's bytes before it writes; a converted model of
// several GiB would then sit in memory whole. Here the caller declares the metadata and the
// tensor table up front (names, types and dims fix every offset), Open() writes the header to a
// temporary file beside the destination, Append() adds the current tensor's bytes in table order
// (in pieces of any size; a tensor is complete once its byte count has arrived, and the padding
// that follows it is written then), and Commit() checks that every tensor is complete, syncs, and
// renames the temporary file over the destination, so a reader never sees a partial model. A
// writer destroyed before Commit removes its temporary file.
//
// GgufMetadataList is the ordered key/value list the header is built from (first insertion order
// is kept; setting an existing key replaces its value in place).
//
// Thread safety: neither class is thread-safe.
#ifndef SAVOIR_ENGINE_CONVERT_GGUF_STREAM_WRITER_H_
#define SAVOIR_ENGINE_CONVERT_GGUF_STREAM_WRITER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace savoir::engine::convert {

class GgufMetadataList {
 public:
  struct Entry {
    std::string key;
    GgufMetadataValue value;
  };

  void Set(std::string_view key, GgufMetadataValue value);
  // Removes `key`; returns whether it was present.
  bool Remove(std::string_view key);
  // The value of `key`, or nullptr.
  const GgufMetadataValue* Find(std::string_view key) const;
  // Copies the keys of `file` in file order for which `keep` returns true (all when null).
  void CopyFrom(const GgufFile& file, const std::function<bool(std::string_view)>& keep = nullptr);
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

class GgufStreamWriter {
 public:
  // Creates the temporary file and writes header, metadata and tensor table. The alignment is
  // general.alignment when `metadata` sets it, else 32. Errors: INVALID_ARGUMENT for bad tensor
  // specs (empty or duplicate names, bad dims, rows that are not whole blocks) or a bad
  // general.alignment; UNAVAILABLE for I/O failures. Messages start with `path`.
  static StatusOr<std::unique_ptr<GgufStreamWriter>> Open(const std::string& path,
                                                          const GgufMetadataList& metadata,
                                                          std::span<const GgufTensorSpec> tensors);
  ~GgufStreamWriter();
  GgufStreamWriter(const GgufStreamWriter&) = delete;
  GgufStreamWriter& operator=(const GgufStreamWriter&) = delete;

  // Appends bytes of the current tensor (the first incomplete one in table order). Bytes beyond
  // the current tensor's size continue into the next one. INVALID_ARGUMENT when more bytes
  // arrive than the table holds; UNAVAILABLE on I/O errors.
  Status Append(std::span<const uint8_t> bytes);
  // Index of the tensor the next Append writes into (tensor count when all are complete).
  size_t current_tensor() const { return current_; }
  // Bytes tensor `i` takes (without padding).
  uint64_t tensor_bytes(size_t i) const { return sizes_[i]; }

  // Finishes the file and renames it into place. FAILED_PRECONDITION if a tensor is incomplete;
  // UNAVAILABLE on I/O errors. The writer cannot be used afterwards.
  Status Commit();

 private:
  GgufStreamWriter(std::string path, std::string temp_path, int fd, uint32_t alignment);
  Status Write(std::span<const uint8_t> bytes);
  Status Flush();
  Status WriteZeros(uint64_t n);

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint32_t alignment_ = kGgufDefaultAlignment;
  std::vector<uint64_t> sizes_;
  size_t current_ = 0;
  uint64_t written_in_current_ = 0;
  std::vector<uint8_t> buffer_;
  bool committed_ = false;
};

}  // namespace savoir::engine::convert

#endif  // SAVOIR_ENGINE_CONVERT_GGUF_STREAM_WRITER_H_
