#include "engine/model/kv_cache.h"

#include <cassert>

namespace savoir::engine {

KvCache::KvCache(const KvCacheOptions& options)
    : options_(options),
      values_per_block_(options.n_layer * 2 * options.block_tokens * options.n_embd_kv),
      max_blocks_(options.max_blocks) {
  assert(options.block_tokens > 0 && options.n_layer > 0 && options.n_embd_kv > 0);
}

KvCache::SeqId KvCache::NewSequence() {
  for (size_t i = 0; i < live_.size(); ++i) {
    if (!live_[i]) {
      live_[i] = true;
      return static_cast<SeqId>(i);
    }
  }
  live_.push_back(true);
  tables_.emplace_back();
  return static_cast<SeqId>(live_.size() - 1);
}

void KvCache::FreeSequence(SeqId seq) {
  if (seq < 0 || static_cast<size_t>(seq) >= live_.size() || !live_[seq]) return;
  for (int32_t b : tables_[seq]) free_.push_back(b);
  tables_[seq].clear();
  live_[seq] = false;
}

int32_t KvCache::TakeBlock() {
  if (free_.empty()) {
    // Back another chunk of blocks with memory; callers checked capacity beforehand.
    int64_t n = std::min(kChunkBlocks, max_blocks_ - allocated_blocks_);
    chunks_.push_back(std::make_unique<uint16_t[]>(static_cast<size_t>(n * values_per_block_)));
    for (int64_t i = n - 1; i >= 0; --i) free_.push_back(static_cast<int32_t>(allocated_blocks_ + i));
    allocated_blocks_ += n;
  }
  int32_t b = free_.back();
  free_.pop_back();
  return b;
}

Status KvCache::Reserve(SeqId seq, int64_t n_positions) {
  assert(seq >= 0 && static_cast<size_t>(seq) < live_.size() && live_[seq]);
  auto& table = tables_[seq];
  int64_t needed = (n_positions + options_.block_tokens - 1) / options_.block_tokens;
  int64_t extra = needed - static_cast<int64_t>(table.size());
  if (extra <= 0) return OkStatus();
  int64_t available = static_cast<int64_t>(free_.size()) + (max_blocks_ - allocated_blocks_);
  if (extra > available) {
    return ResourceExhaustedError("KV cache is full: {} more blocks needed, {} free", extra,
                                  available);
  }
  for (int64_t i = 0; i < extra; ++i) table.push_back(TakeBlock());
  return OkStatus();
}

void KvCache::Truncate(SeqId seq, int64_t n_positions) {
  auto& table = tables_[seq];
  size_t keep = static_cast<size_t>((n_positions + options_.block_tokens - 1) / options_.block_tokens);
  while (table.size() > keep) {
    free_.push_back(table.back());
    table.pop_back();
  }
}

uint16_t* KvCache::BlockBase(int32_t block) const {
  int64_t chunk = block / kChunkBlocks;
  int64_t within = block % kChunkBlocks;
  return chunks_[static_cast<size_t>(chunk)].get() + within * values_per_block_;
}

uint16_t* KvCache::Slot(SeqId seq, int64_t layer, int64_t pos, bool value) const {
  const auto& table = tables_[seq];
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
  return static_cast<int64_t>(tables_[seq].size()) * options_.block_tokens;
}

size_t KvCache::bytes_allocated() const {
  return static_cast<size_t>(allocated_blocks_ * values_per_block_) * sizeof(uint16_t);
}

}  // namespace savoir::engine
