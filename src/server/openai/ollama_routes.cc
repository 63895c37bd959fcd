// Ollama's API (/api/chat, /api/generate, /api/embed, /api/tags) over the same models, for the
// many tools that speak only that. Streaming is on by default, as in Ollama, and streams are
// newline-delimited JSON objects.
#include <ctime>

#include <fmt/format.h>

#include "server/error_response.h"
#include "server/openai/completion_sink.h"
#include "server/openai/prompt.h"
#include "server/openai/routes.h"

namespace savoir::server::openai {
namespace {

using Json = nlohmann::ordered_json;
using ResponderPtr = std::shared_ptr<Responder>;

// Reads the Ollama request fields shared by /api/chat and /api/generate into `fields`.
Status ParseOllamaFields(const Json& body, GenerationFields& fields) {
  fields.stream = true;
  if (body.contains("model")) {
    if (!body["model"].is_string()) return InvalidArgumentError("'model' must be a string");
    fields.model = body["model"].get<std::string>();
  }
  if (body.contains("stream")) {
    if (!body["stream"].is_boolean()) return InvalidArgumentError("'stream' must be a boolean");
    fields.stream = body["stream"].get<bool>();
  }
  if (body.contains("format") && !body["format"].is_null()) {
    return UnimplementedError("'format' (JSON output) is not supported yet");
  }
  if (!body.contains("options") || body["options"].is_null()) return OkStatus();
  const Json& o = body["options"];
  if (!o.is_object()) return InvalidArgumentError("'options' must be an object");
  // Ollama's option names mapped onto the OpenAI parser's.
  Json mapped = Json::object();
  for (const auto& [from, to] : {std::pair{"temperature", "temperature"}, {"top_p", "top_p"},
                                 {"top_k", "top_k"}, {"min_p", "min_p"}, {"seed", "seed"},
                                 {"num_predict", "max_tokens"}, {"stop", "stop"},
                                 {"repeat_penalty", "repetition_penalty"},
                                 {"presence_penalty", "presence_penalty"},
                                 {"frequency_penalty", "frequency_penalty"}}) {
    if (o.contains(from)) mapped[to] = o[from];
  }
  // num_predict -1 (Ollama: unlimited) means the rest of the context here.
  if (mapped.contains("max_tokens") && mapped["max_tokens"].is_number_integer() &&
      mapped["max_tokens"].get<int64_t>() < 0) {
    mapped.erase("max_tokens");
  }
  mapped["messages"] = Json::array({{{"role", "user"}, {"content", ""}}});
  SAVOIR_ASSIGN_OR_RETURN(ChatRequest parsed, ParseChatRequest(mapped));
  const std::string model = fields.model;
  const bool stream = fields.stream;
  fields = parsed.gen;
  fields.model = model;
  fields.stream = stream;
  return OkStatus();
}

void OllamaGenerateLike(const ModelRegistry& models, ApiMetrics& metrics, HttpRequest& req,
                        const ResponderPtr& res, bool chat) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return res->Send(ErrorResponse(body.status()));
  GenerationFields fields;
  if (Status s = ParseOllamaFields(*body, fields); !s.ok()) return res->Send(ErrorResponse(s));
  auto model = models.FindChat(fields.model);
  if (!model.ok()) return res->Send(ErrorResponse(model.status()));
  std::string text;
  if (chat) {
    Json request = {{"messages", body->contains("messages") ? (*body)["messages"] : Json()}};
    auto parsed = ParseChatRequest(request);
    if (!parsed.ok()) return res->Send(ErrorResponse(parsed.status()));
    auto rendered = RenderChatPrompt(**model, parsed->messages, nullptr, Json::object());
    if (!rendered.ok()) return res->Send(ErrorResponse(rendered.status()));
    text = *std::move(rendered);
  } else {
    if (!body->contains("prompt") || !(*body)["prompt"].is_string()) {
      return res->Send(ErrorResponse(InvalidArgumentError("'prompt' must be a string")));
    }
    text = (*body)["prompt"].get<std::string>();
    const bool raw = body->value("raw", false);
    if (!raw) {
      Json messages = Json::array();
      if (body->contains("system") && (*body)["system"].is_string()) {
        messages.push_back({{"role", "system"}, {"content", (*body)["system"]}});
      }
      messages.push_back({{"role", "user"}, {"content", text}});
      auto rendered = RenderChatPrompt(**model, messages, nullptr, Json::object());
      if (!rendered.ok()) return res->Send(ErrorResponse(rendered.status()));
      text = *std::move(rendered);
    }
  }
  std::vector<int32_t> prompt = TokenizePrompt(**model, text);
  if (Status s = FinishParams(**model, prompt.size(), req, fields); !s.ok()) {
    return res->Send(ErrorResponse(s));
  }
  SinkOptions o;
  o.format = chat ? WireFormat::kOllamaChat : WireFormat::kOllamaGenerate;
  o.model = (*model)->name;
  o.created = static_cast<int64_t>(std::time(nullptr));
  o.stream = fields.stream;
  o.tokenizer = (*model)->tokenizer;
  o.metrics = &metrics;
  engine::GenerationJob job;
  job.prompt = std::move(prompt);
  job.params = fields.params;
  job.priority = fields.priority;
  job.sink = std::make_shared<CompletionSink>(res, std::move(o));
  if (Status s = (*model)->scheduler->Submit(std::move(job)); !s.ok()) {
    res->Send(ErrorResponse(s));
  }
}

void OllamaEmbed(const ModelRegistry& models, HttpRequest& req, const ResponderPtr& res) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return res->Send(ErrorResponse(body.status()));
  auto embed = ParseEmbeddingRequest(*body);
  if (!embed.ok()) return res->Send(ErrorResponse(embed.status()));
  auto model = models.FindEmbedding(embed->model);
  if (!model.ok()) return res->Send(ErrorResponse(model.status()));
  const std::string name = (*model)->name;
  const auto start = std::chrono::steady_clock::now();
  Status s = (*model)->service->SubmitEmbed(
      std::move(embed->inputs), [res, name, start](StatusOr<engine::EmbedResult> result) {
        if (!result.ok()) return res->Send(ErrorResponse(result.status()));
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
        res->Send(HttpResponse::Json(200, Json{{"model", name},
                                               {"embeddings", result->embeddings},
                                               {"total_duration", ns},
                                               {"prompt_eval_count", result->tokens}}));
      });
  if (!s.ok()) res->Send(ErrorResponse(s));
}

