#include "server/openai/completion_sink.h"

#include <ctime>

#include <fmt/format.h>

#include "server/error_response.h"

namespace savoir::server::openai {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

bool IsOllama(WireFormat f) {
  return f == WireFormat::kOllamaChat || f == WireFormat::kOllamaGenerate;
}

std::string IsoTimeNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int64_t Nanos(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

Json Bytes(const std::string& s) {
  Json out = Json::array();
  for (unsigned char c : s) out.push_back(static_cast<int>(c));
  return out;
}

}  // namespace

const char* FinishReasonName(engine::FinishReason reason) {
  switch (reason) {
    case engine::FinishReason::kStop: return "stop";
    case engine::FinishReason::kLength: return "length";
    case engine::FinishReason::kCancelled: return "cancelled";
  }
  return "stop";
}

CompletionSink::CompletionSink(std::shared_ptr<Responder> responder, SinkOptions options)
    : responder_(std::move(responder)), options_(std::move(options)) {}

void CompletionSink::EnsureStreamStarted() {
  if (stream_started_) return;
  stream_started_ = true;
  const bool ollama = IsOllama(options_.format);
  responder_->StartStream(200, ollama ? "application/x-ndjson" : "text/event-stream");
  if (!options_.echo_prefix.empty()) {
    WriteEvent(ChunkFor(options_.echo_prefix, nullptr, nullptr));
  }
}

void CompletionSink::WriteEvent(const Json& payload) {
  const std::string body = payload.dump(-1, ' ', false, Json::error_handler_t::replace);
  responder_->Write(IsOllama(options_.format) ? body + "\n" : "data: " + body + "\n\n");
}

Json CompletionSink::LogprobEntry(const engine::TokenEvent& event) const {
  auto piece = [this](int32_t id) {
    return std::string(options_.tokenizer->TokenToPiece(id, /*render_special=*/true));
  };
  Json top = Json::array();
  for (const auto& t : event.top_logprobs) {
    top.push_back({{"token", piece(t.id)}, {"logprob", t.logprob}, {"bytes", Bytes(piece(t.id))}});
  }
  return {{"token", piece(event.token)},
          {"logprob", event.logprob},
          {"bytes", Bytes(piece(event.token))},
          {"top_logprobs", top}};
}

Json CompletionSink::ChunkFor(const std::string& text, const engine::TokenEvent* token,
                              const char* finish_reason) const {
  const Json finish = finish_reason != nullptr ? Json(finish_reason) : Json(nullptr);
  switch (options_.format) {
    case WireFormat::kOpenAiChat: {
      Json delta = Json::object();
      if (!sent_role_) delta["role"] = "assistant";
      if (finish_reason == nullptr) delta["content"] = text;
      Json logprobs = nullptr;
      if (options_.logprobs && token != nullptr) {
        logprobs = {{"content", Json::array({LogprobEntry(*token)})}};
      }
      Json chunk = {{"id", options_.id},
                    {"object", "chat.completion.chunk"},
                    {"created", options_.created},
                    {"model", options_.model},
                    {"choices", Json::array({{{"index", 0},
                                              {"delta", delta},
                                              {"logprobs", logprobs},
                                              {"finish_reason", finish}}})}};
      if (options_.include_usage) chunk["usage"] = nullptr;
      return chunk;
    }
    case WireFormat::kOpenAiCompletion: {
      Json logprobs = nullptr;
      if (options_.logprobs && token != nullptr) {
        Json top = Json::object();
        for (const auto& t : token->top_logprobs) {
          top[std::string(options_.tokenizer->TokenToPiece(t.id, true))] = t.logprob;
        }
        logprobs = {{"tokens", {std::string(options_.tokenizer->TokenToPiece(token->token, true))}},
                    {"token_logprobs", {token->logprob}},
                    {"top_logprobs", Json::array({top})},
                    {"text_offset", {static_cast<int64_t>(text_.size())}}};
      }
      Json chunk = {{"id", options_.id},
                    {"object", "text_completion"},
                    {"created", options_.created},
                    {"model", options_.model},
                    {"choices", Json::array({{{"index", 0},
                                              {"text", text},
                                              {"logprobs", logprobs},
                                              {"finish_reason", finish}}})}};
      if (options_.include_usage) chunk["usage"] = nullptr;
      return chunk;
    }
    case WireFormat::kOllamaChat:
      return {{"model", options_.model},
              {"created_at", IsoTimeNow()},
              {"message", {{"role", "assistant"}, {"content", text}}},
              {"done", false}};
    case WireFormat::kOllamaGenerate:
      return {{"model", options_.model},
              {"created_at", IsoTimeNow()},
              {"response", text},
              {"done", false}};
  }
  return Json::object();
}

void CompletionSink::OnToken(const engine::TokenEvent& event) {
  const auto now = Clock::now();
  ApiMetrics* m = options_.metrics;
  if (m != nullptr) {
    if (tokens_ == 0) {
      m->time_to_first_token->Observe({options_.model},
                                      std::chrono::duration<double>(now - options_.started).count());
    } else {
      m->inter_token_latency->Observe({options_.model},
                                      std::chrono::duration<double>(now - last_token_).count());
    }
  }
  last_token_ = now;
  ++tokens_;
  if (options_.logprobs && options_.format == WireFormat::kOpenAiChat) {
    logprobs_.push_back(LogprobEntry(event));
  }
  if (!options_.stream) {
    text_ += event.text;
    return;
  }
  // Chunks carry text; with logprobs every token gets its own chunk even when it completes no
  // character yet.
  if (event.text.empty() && !options_.logprobs) return;
  EnsureStreamStarted();
  WriteEvent(ChunkFor(event.text, &event, nullptr));
  sent_role_ = true;
  text_ += event.text;
}

Json CompletionSink::Usage(const engine::FinishEvent& e) const {
  return {{"prompt_tokens", e.prompt_tokens},
          {"completion_tokens", e.completion_tokens},
          {"total_tokens", e.prompt_tokens + e.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", e.cached_prompt_tokens}}}};
}

Json CompletionSink::FinalResponse(const engine::FinishEvent& e) const {
  const std::string text = text_ + e.tail_text;
  switch (options_.format) {
    case WireFormat::kOpenAiChat:
      return {{"id", options_.id},
              {"object", "chat.completion"},
              {"created", options_.created},
              {"model", options_.model},
              {"choices", Json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", text}}},
                                        {"logprobs", options_.logprobs
                                                         ? Json{{"content", logprobs_}}
                                                         : Json(nullptr)},
                                        {"finish_reason", FinishReasonName(e.reason)}}})},
              {"usage", Usage(e)}};
    case WireFormat::kOpenAiCompletion:
      return {{"id", options_.id},
              {"object", "text_completion"},
              {"created", options_.created},
              {"model", options_.model},
              {"choices", Json::array({{{"index", 0},
                                        {"text", options_.echo_prefix + text},
                                        {"logprobs", nullptr},
                                        {"finish_reason", FinishReasonName(e.reason)}}})},
              {"usage", Usage(e)}};
    case WireFormat::kOllamaChat:
    case WireFormat::kOllamaGenerate: {
      const double total = std::chrono::duration<double>(Clock::now() - options_.started).count();
      Json out = {{"model", options_.model}, {"created_at", IsoTimeNow()}};
      if (options_.format == WireFormat::kOllamaChat) {
        out["message"] = {{"role", "assistant"}, {"content", options_.stream ? "" : text}};
      } else {
        out["response"] = options_.stream ? "" : text;
      }
      out["done"] = true;
      out["done_reason"] = FinishReasonName(e.reason);
      out["total_duration"] = Nanos(total);
      out["load_duration"] = 0;
      out["prompt_eval_count"] = e.prompt_tokens;
      out["prompt_eval_duration"] = Nanos(e.first_token_seconds - e.queue_seconds);
      out["eval_count"] = e.completion_tokens;
      out["eval_duration"] = Nanos(total - e.first_token_seconds);
      return out;
    }
  }
  return Json::object();
}

