// Throughput of the numeric kernels on Qwen2.5-0.5B shapes.
//
//   kernels_bench [--types=q8_0,q4_0,...] [--threads=1,2] [--tokens=512] [--quick]
//
// The kernel level is the one SelectKernelLevel() picks: set SAVOIR_KERNELS=scalar|avx2|avx512
// to force one. For each weight type it reports
//   * matrix x vector (decode) over a 4864 x 896 matrix, as GB/s of weights streamed: "cache"
//     reuses one matrix (it fits in L3), "dram" cycles through copies totalling > 128 MiB, which
//     is what a decode step over a whole model sees;
//   * matrix x matrix (prompt) for 512 tokens on the FFN shapes 4864 x 896 (gate/up) and
//     896 x 4864 (down), as GFLOP/s (2 * rows * cols * tokens / time).
// Rows are split across the ThreadPool in multiples of kMatMulRowAlign, as the engine does.
// With one thread each figure is given twice: by wall-clock time, and by the CPU time the
// process used ("cpu"): on a shared machine the second is not inflated by time spent preempted.
// With more threads only wall-clock time is meaningful.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/thread_pool.h"
#include "engine/core/tensor_type.h"
#include "engine/kernels/kernels.h"

namespace savoir::engine::kernels {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<TensorType> types = {TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1,
                                   TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kQ4_K,
                                   TensorType::kQ5_K, TensorType::kQ6_K, TensorType::kF16,
                                   TensorType::kBF16, TensorType::kF32};
  std::vector<int> threads = {1, 2};
  int64_t tokens = 512;
  bool quick = false;
  std::string model;  // "qwen2.5-0.5b" or "smollm2-135m": model-shaped run instead
};

std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const size_t end = comma == std::string_view::npos ? s.size() : comma;
    if (end > start) parts.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool ParseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.rfind("--types=", 0) == 0) {
      options->types.clear();
      for (const std::string& name : Split(arg.substr(8))) {
        const auto type = ParseTensorType(name);
        if (!type || !IsComputeTensorType(*type)) {
          std::fprintf(stderr, "unknown type %s\n", name.c_str());
          return false;
        }
        options->types.push_back(*type);
      }
    } else if (arg.rfind("--threads=", 0) == 0) {
      options->threads.clear();
      for (const std::string& n : Split(arg.substr(10))) options->threads.push_back(std::stoi(n));
    } else if (arg.rfind("--tokens=", 0) == 0) {
      options->tokens = std::stoll(std::string(arg.substr(9)));
    } else if (arg.rfind("--model=", 0) == 0) {
      options->model = std::string(arg.substr(8));
    } else if (arg == "--quick") {
      options->quick = true;
    } else {
      std::fprintf(stderr,
                   "usage: kernels_bench [--types=a,b] [--threads=1,2] [--tokens=N] [--model=M] "
                   "[--quick]\n");
      return false;
    }
  }
  return true;
}

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<uint8_t> Quantize(const KernelTable& table, TensorType type,
                              const std::vector<float>& x, int64_t rows, int64_t cols) {
  const size_t row_bytes = RowBytes(type, static_cast<size_t>(cols));
  std::vector<uint8_t> out(row_bytes * static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    KernelsFor(table, type).quantize_row(x.data() + r * cols, out.data() + r * row_bytes, cols);
  }
  return out;
}

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
  double wall;  // median wall seconds of one run
  double cpu;   // median CPU seconds of one run divided by the threads used
};