Json Tags(const ModelRegistry& models) {
  Json list = Json::array();
  auto add = [&list](const std::string& name, int64_t created, uint64_t size) {
    std::time_t t = static_cast<std::time_t>(created);
    std::tm tm{};
    gmtime_r(&t, &tm);
    list.push_back({{"name", name},
                    {"model", name},
                    {"modified_at", fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                                tm.tm_hour, tm.tm_min, tm.tm_sec)},
                    {"size", size},
                    {"details", {{"format", "gguf"}}}});
  };
  for (const auto& m : models.chat) add(m.name, m.created, m.size_bytes);
  for (const auto& m : models.embedding) add(m.name, m.created, m.size_bytes);
  return {{"models", list}};
}

}  // namespace

void AddOllamaRoutes(Router& router, const ModelRegistry& models, ApiMetrics& metrics) {
  router.Add("POST", "/api/chat", [&models, &metrics](HttpRequest& req, ResponderPtr res) {
    OllamaGenerateLike(models, metrics, req, res, /*chat=*/true);
  });
  router.Add("POST", "/api/generate", [&models, &metrics](HttpRequest& req, ResponderPtr res) {
    OllamaGenerateLike(models, metrics, req, res, /*chat=*/false);
  });
  router.Add("POST", "/api/embed", [&models](HttpRequest& req, ResponderPtr res) {
    OllamaEmbed(models, req, res);
  });
  router.Add("GET", "/api/tags", [&models](HttpRequest&, ResponderPtr res) {
    res->Send(HttpResponse::Json(200, Tags(models)));
  });
}

}  // namespace savoir::server::openai
