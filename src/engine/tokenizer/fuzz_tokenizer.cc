// libFuzzer target: tokenizes arbitrary bytes with the real vocabularies of
// ../shared/tokenizer (SAVOIR_SHARED overrides the compiled-in folder) and decodes the ids
// back. The first input byte picks the vocabulary and the options. Checks, besides the
// absence of crashes and leaks: ids are in range, streamed text is valid UTF-8, and the
// lossless vocabularies (llama-spm, gpt-2) give back valid UTF-8 input exactly.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/incremental_decoder.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/unicode.h"

namespace {

using savoir::engine::GgufFile;
using savoir::engine::IncrementalDecoder;
using savoir::engine::TokenId;
using savoir::engine::Tokenizer;

struct Loaded {
  std::string name;
  std::unique_ptr<Tokenizer> tokenizer;
  bool lossless = false;
};

std::vector<Loaded> LoadAll() {
  const char* env = std::getenv("SAVOIR_SHARED");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr && *env ? env : SAVOIR_SHARED_DIR) / "tokenizer";
  std::vector<Loaded> loaded;
  std::error_code error;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".gguf") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    auto gguf = GgufFile::Open(path.string());
    if (!gguf.ok()) continue;
    auto tokenizer = Tokenizer::FromGguf(**gguf);
    if (!tokenizer.ok()) continue;
    const std::string name = path.stem().string();
    const bool lossless = name == "ggml-vocab-llama-spm" || name == "ggml-vocab-gpt-2";
    loaded.push_back({name, std::move(tokenizer).value(), lossless});
  }
  if (loaded.empty()) {
    std::fprintf(stderr, "fuzz_tokenizer: no vocabulary found in %s\n", dir.c_str());
    std::abort();
  }
  return loaded;
}

void Check(bool ok, const char* what, const Loaded& vocab) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_tokenizer: %s (%s)\n", what, vocab.name.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Loaded> vocabs = LoadAll();
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const Loaded& vocab = vocabs[selector % vocabs.size()];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool add_special = (selector & 0x40) != 0;
  const bool parse_special = (selector & 0x80) != 0;

  const std::vector<TokenId> ids =
      vocab.tokenizer->Tokenize(text, {.add_special = add_special, .parse_special = parse_special});
  for (const TokenId id : ids)
    Check(vocab.tokenizer->vocab().Contains(id), "id out of range", vocab);

  const std::string decoded = vocab.tokenizer->Detokenize(ids, {.clean_up_spaces = false});
  IncrementalDecoder decoder(vocab.tokenizer.get(), {.strip_leading_space = true});
  std::string streamed;
  for (const TokenId id : ids) {
    const std::string piece = decoder.Push(id);
    Check(savoir::engine::tokenizer_internal::IsValidUtf8(piece), "invalid UTF-8 streamed", vocab);
    streamed += piece;
  }
  streamed += decoder.Finish();
  (void)vocab.tokenizer->Detokenize(ids, {.remove_special = true, .render_special = true});

  const bool plain = !add_special && !parse_special;
  if (vocab.lossless && plain && savoir::engine::tokenizer_internal::IsValidUtf8(text) &&
      text.find("\xE2\x96\x81") == std::string::npos) {
    Check(decoded == text, "round trip differs", vocab);
    Check(streamed == text, "streamed round trip differs", vocab);
  }
  return 0;
}
