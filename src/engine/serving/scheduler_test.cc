// The continuous-batching scheduler on a real model (../shared/models/stories260K.gguf).
#include "engine/serving/scheduler.h"

#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "engine/gguf/gguf_file.h"

namespace savoir::engine {
namespace {

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr && *env ? env : SAVOIR_SHARED_DIR;
}

// Collects a job's output and lets the test wait for its end.
class CollectingSink : public GenerationSink {
 public:
  explicit CollectingSink(int cancel_after = -1) : cancel_after_(cancel_after) {}
  void OnToken(const TokenEvent& e) override {
    std::lock_guard lock(mu_);
    tokens_.push_back(e.token);
    text_ += e.text;
    logprobs_.push_back(e.logprob);
  }
  void OnFinish(const FinishEvent& e) override {
    std::lock_guard lock(mu_);
    text_ += e.tail_text;
    finish_ = e;
    done_ = true;
    cv_.notify_all();
  }
  void OnError(const Status& s) override {
    std::lock_guard lock(mu_);
    error_ = s;
    done_ = true;
    cv_.notify_all();
  }
  bool Cancelled() const override {
    std::lock_guard lock(mu_);
    return cancel_after_ >= 0 && static_cast<int>(tokens_.size()) >= cancel_after_;
  }
  void Wait() {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(60), [this] { return done_; }));
  }
  std::vector<int32_t> tokens() const {
    std::lock_guard lock(mu_);
    return tokens_;
  }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }
  FinishEvent finish() const {
    std::lock_guard lock(mu_);
    return finish_;
  }
  Status error() const {
    std::lock_guard lock(mu_);
    return error_;
  }
  std::vector<float> logprobs() const {
    std::lock_guard lock(mu_);
    return logprobs_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int cancel_after_;
  std::vector<int32_t> tokens_;
  std::vector<float> logprobs_;
  std::string text_;
  FinishEvent finish_;
  Status error_;
  bool done_ = false;
};

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto file = GgufFile::Open(SharedDir() + "/models/stories260K.gguf");
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    file_ = std::move(file).value();
    auto tokenizer = Tokenizer::FromGguf(*file_);
    ASSERT_TRUE(tokenizer.ok());
    tokenizer_ = std::move(tokenizer).value();
    auto model = DecoderModel::Load(file_);
    ASSERT_TRUE(model.ok());
    model_ = std::move(model).value();
  }

  std::vector<int32_t> Prompt(const std::string& text) {
    return tokenizer_->Tokenize(text, {.add_special = true});
  }

  // What the single-sequence generator produces for `prompt`, greedy.
  std::vector<int32_t> Alone(const std::vector<int32_t>& prompt, int n) {
    ThreadPool pool(1);
    GenerationRequest r;
    r.prompt = prompt;
    r.max_tokens = n;
    r.sampling = SamplingParams::Greedy();
    auto result = Generate(*model_, *tokenizer_, pool, r);
    EXPECT_TRUE(result.ok());
    return result->tokens;
  }

  GenerationJob Job(const std::vector<int32_t>& prompt, int n, std::shared_ptr<GenerationSink> sink) {
    GenerationJob job;
    job.prompt = prompt;
    job.params.max_tokens = n;
    job.params.sampling = SamplingParams::Greedy();
    job.sink = std::move(sink);
    return job;
  }

  std::shared_ptr<const GgufFile> file_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<DecoderModel> model_;
};

const std::vector<std::string> kPrompts = {
    "Once upon a time", "The little dog", "Lily and Ben went to the park",
    "One day, a big bird", "Tom had a red ball", "The sun was hot and",
    "Mom said", "There was a girl named Sue who",
};

TEST_F(SchedulerTest, ManyConcurrentStreamsEachEqualTheirOutputAlone) {
  SchedulerOptions o;
  o.threads = 2;
  o.max_sequences = 32;
  o.step_token_budget = 7;  // forces chunked prefill mixed with decoding
  auto scheduler = Scheduler::Start(*model_, *tokenizer_, o);
  ASSERT_TRUE(scheduler.ok());
  std::vector<std::shared_ptr<CollectingSink>> sinks;
  for (int i = 0; i < 32; ++i) {
    sinks.push_back(std::make_shared<CollectingSink>());
    const int n = 20 + i % 7;
    ASSERT_TRUE((*scheduler)->Submit(Job(Prompt(kPrompts[i % kPrompts.size()]), n, sinks.back())).ok());
  }
  for (int i = 0; i < 32; ++i) {
    sinks[i]->Wait();
    ASSERT_TRUE(sinks[i]->error().ok()) << sinks[i]->error().ToString();
    EXPECT_EQ(sinks[i]->tokens(), Alone(Prompt(kPrompts[i % kPrompts.size()]), 20 + i % 7))
        << "stream " << i;
    EXPECT_EQ(sinks[i]->finish().reason, FinishReason::kLength);
    EXPECT_EQ(sinks[i]->finish().completion_tokens, 20 + i % 7);
  }
  SchedulerStats stats = (*scheduler)->stats();
  EXPECT_EQ(stats.active, 0u);
  EXPECT_EQ(stats.kv.blocks_in_use, 0);
  EXPECT_GT(stats.generated_tokens, 0);
}

