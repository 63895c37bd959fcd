// HnswIndex: creation, validation and the writer operations (add, remove). The graph itself is
// in hnsw_graph.cc, query answering in hnsw_search.cc and the file format in hnsw_io.cc.
#include "index/vector/hnsw_index.h"

#include <algorithm>
#include <cmath>

#include "index/vector/quantize.h"

namespace savoir::index {
namespace {

constexpr size_t kMaxDim = 4096;
constexpr size_t kMinM = 2;
constexpr size_t kMaxM = 128;
constexpr size_t kMaxEf = 1 << 16;

Status CheckOptions(const HnswOptions& o) {
  if (o.dim < 1 || o.dim > kMaxDim) {
    return InvalidArgumentError("vector index: dim {} is outside [1, {}]", o.dim, kMaxDim);
  }
  if (o.m < kMinM || o.m > kMaxM) {
    return InvalidArgumentError("vector index: m {} is outside [{}, {}]", o.m, kMinM, kMaxM);
  }
  if (o.ef_construction < 1 || o.ef_search < 1 || o.ef_construction > kMaxEf ||
      o.ef_search > kMaxEf) {
    return InvalidArgumentError("vector index: ef_construction and ef_search must be in [1, {}]",
                                kMaxEf);
  }
  if (o.metric != Metric::kCosine && o.metric != Metric::kInnerProduct) {
    return InvalidArgumentError("vector index: unknown metric {}", static_cast<uint32_t>(o.metric));
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<HnswIndex>> HnswIndex::Create(const HnswOptions& options) {
  SAVOIR_RETURN_IF_ERROR(CheckOptions(options));
  StatusOr<DistanceKernels> kernels =
      options.kernels.has_value() ? KernelsFor(*options.kernels) : KernelsFromEnvironment();
  if (!kernels.ok()) return kernels.status().WithContext("vector index");
  return std::make_unique<HnswIndex>(PrivateTag(), options, *kernels);
}

HnswIndex::HnswIndex(PrivateTag, const HnswOptions& options, const DistanceKernels& kernels)
    : options_(options),
      kernels_(kernels),
      level_multiplier_(1.0 / std::log(static_cast<double>(options.m))),
      store_(options.dim, options.m),
      rng_(options.seed) {}

HnswIndex::~HnswIndex() = default;

Status HnswIndex::CheckVector(std::span<const float> vector, std::string_view what) const {
  if (vector.size() != options_.dim) {
    return InvalidArgumentError("{} has {} dimensions, the index has {}", what, vector.size(),
                                options_.dim);
  }
  if (!AllFinite(vector.data(), vector.size())) {
    return InvalidArgumentError("{} has a non-finite value", what);
  }
  if (options_.metric == Metric::kCosine) {
    const bool nonzero = std::any_of(vector.begin(), vector.end(), [](float x) { return x != 0; });
    if (!nonzero) return InvalidArgumentError("{} is zero and has no direction", what);
  }
  return OkStatus();
}

HnswIndex::QueryCode HnswIndex::MakeQuery(std::span<const float> vector) const {
  QueryCode q;
  q.values.assign(vector.begin(), vector.end());
  if (options_.metric == Metric::kCosine) NormalizeL2(q.values.data(), q.values.size());
  q.codes.resize(options_.dim);
  int32_t sum = 0;
  q.scale = QuantizeToSignedCodes(q.values.data(), options_.dim, q.codes.data(), &sum);
  q.correction = kCodeOffset * sum;
  return q;
}

HnswIndex::QueryCode HnswIndex::NodeQuery(uint32_t id) const {
  QueryCode q;
  q.codes.resize(options_.dim);
  q.correction = kCodeOffset * OffsetToSignedCodes(store_.Codes(id), options_.dim, q.codes.data());
  q.scale = store_.Scale(id);
  return q;
}

int HnswIndex::RandomLevel() {
  // Levels are geometric with ratio 1/m, as in the paper: P(level >= l) = m^-l.
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double u = 1.0 - uniform(rng_);  // In (0, 1], so the logarithm is finite.
  const double level = std::floor(-std::log(u) * level_multiplier_);
  return static_cast<int>(std::min<double>(level, kMaxLevel));
}

StatusOr<uint32_t> HnswIndex::PlaceNode(uint64_t id, const float* vector) {
  std::vector<float> values(vector, vector + options_.dim);
  if (options_.metric == Metric::kCosine) NormalizeL2(values.data(), values.size());
  std::vector<uint8_t> codes(options_.dim);
  const float scale = QuantizeToOffsetCodes(values.data(), options_.dim, codes.data());

  uint32_t slot;
  const bool reuse = !free_slots_.empty();
  if (reuse) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = published_slots_.load(std::memory_order_relaxed);
    SAVOIR_RETURN_IF_ERROR(store_.EnsureCapacity(size_t{slot} + 1));
  }
  store_.InitNode(slot, id, scale, codes.data(), RandomLevel());
  if (!reuse) published_slots_.store(slot + 1, std::memory_order_release);
  std::unique_lock<std::shared_mutex> lock(map_mu_);
  ids_.Insert(id, slot);
  return slot;
}

Status HnswIndex::Add(uint64_t id, std::span<const float> vector) {
  return AddBatch(std::span<const uint64_t>(&id, 1), vector, 1);
}

Status HnswIndex::AddBatch(std::span<const uint64_t> ids, std::span<const float> vectors,
                           int num_threads) {
  const size_t dim = options_.dim;
  if (vectors.size() != ids.size() * dim) {
    return InvalidArgumentError("vector index: {} ids but {} floats (dim {})", ids.size(),
                                vectors.size(), dim);
  }
  if (num_threads < 1) return InvalidArgumentError("vector index: num_threads must be >= 1");
  std::lock_guard<std::mutex> write(write_mu_);
  IdMap batch;
  batch.Reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    SAVOIR_RETURN_IF_ERROR(
        CheckVector(vectors.subspan(i * dim, dim), fmt::format("vector for id {}", ids[i])));
    if (ids_.Contains(ids[i]) || !batch.Insert(ids[i], 0)) {
      return AlreadyExistsError("vector index: id {} is already present", ids[i]);
    }
  }
  if (published_slots_.load() + ids.size() > UINT32_MAX - 1 + free_slots_.size()) {
    return ResourceExhaustedError("vector index: no room for {} more vectors", ids.size());
  }
  std::vector<uint32_t> slots;
  slots.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    SAVOIR_ASSIGN_OR_RETURN(uint32_t slot, PlaceNode(ids[i], vectors.data() + i * dim));
    slots.push_back(slot);
  }
  LinkAll(slots, num_threads);
  live_.fetch_add(ids.size(), std::memory_order_relaxed);
  return OkStatus();
}

Status HnswIndex::Remove(uint64_t id) {
  std::lock_guard<std::mutex> write(write_mu_);
  std::optional<uint32_t> slot;
  {
    std::unique_lock<std::shared_mutex> lock(map_mu_);
    slot = ids_.Find(id);
    if (!slot.has_value()) return NotFoundError("vector index: id {} is not present", id);
    ids_.Erase(id);
  }
  store_.SetFlags(*slot, kNodeDeleted);
  live_.fetch_sub(1, std::memory_order_relaxed);
  deleted_.fetch_add(1, std::memory_order_relaxed);
  return OkStatus();
}

bool HnswIndex::Contains(uint64_t id) const {
  std::shared_lock<std::shared_mutex> lock(map_mu_);
  return ids_.Contains(id);
}

IndexStats HnswIndex::Stats() const {
  IndexStats s;
  s.live = live_.load(std::memory_order_relaxed);
  s.deleted = deleted_.load(std::memory_order_relaxed);
  s.slots = published_slots();
  s.free_slots = s.slots >= s.live + s.deleted ? s.slots - s.live - s.deleted : 0;
  const uint64_t entry = entry_.load(std::memory_order_acquire);
  s.max_level = entry == kNoEntry ? -1 : static_cast<int>(entry >> 32);
  size_t map_bytes;
  {
    std::shared_lock<std::shared_mutex> lock(map_mu_);
    map_bytes = ids_.MemoryBytes();
  }
  s.memory_bytes = store_.MemoryBytes(s.slots) + map_bytes + visited_pool_.MemoryBytes();
  s.kernels = kernels_.level;
  return s;
}

}  // namespace savoir::index
