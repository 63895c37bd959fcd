#include "server/openai/routes.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <numeric>

#include "server/error_response.h"
#include "server/openai/completion_sink.h"
#include "server/openai/prompt.h"

namespace savoir::server::openai {
namespace {

using Json = nlohmann::ordered_json;
using ResponderPtr = std::shared_ptr<Responder>;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Submits `prompt` to the model's scheduler; the sink answers from then on.
void Submit(const ChatModel& model, std::vector<int32_t> prompt, const GenerationFields& fields,
            SinkOptions sink_options, const ResponderPtr& responder) {
  engine::GenerationJob job;
  job.prompt = std::move(prompt);
  job.params = fields.params;
  job.priority = fields.priority;
  job.sink = std::make_shared<CompletionSink>(responder, std::move(sink_options));
  if (Status s = model.scheduler->Submit(std::move(job)); !s.ok()) {
    HttpResponse error = ErrorResponse(s);
    if (s.code() == StatusCode::kResourceExhausted) error.headers.Set("Retry-After", "1");
    responder->Send(std::move(error));
  }
}

SinkOptions BaseSinkOptions(const ChatModel& model, const GenerationFields& fields,
                            ApiMetrics& metrics) {
  SinkOptions o;
  o.model = model.name;
  o.created = Now();
  o.stream = fields.stream;
  o.include_usage = fields.include_usage;
  o.logprobs = fields.logprobs;
  o.tokenizer = model.tokenizer;
  o.metrics = &metrics;
  return o;
}

void ChatCompletions(const ModelRegistry& models, ApiMetrics& metrics, HttpRequest& req,
                     const ResponderPtr& res) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return res->Send(ErrorResponse(body.status()));
  auto chat = ParseChatRequest(*body);
  if (!chat.ok()) return res->Send(ErrorResponse(chat.status()));
  auto model = models.FindChat(chat->gen.model);
  if (!model.ok()) return res->Send(ErrorResponse(model.status()));
  auto text = RenderChatPrompt(**model, chat->messages, chat->tools, chat->template_kwargs);
  if (!text.ok()) return res->Send(ErrorResponse(text.status()));
  std::vector<int32_t> prompt = TokenizePrompt(**model, *text);
  if (Status s = FinishParams(**model, prompt.size(), req, chat->gen); !s.ok()) {
    return res->Send(ErrorResponse(s));
  }
  SinkOptions o = BaseSinkOptions(**model, chat->gen, metrics);
  o.format = WireFormat::kOpenAiChat;
  o.id = ResponseId("chatcmpl-", req);
  Submit(**model, std::move(prompt), chat->gen, std::move(o), res);
}

void Completions(const ModelRegistry& models, ApiMetrics& metrics, HttpRequest& req,
                 const ResponderPtr& res) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return res->Send(ErrorResponse(body.status()));
  auto completion = ParseCompletionRequest(*body);
  if (!completion.ok()) return res->Send(ErrorResponse(completion.status()));
  auto model = models.FindChat(completion->gen.model);
  if (!model.ok()) return res->Send(ErrorResponse(model.status()));
  std::vector<int32_t> prompt = completion->prompt_tokens;
  if (prompt.empty()) {
    prompt = (*model)->tokenizer->Tokenize(completion->prompt,
                                           {.add_special = true, .parse_special = true});
  }
  if (Status s = FinishParams(**model, prompt.size(), req, completion->gen); !s.ok()) {
    return res->Send(ErrorResponse(s));
  }
  SinkOptions o = BaseSinkOptions(**model, completion->gen, metrics);
  o.format = WireFormat::kOpenAiCompletion;
  o.id = ResponseId("cmpl-", req);
  if (completion->echo) o.echo_prefix = completion->prompt;
  Submit(**model, std::move(prompt), completion->gen, std::move(o), res);
}

Json ModelList(const ModelRegistry& models) {
  Json data = Json::array();
  auto add = [&data](const std::string& name, int64_t created) {
    data.push_back({{"id", name}, {"object", "model"}, {"created", created}, {"owned_by", "savoir"}});
  };
  for (const auto& m : models.chat) add(m.name, m.created);
  for (const auto& m : models.embedding) add(m.name, m.created);
  for (const auto& m : models.rerank) add(m.name, m.created);
  return {{"object", "list"}, {"data", data}};
}

