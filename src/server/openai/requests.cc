#include "server/openai/requests.h"

#include <cmath>
#include <limits>

namespace savoir::server::openai {
namespace {

using Json = nlohmann::ordered_json;

// Typed access to optional fields of a JSON object, with errors naming the field.
class Fields {
 public:
  explicit Fields(const Json& object) : j_(object) {}

  const Json* Find(std::string_view key) const {
    auto it = j_.find(std::string(key));
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }

  Status String(std::string_view key, std::string& out, bool required = false) const {
    const Json* v = Find(key);
    if (v == nullptr) {
      return required ? InvalidArgumentError("'{}' is required", key) : OkStatus();
    }
    if (!v->is_string()) return InvalidArgumentError("'{}' must be a string", key);
    out = v->get<std::string>();
    return OkStatus();
  }

  Status Bool(std::string_view key, bool& out) const {
    const Json* v = Find(key);
    if (v == nullptr) return OkStatus();
    if (!v->is_boolean()) return InvalidArgumentError("'{}' must be a boolean", key);
    out = v->get<bool>();
    return OkStatus();
  }

  // Returns whether the field was present.
  StatusOr<bool> Int(std::string_view key, int64_t min, int64_t max, int64_t& out) const {
    const Json* v = Find(key);
    if (v == nullptr) return false;
    bool integral = v->is_number_integer() ||
                    (v->is_number_float() && std::trunc(v->get<double>()) == v->get<double>());
    if (!integral || v->get<double>() < static_cast<double>(min) ||
        v->get<double>() > static_cast<double>(max)) {
      return InvalidArgumentError("'{}' must be an integer from {} to {}, got {}", key, min, max,
                                  v->dump());
    }
    out = v->is_number_integer() ? v->get<int64_t>() : static_cast<int64_t>(v->get<double>());
    return true;
  }

  Status Number(std::string_view key, double min, double max, float& out) const {
    const Json* v = Find(key);
    if (v == nullptr) return OkStatus();
    if (!v->is_number() || v->get<double>() < min || v->get<double>() > max) {
      return InvalidArgumentError("'{}' must be a number from {} to {}, got {}", key, min, max,
                                  v->dump());
    }
    out = static_cast<float>(v->get<double>());
    return OkStatus();
  }

