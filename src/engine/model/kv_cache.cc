#include "engine/model/kv_cache.h"

#include <algorithm>
#include <cassert>

namespace savoir::engine {
namespace {

// Chain hash: each block's hash covers every token before its end, so equal hashes mean equal
// prefixes (up to collisions, which FindCached rules out by comparing tokens and parents).
uint64_t ChainHash(uint64_t parent_hash, std::span<const int32_t> tokens) {
  uint64_t h = parent_hash ^ 0x9e3779b97f4a7c15ULL;
  for (int32_t t : tokens) {
    h ^= static_cast<uint64_t>(static_cast<uint32_t>(t)) + 0x9e3779b97f4a7c15ULL + (h << 6) +
         (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
  }
  return h;
}

}  // namespace

KvCache::KvCache(const KvCacheOptions& options)
    : options_(options),
      values_per_block_(options.n_layer * 2 * options.block_tokens * options.n_embd_kv) {
  assert(options.block_tokens > 0 && options.n_layer > 0 && options.n_embd_kv > 0);
}

KvCache::SeqId KvCache::NewSequence() {
  Sequence fresh;
  fresh.live = true;
  for (size_t i = 0; i < seqs_.size(); ++i) {
    if (!seqs_[i].live) {
      seqs_[i] = std::move(fresh);
      return static_cast<SeqId>(i);
    }
  }
  seqs_.push_back(std::move(fresh));
  return static_cast<SeqId>(seqs_.size() - 1);
}

void KvCache::Release(int32_t block) {
  Block& b = blocks_[static_cast<size_t>(block)];
  assert(b.refs > 0);
  if (--b.refs > 0) return;
  if (b.published) {
    b.lru = lru_.insert(lru_.end(), block);
  } else {
    free_.push_back(block);
  }
}

void KvCache::FreeSequence(SeqId seq) {
  if (seq < 0 || static_cast<size_t>(seq) >= seqs_.size() || !seqs_[seq].live) return;
  for (int32_t b : seqs_[seq].table) Release(b);
  seqs_[seq] = Sequence{};
}

int32_t KvCache::TakeBlock() {
  if (free_.empty() && allocated_blocks_ < options_.max_blocks) {
    // Back another chunk of blocks with memory; callers checked capacity beforehand.
    int64_t n = std::min(kChunkBlocks, options_.max_blocks - allocated_blocks_);
    chunks_.push_back(std::make_unique<uint16_t[]>(static_cast<size_t>(n * values_per_block_)));
    blocks_.resize(static_cast<size_t>(allocated_blocks_ + n));
    for (int64_t i = n - 1; i >= 0; --i) free_.push_back(static_cast<int32_t>(allocated_blocks_ + i));
    allocated_blocks_ += n;
  }
  int32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    // Evict the cached block released longest ago.
    assert(!lru_.empty());
    id = lru_.front();
    lru_.pop_front();
    Block& b = blocks_[static_cast<size_t>(id)];
    auto range = published_.equal_range(b.hash);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == id) {
        published_.erase(it);
        break;
      }
    }
    b = Block{};
  }
  blocks_[static_cast<size_t>(id)].refs = 1;
  return id;
}

int64_t KvCache::AvailableBlocks() const {
  return static_cast<int64_t>(free_.size() + lru_.size()) +
         (options_.max_blocks - allocated_blocks_);
}

Status KvCache::Reserve(SeqId seq, int64_t n_positions) {
  assert(seq >= 0 && static_cast<size_t>(seq) < seqs_.size() && seqs_[seq].live);
  auto& table = seqs_[seq].table;
  int64_t needed = (n_positions + options_.block_tokens - 1) / options_.block_tokens;
  int64_t extra = needed - static_cast<int64_t>(table.size());
  if (extra <= 0) return OkStatus();
  if (extra > AvailableBlocks()) {
    return ResourceExhaustedError("KV cache is full: {} more blocks needed, {} available", extra,
                                  AvailableBlocks());
  }
  for (int64_t i = 0; i < extra; ++i) table.push_back(TakeBlock());
  return OkStatus();
}

int32_t KvCache::FindCached(uint64_t hash, int32_t parent, std::span<const int32_t> tokens) const {
  auto range = published_.equal_range(hash);
  for (auto it = range.first; it != range.second; ++it) {
    const Block& b = blocks_[static_cast<size_t>(it->second)];
    if (b.parent == parent && std::equal(tokens.begin(), tokens.end(), b.tokens.begin(), b.tokens.end())) {
      return it->second;
    }
  }
  return -1;
}

