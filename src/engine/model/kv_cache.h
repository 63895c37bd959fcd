// Paged key/value cache for transformer attention.
//
// Keys and values of every sequence live in fixed-size blocks of `block_tokens` positions
// taken from one pool, as in vLLM's PagedAttention: a sequence holds a table of block ids and
// grows one block at a time, so sixteen short conversations do not each reserve a whole
// context. Pool memory itself is allocated in chunks on first use, up to `max_blocks`.
//
// Entries are IEEE half floats (f16), as in llama.cpp's default cache: half the memory of f32,
// and the rounding that llama.cpp's reference outputs were computed with.
// Layout of one block: for each layer, K then V, each [block_tokens][n_embd_kv] halves, so a
// position's key for all KV heads is contiguous.
//
// Thread safety: not thread-safe. The inference scheduler owns the cache; the compute threads
// of one forward pass write disjoint positions and read completed ones.
#ifndef SAVOIR_ENGINE_MODEL_KV_CACHE_H_
#define SAVOIR_ENGINE_MODEL_KV_CACHE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"

namespace savoir::engine {

struct KvCacheOptions {
  int64_t n_layer = 0;
  int64_t n_embd_kv = 0;
  int block_tokens = 16;
  int64_t max_blocks = 0;  // pool capacity; memory grows to it on demand
};

class KvCache {
 public:
  using SeqId = int32_t;

  explicit KvCache(const KvCacheOptions& options);

  // Creates an empty sequence.
  SeqId NewSequence();
  // Returns the sequence's blocks to the pool. Unknown ids are ignored.
  void FreeSequence(SeqId seq);
  // Makes positions [0, n_positions) of `seq` writable. RESOURCE_EXHAUSTED when the pool has
  // too few free blocks (nothing is allocated then).
  Status Reserve(SeqId seq, int64_t n_positions);
  // Forgets positions from `n_positions` on (their blocks return to the pool).
  void Truncate(SeqId seq, int64_t n_positions);

  // Storage of one position (n_embd_kv f16 values); the position must be reserved.
  uint16_t* Key(SeqId seq, int64_t layer, int64_t pos);
  uint16_t* Value(SeqId seq, int64_t layer, int64_t pos);
  const uint16_t* Key(SeqId seq, int64_t layer, int64_t pos) const;
  const uint16_t* Value(SeqId seq, int64_t layer, int64_t pos) const;

  int64_t capacity_positions(SeqId seq) const;
  int64_t blocks_used() const { return allocated_blocks_ - static_cast<int64_t>(free_.size()); }
  int64_t blocks_total() const { return max_blocks_; }
  int block_tokens() const { return options_.block_tokens; }
  size_t bytes_allocated() const;

 private:
  uint16_t* BlockBase(int32_t block) const;
  uint16_t* Slot(SeqId seq, int64_t layer, int64_t pos, bool value) const;
  int32_t TakeBlock();

  static constexpr int64_t kChunkBlocks = 64;

  KvCacheOptions options_;
  int64_t values_per_block_;
  int64_t max_blocks_;
  int64_t allocated_blocks_ = 0;  // blocks backed by memory so far
  std::vector<std::unique_ptr<uint16_t[]>> chunks_;
  std::vector<int32_t> free_;  // free block ids among the allocated ones
  std::vector<std::vector<int32_t>> tables_;  // per sequence id: its blocks in order
  std::vector<bool> live_;                    // per sequence id
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_MODEL_KV_CACHE_H_
