// Helpers shared by the conversion tests (test-only; not part of savoir_convert).
#ifndef SAVOIR_ENGINE_CONVERT_TEST_UTIL_H_
#define SAVOIR_ENGINE_CONVERT_TEST_UTIL_H_

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/thread_pool.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/decoder_model.h"
#include "engine/model/encoder_model.h"

namespace savoir::engine::convert::testing {

inline std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr && *env ? env : SAVOIR_SHARED_DIR;
}

inline std::string VocabPath(const std::string& name) {
  return SharedDir() + "/tokenizer/ggml-vocab-" + name + ".gguf";
}

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "savoir_convert_XXXXXX").string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// sqrt(mean((a - b)^2)) / sqrt(mean(b^2)); a and b have the same size.
inline double RelativeRms(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0;
  double den = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    num += d * d;
    den += static_cast<double>(b[i]) * b[i];
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

// Logits of every position of `tokens` run as one sequence through the decoder in `path`
// ([n_tokens][n_vocab]), or the error of loading or running it.
inline StatusOr<std::vector<float>> DecoderLogits(const std::string& path,
                                                  const std::vector<int32_t>& tokens,
                                                  int threads = 2) {
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> file, GgufFile::Open(path));
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<DecoderModel> model,
                          DecoderModel::Load(std::shared_ptr<const GgufFile>(std::move(file))));
  ThreadPool pool(threads);
  const int64_t n = static_cast<int64_t>(tokens.size());
  KvCache cache(model->CacheOptions(n));
  const KvCache::SeqId seq = cache.NewSequence();
  SAVOIR_RETURN_IF_ERROR(cache.Reserve(seq, n));
  std::vector<BatchToken> batch;
  for (int64_t i = 0; i < n; ++i) batch.push_back({tokens[static_cast<size_t>(i)], i, seq, true});
  std::vector<float> logits;
  SAVOIR_RETURN_IF_ERROR(model->Forward(batch, cache, pool, logits));
  return logits;
}

// The pooled embedding (or, with `score`, the one-element reranker score) of `tokens`.
inline StatusOr<std::vector<float>> EncoderOutput(const std::string& path,
                                                  const std::vector<int32_t>& tokens, bool score,
                                                  int threads = 2) {
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> file, GgufFile::Open(path));
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<EncoderModel> model,
                          EncoderModel::Load(std::shared_ptr<const GgufFile>(std::move(file))));
  ThreadPool pool(threads);
  if (!score) return model->Embed(tokens, pool);
  SAVOIR_ASSIGN_OR_RETURN(float s, model->Score(tokens, pool));
  return std::vector<float>{s};
}

}  // namespace savoir::engine::convert::testing

#endif  // SAVOIR_ENGINE_CONVERT_TEST_UTIL_H_