// Median times of `reps` runs of fn, after one warm-up run.
template <typename Fn>
Timing Measure(int reps, int threads, Fn fn) {
  fn();
  std::vector<double> walls, cpus;
  for (int i = 0; i < reps; ++i) {
    const double cpu0 = CpuSeconds();
    const auto start = Clock::now();
    fn();
    walls.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    cpus.push_back((CpuSeconds() - cpu0) / threads);
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  return {walls[walls.size() / 2], cpus[cpus.size() / 2]};
}

// K-quant rows hold whole 256-element super-blocks: 896 becomes 1024 for them.
int64_t FitCols(TensorType type, int64_t cols) {
  const auto block = static_cast<int64_t>(BlockSize(type));
  return (cols + block - 1) / block * block;
}

void BenchMatVec(const KernelTable& table, TensorType type, const Options& options) {
  constexpr int64_t kRows = 4864;
  const int64_t kCols = FitCols(type, 896);
  const TypeKernels& k = KernelsFor(table, type);
  const std::vector<uint8_t> w =
      Quantize(table, type, RandomFloats(kRows * kCols, 1), kRows, kCols);
  const std::vector<uint8_t> a = Quantize(table, k.act_type, RandomFloats(kCols, 2), 1, kCols);
  // Enough copies to overflow the last-level cache.
  const size_t copies = options.quick ? 2 : std::max<size_t>(2, (128u << 20) / w.size() + 1);
  std::vector<uint8_t> pool_bytes(w.size() * copies);
  for (size_t c = 0; c < copies; ++c)
    std::memcpy(pool_bytes.data() + c * w.size(), w.data(), w.size());
  std::vector<float> out(kRows);
  for (int threads : options.threads) {
    ThreadPool pool(threads);
    MatMulArgs args;
    args.type = type;
    args.weight_stride = RowBytes(type, kCols);
    args.cols = kCols;
    args.acts = a.data();
    args.act_stride = a.size();
    args.n_tokens = 1;
    args.out = out.data();
    args.out_stride = kRows;
    args.weights = w.data();
    args.row_end = kRows;
    const int reps = options.quick ? 20 : 200;
    const Timing hot = Measure(reps, threads, [&] { ParallelMatMul(table, pool, args); });
    size_t next = 0;
    const Timing cold = Measure(reps, threads, [&] {
      args.weights = pool_bytes.data() + (next++ % copies) * w.size();
      ParallelMatMul(table, pool, args);
    });
    const double bytes = static_cast<double>(w.size());
    std::printf("%-5s matvec 4864x%-5ld threads=%d  cache %6.1f GB/s  dram %6.1f GB/s",
                std::string(TensorTypeName(type)).c_str(), static_cast<long>(kCols), threads,
                bytes / hot.wall * 1e-9, bytes / cold.wall * 1e-9);
    if (threads == 1) {
      std::printf("  (cpu: cache %6.1f, dram %6.1f GB/s)", bytes / hot.cpu * 1e-9,
                  bytes / cold.cpu * 1e-9);
    }
    std::printf("\n");
  }
}

void BenchMatMul(const KernelTable& table, TensorType type, const Options& options, int64_t rows,
                 int64_t cols) {
  const TypeKernels& k = KernelsFor(table, type);
  const int64_t n = options.tokens;
  const std::vector<uint8_t> w = Quantize(table, type, RandomFloats(rows * cols, 3), rows, cols);
  const std::vector<uint8_t> a = Quantize(table, k.act_type, RandomFloats(n * cols, 4), n, cols);
  std::vector<float> out(static_cast<size_t>(rows * n));
  for (int threads : options.threads) {
    ThreadPool pool(threads);
    MatMulArgs args;
    args.type = type;
    args.weights = w.data();
    args.weight_stride = RowBytes(type, static_cast<size_t>(cols));
    args.cols = cols;
    args.acts = a.data();
    args.act_stride = RowBytes(k.act_type, static_cast<size_t>(cols));
    args.n_tokens = n;
    args.out = out.data();
    args.out_stride = static_cast<size_t>(rows);
    args.row_end = rows;
    const Timing t =
        Measure(options.quick ? 2 : 5, threads, [&] { ParallelMatMul(table, pool, args); });
    const double flop = 2.0 * static_cast<double>(rows * cols * n);
    std::printf("%-5s matmul %4ldx%-4ld n=%ld threads=%d  %6.1f GFLOP/s",
                std::string(TensorTypeName(type)).c_str(), static_cast<long>(rows),
                static_cast<long>(cols), static_cast<long>(n), threads, flop / t.wall * 1e-9);
    if (threads == 1) std::printf("  (cpu: %6.1f GFLOP/s)", flop / t.cpu * 1e-9);
    std::printf("\n");
  }
}

// Cost of one ParallelFor with a trivial body, as the engine pays it per matrix product.
void BenchPool(const Options& options) {
  for (int threads : options.threads) {
    ThreadPool pool(threads);
    std::vector<int64_t> sink(static_cast<size_t>(threads) * 16);
    const Timing t = Measure(options.quick ? 1000 : 20000, threads, [&] {
      pool.ParallelFor(threads * 4, [&](int64_t task, int thread) {
        sink[static_cast<size_t>(thread) * 16] += task;
      });
    });
    std::printf("ParallelFor(%d tasks) threads=%d  %.2f us\n", threads * 4, threads, t.wall * 1e6);
  }
}

// The weight products of one token through a whole model: every layer's matrices (distinct
// copies, so that decode streams them from DRAM as a real model does), the activations quantized
// once per distinct input, and the output projection for the last token only (as llama-bench
// counts prompt processing). Attention itself, norms and the rest of the graph are not included.
struct ModelShape {
  const char* name;
  int64_t hidden, kv, ffn, layers, vocab;
};

struct LayerMatrix {
  int64_t rows, cols;
  int input;  // 0: attention input (q, k, v), 1: attention output, 2: FFN input, 3: FFN hidden
};

double ModelPass(const KernelTable& table, ThreadPool& pool, TensorType type, const ModelShape& m,
                 const std::vector<std::vector<uint8_t>>& weights,
                 const std::vector<uint8_t>& output, int64_t n, const std::vector<float>& x,
                 std::vector<uint8_t>* act, std::vector<float>* out) {
  const TypeKernels& k = KernelsFor(table, type);
  const LayerMatrix mats[7] = {{m.hidden, m.hidden, 0}, {m.kv, m.hidden, 0},  {m.kv, m.hidden, 0},
                               {m.hidden, m.hidden, 1}, {m.ffn, m.hidden, 2}, {m.ffn, m.hidden, 2},
                               {m.hidden, m.ffn, 3}};
  const auto start = Clock::now();
  for (int64_t layer = 0; layer < m.layers; ++layer) {
    int quantized_input = -1;
    for (int i = 0; i < 7; ++i) {
      const LayerMatrix& mat = mats[i];
      const size_t act_row = RowBytes(k.act_type, static_cast<size_t>(mat.cols));
      if (mat.input != quantized_input) {
        for (int64_t t = 0; t < n; ++t) {
          KernelsFor(table, k.act_type)
              .quantize_row(x.data() + t * mat.cols, act->data() + t * act_row, mat.cols);
        }
        quantized_input = mat.input;
      }
      MatMulArgs args;
      args.type = type;
      args.weights = weights[static_cast<size_t>(layer * 7 + i)].data();
      args.weight_stride = RowBytes(type, static_cast<size_t>(mat.cols));
      args.cols = mat.cols;
      args.acts = act->data();
      args.act_stride = act_row;
      args.n_tokens = n;
      args.out = out->data();
      args.out_stride = static_cast<size_t>(mat.rows);
      args.row_end = mat.rows;
      ParallelMatMul(table, pool, args);
    }
  }
  MatMulArgs head;
  head.type = type;
  head.weights = output.data();
  head.weight_stride = RowBytes(type, static_cast<size_t>(m.hidden));
  head.cols = m.hidden;
  head.acts = act->data();
  head.act_stride = RowBytes(k.act_type, static_cast<size_t>(m.hidden));
  head.n_tokens = 1;
  head.out = out->data();
  head.out_stride = static_cast<size_t>(m.vocab);
  head.row_end = m.vocab;
  ParallelMatMul(table, pool, head);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void BenchModel(const KernelTable& table, const Options& options) {
  const ModelShape qwen{"qwen2.5-0.5b", 896, 128, 4864, 24, 151936};
  const ModelShape smol{"smollm2-135m", 576, 192, 1536, 30, 49152};
  const ModelShape& m = options.model == "smollm2-135m" ? smol : qwen;
  for (TensorType type : options.types) {
    if (m.hidden % static_cast<int64_t>(BlockSize(type)) != 0) continue;
    const int64_t shapes[7][2] = {{m.hidden, m.hidden}, {m.kv, m.hidden},  {m.kv, m.hidden},
                                  {m.hidden, m.hidden}, {m.ffn, m.hidden}, {m.ffn, m.hidden},
                                  {m.hidden, m.ffn}};
    std::vector<std::vector<uint8_t>> first(7);
    for (int i = 0; i < 7; ++i) {
      first[static_cast<size_t>(i)] = Quantize(
          table, type, RandomFloats(static_cast<size_t>(shapes[i][0] * shapes[i][1]), 10 + i),
          shapes[i][0], shapes[i][1]);
    }
    std::vector<std::vector<uint8_t>> weights;
    for (int64_t layer = 0; layer < m.layers; ++layer) {
      for (int i = 0; i < 7; ++i) weights.push_back(first[static_cast<size_t>(i)]);
    }
    // The output projection: one quantized row block repeated (its values do not matter).
    const size_t out_row = RowBytes(type, static_cast<size_t>(m.hidden));
    const std::vector<uint8_t> some_rows =
        Quantize(table, type, RandomFloats(256 * m.hidden, 9), 256, m.hidden);
    std::vector<uint8_t> output(out_row * static_cast<size_t>(m.vocab));
    for (int64_t r = 0; r < m.vocab; ++r) {
      std::memcpy(output.data() + static_cast<size_t>(r) * out_row,
                  some_rows.data() + static_cast<size_t>(r % 256) * out_row, out_row);
    }
    const int64_t n_prompt = options.tokens;
    const std::vector<float> x = RandomFloats(static_cast<size_t>(n_prompt * m.ffn), 8);
    std::vector<uint8_t> act(RowBytes(TensorType::kF32, static_cast<size_t>(m.ffn)) *
                             static_cast<size_t>(n_prompt));
    std::vector<float> out(static_cast<size_t>(std::max(n_prompt * m.ffn, m.vocab)));
    for (int threads : options.threads) {
      ThreadPool pool(threads);
      // Median wall and CPU seconds of `reps` passes over `n` tokens.
      auto run = [&](int64_t n, int reps) {
        std::vector<double> walls, cpus;
        for (int rep = 0; rep < reps; ++rep) {
          const double cpu0 = CpuSeconds();
          walls.push_back(ModelPass(table, pool, type, m, weights, output, n, x, &act, &out));
          cpus.push_back(CpuSeconds() - cpu0);
        }
        std::sort(walls.begin(), walls.end());
        std::sort(cpus.begin(), cpus.end());
        return Timing{walls[walls.size() / 2], cpus[cpus.size() / 2]};
      };
      const Timing tg = run(1, options.quick ? 3 : 10);
      const Timing pp = run(n_prompt, options.quick ? 1 : 3);
      std::printf("%s %-5s threads=%d  weight products only: tg %6.1f tok/s  pp%ld %7.1f tok/s",
                  m.name, std::string(TensorTypeName(type)).c_str(), threads, 1.0 / tg.wall,
                  static_cast<long>(n_prompt), static_cast<double>(n_prompt) / pp.wall);
      if (threads == 1) {
        std::printf("  (cpu: tg %6.1f, pp %7.1f tok/s)", 1.0 / tg.cpu,
                    static_cast<double>(n_prompt) / pp.cpu);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) return 2;
  StatusOr<KernelLevel> level = SelectKernelLevel();
  if (!level.ok()) {
    std::fprintf(stderr, "%s\n", level.status().ToString().c_str());
    return 1;
  }
  const KernelTable& table = GetKernelTable(*level);
  std::printf("kernel level: %s\n", std::string(KernelLevelName(*level)).c_str());
  BenchPool(options);
  if (!options.model.empty()) {
    BenchModel(table, options);
    return 0;
  }
  for (TensorType type : options.types) {
    BenchMatVec(table, type, options);
    BenchMatMul(table, type, options, 4864, FitCols(type, 896));
    BenchMatMul(table, type, options, FitCols(type, 896), 4864);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace savoir::engine::kernels

int main(int argc, char** argv) { return savoir::engine::kernels::Main(argc, argv); }
