// Typed OpenAI-compatible requests, parsed and validated from JSON bodies.
//
// The HTTP handlers turn a body into one of these structs and never pass JSON further in. The
// parsers follow what the official clients send: unknown fields are ignored (clients add
// fields over time), while a known field of the wrong type or out of range is an
// INVALID_ARGUMENT error whose message names the field ("max_tokens must be a positive
// integer"), which the server maps to OpenAI's 400 error with `param` set.
//
// Thread safety: pure functions.
#ifndef SAVOIR_SERVER_OPENAI_REQUESTS_H_
#define SAVOIR_SERVER_OPENAI_REQUESTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "engine/serving/scheduler.h"

namespace savoir::server::openai {

enum class ResponseFormatType { kText, kJsonObject, kJsonSchema };

struct ResponseFormat {
  ResponseFormatType type = ResponseFormatType::kText;
  nlohmann::ordered_json schema;  // for kJsonSchema
};

// Fields shared by chat and text completions.
struct GenerationFields {
  std::string model;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  engine::GenerationParams params;
  bool logprobs = false;
  int top_logprobs = 0;
  ResponseFormat response_format;
  engine::Priority priority = engine::Priority::kInteractive;
  std::optional<double> timeout_seconds;  // savoir extension: per-request time limit
  bool max_tokens_given = false;
};

struct ChatRequest {
  GenerationFields gen;
  nlohmann::ordered_json messages;  // validated array of {role, content, ...}
  nlohmann::ordered_json tools;     // null when absent
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
};

struct CompletionRequest {
  GenerationFields gen;
  std::string prompt;                  // when given as text
  std::vector<int32_t> prompt_tokens;  // when given as token ids
  bool echo = false;
};

struct EmbeddingRequest {
  std::string model;
  std::vector<std::string> inputs;
  bool base64 = false;  // encoding_format
  bool was_array = false;
};

struct RerankRequest {
  std::string model;
  std::string query;
  std::vector<std::string> documents;
  std::optional<size_t> top_n;
  bool return_documents = true;
};

// Parses the JSON text of a request body; INVALID_ARGUMENT for malformed JSON or fields.
StatusOr<nlohmann::ordered_json> ParseJsonBody(std::string_view body);

StatusOr<ChatRequest> ParseChatRequest(const nlohmann::ordered_json& body);
StatusOr<CompletionRequest> ParseCompletionRequest(const nlohmann::ordered_json& body);
StatusOr<EmbeddingRequest> ParseEmbeddingRequest(const nlohmann::ordered_json& body);
StatusOr<RerankRequest> ParseRerankRequest(const nlohmann::ordered_json& body);

}  // namespace savoir::server::openai

#endif  // SAVOIR_SERVER_OPENAI_REQUESTS_H_
