// HnswIndex: answering queries. Graph search with the filter applied inside the walk, exact
// search (ground truth and the fallback for selective filters), and the final re-scoring.
#include <algorithm>
#include <cmath>

#include "index/vector/hnsw_index.h"

namespace savoir::index {
namespace {

// Nodes sampled to estimate how many vectors a predicate filter allows.
constexpr uint32_t kFilterSamples = 512;

// Candidates re-scored with full-precision vectors, as a multiple of k.
constexpr size_t kFullPrecisionFactor = 4;

bool BetterHit(const SearchHit& a, const SearchHit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// Keeps the k best hits seen, as a heap whose top is the worst kept.
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { hits_.reserve(std::min<size_t>(k, 4096) + 1); }

  void Offer(uint64_t id, float score) {
    if (hits_.size() == k_ && !BetterHit(SearchHit{id, score}, hits_.front())) return;
    hits_.push_back(SearchHit{id, score});
    std::push_heap(hits_.begin(), hits_.end(), BetterHit);
    if (hits_.size() > k_) {
      std::pop_heap(hits_.begin(), hits_.end(), BetterHit);
      hits_.pop_back();
    }
  }

  std::vector<SearchHit> Take() && {
    std::sort(hits_.begin(), hits_.end(), BetterHit);
    return std::move(hits_);
  }

 private:
  size_t k_;
  std::vector<SearchHit> hits_;
};

}  // namespace

StatusOr<std::vector<SearchHit>> HnswIndex::Search(std::span<const float> query,
                                                   const SearchOptions& options) const {
  SAVOIR_RETURN_IF_ERROR(CheckVector(query, "query"));
  if (options.k == 0) return std::vector<SearchHit>();
  const QueryCode q = MakeQuery(query);
  std::shared_lock<std::shared_mutex> grace(search_mu_);
  if (options.filter != nullptr) {
    const double allowed = static_cast<double>(EstimateAllowed(*options.filter));
    if (allowed <= options.exact_filter_fraction * static_cast<double>(size())) {
      return Exact(q, options.k, options.filter);
    }
  }
  // Neither k nor ef can usefully exceed the number of live vectors; clamping keeps absurd
  // values from reserving absurd memory.
  const size_t live = std::max<size_t>(size(), 1);
  const size_t k = std::min(options.k, live);
  const size_t ef = std::min(std::max(k, options.ef == 0 ? options_.ef_search : options.ef), live);
  std::vector<SearchHit> hits = Finish(q, SearchGraph(q, options, ef), options);
  // A walk that comes back short (a filter that allows fewer ids than estimated, or a region
  // of the graph cut off by deletions) is completed by exact search.
  if (hits.size() < options.k && hits.size() < size()) return Exact(q, options.k, options.filter);
  return hits;
}

StatusOr<std::vector<SearchHit>> HnswIndex::ExactSearch(std::span<const float> query, size_t k,
                                                        const VectorFilter* filter) const {
  SAVOIR_RETURN_IF_ERROR(CheckVector(query, "query"));
  if (k == 0) return std::vector<SearchHit>();
  const QueryCode q = MakeQuery(query);
  std::shared_lock<std::shared_mutex> grace(search_mu_);
  return Exact(q, k, filter);
}

std::vector<HnswIndex::Scored> HnswIndex::SearchGraph(const QueryCode& q,
                                                      const SearchOptions& options,
                                                      size_t ef) const {
  // The entry is read before the slot count: a node is published before it becomes the entry.
  const uint64_t entry = entry_.load(std::memory_order_acquire);
  if (entry == kNoEntry) return {};
  const uint32_t limit = published_slots();
  const auto entry_id = static_cast<uint32_t>(entry);
  Scored current{Distance(q, entry_id), entry_id};
  for (int l = static_cast<int>(entry >> 32); l > 0; --l) {
    current = GreedyClosest(q, current, l, limit);
  }
  VisitedPool::Handle visited = visited_pool_.Acquire(limit);
  const LevelSearch s{&q, &*visited, limit, 0, ef, options.filter, kNone};
  return SearchLevel(s, {current});
}

std::vector<SearchHit> HnswIndex::Finish(const QueryCode& q, const std::vector<Scored>& found,
                                         const SearchOptions& options) const {
  std::vector<std::pair<SearchHit, uint32_t>> ranked;  // With the slot, for re-scoring.
  ranked.reserve(found.size());
  for (const Scored& c : found) {
    const float score = options.rescore ? ExactScore(q, c.id) : -c.distance;
    ranked.emplace_back(SearchHit{store_.ExternalId(c.id), score}, c.id);
  }
  const auto better = [](const auto& a, const auto& b) { return BetterHit(a.first, b.first); };
  std::sort(ranked.begin(), ranked.end(), better);
  if (options.rescore && options.full_precision != nullptr) {
    // The code scores are within a few thousandths of the true ones, so the true top k lies
    // among the best few k by code score; only those are fetched in full precision.
    ranked.resize(std::min(ranked.size(), kFullPrecisionFactor * options.k));
    std::vector<float> full(options_.dim);
    for (auto& [hit, slot] : ranked) {
      if (!options.full_precision->Get(hit.id, full)) continue;
      hit.score = kernels_.dot_f32(full.data(), q.values.data(), options_.dim);
      if (options_.metric == Metric::kCosine) {
        const float norm2 = kernels_.dot_f32(full.data(), full.data(), options_.dim);
        hit.score = norm2 > 0.0f ? hit.score / std::sqrt(norm2) : 0.0f;
      }
    }
    std::sort(ranked.begin(), ranked.end(), better);
  }
  std::vector<SearchHit> hits;
  for (size_t i = 0; i < std::min(ranked.size(), options.k); ++i) hits.push_back(ranked[i].first);
  return hits;
}

std::vector<SearchHit> HnswIndex::Exact(const QueryCode& q, size_t k,
                                        const VectorFilter* filter) const {
  TopK top(k);
  const std::vector<uint64_t>* allowed = filter != nullptr ? filter->AllowedIds() : nullptr;
  if (allowed != nullptr) {
    std::shared_lock<std::shared_mutex> lock(map_mu_);
    for (uint64_t id : *allowed) {
      const std::optional<uint32_t> slot = ids_.Find(id);
      if (slot.has_value() && store_.IsLive(*slot)) top.Offer(id, ExactScore(q, *slot));
    }
    return std::move(top).Take();
  }
  const uint32_t slots = published_slots();
  for (uint32_t id = 0; id < slots; ++id) {
    if (!store_.IsLive(id)) continue;
    const uint64_t external = store_.ExternalId(id);
    if (filter != nullptr && !filter->Allows(external)) continue;
    top.Offer(external, ExactScore(q, id));
  }
  return std::move(top).Take();
}

size_t HnswIndex::EstimateAllowed(const VectorFilter& filter) const {
  if (const std::vector<uint64_t>* ids = filter.AllowedIds(); ids != nullptr) return ids->size();
  const uint32_t slots = published_slots();
  if (slots == 0) return 0;
  // Evenly spaced slots: ids are assigned in insertion order, so this samples across time.
  const uint32_t step = std::max<uint32_t>(1, slots / kFilterSamples);
  size_t live = 0;
  size_t allowed = 0;
  for (uint32_t id = step / 2; id < slots; id += step) {
    if (!store_.IsLive(id)) continue;
    ++live;
    if (filter.Allows(store_.ExternalId(id))) ++allowed;
  }
  if (live == 0) return size();
  return static_cast<size_t>(std::ceil(static_cast<double>(allowed) / live * size()));
}

}  // namespace savoir::index
