// HnswIndex: the approximate nearest-neighbour index behind savoir's dense retrieval.
//
// A hierarchical navigable small-world graph (Malkov & Yashunin) over embedding vectors stored
// as one byte per dimension (symmetric per-vector scalar quantization, quantize.h): 384-d
// vectors take 388 bytes, and with the level-0 neighbour list and the external id a node
// takes 528 bytes (m = 16), about 560 MB for a million vectors with the id map. The graph is
// walked with an exact integer dot product between the stored codes and the query quantized to
// signed bytes; the final candidates are re-scored with the float query against the codes, so
// the returned scores and order do not carry the query's quantization error. A caller that keeps
// full-precision copies elsewhere can pass them (VectorSource) to re-score the best candidates
// exactly, which removes the codes' own error too.
//
// Vectors have caller-chosen 64-bit ids. Remove() leaves a tombstone: the node still routes
// searches but is never returned. Vacuum() repairs every neighbour list that points at a
// tombstone (linking the node to the tombstone's own neighbours and re-running the pruning
// heuristic) and frees the slots for reuse. Searches can be restricted by a VectorFilter that
// is evaluated inside the walk; filters that allow few vectors are answered by exact search.
// ExactSearch() scores every stored vector: ground truth, and the selective-filter fallback.
//
// Metrics: kCosine normalises every added vector and every query to unit length and scores by
// inner product (cosine similarity); kInnerProduct scores raw inner products. Scores are
// returned highest first.
//
// Thread safety and locking:
// - Search, ExactSearch, Contains, size and Stats may be called from any number of threads at
//   once, and concurrently with one writer. They take no exclusive lock: neighbour lists and
//   node flags are read with acquire loads, and a search ignores nodes added after it started.
// - Add, AddBatch, Remove, Vacuum and Save are writers. They are serialised by an internal
//   mutex (write_mu_), so calling them from several threads is safe but they run one at a time.
//   AddBatch links its vectors on `num_threads` threads that coordinate with per-node lock
//   stripes. Searches run on while a writer works.
// - Each search holds search_mu_ shared for its duration; Vacuum takes it exclusively for an
//   instant after unlinking tombstones, a grace period after which no search can still be
//   looking at a slot that is about to be reused. Contains and the allow-list path of exact
//   search share map_mu_ with the writers' brief updates of the id map.
//
// Files: Save/Load (hnsw_io.cc) write a versioned little-endian format with a CRC-32C; a
// corrupt, truncated or inconsistent file is rejected with DataLoss.
#ifndef SAVOIR_INDEX_VECTOR_HNSW_INDEX_H_
#define SAVOIR_INDEX_VECTOR_HNSW_INDEX_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "index/vector/distance.h"
#include "index/vector/id_map.h"
#include "index/vector/node_store.h"
#include "index/vector/vector_filter.h"
#include "index/vector/visited_pool.h"

namespace savoir::index {

class HnswFile;

enum class Metric : uint32_t { kCosine = 0, kInnerProduct = 1 };

struct HnswOptions {
  size_t dim = 384;  // 1 to 4096.
  Metric metric = Metric::kCosine;
  // Neighbours chosen per node and level; level 0 keeps up to 2 * m. 2 to 128.
  size_t m = 16;
  // Beam width while linking a new vector; larger builds a better graph, slower. 1 to 65536.
  size_t ef_construction = 200;
  // Default beam width of Search. 1 to 65536.
  size_t ef_search = 64;
  // Seeds the level of each node; same seed and same single-threaded insertions give the same
  // graph.
  uint64_t seed = 0x5A701D;
  // Kernel level; unset means KernelsFromEnvironment() (SAVOIR_KERNELS or the best available).
  std::optional<KernelLevel> kernels;
};

// Full-precision copies of the indexed vectors, kept outside the index (the knowledge base's
// store, a memory-mapped file). Search can re-score its final candidates with them to remove
// the error of the byte codes from the ranking.
class VectorSource {
 public:
  virtual ~VectorSource() = default;
  // Writes the vector added under `id` (dim floats) into `out`; returns false when it has none.
  // Called from searching threads, possibly several at once; must be thread-safe.
  virtual bool Get(uint64_t id, std::span<float> out) const = 0;
};

struct SearchOptions {
  size_t k = 10;
  // Beam width; 0 means max(k, HnswOptions::ef_search). Larger is slower and more accurate.
  size_t ef = 0;
  // Restricts results to allowed ids; nullptr allows all. Not owned; used during the call only.
  const VectorFilter* filter = nullptr;
  // When the filter allows at most this share of the live vectors, the search scores the
  // allowed vectors exhaustively: a graph walk would have to visit roughly ef / share nodes.
  double exact_filter_fraction = 0.02;
  // Re-score the ef best candidates with the float query before taking the top k.
  bool rescore = true;
  // When set (and rescore is true), the 4 * k best candidates by code score are re-scored with
  // these full-precision vectors; candidates it has no vector for keep their code score. Not
  // owned.
  const VectorSource* full_precision = nullptr;
};

struct SearchHit {
  uint64_t id = 0;
  // Inner product (cosine similarity for kCosine), from the stored codes, or from the
  // full-precision vector when SearchOptions::full_precision supplied it.
  float score = 0.0f;
};

struct IndexStats {
  size_t live = 0;          // Vectors that searches can return.
  size_t deleted = 0;       // Tombstones awaiting Vacuum.
  size_t free_slots = 0;    // Slots freed by Vacuum, reused by the next adds.
  size_t slots = 0;         // Slots ever used (live + deleted + free).
  int max_level = -1;       // Top level of the graph; -1 when empty.
  size_t memory_bytes = 0;  // Nodes, neighbour lists, id map and search scratch.
  KernelLevel kernels = KernelLevel::kScalar;
};

class HnswIndex {
 public:
  // An empty index. InvalidArgument for out-of-range options; FailedPrecondition when the
  // requested kernels are not supported by this CPU.
  static StatusOr<std::unique_ptr<HnswIndex>> Create(const HnswOptions& options);

