// NodeStore: the memory of the HNSW graph, one fixed-size block per node.
//
// A block holds everything a search touches for one node, so that scoring a node and later
// expanding it read neighbouring cache lines (the layout hnswlib made popular):
//
//   offset 0    float   scale of the codes
//   offset 4    uint16  number of level-0 neighbours        (atomic)
//   offset 6    uint8   top level of the node
//   offset 7    uint8   flags: kDeleted, kFree              (atomic)
//   offset 8    uint64  external id
//   offset 16   uint8   codes[dim], padded to 16 bytes
//   then        uint32  level-0 neighbours[2 * m]           (atomic)
//
// For 384 dimensions and m = 16 a block is 528 bytes. Lists of levels 1 and up live in a
// separate array per node, `level * (1 + m)` words laid out as [count, ids...] per level.
//
// Blocks live in chunks whose sizes double (1024, 1024, 2048, ... nodes), so the store grows
// without moving a block: readers never see memory being reallocated under them. Chunks are
// allocated without being zeroed, so the tail of the last one costs address space only.
//
// Thread safety: growth (EnsureCapacity, SetUpperLevels) is for the single writer. Link counts,
// link ids and flags are read and written through std::atomic_ref with acquire/release order,
// so readers may traverse while the writer links: a reader sees every list as some mix of old
// and new entries, each a valid node id, and sees a node's codes because they were written
// before the release store that published the node's id. Codes, scale, level and external id
// are written once, before the node is published, and change only when a freed slot is reused
// (see HnswIndex::Vacuum, which waits for in-flight searches first).
#ifndef SAVOIR_INDEX_VECTOR_NODE_STORE_H_
#define SAVOIR_INDEX_VECTOR_NODE_STORE_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "base/status.h"

namespace savoir::index {

inline constexpr uint8_t kNodeDeleted = 1;  // Tombstone: still navigable, never returned.
inline constexpr uint8_t kNodeFree = 2;     // Unlinked by Vacuum; the slot may be reused.
inline constexpr uint32_t kMaxLevel = 30;

class NodeStore {
 public:
  // `dim` in [1, 65536], `m` in [2, 128]; checked by the index.
  NodeStore(size_t dim, size_t m);

  NodeStore(const NodeStore&) = delete;
  NodeStore& operator=(const NodeStore&) = delete;

  size_t dim() const { return dim_; }
  size_t m() const { return m_; }
  // Maximum neighbours on level 0 (2 * m) and on the levels above (m).
  size_t MaxDegree(int level) const { return level == 0 ? 2 * m_ : m_; }
  size_t stride() const { return stride_; }

  // Number of addressable slots; acquire load, so slots below it are fully allocated.
  uint32_t capacity() const { return capacity_.load(std::memory_order_acquire); }

  // Allocates chunks until slots [0, n) exist. Writer only. ResourceExhausted past 2^32 - 2.
  Status EnsureCapacity(size_t n);

  // Bytes of node memory in use for `slots` slots: blocks plus upper-level lists.
  size_t MemoryBytes(size_t slots) const {
    return slots * (stride_ + sizeof(std::unique_ptr<uint32_t[]>)) +
           upper_words_.load(std::memory_order_relaxed) * sizeof(uint32_t);
  }

  uint8_t* Block(uint32_t id) const {
    const uint64_t t = (static_cast<uint64_t>(id) >> kLogBase) + 1;
    const int c = std::bit_width(t) - 1;
    const uint64_t first = ((uint64_t{1} << c) - 1) << kLogBase;
    return chunks_[c].blocks + (id - first) * stride_;
  }

  float Scale(uint32_t id) const { return Load<float>(Block(id)); }
  const uint8_t* Codes(uint32_t id) const { return Block(id) + kCodesOffset; }
  uint64_t ExternalId(uint32_t id) const { return Load<uint64_t>(Block(id) + 8); }
  int Level(uint32_t id) const { return Block(id)[6]; }