 private:
  const Json& j_;
};

Status ParseStop(const Fields& f, std::vector<std::string>& stop) {
  const Json* v = f.Find("stop");
  if (v == nullptr) return OkStatus();
  if (v->is_string()) {
    stop.push_back(v->get<std::string>());
    return OkStatus();
  }
  if (!v->is_array() || v->size() > 16) {
    return InvalidArgumentError("'stop' must be a string or an array of at most 16 strings");
  }
  for (const Json& s : *v) {
    if (!s.is_string()) return InvalidArgumentError("'stop' must contain only strings");
    stop.push_back(s.get<std::string>());
  }
  return OkStatus();
}

Status ParseResponseFormat(const Fields& f, ResponseFormat& out) {
  const Json* v = f.Find("response_format");
  if (v == nullptr) return OkStatus();
  if (!v->is_object() || !v->contains("type") || !(*v)["type"].is_string()) {
    return InvalidArgumentError("'response_format' must be an object with a string 'type'");
  }
  const std::string type = (*v)["type"].get<std::string>();
  if (type == "text") return OkStatus();
  if (type == "json_object") {
    out.type = ResponseFormatType::kJsonObject;
    return OkStatus();
  }
  if (type == "json_schema") {
    const Json* spec = v->contains("json_schema") ? &(*v)["json_schema"] : nullptr;
    if (spec == nullptr || !spec->is_object() || !spec->contains("schema") ||
        !(*spec)["schema"].is_object()) {
      return InvalidArgumentError("'response_format.json_schema.schema' must be an object");
    }
    out.type = ResponseFormatType::kJsonSchema;
    out.schema = (*spec)["schema"];
    return OkStatus();
  }
  return InvalidArgumentError("'response_format.type' must be text, json_object or json_schema");
}

Status ParsePriority(const Fields& f, engine::Priority& out) {
  const Json* v = f.Find("priority");
  if (v == nullptr) return OkStatus();
  if (v->is_string()) {
    const std::string p = v->get<std::string>();
    if (p == "interactive" || p == "high") {
      out = engine::Priority::kInteractive;
    } else if (p == "batch" || p == "background" || p == "low") {
      out = engine::Priority::kBatch;
    } else {
      return InvalidArgumentError("'priority' must be interactive or batch");
    }
    return OkStatus();
  }
  // vLLM's convention: an integer, lower is more urgent.
  if (v->is_number_integer()) {
    out = v->get<int64_t>() > 0 ? engine::Priority::kBatch : engine::Priority::kInteractive;
    return OkStatus();
  }
  return InvalidArgumentError("'priority' must be a string or an integer");
}

Status ParseGenerationFields(const Json& body, GenerationFields& g) {
  Fields f(body);
  SAVOIR_RETURN_IF_ERROR(f.String("model", g.model));
  SAVOIR_RETURN_IF_ERROR(f.Bool("stream", g.stream));
  if (const Json* so = f.Find("stream_options")) {
    if (!so->is_object()) return InvalidArgumentError("'stream_options' must be an object");
    SAVOIR_RETURN_IF_ERROR(Fields(*so).Bool("include_usage", g.include_usage));
  }
  int64_t v = 0;
  auto& p = g.params;
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    SAVOIR_ASSIGN_OR_RETURN(bool given, f.Int(key, 1, 1 << 24, v));
    if (given) {
      p.max_tokens = static_cast<int>(v);
      g.max_tokens_given = true;
    }
  }
  SAVOIR_ASSIGN_OR_RETURN(bool has_min, f.Int("min_tokens", 0, 1 << 24, v));
  if (has_min) p.min_tokens = static_cast<int>(v);
  SAVOIR_ASSIGN_OR_RETURN(bool has_n, f.Int("n", 1, 1, v));
  (void)has_n;
  SAVOIR_RETURN_IF_ERROR(f.Number("temperature", 0.0, 2.0, p.sampling.temperature));
  SAVOIR_RETURN_IF_ERROR(f.Number("top_p", 0.0, 1.0, p.sampling.top_p));
  if (p.sampling.top_p <= 0.0f) return InvalidArgumentError("'top_p' must be greater than 0");
  SAVOIR_RETURN_IF_ERROR(f.Number("min_p", 0.0, 1.0, p.sampling.min_p));
  SAVOIR_ASSIGN_OR_RETURN(bool has_top_k, f.Int("top_k", -1, 1 << 20, v));
  if (has_top_k) p.sampling.top_k = static_cast<int>(v);
  SAVOIR_RETURN_IF_ERROR(f.Number("presence_penalty", -2.0, 2.0, p.sampling.presence_penalty));
  SAVOIR_RETURN_IF_ERROR(f.Number("frequency_penalty", -2.0, 2.0, p.sampling.frequency_penalty));
  SAVOIR_RETURN_IF_ERROR(f.Number("repetition_penalty", 0.01, 10.0, p.sampling.repetition_penalty));
  SAVOIR_ASSIGN_OR_RETURN(bool has_seed, f.Int("seed", std::numeric_limits<int64_t>::min(),
                                               std::numeric_limits<int64_t>::max(), v));
  if (has_seed) p.sampling.seed = static_cast<uint64_t>(v);
  SAVOIR_RETURN_IF_ERROR(ParseStop(f, p.stop));
  SAVOIR_RETURN_IF_ERROR(f.Bool("ignore_eos", p.ignore_eos));
  SAVOIR_RETURN_IF_ERROR(ParseResponseFormat(f, g.response_format));
  SAVOIR_RETURN_IF_ERROR(ParsePriority(f, g.priority));
  float timeout = 0.0f;
  SAVOIR_RETURN_IF_ERROR(f.Number("timeout", 0.001, 86400.0, timeout));
  if (timeout > 0.0f) g.timeout_seconds = timeout;
  return OkStatus();
}

Status ValidateMessages(const Json& messages) {
  if (!messages.is_array() || messages.empty()) {
    return InvalidArgumentError("'messages' must be a non-empty array");
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    if (!m.is_object()) return InvalidArgumentError("'messages[{}]' must be an object", i);
    if (!m.contains("role") || !m["role"].is_string()) {
      return InvalidArgumentError("'messages[{}].role' must be a string", i);
    }
    const std::string role = m["role"].get<std::string>();
    if (role != "system" && role != "user" && role != "assistant" && role != "tool" &&
        role != "developer") {
      return InvalidArgumentError(
          "'messages[{}].role' must be system, developer, user, assistant or tool", i);
    }
    const bool has_content = m.contains("content") && !m["content"].is_null();
    if (has_content && !m["content"].is_string() && !m["content"].is_array()) {
      return InvalidArgumentError("'messages[{}].content' must be a string or an array", i);
    }
    if (!has_content && !(role == "assistant" && m.contains("tool_calls"))) {
      return InvalidArgumentError("'messages[{}].content' is required", i);
    }
  }
  return OkStatus();
}

// Flattens content parts [{type: text, text}] into one string, as text-only models expect.
Json NormalizeMessages(const Json& messages) {
  Json out = messages;
  for (Json& m : out) {
    if (!m.contains("content") || !m["content"].is_array()) continue;
    std::string text;
    for (const Json& part : m["content"]) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        text += part["text"].get<std::string>();
      }
    }
    m["content"] = text;
  }
  return out;
}

}  // namespace

