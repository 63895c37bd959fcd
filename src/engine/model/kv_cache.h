// Paged key/value cache for transformer attention, with prefix reuse.
//
// Keys and values of every sequence live in fixed-size blocks of `block_tokens` positions
// taken from one pool, as in vLLM's PagedAttention: a sequence holds a table of block ids and
// grows one block at a time, so sixteen short conversations do not each reserve a whole
// context. Pool memory itself is allocated in chunks on first use, up to `max_blocks`.
//
// Prefix reuse: once a sequence has computed a full block, PublishPrefix() makes the block
// findable by the hash of all tokens up to its end. A new sequence whose prompt starts with
// the same tokens (a shared system prompt, the same retrieved passages) attaches those blocks
// with AttachCachedPrefix() instead of recomputing them. Blocks are reference-counted; a
// published block that no sequence uses any more stays cached until its memory is needed
// (least recently released first).
//
// Entries are IEEE half floats (f16), as in llama.cpp's default cache: half the memory of f32,
// and the rounding that llama.cpp's reference outputs were computed with. Layout of one block:
// for each layer, K then V, each [block_tokens][n_embd_kv] halves.
//
// Thread safety: not thread-safe. The inference scheduler owns the cache; the compute threads
// of one forward pass write disjoint positions and read completed ones.
#ifndef SAVOIR_ENGINE_MODEL_KV_CACHE_H_
#define SAVOIR_ENGINE_MODEL_KV_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace savoir::engine {

struct KvCacheOptions {
  int64_t n_layer = 0;
  int64_t n_embd_kv = 0;
  int block_tokens = 16;
  int64_t max_blocks = 0;  // pool capacity; memory grows to it on demand
};

struct KvCacheStats {
  int64_t blocks_total = 0;
  int64_t blocks_in_use = 0;   // referenced by a live sequence
  int64_t blocks_cached = 0;   // unreferenced but kept for prefix reuse
  int64_t prefix_lookup_tokens = 0;  // prompt tokens offered to AttachCachedPrefix
  int64_t prefix_hit_tokens = 0;     // of which found in the cache
  size_t bytes_allocated = 0;
};

class KvCache {
 public:
  using SeqId = int32_t;

  explicit KvCache(const KvCacheOptions& options);

  // Creates an empty sequence.
  SeqId NewSequence();
  // Releases the sequence's blocks (published ones stay cached). Unknown ids are ignored.
  void FreeSequence(SeqId seq);
  // Makes positions [0, n_positions) of `seq` writable. RESOURCE_EXHAUSTED when the pool has
  // too few free or evictable blocks (nothing is allocated then).
  Status Reserve(SeqId seq, int64_t n_positions);
  // Blocks that Reserve could still obtain (free, not yet allocated, or evictable).
  int64_t AvailableBlocks() const;

  // For an empty `seq`: attaches cached blocks that hold a prefix of `tokens` and returns the
  // number of positions attached (whole blocks, always fewer than tokens.size() so that at
  // least one token is left to compute).
  int64_t AttachCachedPrefix(SeqId seq, std::span<const int32_t> tokens);
  // Declares that positions [0, n_positions) of `seq` hold the keys and values of
  // tokens[0, n_positions): its full blocks become reusable by other sequences.
  void PublishPrefix(SeqId seq, std::span<const int32_t> tokens, int64_t n_positions);

  // Storage of one position (n_embd_kv f16 values); the position must be reserved. Positions in
  // attached (shared) blocks must not be written.
  uint16_t* Key(SeqId seq, int64_t layer, int64_t pos);
  uint16_t* Value(SeqId seq, int64_t layer, int64_t pos);
  const uint16_t* Key(SeqId seq, int64_t layer, int64_t pos) const;
  const uint16_t* Value(SeqId seq, int64_t layer, int64_t pos) const;

  int64_t capacity_positions(SeqId seq) const;
  int block_tokens() const { return options_.block_tokens; }
  KvCacheStats stats() const;

 private:
  struct Block {
    int refs = 0;
    bool published = false;
    uint64_t hash = 0;            // chain hash of all tokens up to the block's end
    int32_t parent = -1;          // previous block of the chain when published
    std::vector<int32_t> tokens;  // the block's tokens, to rule out hash collisions
    std::list<int32_t>::iterator lru;  // position in lru_ while cached and unreferenced
  };
  struct Sequence {
    bool live = false;
    std::vector<int32_t> table;  // block ids in position order
    size_t published = 0;        // leading blocks already published or attached
    uint64_t chain_hash = 0;     // hash through the last published block
  };

  uint16_t* BlockBase(int32_t block) const;
  uint16_t* Slot(SeqId seq, int64_t layer, int64_t pos, bool value) const;
  int32_t TakeBlock();
  void Release(int32_t block);
  int32_t FindCached(uint64_t hash, int32_t parent, std::span<const int32_t> tokens) const;

  static constexpr int64_t kChunkBlocks = 64;

  KvCacheOptions options_;
  int64_t values_per_block_;
  int64_t allocated_blocks_ = 0;  // blocks backed by memory so far
  std::vector<std::unique_ptr<uint16_t[]>> chunks_;
  std::vector<Block> blocks_;           // per allocated block
  std::vector<int32_t> free_;           // unreferenced, unpublished blocks
  std::list<int32_t> lru_;              // unreferenced published blocks, oldest first
  std::unordered_multimap<uint64_t, int32_t> published_;  // chain hash → block
  std::vector<Sequence> seqs_;
  int64_t lookup_tokens_ = 0;
  int64_t hit_tokens_ = 0;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_MODEL_KV_CACHE_H_
