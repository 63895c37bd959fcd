#include "index/vector/id_map.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace savoir::index {
namespace {

constexpr size_t kMinBuckets = 16;

// The finaliser of MurmurHash3: spreads sequential ids over the whole table.
uint64_t Mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

}  // namespace

size_t IdMap::BucketOf(uint64_t key) const { return static_cast<size_t>(Mix(key)) & mask_; }

size_t IdMap::Probe(uint64_t key) const {
  size_t b = BucketOf(key);
  while (values_[b] != kNoValue && keys_[b] != key) b = (b + 1) & mask_;
  return b;
}

std::optional<uint32_t> IdMap::Find(uint64_t key) const {
  if (size_ == 0) return std::nullopt;
  const size_t b = Probe(key);
  if (values_[b] == kNoValue) return std::nullopt;
  return values_[b];
}

bool IdMap::Insert(uint64_t key, uint32_t value) {
  assert(value != kNoValue);
  Reserve(size_ + 1);
  const size_t b = Probe(key);
  if (values_[b] != kNoValue) return false;
  keys_[b] = key;
  values_[b] = value;
  ++size_;
  return true;
}

void IdMap::Set(uint64_t key, uint32_t value) {
  assert(value != kNoValue);
  Reserve(size_ + 1);
  const size_t b = Probe(key);
  if (values_[b] == kNoValue) ++size_;
  keys_[b] = key;
  values_[b] = value;
}

bool IdMap::Erase(uint64_t key) {
  if (size_ == 0) return false;
  size_t hole = Probe(key);
  if (values_[hole] == kNoValue) return false;
  values_[hole] = kNoValue;
  --size_;
  // Backward shift: move each later entry of the run into the hole when its home bucket does
  // not lie (cyclically) between the hole and its current bucket.
  for (size_t b = (hole + 1) & mask_; values_[b] != kNoValue; b = (b + 1) & mask_) {
    const size_t home = BucketOf(keys_[b]);
    const bool stays = hole <= b ? (hole < home && home <= b) : (hole < home || home <= b);
    if (stays) continue;
    keys_[hole] = keys_[b];
    values_[hole] = values_[b];
    values_[b] = kNoValue;
    hole = b;
  }
  return true;
}

void IdMap::Reserve(size_t n) {
  size_t wanted = std::bit_ceil(std::max(kMinBuckets, n * 2));
  if (wanted > values_.size()) Rehash(wanted);
}

void IdMap::Clear() {
  keys_.clear();
  values_.clear();
  size_ = 0;
  mask_ = 0;
}

size_t IdMap::MemoryBytes() const {
  return keys_.capacity() * sizeof(uint64_t) + values_.capacity() * sizeof(uint32_t);
}

void IdMap::Rehash(size_t bucket_count) {
  std::vector<uint64_t> old_keys = std::move(keys_);
  std::vector<uint32_t> old_values = std::move(values_);
  keys_.assign(bucket_count, 0);
  values_.assign(bucket_count, kNoValue);
  mask_ = bucket_count - 1;
  for (size_t i = 0; i < old_values.size(); ++i) {
    if (old_values[i] == kNoValue) continue;
    const size_t b = Probe(old_keys[i]);
    keys_[b] = old_keys[i];
    values_[b] = old_values[i];
  }
}

}  // namespace savoir::index