void CompletionSink::OnFinish(const engine::FinishEvent& e) {
  if (ApiMetrics* m = options_.metrics) {
    m->prompt_tokens->Add({options_.model}, e.prompt_tokens);
    m->generated_tokens->Add({options_.model}, e.completion_tokens);
    m->finished->Add({options_.model, FinishReasonName(e.reason)});
  }
  if (e.reason == engine::FinishReason::kCancelled) return;  // nobody is listening
  if (!options_.stream) {
    responder_->Send(HttpResponse::Json(200, FinalResponse(e)));
    return;
  }
  EnsureStreamStarted();
  if (IsOllama(options_.format)) {
    if (!e.tail_text.empty()) WriteEvent(ChunkFor(e.tail_text, nullptr, nullptr));
    WriteEvent(FinalResponse(e));
  } else {
    if (!e.tail_text.empty()) {
      WriteEvent(ChunkFor(e.tail_text, nullptr, nullptr));
      sent_role_ = true;
    }
    WriteEvent(ChunkFor("", nullptr, FinishReasonName(e.reason)));
    if (options_.include_usage) {
      Json usage = ChunkFor("", nullptr, nullptr);
      usage["choices"] = Json::array();
      usage["usage"] = Usage(e);
      WriteEvent(usage);
    }
    responder_->Write("data: [DONE]\n\n");
  }
  responder_->End();
}

void CompletionSink::OnError(const Status& status) {
  if (!stream_started_) {
    responder_->Send(ErrorResponse(status));
    return;
  }
  // Mid-stream the status line is gone: report the error in-band, then end the stream.
  HttpResponse error = ErrorResponse(status);
  Json body = Json::parse(error.body, nullptr, false);
  if (IsOllama(options_.format)) {
    WriteEvent({{"error", status.message()}});
  } else {
    WriteEvent(body.is_discarded() ? Json{{"error", {{"message", status.message()}}}} : body);
  }
  responder_->End();
}

}  // namespace savoir::server::openai
