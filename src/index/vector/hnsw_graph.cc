// HnswIndex: the graph. Beam search on one level, the neighbour-selection heuristic, linking
// new nodes (possibly on several threads) and repairing lists around tombstones.
#include <algorithm>
#include <limits>
#include <thread>

#include "index/vector/hnsw_index.h"
#include "index/vector/quantize.h"

namespace savoir::index {
namespace {

// How many fresh neighbours ahead of the one being scored have their codes prefetched.
constexpr size_t kPrefetchAhead = 3;

uint64_t PackEntry(uint32_t id, int level) { return (static_cast<uint64_t>(level) << 32) | id; }

}  // namespace

bool HnswIndex::Accepts(const LevelSearch& s, uint32_t id) const {
  if (id == s.exclude || !store_.IsLive(id)) return false;
  return s.filter == nullptr || s.filter->Allows(store_.ExternalId(id));
}

std::vector<HnswIndex::Scored> HnswIndex::SearchLevel(const LevelSearch& s,
                                                      const std::vector<Scored>& entries) const {
  const auto closest_on_top = [](const Scored& a, const Scored& b) {
    return a.distance > b.distance;
  };
  const auto farthest_on_top = [](const Scored& a, const Scored& b) {
    return a.distance < b.distance;
  };
  VisitedList& visited = *s.visited;
  visited.Reset(s.limit);
  std::vector<Scored> candidates;                           // Min-heap: nodes still to expand.
  std::vector<Scored> results;                              // Max-heap: the ef best accepted nodes.
  const size_t expected = std::min<size_t>(s.ef, s.limit);  // ef may exceed the node count.
  candidates.reserve(2 * expected + entries.size());
  results.reserve(expected + 1);
  float bound = std::numeric_limits<float>::infinity();
  const auto offer = [&](const Scored& c) {
    candidates.push_back(c);
    std::push_heap(candidates.begin(), candidates.end(), closest_on_top);
    if (!Accepts(s, c.id)) return;
    results.push_back(c);
    std::push_heap(results.begin(), results.end(), farthest_on_top);
    if (results.size() > s.ef) {
      std::pop_heap(results.begin(), results.end(), farthest_on_top);
      results.pop_back();
    }
    if (results.size() >= s.ef) bound = results.front().distance;
  };
  for (const Scored& e : entries) {
    if (!visited.TestAndSet(e.id)) offer(e);
  }
  uint32_t fresh[2 * 128];
  while (!candidates.empty()) {
    const Scored current = candidates.front();
    if (current.distance > bound) break;
    std::pop_heap(candidates.begin(), candidates.end(), closest_on_top);
    candidates.pop_back();
    if (s.level == 0 && !candidates.empty()) store_.PrefetchLinks0(candidates.front().id);
    size_t n = 0;
    const uint32_t count = store_.LinkCount(current.id, s.level);
    for (uint32_t j = 0; j < count; ++j) {
      const uint32_t v = store_.Link(current.id, s.level, j);
      if (v < s.limit && !visited.TestAndSet(v)) fresh[n++] = v;
    }
    for (size_t j = 0; j < std::min(n, kPrefetchAhead); ++j) store_.PrefetchCodes(fresh[j]);
    for (size_t j = 0; j < n; ++j) {
      if (j + kPrefetchAhead < n) store_.PrefetchCodes(fresh[j + kPrefetchAhead]);
      const float d = Distance(*s.query, fresh[j]);
      if (results.size() < s.ef || d < bound) offer(Scored{d, fresh[j]});
    }
  }
  std::sort(results.begin(), results.end(),
            [](const Scored& a, const Scored& b) { return a.distance < b.distance; });
  return results;
}

HnswIndex::Scored HnswIndex::GreedyClosest(const QueryCode& q, Scored start, int level,
                                           uint32_t limit) const {
  Scored best = start;
  for (bool improved = true; improved;) {
    improved = false;
    const uint32_t count = store_.LinkCount(best.id, level);
    const uint32_t from = best.id;
    for (uint32_t j = 0; j < count; ++j) {
      const uint32_t v = store_.Link(from, level, j);
      if (v >= limit) continue;
      const float d = Distance(q, v);
      if (d < best.distance) {
        best = Scored{d, v};
        improved = true;
      }
    }
  }
  return best;
}

std::vector<HnswIndex::Scored> HnswIndex::SelectNeighbours(const std::vector<Scored>& sorted,
                                                           size_t max) const {
  if (sorted.size() <= max) return sorted;
  // Keep a candidate only if it is closer to the base node than to every neighbour kept so
  // far: the graph then reaches out in several directions instead of into one cluster.
  const size_t dim = options_.dim;
  std::vector<Scored> kept;
  std::vector<int8_t> codes(max * dim);
  std::vector<float> scales(max);
  std::vector<int32_t> corrections(max);
  for (const Scored& c : sorted) {
    if (kept.size() >= max) break;
    bool keep = true;
    for (size_t i = 0; i < kept.size() && keep; ++i) {
      const int32_t raw = kernels_.dot_u8s8(store_.Codes(c.id), codes.data() + i * dim, dim);
      const float d = -(scales[i] * store_.Scale(c.id)) * static_cast<float>(raw - corrections[i]);
      keep = d >= c.distance;
    }
    if (!keep) continue;
    const size_t k = kept.size();
    corrections[k] =
        kCodeOffset * OffsetToSignedCodes(store_.Codes(c.id), dim, codes.data() + k * dim);
    scales[k] = store_.Scale(c.id);
    kept.push_back(c);
  }
  return kept;
}

void HnswIndex::Link(uint32_t node, VisitedList& visited) {
  const int level = store_.Level(node);
  uint64_t entry = entry_.load(std::memory_order_acquire);
  if (entry == kNoEntry) {
    std::lock_guard<std::mutex> lock(entry_mu_);
    entry = entry_.load(std::memory_order_acquire);
    if (entry == kNoEntry) {
      entry_.store(PackEntry(node, level), std::memory_order_release);
      return;
    }
  }
  const uint32_t limit = published_slots();
  const QueryCode q = NodeQuery(node);
  const int top = static_cast<int>(entry >> 32);
  const auto entry_id = static_cast<uint32_t>(entry);
  Scored current{Distance(q, entry_id), entry_id};
  for (int l = top; l > level; --l) current = GreedyClosest(q, current, l, limit);
  std::vector<Scored> entries{current};
  std::vector<uint32_t> ids;
  for (int l = std::min(level, top); l >= 0; --l) {
    const LevelSearch s{&q, &visited, limit, l, options_.ef_construction, nullptr, node};
    std::vector<Scored> found = SearchLevel(s, entries);
    const std::vector<Scored> chosen = SelectNeighbours(found, options_.m);
    ids.clear();
    for (const Scored& c : chosen) ids.push_back(c.id);
    SetOwnLinks(node, l, q, chosen, ids);
    for (uint32_t neighbour : ids) AddBacklink(neighbour, node, l);
    if (!found.empty()) entries = std::move(found);
  }
  if (level > top) {
    std::lock_guard<std::mutex> lock(entry_mu_);
    const uint64_t now = entry_.load(std::memory_order_acquire);
    if (now == kNoEntry || level > static_cast<int>(now >> 32)) {
      entry_.store(PackEntry(node, level), std::memory_order_release);
    }
  }
}

void HnswIndex::SetOwnLinks(uint32_t node, int level, const QueryCode& q,
                            const std::vector<Scored>& chosen, std::vector<uint32_t>& ids) {
  std::lock_guard<std::mutex> lock(LockOf(node));
  const uint32_t count = store_.LinkCount(node, level);
  if (count > 0) {
    // Another linking thread reached this node through a level above and linked back to it
    // before its own list here was written: keep those links too.
    std::vector<Scored> merged = chosen;
    for (uint32_t j = 0; j < count; ++j) {
      const uint32_t v = store_.Link(node, level, j);
      if (std::find(ids.begin(), ids.end(), v) == ids.end()) {
        merged.push_back(Scored{Distance(q, v), v});
      }
    }
    std::sort(merged.begin(), merged.end(),
              [](const Scored& a, const Scored& b) { return a.distance < b.distance; });
    ids.clear();
    for (const Scored& c : SelectNeighbours(merged, store_.MaxDegree(level))) ids.push_back(c.id);
  }
  store_.SetLinks(node, level, ids.data(), static_cast<uint32_t>(ids.size()));
}

void HnswIndex::AddBacklink(uint32_t node, uint32_t neighbour, int level) {
  std::lock_guard<std::mutex> lock(LockOf(node));
  const uint32_t count = store_.LinkCount(node, level);
  const size_t max = store_.MaxDegree(level);
  for (uint32_t j = 0; j < count; ++j) {
    if (store_.Link(node, level, j) == neighbour) return;
  }
  if (count < max) {
    store_.AppendLink(node, level, neighbour);
    return;
  }
  // Full: re-select among the current neighbours and the new one, dropping tombstones first.
  const QueryCode q = NodeQuery(node);
  std::vector<Scored> candidates;
  candidates.reserve(count + 1);
  for (uint32_t j = 0; j < count; ++j) {
    const uint32_t v = store_.Link(node, level, j);
    if (store_.IsLive(v)) candidates.push_back(Scored{Distance(q, v), v});
  }
  candidates.push_back(Scored{Distance(q, neighbour), neighbour});
  std::sort(candidates.begin(), candidates.end(),
            [](const Scored& a, const Scored& b) { return a.distance < b.distance; });
  const std::vector<Scored> chosen = SelectNeighbours(candidates, max);
  std::vector<uint32_t> ids;
  ids.reserve(chosen.size());
  for (const Scored& c : chosen) ids.push_back(c.id);
  store_.SetLinks(node, level, ids.data(), static_cast<uint32_t>(ids.size()));
}

void HnswIndex::LinkAll(const std::vector<uint32_t>& slots, int num_threads) {
  const size_t threads = std::min<size_t>(static_cast<size_t>(num_threads), slots.size());
  if (threads <= 1) {
    VisitedPool::Handle visited = visited_pool_.Acquire(published_slots());
    for (uint32_t slot : slots) Link(slot, *visited);
    return;
  }
  std::atomic<size_t> next{0};
  const auto work = [&] {
    VisitedPool::Handle visited = visited_pool_.Acquire(published_slots());
    for (size_t i = next.fetch_add(1); i < slots.size(); i = next.fetch_add(1)) {
      Link(slots[i], *visited);
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
  for (std::thread& w : workers) w.join();
}

std::vector<HnswIndex::Scored> HnswIndex::SearchFromEntry(const QueryCode& q, int level,
                                                          uint32_t exclude,
                                                          VisitedList& visited) const {
  const uint64_t entry = entry_.load(std::memory_order_acquire);
  if (entry == kNoEntry || static_cast<int>(entry >> 32) < level) return {};
  const uint32_t limit = published_slots();
  const auto entry_id = static_cast<uint32_t>(entry);
  Scored current{Distance(q, entry_id), entry_id};
  for (int l = static_cast<int>(entry >> 32); l > level; --l) {
    current = GreedyClosest(q, current, l, limit);
  }
  const LevelSearch s{&q, &visited, limit, level, options_.ef_construction, nullptr, exclude};
  return SearchLevel(s, {current});
}

void HnswIndex::RepairLists(uint32_t node, VisitedList& visited) {
  const auto by_distance = [](const Scored& a, const Scored& b) {
    return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
  };
  std::optional<QueryCode> q;
  std::vector<uint32_t> old;
  std::vector<Scored> candidates;
  for (int l = 0; l <= store_.Level(node); ++l) {
    old.resize(store_.LinkCount(node, l));
    for (uint32_t j = 0; j < old.size(); ++j) old[j] = store_.Link(node, l, j);
    if (std::all_of(old.begin(), old.end(), [&](uint32_t v) { return store_.IsLive(v); })) {
      continue;
    }
    if (!q.has_value()) q = NodeQuery(node);
    // Candidates: the live neighbours, and the live neighbours of each dead one (the nodes
    // the dead one used to connect this node to).
    candidates.clear();
    const auto consider = [&](uint32_t v) {
      if (v != node && store_.IsLive(v)) candidates.push_back(Scored{Distance(*q, v), v});
    };
    for (uint32_t v : old) {
      if (store_.IsLive(v)) {
        consider(v);
        continue;
      }
      const uint32_t count = store_.LinkCount(v, l);
      for (uint32_t j = 0; j < count; ++j) consider(store_.Link(v, l, j));
    }
    // Too few left to stay well connected: look for neighbours as an insertion would.
    if (candidates.size() < options_.m) {
      std::vector<Scored> found = SearchFromEntry(*q, l, node, visited);
      candidates.insert(candidates.end(), found.begin(), found.end());
    }
    std::sort(candidates.begin(), candidates.end(), by_distance);
    candidates.erase(std::unique(candidates.begin(), candidates.end(),
                                 [](const Scored& a, const Scored& b) { return a.id == b.id; }),
                     candidates.end());
    const std::vector<Scored> chosen = SelectNeighbours(candidates, store_.MaxDegree(l));
    std::vector<uint32_t> ids;
    ids.reserve(chosen.size());
    for (const Scored& c : chosen) ids.push_back(c.id);
    {
      std::lock_guard<std::mutex> lock(LockOf(node));
      store_.SetLinks(node, l, ids.data(), static_cast<uint32_t>(ids.size()));
    }
    // New neighbours link back, so that nodes reached only through dead ones stay reachable.
    for (uint32_t v : ids) {
      if (std::find(old.begin(), old.end(), v) == old.end()) AddBacklink(v, node, l);
    }
  }
}

void HnswIndex::ResetEntryPoint() {
  const uint64_t entry = entry_.load(std::memory_order_acquire);
  if (entry != kNoEntry && store_.IsLive(static_cast<uint32_t>(entry))) return;
  uint32_t best = kNone;
  int best_level = -1;
  const uint32_t slots = published_slots();
  for (uint32_t id = 0; id < slots; ++id) {
    if (store_.IsLive(id) && store_.Level(id) > best_level) {
      best = id;
      best_level = store_.Level(id);
    }
  }
  entry_.store(best == kNone ? kNoEntry : PackEntry(best, best_level), std::memory_order_release);
}

Status HnswIndex::Vacuum() {
  std::lock_guard<std::mutex> write(write_mu_);
  if (deleted_.load(std::memory_order_relaxed) == 0) return OkStatus();
  const uint32_t slots = published_slots();
  {
    VisitedPool::Handle visited = visited_pool_.Acquire(slots);
    for (uint32_t id = 0; id < slots; ++id) {
      if (store_.IsLive(id)) RepairLists(id, *visited);
    }
  }
  ResetEntryPoint();
  // Grace period: once every search that started before the repair has finished, no reader
  // can hold the id of a dead node, and its slot may be reused.
  { std::unique_lock<std::shared_mutex> grace(search_mu_); }
  for (uint32_t id = 0; id < slots; ++id) {
    if (store_.Flags(id) & kNodeDeleted) {
      store_.SetFlags(id, kNodeFree);
      free_slots_.push_back(id);
    }
  }
  deleted_.store(0, std::memory_order_relaxed);
  return OkStatus();
}

}  // namespace savoir::index
