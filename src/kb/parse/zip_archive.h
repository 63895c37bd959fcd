// Read-only access to a zip archive held in memory (libzip), with the guards that office
// documents from untrusted sources need: a cap on the number of entries, on the bytes
// unpacked from all entries together, and on each entry's compression ratio (zip bombs),
// all measured on the bytes actually inflated rather than on the sizes the archive claims.
//
// Thread safety: a ZipArchive is not thread-safe; distinct archives may be used concurrently.
#ifndef SAVOIR_KB_PARSE_ZIP_ARCHIVE_H_
#define SAVOIR_KB_PARSE_ZIP_ARCHIVE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace savoir::kb::parse_internal {

struct ZipLimits {
  size_t max_unzipped_bytes = size_t{256} << 20;
  // Highest unpacked/packed ratio of one entry, enforced once it has unpacked 1 MiB.
  int max_compression_ratio = 200;
  int max_entries = 20000;
};

class ZipArchive {
 public:
  // Opens `bytes`, which must outlive the archive. `format` names the document type in error
  // messages ("docx"). Errors: kDataLoss (not a zip / corrupt), kResourceExhausted (too many
  // entries).
  static StatusOr<std::unique_ptr<ZipArchive>> Open(std::span<const uint8_t> bytes,
                                                    const ZipLimits& limits);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  struct Handle;  // libzip state; opaque outside zip_archive.cc
  // Use Open().
  ZipArchive(std::unique_ptr<Handle> handle, const ZipLimits& limits);

  // Sets the format name used in error messages ("corrupt docx: ...").
  void set_format(std::string_view format) { format_ = format; }

  bool Contains(std::string_view name) const;

  // Unpacks entry `name`. Errors: kNotFound (no such entry), kPermissionDenied (encrypted),
  // kResourceExhausted (size or ratio limits), kDataLoss (corrupt data, CRC mismatch).
  StatusOr<std::string> Read(std::string_view name);

  // Like Read, but a missing entry yields an empty string.
  StatusOr<std::string> ReadOptional(std::string_view name);

 private:
  std::unique_ptr<Handle> handle_;
  ZipLimits limits_;
  size_t unzipped_ = 0;
  std::string format_ = "zip";
};

}  // namespace savoir::kb::parse_internal

#endif  // SAVOIR_KB_PARSE_ZIP_ARCHIVE_H_