TEST_F(SchedulerTest, PreemptionUnderMemoryPressureKeepsResults) {
  SchedulerOptions o;
  o.threads = 1;
  o.kv_tokens = 96;  // 6 blocks of 16: not enough for 8 sequences of ~40 positions
  o.block_tokens = 16;
  auto scheduler = Scheduler::Start(*model_, *tokenizer_, o);
  ASSERT_TRUE(scheduler.ok());
  std::vector<std::shared_ptr<CollectingSink>> sinks;
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    sinks.push_back(std::make_shared<CollectingSink>());
    ASSERT_TRUE((*scheduler)->Submit(Job(Prompt(kPrompts[i]), 30, sinks.back())).ok());
  }
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    sinks[i]->Wait();
    ASSERT_TRUE(sinks[i]->error().ok()) << sinks[i]->error().ToString();
    EXPECT_EQ(sinks[i]->tokens(), Alone(Prompt(kPrompts[i]), 30)) << "stream " << i;
  }
  EXPECT_GT((*scheduler)->stats().preemptions, 0);
}

TEST_F(SchedulerTest, CancelledStreamIsFreedAtOnce) {
  auto scheduler = Scheduler::Start(*model_, *tokenizer_, SchedulerOptions{});
  ASSERT_TRUE(scheduler.ok());
  auto sink = std::make_shared<CollectingSink>(/*cancel_after=*/3);
  ASSERT_TRUE((*scheduler)->Submit(Job(Prompt("Once upon a time"), 200, sink)).ok());
  sink->Wait();
  EXPECT_EQ(sink->finish().reason, FinishReason::kCancelled);
  EXPECT_LE(sink->tokens().size(), 4u);
  for (int i = 0; i < 100 && (*scheduler)->stats().active != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ((*scheduler)->stats().kv.blocks_in_use, 0);
}

TEST_F(SchedulerTest, SharedPrefixIsReused) {
  SchedulerOptions o;
  o.block_tokens = 4;
  auto scheduler = Scheduler::Start(*model_, *tokenizer_, o);
  ASSERT_TRUE(scheduler.ok());
  auto prompt = Prompt("Once upon a time, there was a little girl named Lily. She liked to play");
  auto first = std::make_shared<CollectingSink>();
  ASSERT_TRUE((*scheduler)->Submit(Job(prompt, 5, first)).ok());
  first->Wait();
  EXPECT_EQ(first->finish().cached_prompt_tokens, 0);
  auto second = std::make_shared<CollectingSink>();
  ASSERT_TRUE((*scheduler)->Submit(Job(prompt, 5, second)).ok());
  second->Wait();
  EXPECT_GE(second->finish().cached_prompt_tokens, static_cast<int>(prompt.size()) - 4);
  EXPECT_EQ(first->tokens(), second->tokens());
  EXPECT_GT((*scheduler)->stats().kv.prefix_hit_tokens, 0);
}

TEST_F(SchedulerTest, StopStringsAndLogprobs) {
  auto scheduler = Scheduler::Start(*model_, *tokenizer_, SchedulerOptions{});
  ASSERT_TRUE(scheduler.ok());
  auto plain = std::make_shared<CollectingSink>();
  ASSERT_TRUE((*scheduler)->Submit(Job(Prompt("Once upon a time"), 40, plain)).ok());
  plain->Wait();
  const std::string full = plain->text();
  ASSERT_GT(full.size(), 10u);
  const std::string stop = full.substr(5, 4);
  auto stopped = std::make_shared<CollectingSink>();
  GenerationJob job = Job(Prompt("Once upon a time"), 40, stopped);
  job.params.stop = {stop};
  job.params.top_logprobs = 2;
  ASSERT_TRUE((*scheduler)->Submit(std::move(job)).ok());
  stopped->Wait();
  EXPECT_EQ(stopped->finish().reason, FinishReason::kStop);
  EXPECT_EQ(stopped->text(), full.substr(0, full.find(stop)));
  for (float lp : stopped->logprobs()) EXPECT_LE(lp, 0.0f);
}

TEST_F(SchedulerTest, RejectsWhatCannotRun) {
  SchedulerOptions o;
  o.max_queue = 0;
  auto scheduler = Scheduler::Start(*model_, *tokenizer_, o);
  ASSERT_TRUE(scheduler.ok());
  auto sink = std::make_shared<CollectingSink>();
  EXPECT_EQ((*scheduler)->Submit(Job(Prompt("hi"), 5, sink)).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ((*scheduler)->Submit(Job({}, 5, sink)).code(), StatusCode::kInvalidArgument);
  std::vector<int32_t> too_long(static_cast<size_t>((*scheduler)->context()), 1);
  EXPECT_EQ((*scheduler)->Submit(Job(too_long, 5, sink)).code(), StatusCode::kInvalidArgument);
  (*scheduler)->Stop();
  EXPECT_EQ((*scheduler)->Submit(Job(Prompt("hi"), 5, sink)).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace savoir::engine