StatusOr<Json> ParseJsonBody(std::string_view body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
  if (!j.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  return j;
}

StatusOr<ChatRequest> ParseChatRequest(const Json& body) {
  ChatRequest r;
  SAVOIR_RETURN_IF_ERROR(ParseGenerationFields(body, r.gen));
  Fields f(body);
  SAVOIR_RETURN_IF_ERROR(f.Bool("logprobs", r.gen.logprobs));
  int64_t v = 0;
  SAVOIR_ASSIGN_OR_RETURN(bool has_top, f.Int("top_logprobs", 0, 20, v));
  if (has_top) {
    if (!r.gen.logprobs) return InvalidArgumentError("'top_logprobs' requires 'logprobs': true");
    r.gen.top_logprobs = static_cast<int>(v);
  }
  r.gen.params.top_logprobs = r.gen.logprobs ? r.gen.top_logprobs : -1;
  const Json* messages = f.Find("messages");
  if (messages == nullptr) return InvalidArgumentError("'messages' is required");
  SAVOIR_RETURN_IF_ERROR(ValidateMessages(*messages));
  r.messages = NormalizeMessages(*messages);
  if (const Json* tools = f.Find("tools")) {
    if (!tools->is_array()) return InvalidArgumentError("'tools' must be an array");
    r.tools = *tools;
  }
  if (const Json* kwargs = f.Find("chat_template_kwargs")) {
    if (!kwargs->is_object()) return InvalidArgumentError("'chat_template_kwargs' must be an object");
    r.template_kwargs = *kwargs;
  }
  return r;
}

StatusOr<CompletionRequest> ParseCompletionRequest(const Json& body) {
  CompletionRequest r;
  SAVOIR_RETURN_IF_ERROR(ParseGenerationFields(body, r.gen));
  Fields f(body);
  int64_t v = 0;
  SAVOIR_ASSIGN_OR_RETURN(bool has_logprobs, f.Int("logprobs", 0, 20, v));
  if (has_logprobs) {
    r.gen.logprobs = true;
    r.gen.top_logprobs = static_cast<int>(v);
  }
  r.gen.params.top_logprobs = r.gen.logprobs ? r.gen.top_logprobs : -1;
  SAVOIR_RETURN_IF_ERROR(f.Bool("echo", r.echo));
  const Json* prompt = f.Find("prompt");
  if (prompt == nullptr) return InvalidArgumentError("'prompt' is required");
  if (prompt->is_string()) {
    r.prompt = prompt->get<std::string>();
  } else if (prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string()) {
    r.prompt = (*prompt)[0].get<std::string>();
  } else if (prompt->is_array() && !prompt->empty() && (*prompt)[0].is_number_integer()) {
    for (const Json& id : *prompt) {
      if (!id.is_number_integer()) return InvalidArgumentError("'prompt' token ids must be integers");
      r.prompt_tokens.push_back(id.get<int32_t>());
    }
  } else {
    return InvalidArgumentError("'prompt' must be a string or an array of token ids");
  }
  return r;
}

StatusOr<EmbeddingRequest> ParseEmbeddingRequest(const Json& body) {
  EmbeddingRequest r;
  Fields f(body);
  SAVOIR_RETURN_IF_ERROR(f.String("model", r.model));
  std::string format = "float";
  SAVOIR_RETURN_IF_ERROR(f.String("encoding_format", format));
  if (format != "float" && format != "base64") {
    return InvalidArgumentError("'encoding_format' must be float or base64");
  }
  r.base64 = format == "base64";
  const Json* input = f.Find("input");
  if (input == nullptr) return InvalidArgumentError("'input' is required");
  if (input->is_string()) {
    r.inputs.push_back(input->get<std::string>());
  } else if (input->is_array() && !input->empty()) {
    r.was_array = true;
    for (const Json& s : *input) {
      if (!s.is_string()) return InvalidArgumentError("'input' must be a string or an array of strings");
      r.inputs.push_back(s.get<std::string>());
    }
  } else {
    return InvalidArgumentError("'input' must be a string or a non-empty array of strings");
  }
  return r;
}

StatusOr<RerankRequest> ParseRerankRequest(const Json& body) {
  RerankRequest r;
  Fields f(body);
  SAVOIR_RETURN_IF_ERROR(f.String("model", r.model));
  SAVOIR_RETURN_IF_ERROR(f.String("query", r.query, /*required=*/true));
  SAVOIR_RETURN_IF_ERROR(f.Bool("return_documents", r.return_documents));
  int64_t v = 0;
  SAVOIR_ASSIGN_OR_RETURN(bool has_top, f.Int("top_n", 1, 1 << 20, v));
  if (has_top) r.top_n = static_cast<size_t>(v);
  const Json* docs = f.Find("documents");
  if (docs == nullptr || !docs->is_array() || docs->empty()) {
    return InvalidArgumentError("'documents' must be a non-empty array");
  }
  for (const Json& d : *docs) {
    // Jina/Cohere clients send strings or {"text": ...} objects.
    if (d.is_string()) {
      r.documents.push_back(d.get<std::string>());
    } else if (d.is_object() && d.contains("text") && d["text"].is_string()) {
      r.documents.push_back(d["text"].get<std::string>());
    } else {
      return InvalidArgumentError("'documents' must contain strings or objects with 'text'");
    }
  }
  return r;
}

}  // namespace savoir::server::openai
