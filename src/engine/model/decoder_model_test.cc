// The llama forward pass against llama.cpp's reference output for a real model
// (../shared/models/stories260K.gguf and stories260K.golden.txt).
#include "engine/model/decoder_model.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "engine/sampling/sampler.h"

namespace savoir::engine {
namespace {

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr && *env ? env : SAVOIR_SHARED_DIR;
}

struct Golden {
  std::vector<int32_t> prompt;
  std::map<int, std::vector<std::pair<int32_t, float>>> top5;  // step → (id, logit)
  std::vector<int32_t> greedy;
};

Golden ReadGolden(const std::string& path) {
  Golden g;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string head;
    ss >> head;
    if (head == "prompt_ids:" || head == "greedy_ids:") {
      auto& out = head == "prompt_ids:" ? g.prompt : g.greedy;
      int32_t id;
      while (ss >> id) out.push_back(id);
    } else if (head == "step") {
      int step;
      std::string label;
      ss >> step >> label;
      std::string pair;
      while (ss >> pair) {
        size_t colon = pair.find(':');
        g.top5[step].push_back({std::stoi(pair.substr(0, colon)), std::stof(pair.substr(colon + 1))});
      }
    }
  }
  return g;
}

class StoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = GgufFile::Open(SharedDir() + "/models/stories260K.gguf");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    auto model = DecoderModel::Load(std::shared_ptr<const GgufFile>(std::move(file).value()));
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = std::move(model).value();
    golden_ = ReadGolden(SharedDir() + "/models/stories260K.golden.txt");
    ASSERT_EQ(golden_.prompt.size(), 5u);
    ASSERT_EQ(golden_.greedy.size(), 100u);
  }

  // Greedy generation with the prompt processed `prompt_chunk` tokens at a time; checks the
  // golden top-5 logits at each step that has them.
  void RunGreedy(int prompt_chunk, int threads) {
    ThreadPool pool(threads);
    KvCache cache(model_->CacheOptions(256));
    KvCache::SeqId seq = cache.NewSequence();
    ASSERT_TRUE(cache.Reserve(seq, 256).ok());
    std::vector<float> logits;
    const auto& prompt = golden_.prompt;
    for (size_t start = 0; start < prompt.size(); start += prompt_chunk) {
      std::vector<BatchToken> batch;
      for (size_t i = start; i < std::min(prompt.size(), start + prompt_chunk); ++i) {
        batch.push_back({prompt[i], static_cast<int64_t>(i), seq, i + 1 == prompt.size()});
      }
      logits.clear();
      ASSERT_TRUE(model_->Forward(batch, cache, pool, logits).ok());
    }
    Sampler greedy(SamplingParams::Greedy());
    std::vector<int32_t> generated;
    for (int step = 0; step < 100; ++step) {
      ASSERT_EQ(logits.size(), static_cast<size_t>(model_->config().n_vocab));
      if (auto it = golden_.top5.find(step); it != golden_.top5.end()) {
        // llama.cpp rounds the KV cache, the queries and the attention weights to f16; so does
        // savoir, and the logits agree within 1e-3. After ~100 steps the rounding differences
        // accumulate to 1.4e-3 on one of the 20 reference values, hence the wider late bound.
        const double tolerance = step < 50 ? 1e-3 : 1.5e-3;
        for (auto [id, value] : it->second) {
          EXPECT_NEAR(logits[static_cast<size_t>(id)], value, tolerance)
              << "step " << step << " token " << id;
        }
      }
      int32_t next = greedy.Sample(logits);
      generated.push_back(next);
      logits.clear();
      BatchToken t{next, static_cast<int64_t>(prompt.size()) + step, seq, true};
      ASSERT_TRUE(model_->Forward({&t, 1}, cache, pool, logits).ok());
    }
    EXPECT_EQ(generated, golden_.greedy);
  }

  std::unique_ptr<DecoderModel> model_;
  Golden golden_;
};

TEST_F(StoriesTest, ConfigIsRead) {
  const ModelConfig& c = model_->config();
  EXPECT_EQ(c.arch, Architecture::kLlama);
  EXPECT_EQ(c.n_vocab, 512);
  EXPECT_GT(c.n_layer, 0);
  EXPECT_EQ(c.n_head % c.n_head_kv, 0);
}

TEST_F(StoriesTest, GreedyMatchesLlamaCppTokenByToken) { RunGreedy(1, 1); }
TEST_F(StoriesTest, GreedyMatchesLlamaCppWithBatchedPrefill) { RunGreedy(5, 2); }
TEST_F(StoriesTest, GreedyMatchesLlamaCppWithUnevenChunks) { RunGreedy(3, 2); }

TEST_F(StoriesTest, RejectsOutOfVocabularyToken) {
  ThreadPool pool(1);
  KvCache cache(model_->CacheOptions(16));
  auto seq = cache.NewSequence();
  ASSERT_TRUE(cache.Reserve(seq, 16).ok());
  std::vector<float> logits;
  BatchToken bad{9999, 0, seq, true};
  EXPECT_EQ(model_->Forward({&bad, 1}, cache, pool, logits).code(), StatusCode::kInvalidArgument);
  BatchToken far{1, 100, seq, true};
  EXPECT_EQ(model_->Forward({&far, 1}, cache, pool, logits).code(), StatusCode::kInvalidArgument);
}

