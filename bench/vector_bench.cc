// vector_bench: savoir's HNSW vector index against hnswlib on synthetic embeddings.
//
// Generates clustered unit vectors (index/vector/synthetic.h), computes the exact float top-k
// of the queries by brute force, builds savoir's index (bytes per dimension) and hnswlib's
// (floats) with the same m, ef_construction and build threads, and for a sweep of ef prints
// recall@k and single-thread queries/s of both side by side, plus build time and memory.
//
//   vector_bench --n 1000000 --queries 500 --threads 2
//
// SAVOIR_KERNELS=avx2 (or scalar, avx512, avx512vnni) selects savoir's kernels; hnswlib is
// run in its AVX-512 build when savoir's kernels are AVX-512 ones, else in its AVX2 build.
// --full-precision adds columns where savoir re-scores its final candidates with the float
// vectors (SearchOptions::full_precision), which a deployment would keep outside the index.
#include <fmt/format.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hnswlib_runner.h"
#include "index/vector/distance.h"
#include "index/vector/hnsw_index.h"
#include "index/vector/synthetic.h"

namespace savoir::bench {
namespace {

using index::HnswIndex;
using Clock = std::chrono::steady_clock;

struct Args {
  size_t n = 100000;
  size_t queries = 500;
  size_t dim = 384;
  size_t clusters = 0;  // 0: n / 1000, at least 16.
  size_t m = 16;
  size_t ef_construction = 200;
  int threads = 2;
  size_t k = 10;
  std::vector<size_t> efs = {10, 16, 24, 32, 48, 64, 96, 128, 192, 256};
  bool hnswlib = true;
  bool full_precision = false;
  double min_seconds = 1.0;
};

// The benchmark's float rows, standing in for full-precision copies kept outside the index.
class RowSource final : public index::VectorSource {
 public:
  RowSource(const std::vector<float>& data, size_t dim) : data_(data), dim_(dim) {}
  bool Get(uint64_t id, std::span<float> out) const override {
    if ((id + 1) * dim_ > data_.size()) return false;
    std::copy_n(data_.data() + id * dim_, dim_, out.data());
    return true;
  }

