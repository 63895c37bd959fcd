// Synthetic embedding-like vectors and exact ground truth, for tests and benchmarks.
//
// Real sentence embeddings are unit vectors that gather in topical clusters, each spread over
// a few directions rather than over all of the space. ClusteredGenerator imitates that with a
// Gaussian mixture: a vector is a random cluster centre (unit length), plus a Gaussian step
// inside a random `rank`-dimensional subspace of that cluster, plus a small isotropic noise,
// normalised to unit length. Sampling is deterministic for a given seed and independent of
// the number of threads.
//
// ExactTopK computes float inner-product top-k by brute force, blocked so that a block of data
// vectors is reused from cache by every query; RecallAtK compares result lists with it.
//
// Thread safety: a ClusteredGenerator is immutable after construction; all functions here may
// run concurrently.
#ifndef SAVOIR_INDEX_VECTOR_SYNTHETIC_H_
#define SAVOIR_INDEX_VECTOR_SYNTHETIC_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "index/vector/distance.h"

namespace savoir::index {

struct ClusteredOptions {
  size_t dim = 384;
  size_t clusters = 64;
  size_t rank = 16;     // Dimensions of each cluster's subspace.
  float spread = 0.6f;  // Length scale of the step inside a cluster.
  float noise = 0.15f;  // Length scale of the isotropic noise.
  uint64_t seed = 1;    // Draws the centres and subspaces.
};

class ClusteredGenerator {
 public:
  explicit ClusteredGenerator(const ClusteredOptions& options);

  // n unit vectors, row after row (n * dim floats), drawn with `seed` on `threads` threads.
  std::vector<float> Sample(size_t n, uint64_t seed, int threads = 1) const;

  size_t dim() const { return options_.dim; }

 private:
  void SampleOne(uint64_t seed, uint64_t index, float* out) const;

  ClusteredOptions options_;
  std::vector<float> centres_;  // clusters * dim
  std::vector<float> bases_;    // clusters * rank * dim
};

// For each of the nq queries, the indices of the k data rows with the largest inner product,
// best first. Rows and queries are dim floats each.
std::vector<std::vector<uint32_t>> ExactTopK(const float* data, size_t n, const float* queries,
                                             size_t nq, size_t dim, size_t k, int threads,
                                             const DistanceKernels& kernels);

// The share of truth[i][0..k) found in found[i][0..k), averaged over queries.
double RecallAtK(const std::vector<std::vector<uint64_t>>& found,
                 const std::vector<std::vector<uint32_t>>& truth, size_t k);

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_VECTOR_SYNTHETIC_H_
