#include "kb/parse/zip_archive.h"

#include <zip.h>

#include <cctype>
#include <vector>

namespace savoir::kb::parse_internal {

struct ZipArchive::Handle {
  zip_t* zip = nullptr;
  ~Handle() {
    if (zip != nullptr) zip_discard(zip);
  }
};

namespace {

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

}  // namespace

StatusOr<std::unique_ptr<ZipArchive>> ZipArchive::Open(std::span<const uint8_t> bytes,
                                                       const ZipLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return InternalError("zip: cannot create a buffer source");
  }
  auto handle = std::make_unique<Handle>();
  handle->zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (handle->zip == nullptr) {
    zip_source_free(source);
    std::string reason = zip_error_strerror(&error);
    if (!reason.empty())
      reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    Status status = DataLossError("corrupt zip archive: {}", reason);
    zip_error_fini(&error);
    return status;
  }
  zip_error_fini(&error);
  const zip_int64_t entries = zip_get_num_entries(handle->zip, 0);
  if (entries > limits.max_entries) {
    return ResourceExhaustedError("zip archive has {} entries, more than the limit of {}", entries,
                                  limits.max_entries);
  }
  return std::make_unique<ZipArchive>(std::move(handle), limits);
}

ZipArchive::ZipArchive(std::unique_ptr<Handle> handle, const ZipLimits& limits)
    : handle_(std::move(handle)), limits_(limits) {}

ZipArchive::~ZipArchive() = default;

bool ZipArchive::Contains(std::string_view name) const {
  const std::string n(name);
  return zip_name_locate(handle_->zip, n.c_str(), ZIP_FL_NOCASE) >= 0;
}

StatusOr<std::string> ZipArchive::ReadOptional(std::string_view name) {
  if (!Contains(name)) return std::string();
  return Read(name);
}

StatusOr<std::string> ZipArchive::Read(std::string_view name) {
  const std::string n(name);
  const zip_int64_t index = zip_name_locate(handle_->zip, n.c_str(), ZIP_FL_NOCASE);
  if (index < 0) return NotFoundError("corrupt {}: {} is missing", format_, name);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(handle_->zip, static_cast<zip_uint64_t>(index), 0, &st) != 0) {
    return DataLossError("corrupt {}: cannot read the entry {}", format_, name);
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
    return PermissionDeniedError("encrypted {}: a password is required to read it", format_);
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(
      zip_fopen_index(handle_->zip, static_cast<zip_uint64_t>(index), 0));
  if (file == nullptr) {
    return DataLossError("corrupt {}: cannot open {} ({})", format_, name,
                         zip_strerror(handle_->zip));
  }
  const uint64_t packed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
  std::string out;
  if ((st.valid & ZIP_STAT_SIZE) && st.size <= limits_.max_unzipped_bytes - unzipped_) {
    out.reserve(st.size < (size_t{16} << 20) ? st.size : (size_t{16} << 20));
  }
  std::vector<char> buffer(size_t{64} << 10);
  while (true) {
    const zip_int64_t n_read = zip_fread(file.get(), buffer.data(), buffer.size());
    if (n_read < 0) {
      return DataLossError("corrupt {}: {} ({})", format_, zip_file_strerror(file.get()), name);
    }
    if (n_read == 0) break;
    unzipped_ += static_cast<size_t>(n_read);
    if (unzipped_ > limits_.max_unzipped_bytes) {
      return ResourceExhaustedError("{} unpacks to more than {} MB (zip bomb?)", format_,
                                    limits_.max_unzipped_bytes >> 20);
    }
    out.append(buffer.data(), static_cast<size_t>(n_read));
    if (out.size() > (size_t{1} << 20) &&
        out.size() / (packed + 1) > static_cast<uint64_t>(limits_.max_compression_ratio)) {
      return ResourceExhaustedError("{}: {} is compressed more than {}:1 (zip bomb?)", format_,
                                    name, limits_.max_compression_ratio);
    }
  }
  return out;
}

}  // namespace savoir::kb::parse_internal
