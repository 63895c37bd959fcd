// HnswIndex: the file format.
//
// Version 1, all integers little-endian:
//   magic    8 bytes  "SAVHNSW\0"
//   version  u32      1
//   hsize    u32      bytes of the header that follows (96)
//   header   u64[12]  dim, metric, m, ef_construction, ef_search, seed,
//                     slots, live, deleted, free, entry, stride
//   nodes    slots blocks of `stride` bytes, laid out as in node_store.h (unused list entries 0)
//   upper    for each slot of level L > 0: L * (1 + m) u32, [count, ids..., 0...] per level
//   free     `free` u32 slot numbers
//   crc      u32      CRC-32C of every byte before it
// Load checks the checksum and then the structure (counts, link targets and their levels,
// flags, duplicate ids, entry point), so that even a file with a valid checksum cannot make the
// index read outside its memory.
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "index/vector/crc32c.h"
#include "index/vector/hnsw_index.h"

namespace savoir::index {
namespace {

static_assert(std::endian::native == std::endian::little, "the index format is little-endian");

constexpr char kMagic[8] = {'S', 'A', 'V', 'H', 'N', 'S', 'W', '\0'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderWords = 12;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Writes bytes and accumulates their checksum; remembers the first failure.
class CheckedWriter {
 public:
  explicit CheckedWriter(std::FILE* f) : f_(f) {}
  void Write(const void* data, size_t size) {
    crc_ = Crc32c(crc_, data, size);
    if (ok_ && size > 0 && std::fwrite(data, 1, size, f_) != size) ok_ = false;
  }
  void WriteU32(uint32_t v) { Write(&v, sizeof(v)); }
  uint32_t crc() const { return crc_; }
  bool ok() const { return ok_; }

 private:
  std::FILE* f_;
  uint32_t crc_ = 0;
  bool ok_ = true;
};

// Reads bytes and accumulates their checksum.
class CheckedReader {
 public:
  CheckedReader(std::FILE* f, const std::string& path) : f_(f), path_(path) {}
  Status Read(void* data, size_t size) {
    if (size > 0 && std::fread(data, 1, size, f_) != size) {
      return DataLossError("{}: truncated vector index file", path_);
    }
    crc_ = Crc32c(crc_, data, size);
    return OkStatus();
  }
  uint32_t crc() const { return crc_; }

 private:
  std::FILE* f_;
  const std::string& path_;
  uint32_t crc_ = 0;
};

}  // namespace

class HnswFile {
 public:
  static Status Save(const HnswIndex& index, const std::string& path);
  static StatusOr<std::unique_ptr<HnswIndex>> Load(const std::string& path,
                                                   std::optional<KernelLevel> kernels);

