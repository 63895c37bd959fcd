#include "server/openai/requests.h"

#include <gtest/gtest.h>

namespace savoir::server::openai {
namespace {

using Json = nlohmann::ordered_json;

ChatRequest Chat(const std::string& text) {
  auto body = ParseJsonBody(text);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  auto r = ParseChatRequest(*body);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ChatRequest{};
}

Status ChatError(const std::string& text) {
  auto body = ParseJsonBody(text);
  if (!body.ok()) return body.status();
  return ParseChatRequest(*body).status();
}

TEST(RequestsTest, ChatRequestFieldsAreRead) {
  ChatRequest r = Chat(R"({
    "model": "qwen", "stream": true, "stream_options": {"include_usage": true},
    "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": [{"type": "text", "text": "Hi "},
                                              {"type": "text", "text": "there"}]}],
    "max_completion_tokens": 64, "temperature": 0.2, "top_p": 0.9, "seed": 7,
    "stop": ["\n\n", "END"], "presence_penalty": 0.5, "frequency_penalty": -0.5,
    "logprobs": true, "top_logprobs": 3, "ignore_eos": true, "min_tokens": 4,
    "response_format": {"type": "json_object"}, "priority": "batch", "unknown": {"x": 1}})");
  EXPECT_EQ(r.gen.model, "qwen");
  EXPECT_TRUE(r.gen.stream);
  EXPECT_TRUE(r.gen.include_usage);
  EXPECT_EQ(r.gen.params.max_tokens, 64);
  EXPECT_FLOAT_EQ(r.gen.params.sampling.temperature, 0.2f);
  EXPECT_FLOAT_EQ(r.gen.params.sampling.top_p, 0.9f);
  EXPECT_EQ(r.gen.params.sampling.seed, 7u);
  EXPECT_EQ(r.gen.params.stop, (std::vector<std::string>{"\n\n", "END"}));
  EXPECT_EQ(r.gen.params.top_logprobs, 3);
  EXPECT_TRUE(r.gen.params.ignore_eos);
  EXPECT_EQ(r.gen.params.min_tokens, 4);
  EXPECT_EQ(r.gen.response_format.type, ResponseFormatType::kJsonObject);
  EXPECT_EQ(r.gen.priority, engine::Priority::kBatch);
  EXPECT_EQ(r.messages[1]["content"], "Hi there");
}

TEST(RequestsTest, ChatErrorsNameTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  const Case cases[] = {
      {R"({"messages": [{"role":"user","content":"x"}], "max_tokens": -1})", "max_tokens"},
      {R"({"messages": [{"role":"user","content":"x"}], "max_tokens": "ten"})", "max_tokens"},
      {R"({"messages": [{"role":"user","content":"x"}], "temperature": 3})", "temperature"},
      {R"({"messages": [{"role":"user","content":"x"}], "stream": "yes"})", "stream"},
      {R"({"messages": [{"role":"user","content":"x"}], "stop": [1]})", "stop"},
      {R"({"messages": [{"role":"user","content":"x"}], "n": 2})", "'n'"},
      {R"({"messages": [{"role":"user","content":"x"}], "top_logprobs": 2})", "top_logprobs"},
      {R"({"messages": [{"role":"user","content":"x"}], "response_format": {"type":"xml"}})",
       "response_format"},
      {R"({"messages": []})", "messages"},
      {R"({"messages": [{"role":"wizard","content":"x"}]})", "role"},
      {R"({"messages": [{"role":"user"}]})", "content"},
      {R"({"model": "m"})", "messages"},
  };
  for (const Case& c : cases) {
    Status s = ChatError(c.body);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s.message();
  }
  EXPECT_EQ(ChatError("{not json").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ChatError("[1,2]").code(), StatusCode::kInvalidArgument);
}

TEST(RequestsTest, CompletionPromptAsTextOrTokens) {
  auto text = ParseCompletionRequest(Json::parse(R"({"prompt": "Once", "logprobs": 2})"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->prompt, "Once");
  EXPECT_EQ(text->gen.params.top_logprobs, 2);
  auto ids = ParseCompletionRequest(Json::parse(R"({"prompt": [1, 403, 407]})"));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->prompt_tokens, (std::vector<int32_t>{1, 403, 407}));
  EXPECT_FALSE(ParseCompletionRequest(Json::parse(R"({"prompt": {"a": 1}})")).ok());
}

TEST(RequestsTest, EmbeddingAndRerankRequests) {
  auto one = ParseEmbeddingRequest(Json::parse(R"({"input": "hello", "model": "bge"})"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->inputs.size(), 1u);
  EXPECT_FALSE(one->was_array);
  auto many = ParseEmbeddingRequest(
      Json::parse(R"({"input": ["a", "b"], "encoding_format": "base64"})"));
  ASSERT_TRUE(many.ok());
  EXPECT_TRUE(many->base64);
  EXPECT_FALSE(ParseEmbeddingRequest(Json::parse(R"({"input": [1]})")).ok());
  EXPECT_FALSE(ParseEmbeddingRequest(Json::parse(R"({"input": "x", "encoding_format": "hex"})")).ok());
  auto rerank = ParseRerankRequest(Json::parse(
      R"({"query": "q", "documents": ["a", {"text": "b"}], "top_n": 1})"));
  ASSERT_TRUE(rerank.ok());
  EXPECT_EQ(rerank->documents, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rerank->top_n, 1u);
  EXPECT_FALSE(ParseRerankRequest(Json::parse(R"({"documents": ["a"]})")).ok());
}

}  // namespace
}  // namespace savoir::server::openai