  // Reads an index written by Save. `kernels` overrides the saved options' kernel choice.
  // Errors: NotFound / Unavailable for I/O, DataLoss for a truncated, corrupt (checksum) or
  // inconsistent file, Unimplemented for an unknown format version.
  static StatusOr<std::unique_ptr<HnswIndex>> Load(const std::string& path,
                                                   std::optional<KernelLevel> kernels = {});

  // Only Create and Load can make the tag; the constructor is public for std::make_unique.
  class PrivateTag {
    friend class HnswIndex;
    friend class HnswFile;
    PrivateTag() = default;
  };
  HnswIndex(PrivateTag, const HnswOptions& options, const DistanceKernels& kernels);

  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;
  ~HnswIndex();

  // Writes the index to `path` (via a temporary file renamed into place): a versioned header,
  // the nodes and lists, and a CRC-32C of everything. Writer; searches continue meanwhile.
  Status Save(const std::string& path) const;

  // Adds one vector of dim() floats under `id`. AlreadyExists when `id` is live in the index;
  // InvalidArgument for a wrong length, a non-finite value or (kCosine) a zero vector.
  Status Add(uint64_t id, std::span<const float> vector);

  // Adds ids.size() vectors, stored row after row in `vectors`, linking them on `num_threads`
  // threads (>= 1). All-or-nothing: every vector is checked before any is added. Errors as Add,
  // plus AlreadyExists for an id repeated within the batch.
  Status AddBatch(std::span<const uint64_t> ids, std::span<const float> vectors,
                  int num_threads = 1);

  // Tombstones `id`: it is never returned again. NotFound when it is not live.
  Status Remove(uint64_t id);

  // Repairs the lists that point at tombstones and frees their slots. Costs a few distance
  // computations per affected list; searches continue meanwhile except for one short wait.
  Status Vacuum();

  // True when `id` is live.
  bool Contains(uint64_t id) const;

  // The k live (and allowed) vectors with the highest scores, best first. Fewer than k only
  // when fewer are live and allowed. InvalidArgument for a wrong length or non-finite query.
  StatusOr<std::vector<SearchHit>> Search(std::span<const float> query,
                                          const SearchOptions& options = {}) const;

  // Like Search, but scores every live allowed vector: exact over the stored codes.
  StatusOr<std::vector<SearchHit>> ExactSearch(std::span<const float> query, size_t k,
                                               const VectorFilter* filter = nullptr) const;

  size_t dim() const { return options_.dim; }
  size_t size() const { return live_.load(std::memory_order_relaxed); }
  const HnswOptions& options() const { return options_; }
  KernelLevel kernel_level() const { return kernels_.level; }
  IndexStats Stats() const;

 private:
  friend class HnswFile;  // Save and Load, hnsw_io.cc.

  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint64_t kNoEntry = UINT64_MAX;
  static constexpr size_t kLockStripes = 4096;

  struct Scored {
    float distance;  // Lower is closer: the negated estimated inner product.
    uint32_t id;
  };

