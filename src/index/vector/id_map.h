// IdMap: an open-addressing hash map from 64-bit external ids to 32-bit slot numbers.
//
// The vector index maps each caller-chosen id to the slot holding its vector; the allow-list
// filter uses the same table as a set. Linear probing over two parallel arrays (8 + 4 bytes a
// bucket, load factor at most 1/2) keeps a million entries in 24 MiB, a third of what
// std::unordered_map takes. Erase shifts later entries back, so there are no tombstones and
// lookups never slow down after many deletions. Any uint64_t is a valid key.
//
// Thread safety: none; concurrent readers are safe only while no thread modifies the map.
#ifndef SAVOIR_INDEX_VECTOR_ID_MAP_H_
#define SAVOIR_INDEX_VECTOR_ID_MAP_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace savoir::index {

class IdMap {
 public:
  IdMap() = default;

  // Returns the value stored for `key`, or nullopt.
  std::optional<uint32_t> Find(uint64_t key) const;
  bool Contains(uint64_t key) const { return Find(key).has_value(); }

  // Inserts key -> value. Returns false (and changes nothing) when `key` is already present.
  // `value` must not be kNoValue.
  bool Insert(uint64_t key, uint32_t value);

  // Sets the value of `key`, inserting it when absent.
  void Set(uint64_t key, uint32_t value);

  // Removes `key`; returns false when it was absent.
  bool Erase(uint64_t key);

  // Makes room for `n` entries without rehashing.
  void Reserve(size_t n);
  void Clear();

  size_t size() const { return size_; }
  // Bytes held by the table.
  size_t MemoryBytes() const;

  static constexpr uint32_t kNoValue = UINT32_MAX;

 private:
  size_t BucketOf(uint64_t key) const;
  // The bucket holding `key`, or the empty bucket where it would go.
  size_t Probe(uint64_t key) const;
  void Rehash(size_t bucket_count);

  std::vector<uint64_t> keys_;
  std::vector<uint32_t> values_;  // kNoValue marks an empty bucket.
  size_t size_ = 0;
  size_t mask_ = 0;
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_ID_MAP_H_
