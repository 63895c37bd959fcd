// Document parsing + chunking benchmark.
//   1. Synthetic ~5 KB plain-text and Markdown documents (sentences drawn from a French and
//      English word list, headings, lists, a table every few sections): parse alone, chunk
//      alone, and both, per document on one thread; then both on N threads (default 2).
//   2. The parser test fixtures of every other format (small files: per-call overhead).
// Usage: parse_bench [--docs N] [--threads T] [--bytes B]
// Prints one line per measurement.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kb/chunk/chunker.h"
#include "kb/parse/parse_document.h"

namespace {

using Clock = std::chrono::steady_clock;
using savoir::kb::ChunkOptions;
using savoir::kb::ParsedDocument;
using savoir::kb::ParseOptions;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU time of the calling thread, in seconds: unlike wall time, not inflated when other
// processes share the cores.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

constexpr const char* kWords[] = {
    "the",          "index",         "stores",       "passages", "with",      "their",
    "offsets",      "answer",        "links",        "source",   "document",  "user",
    "permission",   "server",        "le",           "serveur",  "répond",    "aux",
    "questions",    "des",           "utilisateurs", "avec",     "citations", "précises",
    "et",           "liens",         "vers",         "la",       "page",      "exacte",
    "installation", "configuration", "réseau",       "mémoire",  "cœurs",     "indexing",
    "search",       "hybrid",        "vector",       "lexical",  "ranking",   "version"};

std::string Sentence(std::mt19937& rng) {
  std::uniform_int_distribution<int> len(6, 22);
  std::uniform_int_distribution<size_t> word(0, std::size(kWords) - 1);
  std::string s;
  const int n = len(rng);
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += (i % 7 == 6) ? ", " : " ";
    s += kWords[word(rng)];
  }
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  static const char* kEnds[] = {".", ".", ".", "?", "!", " (voir p. 12).", " etc."};
  s += kEnds[rng() % std::size(kEnds)];
  return s;
}

std::string Paragraph(std::mt19937& rng) {
  std::string p;
  const int n = 2 + static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    if (i > 0) p.push_back(' ');
    p += Sentence(rng);
  }
  return p;
}

// About `bytes` of Markdown (markdown = true) or plain text.
std::string MakeDocument(std::mt19937& rng, size_t bytes, bool markdown) {
  std::string doc = markdown ? "# Guide d'utilisation\n\n" : "Guide d'utilisation\n\n";
  int section = 0;
  while (doc.size() < bytes) {
    ++section;
    if (markdown) doc += "## Section " + std::to_string(section) + "\n\n";
    doc += Paragraph(rng) + "\n\n" + Paragraph(rng) + "\n\n";
    doc += "- " + Sentence(rng) + "\n- " + Sentence(rng) + "\n- " + Sentence(rng) + "\n\n";
    if (markdown && section % 3 == 0) {
      doc += "| Option | Valeur | Rôle |\n|---|---|---|\n";
      for (int r = 0; r < 4; ++r) doc += "| opt" + std::to_string(r) + " | 42 | rôle |\n";
      doc += "\n";
    }
  }
  return doc;
}

struct Timing {
  double parse_us = 0;  // wall
  double chunk_us = 0;
  double parse_cpu_us = 0;
  double chunk_cpu_us = 0;
  size_t passages = 0;
};

Timing TimeOne(const std::vector<std::string>& docs, const ParseOptions& po,
               const ChunkOptions& co) {
  Timing t;
  std::vector<ParsedDocument> parsed;
  parsed.reserve(docs.size());
  const double n = static_cast<double>(docs.size());
  auto start = Clock::now();
  double cpu = ThreadCpuSeconds();
  for (const std::string& d : docs) {
    auto r = savoir::kb::ParseDocument(
        std::span(reinterpret_cast<const uint8_t*>(d.data()), d.size()), po);
    if (!r.ok()) {
      std::fprintf(stderr, "parse failed: %s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    parsed.push_back(*std::move(r));
  }
  t.parse_us = Seconds(start) * 1e6 / n;
  t.parse_cpu_us = (ThreadCpuSeconds() - cpu) * 1e6 / n;
  start = Clock::now();
  cpu = ThreadCpuSeconds();
  for (const ParsedDocument& d : parsed) t.passages += savoir::kb::Chunk(d, co).size();
  t.chunk_us = Seconds(start) * 1e6 / n;
  t.chunk_cpu_us = (ThreadCpuSeconds() - cpu) * 1e6 / n;
  return t;
}

double Throughput(const std::vector<std::string>& docs, const ParseOptions& po,
                  const ChunkOptions& co, int threads) {
  std::atomic<size_t> next{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      for (size_t k = next++; k < docs.size(); k = next++) {
        const std::string& d = docs[k];
        auto r = savoir::kb::ParseDocument(
            std::span(reinterpret_cast<const uint8_t*>(d.data()), d.size()), po);
        if (r.ok()) (void)savoir::kb::Chunk(*r, co);
      }
    });
  }
  for (std::thread& t : pool) t.join();
  return static_cast<double>(docs.size()) / Seconds(start);
}

void RunSynthetic(int count, size_t bytes, int threads) {
  std::mt19937 rng(42);
  ChunkOptions co;  // defaults: 256 target, 512 max, 32 overlap, approximate counter
  for (const bool markdown : {false, true}) {
    std::vector<std::string> docs;
    size_t total = 0;
    for (int i = 0; i < count; ++i) {
      docs.push_back(MakeDocument(rng, bytes, markdown));
      total += docs.back().size();
    }
    ParseOptions po;
    po.file_name = markdown ? "doc.md" : "doc.txt";
    TimeOne(docs, po, co);  // warm-up
    const Timing t = TimeOne(docs, po, co);
    const char* kind = markdown ? "markdown" : "text";
    const double cpu = t.parse_cpu_us + t.chunk_cpu_us;
    std::printf("%-8s docs %d  mean %.0f bytes  %.1f passages/doc\n", kind, count,
                static_cast<double>(total) / count, static_cast<double>(t.passages) / count);
    std::printf(
        "%-8s cpu: parse %.1f + chunk %.1f = %.1f us/doc (%.0f docs/s per core)  "
        "wall: %.1f us/doc\n",
        kind, t.parse_cpu_us, t.chunk_cpu_us, cpu, 1e6 / cpu, t.parse_us + t.chunk_us);
    std::printf("%-8s parse+chunk on %d threads: %.0f docs/s\n", kind, threads,
                Throughput(docs, po, co, threads));
  }
}

void RunFixtures() {
  const std::string dir = std::string(SAVOIR_SOURCE_DIR) + "/src/kb/parse/testdata/";
  for (const char* name : {"sample.html", "sample.csv", "sample.json", "sample.pdf", "sample.docx",
                           "sample.pptx", "sample.odt"}) {
    std::ifstream in(dir + name, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::vector<std::string> docs(200, bytes);
    ParseOptions po;
    po.file_name = name;
    const Timing t = TimeOne(docs, po, ChunkOptions{});
    std::printf("%-12s %6zu bytes  cpu: parse %.1f us/doc  chunk %.1f us/doc\n", name, bytes.size(),
                t.parse_cpu_us, t.chunk_cpu_us);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int docs = 2000;
  int threads = 2;
  size_t bytes = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--docs") == 0) docs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--bytes") == 0) bytes = static_cast<size_t>(std::atol(argv[i + 1]));
  }
  RunSynthetic(std::max(docs, 1), bytes, std::max(threads, 1));
  RunFixtures();
  return 0;
}
