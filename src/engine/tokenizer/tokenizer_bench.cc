// Tokenizer throughput: tokenizes and detokenizes about 4 MB of mixed text (the golden test
// inputs repeated, plus prose) with every vocabulary in ../shared/tokenizer, and two
// adversarial inputs (one 1 MB word, 1 MB of spaces) that would expose quadratic behaviour.
// Prints MB/s per vocabulary. Usage: tokenizer_bench [shared_dir]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"

namespace {

using savoir::engine::GgufFile;
using savoir::engine::TokenId;
using savoir::engine::Tokenizer;

double Seconds(const std::chrono::steady_clock::time_point& start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string MixedText(const std::filesystem::path& dir) {
  std::ifstream in(dir / "ggml-vocab-llama-spm.gguf.inp", std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string sample = buffer.str();
  sample +=
      "The quick brown fox jumps over the lazy dog. In 2024, about 1,234,567 people visited "
      "the museum; they said it's \"wonderful\" and we'll come back! Les élèves étudient "
      "l'histoire de l'Europe. Привет, мир! 你好，世界。\n";
  std::string text;
  while (text.size() < 4 * 1024 * 1024) text += sample;
  return text;
}

void Measure(const std::string& label, const Tokenizer& tokenizer, const std::string& text) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<TokenId> ids = tokenizer.Tokenize(text);
  const double encode = Seconds(start);
  const auto start_decode = std::chrono::steady_clock::now();
  const std::string decoded = tokenizer.Detokenize(ids);
  const double decode = Seconds(start_decode);
  const double mb = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  std::printf("%-34s %7.2f MB %9zu ids  tokenize %8.2f MB/s  detokenize %8.2f MB/s\n",
              label.c_str(), mb, ids.size(), mb / encode, mb / decode);
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("SAVOIR_SHARED");
  const std::string shared =
      argc > 1 ? argv[1] : (env != nullptr && *env ? env : SAVOIR_SHARED_DIR);
  const std::filesystem::path dir = std::filesystem::path(shared) / "tokenizer";
  std::vector<std::filesystem::path> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".gguf") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) {
    std::fprintf(stderr, "no vocabularies in %s\n", dir.c_str());
    return 1;
  }
  const std::string mixed = MixedText(dir);
  const std::string word(1024 * 1024, 'a');
  const std::string spaces(1024 * 1024, ' ');
  for (const auto& path : paths) {
    auto gguf = GgufFile::Open(path.string());
    if (!gguf.ok()) {
      std::fprintf(stderr, "%s\n", gguf.status().ToString().c_str());
      return 1;
    }
    const auto load_start = std::chrono::steady_clock::now();
    auto tokenizer = Tokenizer::FromGguf(**gguf);
    if (!tokenizer.ok()) {
      std::fprintf(stderr, "%s\n", tokenizer.status().ToString().c_str());
      return 1;
    }
    const std::string name = path.stem().string();
    std::printf("%s: loaded in %.1f ms\n", name.c_str(), Seconds(load_start) * 1000);
    Measure("  mixed text", **tokenizer, mixed);
    Measure("  one 1 MB word", **tokenizer, word);
    Measure("  1 MB of spaces", **tokenizer, spaces);
  }
  return 0;
}