int64_t KvCache::AttachCachedPrefix(SeqId seq, std::span<const int32_t> tokens) {
  Sequence& s = seqs_[static_cast<size_t>(seq)];
  assert(s.live && s.table.empty());
  const size_t bt = static_cast<size_t>(options_.block_tokens);
  lookup_tokens_ += static_cast<int64_t>(tokens.size());
  int32_t parent = -1;
  uint64_t hash = 0;
  // Leave at least one token to compute: the caller needs its logits.
  while (!tokens.empty() && (s.table.size() + 1) * bt <= tokens.size() - 1) {
    auto block_tokens = tokens.subspan(s.table.size() * bt, bt);
    uint64_t h = ChainHash(hash, block_tokens);
    int32_t id = FindCached(h, parent, block_tokens);
    if (id < 0) break;
    Block& b = blocks_[static_cast<size_t>(id)];
    if (b.refs++ == 0) lru_.erase(b.lru);
    s.table.push_back(id);
    parent = id;
    hash = h;
  }
  s.published = s.table.size();
  s.chain_hash = hash;
  const int64_t attached = static_cast<int64_t>(s.table.size() * bt);
  hit_tokens_ += attached;
  return attached;
}

void KvCache::PublishPrefix(SeqId seq, std::span<const int32_t> tokens, int64_t n_positions) {
  Sequence& s = seqs_[static_cast<size_t>(seq)];
  const size_t bt = static_cast<size_t>(options_.block_tokens);
  const size_t full = std::min(static_cast<size_t>(n_positions), tokens.size()) / bt;
  while (s.published < std::min(full, s.table.size())) {
    const size_t i = s.published;
    auto block_tokens = tokens.subspan(i * bt, bt);
    const int32_t parent = i == 0 ? -1 : s.table[i - 1];
    const uint64_t h = ChainHash(s.chain_hash, block_tokens);
    Block& b = blocks_[static_cast<size_t>(s.table[i])];
    // An identical block published by another sequence stays the one that is found; this one
    // remains private (and the chain continues from it only for this sequence's bookkeeping).
    if (!b.published && FindCached(h, parent, block_tokens) < 0) {
      b.published = true;
      b.hash = h;
      b.parent = parent;
      b.tokens.assign(block_tokens.begin(), block_tokens.end());
      published_.emplace(h, s.table[i]);
    } else if (!b.published) {
      break;  // later blocks would chain from an unpublished parent: stop publishing here
    }
    s.chain_hash = h;
    ++s.published;
  }
}

uint16_t* KvCache::BlockBase(int32_t block) const {
  int64_t chunk = block / kChunkBlocks;
  int64_t within = block % kChunkBlocks;
  return chunks_[static_cast<size_t>(chunk)].get() + within * values_per_block_;
}

uint16_t* KvCache::Slot(SeqId seq, int64_t layer, int64_t pos, bool value) const {
  const auto& table = seqs_[static_cast<size_t>(seq)].table;
  int64_t bt = options_.block_tokens;
  assert(pos >= 0 && pos / bt < static_cast<int64_t>(table.size()));
  uint16_t* base = BlockBase(table[static_cast<size_t>(pos / bt)]);
  int64_t offset = ((layer * 2 + (value ? 1 : 0)) * bt + pos % bt) * options_.n_embd_kv;
  return base + offset;
}

uint16_t* KvCache::Key(SeqId seq, int64_t layer, int64_t pos) {
  return Slot(seq, layer, pos, false);
}
uint16_t* KvCache::Value(SeqId seq, int64_t layer, int64_t pos) {
  return Slot(seq, layer, pos, true);
}
const uint16_t* KvCache::Key(SeqId seq, int64_t layer, int64_t pos) const {
  return Slot(seq, layer, pos, false);
}
const uint16_t* KvCache::Value(SeqId seq, int64_t layer, int64_t pos) const {
  return Slot(seq, layer, pos, true);
}

int64_t KvCache::capacity_positions(SeqId seq) const {
  return static_cast<int64_t>(seqs_[static_cast<size_t>(seq)].table.size()) * options_.block_tokens;
}

KvCacheStats KvCache::stats() const {
  KvCacheStats s;
  s.blocks_total = options_.max_blocks;
  s.blocks_cached = static_cast<int64_t>(lru_.size());
  s.blocks_in_use = allocated_blocks_ - static_cast<int64_t>(free_.size() + lru_.size());
  s.prefix_lookup_tokens = lookup_tokens_;
  s.prefix_hit_tokens = hit_tokens_;
  s.bytes_allocated = static_cast<size_t>(allocated_blocks_ * values_per_block_) * sizeof(uint16_t);
  return s;
}

}  // namespace savoir::engine