std::string Base64(const std::vector<float>& v) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  const size_t n = v.size() * sizeof(float);
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t chunk = static_cast<uint32_t>(bytes[i]) << 16;
    if (i + 1 < n) chunk |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < n) chunk |= bytes[i + 2];
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

void Embeddings(const ModelRegistry& models, HttpRequest& req, const ResponderPtr& res) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return res->Send(ErrorResponse(body.status()));
  auto embed = ParseEmbeddingRequest(*body);
  if (!embed.ok()) return res->Send(ErrorResponse(embed.status()));
  auto model = models.FindEmbedding(embed->model);
  if (!model.ok()) return res->Send(ErrorResponse(model.status()));
  const std::string name = (*model)->name;
  const bool base64 = embed->base64;
  Status s = (*model)->service->SubmitEmbed(
      std::move(embed->inputs), [res, name, base64](StatusOr<engine::EmbedResult> result) {
        if (!result.ok()) return res->Send(ErrorResponse(result.status()));
        Json data = Json::array();
        for (size_t i = 0; i < result->embeddings.size(); ++i) {
          Json e = base64 ? Json(Base64(result->embeddings[i])) : Json(result->embeddings[i]);
          data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", e}});
        }
        res->Send(HttpResponse::Json(
            200, Json{{"object", "list"},
                      {"data", data},
                      {"model", name},
                      {"usage", {{"prompt_tokens", result->tokens}, {"total_tokens", result->tokens}}}}));
      });
  if (!s.ok()) res->Send(ErrorResponse(s));
}

void Rerank(const ModelRegistry& models, HttpRequest& req, const ResponderPtr& res) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return res->Send(ErrorResponse(body.status()));
  auto rerank = ParseRerankRequest(*body);
  if (!rerank.ok()) return res->Send(ErrorResponse(rerank.status()));
  auto model = models.FindRerank(rerank->model);
  if (!model.ok()) return res->Send(ErrorResponse(model.status()));
  auto docs = rerank->documents;
  const std::string name = (*model)->name;
  const auto top_n = rerank->top_n;
  const bool return_documents = rerank->return_documents;
  Status s = (*model)->service->SubmitRerank(
      rerank->query, rerank->documents,
      [res, name, docs, top_n, return_documents](StatusOr<engine::RerankResult> result) {
        if (!result.ok()) return res->Send(ErrorResponse(result.status()));
        std::vector<size_t> order(result->scores.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          return result->scores[a] > result->scores[b];
        });
        if (top_n && *top_n < order.size()) order.resize(*top_n);
        Json results = Json::array();
        for (size_t i : order) {
          Json r = {{"index", i}, {"relevance_score", result->scores[i]}};
          if (return_documents) r["document"] = {{"text", docs[i]}};
          results.push_back(r);
        }
        res->Send(HttpResponse::Json(200, Json{{"model", name},
                                               {"results", results},
                                               {"usage", {{"total_tokens", result->tokens}}}}));
      });
  if (!s.ok()) res->Send(ErrorResponse(s));
}

}  // namespace

void AddOllamaRoutes(Router& router, const ModelRegistry& models, ApiMetrics& metrics);

void AddModelRoutes(Router& router, const ModelRegistry& models, ApiMetrics& metrics) {
  router.Add("POST", "/v1/chat/completions", [&models, &metrics](HttpRequest& req, ResponderPtr res) {
    ChatCompletions(models, metrics, req, res);
  });
  router.Add("POST", "/v1/completions", [&models, &metrics](HttpRequest& req, ResponderPtr res) {
    Completions(models, metrics, req, res);
  });
  router.Add("GET", "/v1/models", [&models](HttpRequest&, ResponderPtr res) {
    res->Send(HttpResponse::Json(200, ModelList(models)));
  });
  router.Add("POST", "/v1/embeddings", [&models](HttpRequest& req, ResponderPtr res) {
    Embeddings(models, req, res);
  });
  for (const char* path : {"/v1/rerank", "/rerank"}) {
    router.Add("POST", path, [&models](HttpRequest& req, ResponderPtr res) { Rerank(models, req, res); });
  }
  AddOllamaRoutes(router, models, metrics);
}

}  // namespace savoir::server::openai
