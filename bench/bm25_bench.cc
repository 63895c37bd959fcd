// BM25 index benchmark: build throughput, memory and single-thread query latency on
//   1. BEIR SciFact (../shared/datasets/scifact): real text through the analyzer;
//   2. N synthetic passages (default 1,000,000): terms drawn from a Zipf(1.0) vocabulary of
//      200,000 words, a 3-10 term title and a log-normal body length (median ~45 terms, as
//      analysed web passages), queries of 2-8 terms drawn from the same distribution.
// Usage: bm25_bench [--shared DIR] [--synthetic N] [--queries Q] [--skip-scifact]
// Prints one line per measurement. Latencies are per query on one thread, k = 10 unless noted.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "index/eval/beir.h"
#include "index/eval/metrics.h"
#include "index/text/text_index.h"

namespace {

using savoir::index::Bm25Index;
using savoir::index::Bm25Options;
using savoir::index::DocBitset;
using savoir::index::DocFilter;
using savoir::index::QueryTerm;
using savoir::index::SearchOptions;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Resident set size and its peak, from /proc/self/status, in MiB.
std::pair<double, double> RssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  double rss = 0;
  double peak = 0;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atof(line.c_str() + 6) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) peak = std::atof(line.c_str() + 6) / 1024.0;
  }
  return {rss, peak};
}

void PrintLatencies(const char* what, const std::vector<double>& ms) {
  double mean = 0;
  for (double v : ms) mean += v / static_cast<double>(ms.size());
  std::printf("%-44s queries %zu  p50 %.3f ms  p99 %.3f ms  mean %.3f ms\n", what, ms.size(),
              savoir::index::eval::Percentile(ms, 50), savoir::index::eval::Percentile(ms, 99),
              mean);
}

int RunSciFact(const std::string& shared) {
  auto data = savoir::index::eval::LoadBeirDataset(shared + "/datasets/scifact");
  if (!data.ok()) {
    std::fprintf(stderr, "scifact: %s\n", data.status().ToString().c_str());
    return 1;
  }
  Bm25Options options;
  options.fields = {{"title"}, {"body"}};
  auto index = std::move(savoir::index::TextIndex::Create(options)).value();
  const auto start = Clock::now();
  for (const auto& doc : data->corpus) {
    const std::string_view fields[] = {doc.title, doc.text};
    if (!index->Add(doc.id, fields).ok()) return 1;
  }
  const double build = Seconds(start);
  std::printf(
      "scifact build (analysis + indexing)            docs %zu  %.2f s  %.0f docs/s  "
      "index %.1f MiB\n",
      data->corpus.size(), build, static_cast<double>(data->corpus.size()) / build,
      static_cast<double>(index->index().MemoryBytes()) / (1 << 20));
  for (size_t k : {size_t{10}, size_t{100}}) {
    std::vector<double> full;
    std::vector<double> search_only;
    for (int round = 0; round < 3; ++round) {
      for (const auto& q : data->queries) {
        auto t0 = Clock::now();
        std::vector<QueryTerm> terms =
            index->analyzer().AnalyzeQuery(q.text, index->index().language_prior());
        auto t1 = Clock::now();
        auto hits = index->index().Search(terms, {.k = k});
        auto t2 = Clock::now();
        if (round == 0) continue;  // warm-up
        full.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
        search_only.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      }
    }
    std::string label = "scifact analyse+search k=" + std::to_string(k);
    PrintLatencies(label.c_str(), full);
    label = "scifact search only k=" + std::to_string(k);
    PrintLatencies(label.c_str(), search_only);
  }
  const auto save_start = Clock::now();
  const std::string bytes = index->index().Serialize();
  const double save = Seconds(save_start);
  const auto load_start = Clock::now();
  auto loaded = Bm25Index::Deserialize(bytes);
  std::printf("scifact serialize %.1f MiB in %.3f s, load+verify in %.3f s (%s)\n",
              static_cast<double>(bytes.size()) / (1 << 20), save, Seconds(load_start),
              loaded.ok() ? "ok" : loaded.status().ToString().c_str());
  return 0;
}

