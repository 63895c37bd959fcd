// Streams a generation job's output to an HTTP client in the API's wire format.
//
// CompletionSink is the engine::GenerationSink of one API request. Depending on its Format it
// writes OpenAI chat-completion chunks, OpenAI text-completion chunks (both as Server-Sent
// Events, ending with `data: [DONE]`), or Ollama's newline-delimited JSON; without streaming it
// collects the text and sends one response at the end. The stream is started lazily by the
// first event, so everything the client sees is written from the scheduler thread in order.
// A client that disconnects is reported through Cancelled(), which makes the scheduler free
// the sequence at its next step.
//
// Thread safety: the engine calls it from the scheduler thread only; the Responder is
// thread-safe.
#ifndef SAVOIR_SERVER_OPENAI_COMPLETION_SINK_H_
#define SAVOIR_SERVER_OPENAI_COMPLETION_SINK_H_

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/serving/scheduler.h"
#include "engine/tokenizer/tokenizer.h"
#include "server/http_message.h"
#include "server/openai/api_metrics.h"

namespace savoir::server::openai {

enum class WireFormat { kOpenAiChat, kOpenAiCompletion, kOllamaChat, kOllamaGenerate };

struct SinkOptions {
  WireFormat format = WireFormat::kOpenAiChat;
  std::string id;     // "chatcmpl-…"
  std::string model;  // name echoed back
  int64_t created = 0;
  bool stream = false;
  bool include_usage = false;
  bool logprobs = false;
  std::string echo_prefix;  // completions with echo: the prompt text
  const engine::Tokenizer* tokenizer = nullptr;  // for logprob token strings
  ApiMetrics* metrics = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

class CompletionSink : public engine::GenerationSink {
 public:
  CompletionSink(std::shared_ptr<Responder> responder, SinkOptions options);

  void OnToken(const engine::TokenEvent& event) override;
  void OnFinish(const engine::FinishEvent& event) override;
  void OnError(const Status& status) override;
  bool Cancelled() const override { return responder_->Disconnected(); }

 private:
  void EnsureStreamStarted();
  void WriteEvent(const nlohmann::ordered_json& payload);
  nlohmann::ordered_json ChunkFor(const std::string& text, const engine::TokenEvent* token,
                                  const char* finish_reason) const;
  nlohmann::ordered_json FinalResponse(const engine::FinishEvent& event) const;
  nlohmann::ordered_json Usage(const engine::FinishEvent& event) const;
  nlohmann::ordered_json LogprobEntry(const engine::TokenEvent& event) const;

  std::shared_ptr<Responder> responder_;
  SinkOptions options_;
  bool stream_started_ = false;
  bool sent_role_ = false;
  std::string text_;  // all text so far (non-streaming responses)
  nlohmann::ordered_json logprobs_ = nlohmann::ordered_json::array();
  std::chrono::steady_clock::time_point last_token_;
  int tokens_ = 0;
};

// OpenAI's finish_reason for an engine finish ("stop", "length").
const char* FinishReasonName(engine::FinishReason reason);

}  // namespace savoir::server::openai

#endif  // SAVOIR_SERVER_OPENAI_COMPLETION_SINK_H_