 private:
  const std::vector<float>& data_;
  size_t dim_;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Resident set size of this process, from /proc/self/status.
double RssMiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

// CPU seconds used by the calling thread: unlike wall time, not inflated when other
// processes share the cores.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// CPU seconds used by the whole process (all threads).
double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Point {
  double recall = 0;
  double qps_cpu = 0;   // Queries per CPU-second of the searching thread.
  double qps_wall = 0;  // Queries per wall-clock second.

  std::string Cells() const {
    return fmt::format("{:.4f} | {:.0f} ({:.0f})", recall, qps_cpu, qps_wall);
  }
};

// Runs every query once for recall, then again until min_seconds have passed, for speed.
using SearchFn = std::function<void(size_t query, std::vector<uint64_t>* ids)>;
Point Measure(const SearchFn& search, const std::vector<std::vector<uint32_t>>& truth,
              const Args& args) {
  std::vector<std::vector<uint64_t>> found(truth.size());
  for (size_t q = 0; q < truth.size(); ++q) search(q, &found[q]);
  Point p;
  p.recall = index::RecallAtK(found, truth, args.k);
  size_t done = 0;
  std::vector<uint64_t> ids;
  const Clock::time_point start = Clock::now();
  const double cpu_start = ThreadCpuSeconds();
  do {
    for (size_t q = 0; q < truth.size(); ++q) search(q, &ids);
    done += truth.size();
  } while (Seconds(start) < args.min_seconds);
  p.qps_cpu = static_cast<double>(done) / (ThreadCpuSeconds() - cpu_start);
  p.qps_wall = static_cast<double>(done) / Seconds(start);
  return p;
}

int Run(const Args& args) {
  const StatusOr<index::DistanceKernels> kernels = index::KernelsFromEnvironment();
  if (!kernels.ok()) {
    fmt::print(stderr, "vector_bench: {}\n", kernels.status().ToString());
    return 1;
  }
  const bool avx512 = kernels->level >= index::KernelLevel::kAvx512;
  fmt::print("cpu: {} ({} threads for builds and ground truth)\n", CpuModel(), args.threads);
  fmt::print("savoir kernels: {}; hnswlib build: {}\n", index::KernelLevelName(kernels->level),
             avx512 ? "avx512" : "avx2");

  index::ClusteredOptions gen_options;
  gen_options.dim = args.dim;
  gen_options.clusters = args.clusters != 0 ? args.clusters : std::max<size_t>(16, args.n / 1000);
  const index::ClusteredGenerator generator(gen_options);
  Clock::time_point t = Clock::now();
  const std::vector<float> data = generator.Sample(args.n, 1, args.threads);
  const std::vector<float> queries = generator.Sample(args.queries, 2, args.threads);
  fmt::print("data: {} x {} floats, {} clusters, {} queries, generated in {:.1f} s\n", args.n,
             args.dim, gen_options.clusters, args.queries, Seconds(t));
  t = Clock::now();
  const auto truth = index::ExactTopK(data.data(), args.n, queries.data(), args.queries, args.dim,
                                      args.k, args.threads, *kernels);
  fmt::print("ground truth (exact float top-{}): {:.1f} s\n", args.k, Seconds(t));

  index::HnswOptions options;
  options.dim = args.dim;
  options.m = args.m;
  options.ef_construction = args.ef_construction;
  options.kernels = kernels->level;
  std::unique_ptr<HnswIndex> savoir = std::move(HnswIndex::Create(options)).value();
  std::vector<uint64_t> ids(args.n);
  for (size_t i = 0; i < args.n; ++i) ids[i] = i;
  double rss = RssMiB();
  t = Clock::now();
  double cpu = ProcessCpuSeconds();
  if (Status s = savoir->AddBatch(ids, data, args.threads); !s.ok()) {
    fmt::print(stderr, "vector_bench: {}\n", s.ToString());
    return 1;
  }
  const double savoir_build = Seconds(t);
  const double savoir_cpu = ProcessCpuSeconds() - cpu;
  const double savoir_rss = RssMiB() - rss;
  const index::IndexStats stats = savoir->Stats();
  fmt::print(
      "savoir:  build {:.1f} s wall, {:.1f} s cpu; index memory {:.1f} MiB (own accounting), RSS "
      "+{:.1f} MiB\n",
      savoir_build, savoir_cpu, stats.memory_bytes / 1048576.0, savoir_rss);

  std::unique_ptr<HnswlibIndex> hnswlib;
  if (args.hnswlib) {
    HnswlibParams params{args.dim, args.n, args.m, args.ef_construction, 100};
    rss = RssMiB();
    t = Clock::now();
    cpu = ProcessCpuSeconds();
    hnswlib = avx512 ? MakeHnswlibAvx512(params) : MakeHnswlibAvx2(params);
    hnswlib->Build(data.data(), args.n, args.threads);
    fmt::print("hnswlib: build {:.1f} s wall, {:.1f} s cpu; RSS +{:.1f} MiB\n", Seconds(t),
               ProcessCpuSeconds() - cpu, RssMiB() - rss);
  }

  const RowSource rows(data, args.dim);
  fmt::print("\nQPS: queries per CPU-second of the one searching thread (per wall second).\n");
  fmt::print("\n| ef | savoir recall@{0} | savoir QPS | hnswlib recall@{0} | hnswlib QPS |{1}\n",
             args.k, args.full_precision ? " savoir+fp recall | savoir+fp QPS |" : "");
  fmt::print("|---:|---:|---:|---:|---:|{}\n", args.full_precision ? "---:|---:|" : "");
  for (size_t ef : args.efs) {
    index::SearchOptions search;
    search.k = args.k;
    search.ef = ef;
    const auto savoir_search = [&](size_t q, std::vector<uint64_t>* out) {
      const auto hits = savoir->Search({queries.data() + q * args.dim, args.dim}, search);
      out->clear();
      for (const index::SearchHit& h : *hits) out->push_back(h.id);
    };
    const Point s = Measure(savoir_search, truth, args);
    std::string fp_cells;
    if (args.full_precision) {
      search.full_precision = &rows;
      const Point f = Measure(savoir_search, truth, args);
      fp_cells = fmt::format(" {} |", f.Cells());
    }
    std::string hnswlib_cells = "| - | - |";
    if (hnswlib != nullptr) {
      hnswlib->SetEf(ef);
      const Point h = Measure(
          [&](size_t q, std::vector<uint64_t>* out) {
            hnswlib->Search(queries.data() + q * args.dim, args.k, out);
          },
          truth, args);
      hnswlib_cells = fmt::format("| {} |", h.Cells());
    }
    fmt::print("| {} | {} {}{}\n", ef, s.Cells(), hnswlib_cells, fp_cells);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace savoir::bench

int main(int argc, char** argv) {
  savoir::bench::Args args;
  CLI::App app("savoir vector index benchmark (against hnswlib)");
  app.add_option("--n", args.n, "vectors in the index");
  app.add_option("--queries", args.queries, "queries (exact ground truth is computed for each)");
  app.add_option("--dim", args.dim, "dimensions");
  app.add_option("--clusters", args.clusters, "mixture components (default n/1000, >= 16)");
  app.add_option("--m", args.m, "neighbours per node (level 0 keeps 2m)");
  app.add_option("--ef-construction", args.ef_construction, "beam width while building");
  app.add_option("--threads", args.threads, "build threads (both indexes)")
      ->check(CLI::Range(1, 256));
  app.add_option("--k", args.k, "neighbours per query");
  app.add_option("--ef", args.efs, "search beam widths to sweep");
  app.add_option("--min-seconds", args.min_seconds, "minimum timing per point");
  app.add_flag("!--no-hnswlib", args.hnswlib, "skip hnswlib");
  app.add_flag("--full-precision", args.full_precision,
               "also re-score savoir's candidates with the float vectors (held outside the index)");
  CLI11_PARSE(app, argc, argv);
  return savoir::bench::Run(args);
}
