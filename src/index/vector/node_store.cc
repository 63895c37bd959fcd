#include "index/vector/node_store.h"

#include <cassert>

namespace savoir::index {
namespace {

size_t RoundUp(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

}  // namespace

NodeStore::NodeStore(size_t dim, size_t m)
    : dim_(dim),
      m_(m),
      links_offset_(kCodesOffset + RoundUp(dim, 16)),
      stride_(links_offset_ + 2 * m * sizeof(uint32_t)) {}

Status NodeStore::EnsureCapacity(size_t n) {
  constexpr size_t kMaxSlots = UINT32_MAX - 1;  // UINT32_MAX is reserved as "no node".
  if (n > kMaxSlots) return ResourceExhaustedError("vector index is full ({} slots)", kMaxSlots);
  size_t cap = capacity_.load(std::memory_order_relaxed);
  while (cap < n) {
    assert(num_chunks_ < kMaxChunks);
    Chunk& chunk = chunks_[num_chunks_];
    chunk.nodes = size_t{1} << (kLogBase + num_chunks_);
    chunk.memory = std::make_unique_for_overwrite<uint8_t[]>(chunk.nodes * stride_ + 64);
    const auto address = reinterpret_cast<uintptr_t>(chunk.memory.get());
    chunk.blocks = chunk.memory.get() + (RoundUp(address, 64) - address);
    chunk.upper = std::make_unique<std::unique_ptr<uint32_t[]>[]>(chunk.nodes);
    ++num_chunks_;
    cap += chunk.nodes;
    capacity_.store(static_cast<uint32_t>(std::min<size_t>(cap, kMaxSlots)),
                    std::memory_order_release);
  }
  return OkStatus();
}

std::unique_ptr<uint32_t[]>& NodeStore::UpperSlot(uint32_t id) const {
  const uint64_t t = (static_cast<uint64_t>(id) >> kLogBase) + 1;
  const int c = std::bit_width(t) - 1;
  const uint64_t first = ((uint64_t{1} << c) - 1) << kLogBase;
  return chunks_[c].upper[id - first];
}

uint32_t* NodeStore::UpperList(uint32_t id, int level) const {
  assert(level >= 1 && level <= Level(id));
  return UpperSlot(id).get() + static_cast<size_t>(level - 1) * (1 + m_);
}

void NodeStore::InitNode(uint32_t id, uint64_t external_id, float scale, const uint8_t* codes,
                         int level) {
  assert(level >= 0 && level <= static_cast<int>(kMaxLevel));
  SetUpperLevels(id, level);  // First: it reads the slot's previous level.
  uint8_t* block = Block(id);
  std::memcpy(block, &scale, sizeof(scale));
  std::atomic_ref<uint16_t>(*Count0(id)).store(0, std::memory_order_relaxed);
  block[6] = static_cast<uint8_t>(level);
  std::memcpy(block + 8, &external_id, sizeof(external_id));
  std::memcpy(block + kCodesOffset, codes, dim_);
  // Padding bytes hold the code of 0 so that the block's content is deterministic on disk.
  std::memset(block + kCodesOffset + dim_, 128, links_offset_ - kCodesOffset - dim_);
  SetFlags(id, 0);
}

void NodeStore::SetUpperLevels(uint32_t id, int level) {
  std::unique_ptr<uint32_t[]>& upper = UpperSlot(id);
  // A fresh slot's pointer is null (the chunk's pointer array is value-initialised); a reused
  // slot still holds its previous lists, whose words are returned to the count.
  if (upper != nullptr) {
    upper_words_.fetch_sub(static_cast<size_t>(Level(id)) * (1 + m_), std::memory_order_relaxed);
  }
  upper.reset();
  if (level == 0) return;
  const size_t words = static_cast<size_t>(level) * (1 + m_);
  upper = std::make_unique<uint32_t[]>(words);
  upper_words_.fetch_add(words, std::memory_order_relaxed);
}

void NodeStore::SetLinks(uint32_t id, int level, const uint32_t* ids, uint32_t n) {
  assert(n <= MaxDegree(level));
  uint32_t* dst = LinkIds(id, level);
  for (uint32_t i = 0; i < n; ++i) {
    std::atomic_ref<uint32_t>(dst[i]).store(ids[i], std::memory_order_release);
  }
  if (level == 0) {
    std::atomic_ref<uint16_t>(*Count0(id))
        .store(static_cast<uint16_t>(n), std::memory_order_release);
  } else {
    std::atomic_ref<uint32_t>(*UpperList(id, level)).store(n, std::memory_order_release);
  }
}

void NodeStore::AppendLink(uint32_t id, int level, uint32_t neighbour) {
  const uint32_t n = LinkCount(id, level);
  assert(n < MaxDegree(level));
  std::atomic_ref<uint32_t>(LinkIds(id, level)[n]).store(neighbour, std::memory_order_release);
  if (level == 0) {
    std::atomic_ref<uint16_t>(*Count0(id))
        .store(static_cast<uint16_t>(n + 1), std::memory_order_release);
  } else {
    std::atomic_ref<uint32_t>(*UpperList(id, level)).store(n + 1, std::memory_order_release);
  }
}

}  // namespace savoir::index
