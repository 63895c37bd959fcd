// The model API end to end: the real `savoir serve` with a real model
// (../shared/models/stories260K.gguf), spoken to over HTTP like OpenAI and Ollama clients do.
#include <atomic>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_test_client.h"
#include "support/savoir_server.h"
#include "support/subprocess.h"

namespace savoir::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string ModelPath() { return SharedDir() + "/models/stories260K.gguf"; }

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<SavoirServer>(
        std::vector<std::string>{"--model", ModelPath(), "--threads", "2"});
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_->ok()) << server_->error(); }
  int port() const { return server_->port(); }

  HttpResult Post(const std::string& path, const Json& body) {
    return Request(port(), "POST", path, body.dump());
  }

  static Json Chat(const std::string& text, int max_tokens, bool stream = false) {
    return {{"model", "stories260K"},
            {"messages", {{{"role", "user"}, {"content", text}}}},
            {"max_tokens", max_tokens},
            {"temperature", 0},
            {"stream", stream}};
  }

  // Concatenated delta contents of an SSE chat stream; checks the framing on the way.
  static std::string StreamedText(const HttpResult& r) {
    std::vector<std::string> events = SseData(r.body);
    EXPECT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "[DONE]");
    std::string text;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      Json chunk = Json::parse(events[i]);
      EXPECT_EQ(chunk["object"], "chat.completion.chunk");
      const Json& delta = chunk["choices"][0]["delta"];
      if (delta.contains("content")) text += delta["content"].get<std::string>();
    }
    return text;
  }

  static std::unique_ptr<SavoirServer> server_;
};

std::unique_ptr<SavoirServer> ApiTest::server_;

TEST_F(ApiTest, ChatCompletionReturnsTextAndUsage) {
  HttpResult r = Post("/v1/chat/completions", Chat("Once upon a time", 16));
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "stories260K");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_FALSE(j["choices"][0]["message"]["content"].get<std::string>().empty());
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 16);
  EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 0);
}

TEST_F(ApiTest, StreamedChatEqualsNonStreamed) {
  HttpResult plain = Post("/v1/chat/completions", Chat("The little dog", 24));
  ASSERT_EQ(plain.status, 200);
  HttpResult streamed = Post("/v1/chat/completions", Chat("The little dog", 24, true));
  ASSERT_EQ(streamed.status, 200);
  EXPECT_THAT(streamed.headers["content-type"], HasSubstr("text/event-stream"));
  EXPECT_EQ(StreamedText(streamed),
            Json::parse(plain.body)["choices"][0]["message"]["content"].get<std::string>());
}

TEST_F(ApiTest, StreamIncludesUsageWhenAsked) {
  Json body = Chat("Tom had a ball", 8, true);
  body["stream_options"] = {{"include_usage", true}};
  HttpResult r = Post("/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> events = SseData(r.body);
  ASSERT_GE(events.size(), 3u);
  Json usage_chunk = Json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage_chunk["choices"].empty());
  EXPECT_EQ(usage_chunk["usage"]["completion_tokens"], 8);
}