  // A vector ready to be compared with stored codes.
  struct QueryCode {
    std::vector<int8_t> codes;
    float scale = 0.0f;
    int32_t correction = 0;     // 128 * sum(codes): removes the stored codes' offset.
    std::vector<float> values;  // The float query (normalised for kCosine); empty for nodes.
  };

  // Parameters of one beam search on one level.
  struct LevelSearch {
    const QueryCode* query = nullptr;
    VisitedList* visited = nullptr;
    uint32_t limit = 0;  // Ids at or above it were added after the search began.
    int level = 0;
    size_t ef = 1;
    const VectorFilter* filter = nullptr;
    uint32_t exclude = kNone;  // The node being linked, never its own neighbour.
  };

  // hnsw_index.cc: validation, queries, adding and removing.
  Status CheckVector(std::span<const float> vector, std::string_view what) const;
  QueryCode MakeQuery(std::span<const float> vector) const;
  QueryCode NodeQuery(uint32_t id) const;
  float Distance(const QueryCode& q, uint32_t id) const {
    const int32_t raw = kernels_.dot_u8s8(store_.Codes(id), q.codes.data(), options_.dim);
    return -(q.scale * store_.Scale(id)) * static_cast<float>(raw - q.correction);
  }
  float ExactScore(const QueryCode& q, uint32_t id) const {
    return store_.Scale(id) * kernels_.dot_u8f32(store_.Codes(id), q.values.data(), options_.dim);
  }
  int RandomLevel();
  StatusOr<uint32_t> PlaceNode(uint64_t id, const float* vector);
  uint32_t published_slots() const { return published_slots_.load(std::memory_order_acquire); }

  // hnsw_graph.cc: the graph.
  bool Accepts(const LevelSearch& s, uint32_t id) const;
  std::vector<Scored> SearchLevel(const LevelSearch& s, const std::vector<Scored>& entries) const;
  Scored GreedyClosest(const QueryCode& q, Scored start, int level, uint32_t limit) const;
  std::vector<Scored> SelectNeighbours(const std::vector<Scored>& sorted, size_t max) const;
  std::vector<Scored> SearchFromEntry(const QueryCode& q, int level, uint32_t exclude,
                                      VisitedList& visited) const;
  void Link(uint32_t node, VisitedList& visited);
  // Writes the list of `node` at `level` (ids: the ids of `chosen`, updated to what was
  // written), merging links other threads added meanwhile.
  void SetOwnLinks(uint32_t node, int level, const QueryCode& q, const std::vector<Scored>& chosen,
                   std::vector<uint32_t>& ids);
  void AddBacklink(uint32_t node, uint32_t neighbour, int level);
  void RepairLists(uint32_t node, VisitedList& visited);
  void ResetEntryPoint();
  void LinkAll(const std::vector<uint32_t>& slots, int num_threads);
  std::mutex& LockOf(uint32_t id) const { return link_locks_[id % kLockStripes]; }

  // hnsw_search.cc: answering queries.
  std::vector<Scored> SearchGraph(const QueryCode& q, const SearchOptions& options,
                                  size_t ef) const;
  std::vector<SearchHit> Exact(const QueryCode& q, size_t k, const VectorFilter* filter) const;
  size_t EstimateAllowed(const VectorFilter& filter) const;
  std::vector<SearchHit> Finish(const QueryCode& q, const std::vector<Scored>& found,
                                const SearchOptions& options) const;

  const HnswOptions options_;
  const DistanceKernels kernels_;
  const double level_multiplier_;

  NodeStore store_;
  mutable VisitedPool visited_pool_;
  mutable std::array<std::mutex, kLockStripes> link_locks_;
  std::mutex entry_mu_;                       // Orders entry point upgrades by linking threads.
  std::atomic<uint64_t> entry_{kNoEntry};     // (level << 32) | id of the top node.
  std::atomic<uint32_t> published_slots_{0};  // Slots [0, n) have been initialised.
  std::atomic<size_t> live_{0};
  std::atomic<size_t> deleted_{0};

  mutable std::shared_mutex search_mu_;  // Shared by searches; see Vacuum.

  mutable std::mutex write_mu_;       // Serialises writers.
  mutable std::shared_mutex map_mu_;  // Writers modify ids_ exclusively; readers share.
  IdMap ids_;                         // guarded by map_mu_ (writes also under write_mu_)
  std::vector<uint32_t> free_slots_;  // guarded by write_mu_
  std::mt19937_64 rng_;               // guarded by write_mu_
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_HNSW_INDEX_H_
