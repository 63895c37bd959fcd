// Filters that restrict a vector search to the ids a caller may see (permissions).
//
// The index evaluates the filter inside the graph search: disallowed nodes are still walked
// through (so the graph stays connected) but never enter the result set, so the top-k places
// are never taken by ids the caller may not see. When a filter allows only a small share of
// the index, the index searches the allowed vectors exhaustively instead (see
// SearchOptions::exact_filter_fraction in hnsw_index.h).
//
// Filters speak in external ids, the ids callers pass to HnswIndex::Add, never in internal
// slot numbers: a slot is reused after HnswIndex::Vacuum, and a set of slots computed before
// that would silently grant access to whatever vector moved in.
//
// Thread safety: Allows() and AllowedIds() are const and may be called from many searching
// threads at once; implementations must keep them free of unsynchronised mutation.
#ifndef SAVOIR_INDEX_VECTOR_VECTOR_FILTER_H_
#define SAVOIR_INDEX_VECTOR_VECTOR_FILTER_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "index/vector/id_map.h"

namespace savoir::index {

class VectorFilter {
 public:
  virtual ~VectorFilter() = default;

  // True when the vector with external id `id` may appear in results.
  virtual bool Allows(uint64_t id) const = 0;

  // The allowed ids when the filter is an explicit list, each once (ids absent from the index
  // are allowed and ignored), else nullptr. Lets the index score a small allowed set directly
  // instead of scanning every node; also tells it the set's size without sampling.
  virtual const std::vector<uint64_t>* AllowedIds() const { return nullptr; }
};

// Allows exactly the listed ids (duplicates are dropped). Allows() is one hash lookup.
class AllowListFilter final : public VectorFilter {
 public:
  explicit AllowListFilter(const std::vector<uint64_t>& ids);

  bool Allows(uint64_t id) const override { return set_.Contains(id); }
  const std::vector<uint64_t>* AllowedIds() const override { return &ids_; }

 private:
  std::vector<uint64_t> ids_;
  IdMap set_;
};

// Allows the ids for which `allows` returns true. The function must be thread-safe and cheap;
// the index estimates how many ids it allows by sampling.
class PredicateFilter final : public VectorFilter {
 public:
  explicit PredicateFilter(std::function<bool(uint64_t)> allows) : allows_(std::move(allows)) {}

  bool Allows(uint64_t id) const override { return allows_(id); }

 private:
  std::function<bool(uint64_t)> allows_;
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_VECTOR_FILTER_H_