class Zipf {
 public:
  Zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t r = 0; r < n; ++r) cdf_[r] = sum += 1.0 / std::pow(static_cast<double>(r + 1), s);
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) {
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

std::string Word(size_t rank) {
  std::string w = "w";
  do {
    w.push_back(static_cast<char>('a' + rank % 26));
    rank /= 26;
  } while (rank != 0);
  return w;
}

// Times 2-8 term queries drawn from the collection's distribution, without and with a filter.
void MeasureSyntheticQueries(const Bm25Index& index, const std::vector<std::string>& words,
                             Zipf& zipf, std::mt19937_64& rng, size_t num_queries) {
  std::vector<std::vector<QueryTerm>> queries(num_queries);
  std::uniform_int_distribution<int> query_len(2, 8);
  for (auto& q : queries) {
    q.resize(static_cast<size_t>(query_len(rng)));
    for (QueryTerm& t : q) t = {words[zipf(rng)], 1.0f};
  }
  const uint32_t num_docs = index.num_ordinals();
  DocBitset ten_percent(num_docs);
  std::bernoulli_distribution keep(0.1);
  for (uint32_t d = 0; d < num_docs; ++d) {
    if (keep(rng)) ten_percent.Set(d);
  }
  const DocFilter filter(&ten_percent);
  struct Run {
    const char* label;
    SearchOptions options;
  };
  const Run runs[] = {{"synthetic search k=10", {.k = 10}},
                      {"synthetic search k=100", {.k = 100}},
                      {"synthetic search k=10, 10% bitset filter", {.k = 10, .filter = &filter}}};
  for (const Run& run : runs) {
    for (size_t i = 0; i < std::min<size_t>(50, queries.size()); ++i) {
      (void)index.Search(queries[i], run.options);  // warm-up
    }
    std::vector<double> ms;
    for (const auto& q : queries) {
      const auto t0 = Clock::now();
      auto hits = index.Search(q, run.options);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    PrintLatencies(run.label, ms);
  }
}

int RunSynthetic(size_t num_docs, size_t num_queries) {
  constexpr size_t kVocabulary = 200000;
  Zipf zipf(kVocabulary, 1.0);
  std::vector<std::string> words(kVocabulary);
  for (size_t r = 0; r < kVocabulary; ++r) words[r] = Word(r);
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> body_len(std::log(45.0), 0.5);
  std::uniform_int_distribution<int> title_len(3, 10);
  Bm25Options options;
  options.fields = {{"title"}, {"body"}};
  auto index = std::move(Bm25Index::Create(options)).value();
  const auto rss_before = RssMiB();
  double generate = 0;
  uint64_t tokens = 0;
  const auto start = Clock::now();
  savoir::index::DocumentTerms doc;
  doc.fields.resize(2);
  for (size_t d = 0; d < num_docs; ++d) {
    const auto g0 = Clock::now();
    doc.id = static_cast<int64_t>(d);
    doc.fields[0].resize(static_cast<size_t>(title_len(rng)));
    doc.fields[1].resize(std::clamp<size_t>(static_cast<size_t>(body_len(rng)), 5, 400));
    for (auto& field : doc.fields) {
      for (std::string& t : field) t = words[zipf(rng)];
      tokens += field.size();
    }
    generate += Seconds(g0);
    if (!index->Add(doc).ok()) return 1;
  }
  const double build = Seconds(start) - generate;
  const auto rss_after = RssMiB();
  std::printf(
      "synthetic build (indexing only)                docs %zu  tokens %llu  terms %zu  "
      "%.1f s  %.0f docs/s\n",
      num_docs, static_cast<unsigned long long>(tokens), index->num_terms(), build,
      static_cast<double>(num_docs) / build);
  std::printf(
      "synthetic memory                               index %.1f MiB (counted)  "
      "RSS +%.1f MiB  peak RSS %.1f MiB\n",
      static_cast<double>(index->MemoryBytes()) / (1 << 20), rss_after.first - rss_before.first,
      rss_after.second);

  MeasureSyntheticQueries(*index, words, zipf, rng, num_queries);
  const auto save_start = Clock::now();
  const std::string bytes = index->Serialize();
  std::printf("synthetic serialize %.1f MiB in %.2f s\n",
              static_cast<double>(bytes.size()) / (1 << 20), Seconds(save_start));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = SAVOIR_SHARED_DIR;
  if (const char* env = std::getenv("SAVOIR_SHARED"); env != nullptr && *env != '\0') shared = env;
  size_t synthetic = 1000000;
  size_t queries = 1000;
  bool scifact = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--shared" && i + 1 < argc) {
      shared = argv[++i];
    } else if (arg == "--synthetic" && i + 1 < argc) {
      synthetic = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--queries" && i + 1 < argc) {
      queries = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--skip-scifact") {
      scifact = false;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--shared DIR] [--synthetic N] [--queries Q] [--skip-scifact]\n",
                   argv[0]);
      return 2;
    }
  }
  if (scifact && RunSciFact(shared) != 0) return 1;
  if (synthetic > 0 && RunSynthetic(synthetic, queries) != 0) return 1;
  return 0;
}