TEST_F(ApiTest, TextCompletionAndModels) {
  HttpResult r = Post("/v1/completions", {{"prompt", "Once upon a time"}, {"max_tokens", 5},
                                          {"temperature", 0}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["object"], "text_completion");
  HttpResult models = Request(port(), "GET", "/v1/models");
  ASSERT_EQ(models.status, 200);
  EXPECT_EQ(Json::parse(models.body)["data"][0]["id"], "stories260K");
}

TEST_F(ApiTest, OllamaChatGenerateAndTags) {
  HttpResult chat = Post("/api/chat", {{"model", "stories260K"},
                                       {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                                       {"stream", false},
                                       {"options", {{"num_predict", 6}, {"temperature", 0}}}});
  ASSERT_EQ(chat.status, 200) << chat.body;
  Json c = Json::parse(chat.body);
  EXPECT_EQ(c["done"], true);
  EXPECT_EQ(c["message"]["role"], "assistant");
  EXPECT_EQ(c["eval_count"], 6);
  HttpResult gen = Post("/api/generate", {{"model", "stories260K"}, {"prompt", "Once"},
                                          {"options", {{"num_predict", 4}}}});
  ASSERT_EQ(gen.status, 200);
  // Streaming is Ollama's default: newline-delimited JSON ending with done: true.
  std::vector<std::string> lines;
  std::istringstream in(gen.body);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(Json::parse(lines.back())["done"], true);
  HttpResult tags = Request(port(), "GET", "/api/tags");
  EXPECT_EQ(Json::parse(tags.body)["models"][0]["name"], "stories260K");
}

TEST_F(ApiTest, ErrorsHaveOpenAiShapeAndStatus) {
  auto expect_error = [](const HttpResult& r, int status, const std::string& fragment) {
    EXPECT_EQ(r.status, status) << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.body;
    EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr(fragment));
    EXPECT_TRUE(j["error"].contains("type"));
  };
  expect_error(Request(port(), "POST", "/v1/chat/completions", "{oops"), 400, "JSON");
  Json negative = Chat("x", 5);
  negative["max_tokens"] = -3;
  expect_error(Post("/v1/chat/completions", negative), 400, "max_tokens");
  Json wrong_type = Chat("x", 5);
  wrong_type["temperature"] = "hot";
  expect_error(Post("/v1/chat/completions", wrong_type), 400, "temperature");
  Json unknown = Chat("x", 5);
  unknown["model"] = "gpt-17";
  expect_error(Post("/v1/chat/completions", unknown), 404, "gpt-17");
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += "once upon a time ";
  expect_error(Post("/v1/chat/completions", Chat(long_text, 5)), 400, "context");
  std::string huge(9 * 1024 * 1024, 'x');
  EXPECT_EQ(Request(port(), "POST", "/v1/chat/completions", huge).status, 413);
}

TEST_F(ApiTest, ConcurrentStreamsEachEqualTheirOutputAlone) {
  const std::vector<std::string> prompts = {"Once upon a time", "The little dog",
                                            "Lily and Ben", "One day, a big bird"};
  std::vector<std::string> alone;
  for (const auto& p : prompts) {
    HttpResult r = Post("/v1/chat/completions", Chat(p, 32));
    ASSERT_EQ(r.status, 200);
    alone.push_back(Json::parse(r.body)["choices"][0]["message"]["content"]);
  }
  constexpr int kClients = 32;
  std::vector<std::future<std::string>> results;
  for (int i = 0; i < kClients; ++i) {
    results.push_back(std::async(std::launch::async, [this, &prompts, i] {
      HttpResult r = Post("/v1/chat/completions", Chat(prompts[i % prompts.size()], 32, true));
      EXPECT_EQ(r.status, 200);
      return StreamedText(r);
    }));
  }
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(results[i].get(), alone[i % prompts.size()]) << "client " << i;
  }
}

double MetricValue(const std::string& metrics, const std::string& series) {
  size_t pos = metrics.find(series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(metrics.substr(pos + series.size() + 1));
}

TEST_F(ApiTest, DisconnectMidStreamFreesTheSequence) {
  Json body = Chat("Once upon a time", 4000, true);
  body["ignore_eos"] = true;
  std::string payload = body.dump();
  std::string raw = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    "application/json\r\nContent-Length: " +
                    std::to_string(payload.size()) + "\r\n\r\n" + payload;
  // Read a little of the stream, then hang up.
  std::string partial = RawHttp(port(), raw, std::chrono::milliseconds(300));
  ASSERT_THAT(partial, HasSubstr("data: "));
  double active = -1;
  for (int i = 0; i < 200; ++i) {
    std::string metrics = Request(port(), "GET", "/metrics").body;
    active = MetricValue(metrics, "savoir_active_sequences{model=\"stories260K\"}");
    if (active == 0) {
      EXPECT_EQ(MetricValue(metrics, "savoir_kv_blocks_used{model=\"stories260K\"}"), 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(active, 0);
}

TEST_F(ApiTest, MetricsExposePrometheusText) {
  ASSERT_EQ(Post("/v1/chat/completions", Chat("Hello", 3)).status, 200);
  HttpResult r = Request(port(), "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/plain"));
  for (const char* name :
       {"savoir_time_to_first_token_seconds_bucket", "savoir_inter_token_latency_seconds_bucket",
        "savoir_prompt_tokens_total", "savoir_generated_tokens_total", "savoir_queue_length",
        "savoir_active_sequences", "savoir_kv_blocks_used", "savoir_kv_blocks_free",
        "savoir_prefix_cache_hit_ratio"}) {
    EXPECT_THAT(r.body, HasSubstr(name));
  }
}

TEST(ApiQueueTest, FullQueueAnswers429WithRetryAfter) {
  SavoirServer server({"--model", ModelPath()}, {{"SAVOIR_ENGINE_MAX_QUEUE", "0"}});
  ASSERT_TRUE(server.ok()) << server.error();
  HttpResult r = Request(server.port(), "POST", "/v1/chat/completions",
                         R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":2})");
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(r.headers["retry-after"], "1");
}

TEST(ApiNoModelTest, ChatWithoutModelIsNotFound) {
  SavoirServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  HttpResult r = Request(server.port(), "POST", "/v1/chat/completions",
                         R"({"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("no chat model"));
}

}  // namespace
}  // namespace savoir::testing