  uint8_t Flags(uint32_t id) const {
    return std::atomic_ref<uint8_t>(Block(id)[7]).load(std::memory_order_acquire);
  }
  void SetFlags(uint32_t id, uint8_t flags) {
    std::atomic_ref<uint8_t>(Block(id)[7]).store(flags, std::memory_order_release);
  }
  bool IsLive(uint32_t id) const { return Flags(id) == 0; }

  // Writes a node's fixed fields and codes (dim bytes), clears its links, and last of all
  // clears its flags with a release store, which makes the node live for exact scans. The slot
  // must not be reachable by any reader (new, or freed and past a grace period).
  void InitNode(uint32_t id, uint64_t external_id, float scale, const uint8_t* codes, int level);

  // Allocates empty lists for levels 1..level of `id`, dropping any it had. Reads the slot's
  // current level byte when it already has lists, so call it before changing that byte.
  // Called before publishing `id`.
  void SetUpperLevels(uint32_t id, int level);

  // Neighbour lists. `level` must be <= Level(id).
  uint32_t LinkCount(uint32_t id, int level) const {
    if (level == 0) {
      return std::atomic_ref<uint16_t>(*Count0(id)).load(std::memory_order_acquire);
    }
    return std::atomic_ref<uint32_t>(*UpperList(id, level)).load(std::memory_order_acquire);
  }
  uint32_t Link(uint32_t id, int level, uint32_t i) const {
    return std::atomic_ref<uint32_t>(LinkIds(id, level)[i]).load(std::memory_order_acquire);
  }
  // Replaces the list of `id` at `level` by ids[0..n), n <= MaxDegree(level). The caller holds
  // the node's lock when several writer threads link at once.
  void SetLinks(uint32_t id, int level, const uint32_t* ids, uint32_t n);
  // Appends one neighbour; the list must have room.
  void AppendLink(uint32_t id, int level, uint32_t neighbour);

  // The raw words of all upper-level lists of `id` (Level(id) * (1 + m) of them, [count,
  // ids...] per level), or nullptr when Level(id) is 0. For saving and loading only.
  uint32_t* UpperWords(uint32_t id) const { return UpperSlot(id).get(); }

  // Pulls the cache lines of a node's scale and codes towards the core.
  void PrefetchCodes(uint32_t id) const {
    const uint8_t* p = Block(id);
    for (size_t off = 0; off < kCodesOffset + dim_; off += 64) __builtin_prefetch(p + off, 0, 3);
  }

  // Pulls the cache lines of a node's level-0 list towards the core.
  void PrefetchLinks0(uint32_t id) const {
    const uint8_t* p = Block(id) + links_offset_;
    for (size_t off = 0; off < 2 * m_ * sizeof(uint32_t); off += 64) __builtin_prefetch(p + off);
  }

  static constexpr size_t kCodesOffset = 16;

 private:
  static constexpr int kLogBase = 10;  // The first chunk holds 1024 nodes.
  static constexpr int kMaxChunks = 23;

  struct Chunk {
    std::unique_ptr<uint8_t[]> memory;  // 64 bytes more than needed, for alignment.
    uint8_t* blocks = nullptr;
    std::unique_ptr<std::unique_ptr<uint32_t[]>[]> upper;
    size_t nodes = 0;
  };

  template <typename T>
  static T Load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  }

  uint16_t* Count0(uint32_t id) const { return reinterpret_cast<uint16_t*>(Block(id) + 4); }
  uint32_t* UpperList(uint32_t id, int level) const;
  uint32_t* LinkIds(uint32_t id, int level) const {
    if (level == 0) return reinterpret_cast<uint32_t*>(Block(id) + links_offset_);
    return UpperList(id, level) + 1;
  }
  std::unique_ptr<uint32_t[]>& UpperSlot(uint32_t id) const;

  size_t dim_;
  size_t m_;
  size_t links_offset_;
  size_t stride_;
  std::array<Chunk, kMaxChunks> chunks_;
  int num_chunks_ = 0;  // Writer only.
  std::atomic<uint32_t> capacity_{0};
  std::atomic<size_t> upper_words_{0};  // Words held by all upper-level lists.
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_NODE_STORE_H_