TEST(KvCacheTest, BlocksAreAllocatedOnDemandAndReturned) {
  KvCacheOptions o{.n_layer = 2, .n_embd_kv = 8, .block_tokens = 4, .max_blocks = 3};
  KvCache cache(o);
  auto a = cache.NewSequence();
  auto b = cache.NewSequence();
  ASSERT_TRUE(cache.Reserve(a, 5).ok());  // 2 blocks
  EXPECT_EQ(cache.stats().blocks_in_use, 2);
  EXPECT_EQ(cache.capacity_positions(a), 8);
  EXPECT_EQ(cache.Reserve(b, 8).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(cache.stats().blocks_in_use, 2);  // nothing taken on failure
  ASSERT_TRUE(cache.Reserve(b, 4).ok());
  cache.Key(a, 1, 7)[0] = 0x3e00;
  cache.Value(b, 0, 3)[7] = 0xc000;
  EXPECT_EQ(cache.Key(a, 1, 7)[0], 0x3e00);
  EXPECT_EQ(cache.Value(b, 0, 3)[7], 0xc000);
  cache.FreeSequence(a);
  EXPECT_EQ(cache.stats().blocks_in_use, 1);
  ASSERT_TRUE(cache.Reserve(b, 12).ok());
  EXPECT_EQ(cache.stats().blocks_in_use, 3);
}

TEST(KvCacheTest, PublishedPrefixIsAttachedAndEvictedLast) {
  KvCacheOptions o{.n_layer = 1, .n_embd_kv = 2, .block_tokens = 4, .max_blocks = 6};
  KvCache cache(o);
  std::vector<int32_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  auto a = cache.NewSequence();
  EXPECT_EQ(cache.AttachCachedPrefix(a, prompt), 0);
  ASSERT_TRUE(cache.Reserve(a, 11).ok());
  for (int64_t p = 0; p < 11; ++p) cache.Key(a, 0, p)[0] = static_cast<uint16_t>(100 + p);
  cache.PublishPrefix(a, prompt, 11);  // two full blocks
  cache.FreeSequence(a);
  EXPECT_EQ(cache.stats().blocks_cached, 2);

  // Same first 9 tokens: both full blocks are reused; the partial third is not.
  std::vector<int32_t> other = {1, 2, 3, 4, 5, 6, 7, 8, 9, 99};
  auto b = cache.NewSequence();
  EXPECT_EQ(cache.AttachCachedPrefix(b, other), 8);
  EXPECT_EQ(cache.Key(b, 0, 5)[0], 105);
  EXPECT_EQ(cache.stats().blocks_cached, 0);
  EXPECT_EQ(cache.stats().blocks_in_use, 2);
  cache.FreeSequence(b);

  // A prompt of exactly one block leaves its last token to compute: nothing attached.
  auto c = cache.NewSequence();
  EXPECT_EQ(cache.AttachCachedPrefix(c, std::vector<int32_t>{1, 2, 3, 4}), 0);
  // A different first block shares nothing even if the second matches.
  EXPECT_EQ(cache.AttachCachedPrefix(c, std::vector<int32_t>{0, 2, 3, 4, 5, 6, 7, 8, 9}), 0);
  // Filling the pool evicts the cached blocks.
  ASSERT_TRUE(cache.Reserve(c, 24).ok());
  EXPECT_EQ(cache.stats().blocks_cached, 0);
  cache.FreeSequence(c);
  auto d = cache.NewSequence();
  EXPECT_EQ(cache.AttachCachedPrefix(d, prompt), 0);
  KvCacheStats stats = cache.stats();
  EXPECT_EQ(stats.prefix_hit_tokens, 8);
  EXPECT_EQ(stats.prefix_lookup_tokens, 11 + 10 + 4 + 9 + 11);
}

TEST_F(StoriesTest, ReusedPrefixGivesTheSameLogits) {
  ThreadPool pool(2);
  KvCacheOptions o = model_->CacheOptions(64, /*block_tokens=*/2);
  KvCache cache(o);
  std::vector<int32_t> prompt = golden_.prompt;  // 5 tokens
  auto run = [&](KvCache::SeqId seq, int64_t from) {
    std::vector<BatchToken> batch;
    for (size_t i = static_cast<size_t>(from); i < prompt.size(); ++i) {
      batch.push_back({prompt[i], static_cast<int64_t>(i), seq, i + 1 == prompt.size()});
    }
    std::vector<float> logits;
    EXPECT_TRUE(model_->Forward(batch, cache, pool, logits).ok());
    return logits;
  };
  auto a = cache.NewSequence();
  ASSERT_TRUE(cache.Reserve(a, 5).ok());
  std::vector<float> fresh = run(a, 0);
  cache.PublishPrefix(a, prompt, 5);
  auto b = cache.NewSequence();
  int64_t reused = cache.AttachCachedPrefix(b, prompt);
  EXPECT_EQ(reused, 4);
  ASSERT_TRUE(cache.Reserve(b, 5).ok());
  std::vector<float> cached = run(b, reused);
  ASSERT_EQ(fresh.size(), cached.size());
  // The reused run computes one token where the fresh run computed five in one batch; the
  // kernels take different (batched vs. single-row) paths, equal up to float rounding.
  for (size_t i = 0; i < fresh.size(); ++i) EXPECT_NEAR(fresh[i], cached[i], 1e-4);
}

}  // namespace
}  // namespace savoir::engine
