// `savoir bench`: prompt-processing and generation speed, measured like llama-bench.
//
// pp: one forward pass over p prompt tokens (in chunks of the batch size) in a fresh cache.
// tg: n tokens decoded one at a time after an empty cache, each step feeding the previous
// token. Tokens are pseudo-random ids, as in llama-bench. Each test runs once to warm up, then
// `repetitions` times; the figure is tokens/s mean ± standard deviation.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/command.h"
#include "app/model_files.h"
#include "base/cpu_info.h"
#include "base/thread_pool.h"
#include "engine/model/decoder_model.h"

namespace savoir::app {
namespace {

struct BenchOptions {
  std::string model;
  int prompt = 512;
  int gen = 128;
  int batch = 512;
  int repetitions = 5;
  bool json = false;
};

struct Stats {
  double mean = 0;
  double sd = 0;
};

Stats Summarise(const std::vector<double>& v) {
  Stats s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = v.size() > 1 ? std::sqrt(s.sd / static_cast<double>(v.size() - 1)) : 0.0;
  return s;
}

// Seconds to prefill `n` tokens.
StatusOr<double> TimePrompt(const engine::DecoderModel& model, ThreadPool& pool, int n, int batch,
                            std::mt19937& rng) {
  engine::KvCache cache(model.CacheOptions(n));
  auto seq = cache.NewSequence();
  SAVOIR_RETURN_IF_ERROR(cache.Reserve(seq, n));
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(model.config().n_vocab - 1));
  std::vector<float> logits;
  auto start = std::chrono::steady_clock::now();
  for (int begin = 0; begin < n; begin += batch) {
    std::vector<engine::BatchToken> chunk;
    for (int i = begin; i < std::min(n, begin + batch); ++i) {
      chunk.push_back({token(rng), i, seq, i + 1 == n});
    }
    logits.clear();
    SAVOIR_RETURN_IF_ERROR(model.Forward(chunk, cache, pool, logits));
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Seconds to decode `n` tokens one by one.
StatusOr<double> TimeGeneration(const engine::DecoderModel& model, ThreadPool& pool, int n,
                                std::mt19937& rng) {
  engine::KvCache cache(model.CacheOptions(n));
  auto seq = cache.NewSequence();
  SAVOIR_RETURN_IF_ERROR(cache.Reserve(seq, n));
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(model.config().n_vocab - 1));
  std::vector<float> logits;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    engine::BatchToken t{token(rng), i, seq, true};
    logits.clear();
    SAVOIR_RETURN_IF_ERROR(model.Forward({&t, 1}, cache, pool, logits));
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

StatusOr<Stats> Measure(const BenchOptions& o, int tokens,
                        const std::function<StatusOr<double>()>& run) {
  std::vector<double> rates;
  for (int r = -1; r < o.repetitions; ++r) {  // r == -1 is the warm-up
    SAVOIR_ASSIGN_OR_RETURN(double seconds, run());
    if (r >= 0) rates.push_back(tokens / seconds);
  }
  return Summarise(rates);
}

int RunBench(const Config& config, const BenchOptions& o) {
  auto file = OpenModelFile(config, o.model);
  if (!file.ok()) return Fail(file.status());
  std::shared_ptr<const engine::GgufFile> shared = std::move(file).value();
  auto model = engine::DecoderModel::Load(shared);
  if (!model.ok()) return Fail(model.status());
  const int64_t n_threads = config.GetInt("engine.threads");
  const int threads = n_threads > 0 ? static_cast<int>(n_threads) : PhysicalCoreCount();
  ThreadPool pool(threads);
  std::mt19937 rng(1234);
  Stats pp;
  Stats tg;
  if (o.prompt > 0) {
    auto s = Measure(o, o.prompt, [&] { return TimePrompt(**model, pool, o.prompt, o.batch, rng); });
    if (!s.ok()) return Fail(s.status());
    pp = *s;
  }
  if (o.gen > 0) {
    auto s = Measure(o, o.gen, [&] { return TimeGeneration(**model, pool, o.gen, rng); });
    if (!s.ok()) return Fail(s.status());
    tg = *s;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  if (o.json) {
    nlohmann::ordered_json j = {{"model", shared->name()},   {"threads", threads},
                                {"pp_tokens", o.prompt},     {"tg_tokens", o.gen},
                                {"pp_tps", pp.mean},         {"pp_tps_sd", pp.sd},
                                {"tg_tps", tg.mean},         {"tg_tps_sd", tg.sd},
                                {"repetitions", o.repetitions}, {"peak_rss_mb", peak_mb}};
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  std::printf("model: %s, threads: %d, peak RSS %.1f MB\n", shared->name().c_str(), threads,
              peak_mb);
  if (o.prompt > 0) std::printf("pp%-5d %10.2f ± %.2f tokens/s\n", o.prompt, pp.mean, pp.sd);
  if (o.gen > 0) std::printf("tg%-5d %10.2f ± %.2f tokens/s\n", o.gen, tg.mean, tg.sd);
  return kExitOk;
}

}  // namespace

void RegisterBenchCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* bench = app.add_subcommand("bench", "Measure prompt and generation speed");
  auto o = std::make_shared<BenchOptions>();
  bench->add_option("-m,--model", o->model, "GGUF file or model name")->required();
  bench->add_option("-p,--prompt", o->prompt, "prompt tokens (0: skip)")->check(CLI::Range(0, 1 << 16));
  bench->add_option("-n,--gen", o->gen, "generated tokens (0: skip)")->check(CLI::Range(0, 1 << 16));
  bench->add_option("-b,--batch", o->batch, "prompt tokens per forward pass")->check(CLI::Range(1, 1 << 16));
  bench->add_option("-r,--repetitions", o->repetitions, "measured runs")->check(CLI::Range(1, 1000));
  bench->add_flag("--json", o->json, "print one JSON object");
  registry.ConfigFlag(bench, "-t,--threads", "engine.threads", "compute threads");
  registry.Add(bench, [o](const Config& c) { return RunBench(c, *o); });
}

}  // namespace savoir::app
