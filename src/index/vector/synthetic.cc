#include "index/vector/synthetic.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <unordered_set>

#include "index/vector/quantize.h"

namespace savoir::index {
namespace {

// SplitMix64: tiny, fast and good enough to drive Gaussian samples for test data.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1].
  double Uniform() { return (static_cast<double>(Next() >> 11) + 1.0) * 0x1.0p-53; }
  // Standard normal (Box-Muller).
  float Normal() {
    const double r = std::sqrt(-2.0 * std::log(Uniform()));
    return static_cast<float>(r * std::cos(6.283185307179586 * Uniform()));
  }

 private:
  uint64_t state_;
};

void RandomUnit(Rng& rng, float* out, size_t dim) {
  for (size_t i = 0; i < dim; ++i) out[i] = rng.Normal();
  NormalizeL2(out, dim);
}

// Runs body(begin, end) over [0, n) split into `threads` contiguous ranges.
template <typename Body>
void ParallelRanges(size_t n, int threads, const Body& body) {
  const size_t t = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(threads), n));
  std::vector<std::thread> workers;
  for (size_t i = 1; i < t; ++i) workers.emplace_back(body, n * i / t, n * (i + 1) / t);
  body(0, n / t);
  for (std::thread& w : workers) w.join();
}

}  // namespace

ClusteredGenerator::ClusteredGenerator(const ClusteredOptions& options) : options_(options) {
  const size_t dim = options.dim;
  Rng rng(options.seed);
  centres_.resize(options.clusters * dim);
  bases_.resize(options.clusters * options.rank * dim);
  for (size_t c = 0; c < options.clusters; ++c) RandomUnit(rng, &centres_[c * dim], dim);
  for (size_t b = 0; b < options.clusters * options.rank; ++b)
    RandomUnit(rng, &bases_[b * dim], dim);
}

void ClusteredGenerator::SampleOne(uint64_t seed, uint64_t index, float* out) const {
  const size_t dim = options_.dim;
  const size_t rank = options_.rank;
  Rng rng(seed * 0xD1B54A32D192ED03ULL + index);
  const size_t c = rng.Next() % options_.clusters;
  std::copy_n(&centres_[c * dim], dim, out);
  const float step = options_.spread / std::sqrt(static_cast<float>(std::max<size_t>(rank, 1)));
  for (size_t r = 0; r < rank; ++r) {
    const float z = rng.Normal() * step;
    const float* basis = &bases_[(c * rank + r) * dim];
    for (size_t i = 0; i < dim; ++i) out[i] += z * basis[i];
  }
  const float noise = options_.noise / std::sqrt(static_cast<float>(dim));
  for (size_t i = 0; i < dim; ++i) out[i] += noise * rng.Normal();
  NormalizeL2(out, dim);
}

std::vector<float> ClusteredGenerator::Sample(size_t n, uint64_t seed, int threads) const {
  std::vector<float> out(n * options_.dim);
  ParallelRanges(n, threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) SampleOne(seed, i, &out[i * options_.dim]);
  });
  return out;
}

std::vector<std::vector<uint32_t>> ExactTopK(const float* data, size_t n, const float* queries,
                                             size_t nq, size_t dim, size_t k, int threads,
                                             const DistanceKernels& kernels) {
  using Hit = std::pair<float, uint32_t>;  // (score, row); the heap keeps the worst on top.
  const auto worse = [](const Hit& a, const Hit& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::vector<std::vector<Hit>> heaps(nq);
  constexpr size_t kBlock = 256;  // 384 KiB of 384-d rows: stays in L2 across the queries.
  ParallelRanges(nq, threads, [&](size_t qbegin, size_t qend) {
    for (size_t block = 0; block < n; block += kBlock) {
      const size_t block_end = std::min(n, block + kBlock);
      for (size_t q = qbegin; q < qend; ++q) {
        std::vector<Hit>& heap = heaps[q];
        for (size_t row = block; row < block_end; ++row) {
          const Hit hit{kernels.dot_f32(queries + q * dim, data + row * dim, dim),
                        static_cast<uint32_t>(row)};
          if (heap.size() == k && !worse(hit, heap.front())) continue;
          heap.push_back(hit);
          std::push_heap(heap.begin(), heap.end(), worse);
          if (heap.size() > k) {
            std::pop_heap(heap.begin(), heap.end(), worse);
            heap.pop_back();
          }
        }
      }
    }
  });
  std::vector<std::vector<uint32_t>> result(nq);
  for (size_t q = 0; q < nq; ++q) {
    std::sort_heap(heaps[q].begin(), heaps[q].end(), worse);
    for (const Hit& h : heaps[q]) result[q].push_back(h.second);
  }
  return result;
}

double RecallAtK(const std::vector<std::vector<uint64_t>>& found,
                 const std::vector<std::vector<uint32_t>>& truth, size_t k) {
  if (truth.empty()) return 1.0;
  double total = 0.0;
  for (size_t q = 0; q < truth.size(); ++q) {
    const size_t want = std::min(k, truth[q].size());
    if (want == 0) {
      total += 1.0;
      continue;
    }
    std::unordered_set<uint64_t> expected(truth[q].begin(), truth[q].begin() + want);
    size_t hits = 0;
    for (size_t i = 0; i < std::min(k, found[q].size()); ++i) hits += expected.count(found[q][i]);
    total += static_cast<double>(hits) / static_cast<double>(want);
  }
  return total / static_cast<double>(truth.size());
}

}  // namespace savoir::index