 private:
  static void WriteNodes(const HnswIndex& index, uint32_t slots, CheckedWriter& w);
  static Status ReadNodes(HnswIndex& index, uint32_t slots, CheckedReader& r);
  static Status Validate(HnswIndex& index, const uint64_t* header, const std::string& path);
};

void HnswFile::WriteNodes(const HnswIndex& index, uint32_t slots, CheckedWriter& w) {
  const NodeStore& store = index.store_;
  std::vector<uint8_t> block(store.stride());
  const size_t links_offset = store.stride() - store.MaxDegree(0) * sizeof(uint32_t);
  for (uint32_t id = 0; id < slots; ++id) {
    std::memcpy(block.data(), store.Block(id), block.size());
    const uint32_t count = store.LinkCount(id, 0);
    std::memset(block.data() + links_offset + count * sizeof(uint32_t), 0,
                (store.MaxDegree(0) - count) * sizeof(uint32_t));
    w.Write(block.data(), block.size());
  }
  const size_t m = store.m();
  std::vector<uint32_t> words;
  for (uint32_t id = 0; id < slots; ++id) {
    const int level = store.Level(id);
    if (level == 0) continue;
    words.assign(store.UpperWords(id), store.UpperWords(id) + level * (1 + m));
    for (int l = 0; l < level; ++l) {
      uint32_t* list = words.data() + l * (1 + m);
      std::fill(list + 1 + list[0], list + 1 + m, 0u);
    }
    w.Write(words.data(), words.size() * sizeof(uint32_t));
  }
}

Status HnswFile::Save(const HnswIndex& index, const std::string& path) {
  std::lock_guard<std::mutex> write(index.write_mu_);
  const std::string tmp = path + ".tmp";
  File f(std::fopen(tmp.c_str(), "wb"));
  if (f == nullptr) return UnavailableError("{}: cannot create: {}", tmp, std::strerror(errno));
  const uint32_t slots = index.published_slots();
  const HnswOptions& o = index.options_;
  const uint64_t header[kHeaderWords] = {o.dim,
                                         static_cast<uint64_t>(o.metric),
                                         o.m,
                                         o.ef_construction,
                                         o.ef_search,
                                         o.seed,
                                         slots,
                                         index.live_.load(),
                                         index.deleted_.load(),
                                         index.free_slots_.size(),
                                         index.entry_.load(),
                                         index.store_.stride()};
  CheckedWriter w(f.get());
  w.Write(kMagic, sizeof(kMagic));
  w.WriteU32(kVersion);
  w.WriteU32(sizeof(header));
  w.Write(header, sizeof(header));
  WriteNodes(index, slots, w);
  w.Write(index.free_slots_.data(), index.free_slots_.size() * sizeof(uint32_t));
  const uint32_t crc = w.crc();
  w.WriteU32(crc);
  bool ok = w.ok() && std::fflush(f.get()) == 0 && ::fsync(fileno(f.get())) == 0;
  ok = std::fclose(f.release()) == 0 && ok;
  if (!ok) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    return UnavailableError("{}: cannot write: {}", tmp, reason);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return UnavailableError("{}: cannot rename to {}: {}", tmp, path, std::strerror(errno));
  }
  return OkStatus();
}

Status HnswFile::ReadNodes(HnswIndex& index, uint32_t slots, CheckedReader& r) {
  NodeStore& store = index.store_;
  for (uint32_t id = 0; id < slots; ++id) {
    SAVOIR_RETURN_IF_ERROR(r.Read(store.Block(id), store.stride()));
  }
  const size_t m = store.m();
  for (uint32_t id = 0; id < slots; ++id) {
    const int level = store.Level(id);  // Checked by Validate, after the checksum.
    store.SetUpperLevels(id, level);
    if (level > 0) {
      SAVOIR_RETURN_IF_ERROR(r.Read(store.UpperWords(id), level * (1 + m) * sizeof(uint32_t)));
    }
  }
  return OkStatus();
}

Status HnswFile::Validate(HnswIndex& index, const uint64_t* header, const std::string& path) {
  NodeStore& store = index.store_;
  const auto slots = static_cast<uint32_t>(header[6]);
  size_t live = 0;
  size_t deleted = 0;
  size_t free = 0;
  for (uint32_t id = 0; id < slots; ++id) {
    const uint8_t flags = store.Flags(id);
    const int level = store.Level(id);
    if (level > static_cast<int>(kMaxLevel) || flags > kNodeFree || flags == 3) {
      return DataLossError("{}: node {} has level {} and flags {}", path, id, level, flags);
    }
    if (flags == kNodeFree) {
      ++free;
      continue;
    }
    for (int l = 0; l <= level; ++l) {
      const uint32_t count = store.LinkCount(id, l);
      if (count > store.MaxDegree(l)) {
        return DataLossError("{}: node {} has {} neighbours on level {}", path, id, count, l);
      }
      for (uint32_t j = 0; j < count; ++j) {
        const uint32_t v = store.Link(id, l, j);
        if (v >= slots || store.Level(v) < l || store.Flags(v) == kNodeFree) {
          return DataLossError("{}: node {} links to invalid node {} on level {}", path, id, v, l);
        }
      }
    }
    if (flags == kNodeDeleted) {
      ++deleted;
    } else if (!index.ids_.Insert(store.ExternalId(id), id)) {
      return DataLossError("{}: id {} appears twice", path, store.ExternalId(id));
    } else {
      ++live;
    }
  }
  if (live != header[7] || deleted != header[8] || free != header[9]) {
    return DataLossError("{}: node counts do not match the header", path);
  }
  std::vector<bool> seen(slots, false);
  for (uint32_t id : index.free_slots_) {
    if (id >= slots || store.Flags(id) != kNodeFree || seen[id]) {
      return DataLossError("{}: invalid free slot {}", path, id);
    }
    seen[id] = true;
  }
  const uint64_t entry = header[10];
  if (entry == HnswIndex::kNoEntry
          ? live + deleted > 0
          : (static_cast<uint32_t>(entry) >= slots ||
             store.Flags(static_cast<uint32_t>(entry)) == kNodeFree ||
             store.Level(static_cast<uint32_t>(entry)) != static_cast<int>(entry >> 32))) {
    return DataLossError("{}: invalid entry point", path);
  }
  index.published_slots_.store(slots);
  index.live_.store(live);
  index.deleted_.store(deleted);
  index.entry_.store(entry);
  // A fresh stream, so that nodes added after loading do not repeat the saved ones' levels.
  index.rng_.seed(header[5] ^ (header[6] * 0x9E3779B97F4A7C15ULL));
  return OkStatus();
}

StatusOr<std::unique_ptr<HnswIndex>> HnswFile::Load(const std::string& path,
                                                    std::optional<KernelLevel> kernels) {
  File f(std::fopen(path.c_str(), "rb"));
  if (f == nullptr) {
    if (errno == ENOENT) return NotFoundError("{}: no such file", path);
    return UnavailableError("{}: cannot open: {}", path, std::strerror(errno));
  }
  std::error_code ec;
  const uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return UnavailableError("{}: cannot stat: {}", path, ec.message());
  CheckedReader r(f.get(), path);
  char magic[sizeof(kMagic)];
  uint32_t version = 0;
  uint32_t header_size = 0;
  SAVOIR_RETURN_IF_ERROR(r.Read(magic, sizeof(magic)));
  if (std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    return DataLossError("{}: not a savoir vector index (bad magic)", path);
  }
  SAVOIR_RETURN_IF_ERROR(r.Read(&version, sizeof(version)));
  if (version != kVersion) {
    return UnimplementedError("{}: vector index format version {} is not supported (expected {})",
                              path, version, kVersion);
  }
  uint64_t h[kHeaderWords];
  SAVOIR_RETURN_IF_ERROR(r.Read(&header_size, sizeof(header_size)));
  if (header_size != sizeof(h)) return DataLossError("{}: bad header size {}", path, header_size);
  SAVOIR_RETURN_IF_ERROR(r.Read(h, sizeof(h)));
  HnswOptions o;
  o.dim = h[0];
  o.metric = static_cast<Metric>(static_cast<uint32_t>(std::min<uint64_t>(h[1], UINT32_MAX)));
  o.m = h[2];
  o.ef_construction = h[3];
  o.ef_search = h[4];
  o.seed = h[5];
  o.kernels = kernels;
  StatusOr<std::unique_ptr<HnswIndex>> created = HnswIndex::Create(o);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kFailedPrecondition) return created.status();
    return DataLossError("{}: bad header: {}", path, created.status().message());
  }
  std::unique_ptr<HnswIndex> index = std::move(created).value();
  const uint64_t slots = h[6];
  const uint64_t stride = index->store_.stride();
  if (h[11] != stride || slots > UINT32_MAX - 1 || h[9] > slots) {
    return DataLossError("{}: bad header (slots {}, stride {})", path, slots, h[11]);
  }
  // Checked before allocating, so that a corrupt slot count cannot ask for terabytes.
  if (16 + sizeof(h) + slots * stride + h[9] * 4 + 4 > file_size) {
    return DataLossError("{}: truncated vector index file", path);
  }
  SAVOIR_RETURN_IF_ERROR(index->store_.EnsureCapacity(slots));
  SAVOIR_RETURN_IF_ERROR(ReadNodes(*index, static_cast<uint32_t>(slots), r));
  index->free_slots_.resize(h[9]);
  SAVOIR_RETURN_IF_ERROR(r.Read(index->free_slots_.data(), h[9] * sizeof(uint32_t)));
  const uint32_t computed = r.crc();
  uint32_t stored = 0;
  SAVOIR_RETURN_IF_ERROR(r.Read(&stored, sizeof(stored)));
  if (stored != computed) return DataLossError("{}: checksum mismatch, file is corrupt", path);
  if (std::fgetc(f.get()) != EOF) return DataLossError("{}: data after the checksum", path);
  SAVOIR_RETURN_IF_ERROR(Validate(*index, h, path));
  return index;
}

StatusOr<std::unique_ptr<HnswIndex>> HnswIndex::Load(const std::string& path,
                                                     std::optional<KernelLevel> kernels) {
  return HnswFile::Load(path, kernels);
}

Status HnswIndex::Save(const std::string& path) const { return HnswFile::Save(*this, path); }

}  // namespace savoir::index
