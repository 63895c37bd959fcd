// A thin wrapper around hnswlib (Debian package libhnswlib-dev, header-only) for the vector
// benchmark, so that the comparison code does not see hnswlib's headers.
//
// hnswlib chooses its SIMD distance at compile time (__AVX__, __AVX512F__), so the wrapper is
// compiled twice, with AVX2 and with AVX-512 flags (hnswlib_runner_avx2.cc and
// hnswlib_runner_avx512.cc), each inside its own namespace; the benchmark picks the variant
// that matches the instruction set savoir's kernels use. The AVX-512 variant must only be
// created on a CPU that has AVX-512F.
//
// Thread safety: Build uses its own threads; Search may run concurrently after Build.
#ifndef SAVOIR_BENCH_HNSWLIB_RUNNER_H_
#define SAVOIR_BENCH_HNSWLIB_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace savoir::bench {

struct HnswlibParams {
  size_t dim = 384;
  size_t capacity = 0;
  size_t m = 16;
  size_t ef_construction = 200;
  uint64_t seed = 100;
};

class HnswlibIndex {
 public:
  virtual ~HnswlibIndex() = default;
  // Adds rows 0..n-1 of `data` (n * dim floats) with labels 0..n-1 on `threads` threads.
  virtual void Build(const float* data, size_t n, int threads) = 0;
  virtual void SetEf(size_t ef) = 0;
  // The labels of the k nearest rows by inner product, best first.
  virtual void Search(const float* query, size_t k, std::vector<uint64_t>* labels) const = 0;
};

// Inner-product indexes; the caller checks the CPU for the AVX-512 one.
std::unique_ptr<HnswlibIndex> MakeHnswlibAvx2(const HnswlibParams& params);
std::unique_ptr<HnswlibIndex> MakeHnswlibAvx512(const HnswlibParams& params);

}  // namespace savoir::bench

#endif  // SAVOIR_BENCH_HNSWLIB_RUNNER_H_
