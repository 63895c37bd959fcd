// libFuzzer target: arbitrary bytes through the server's request path.
//
// The input plays a client's byte stream, cut into pieces the way socket reads would cut it.
// Each request goes through RequestReader (framing, limits, target parsing) exactly as in
// Connection, is routed (path parameters, body limits), handled by a small echo handler and
// serialised; failures become protocol error responses. Several pipelined requests are
// processed per input. The target must never crash, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/error_response.h"
#include "server/request_id.h"
#include "server/request_reader.h"
#include "server/response_writer.h"
#include "server/router.h"

namespace savoir::server {
namespace {

// Captures the answer of a handler run synchronously.
class SinkResponder : public Responder {
 public:
  void Send(HttpResponse response) override { response_ = std::move(response); }
  bool StartStream(int, std::string, Headers) override { return false; }
  bool Write(std::string) override { return false; }
  void End() override {}
  bool Disconnected() const override { return false; }
  void OnDisconnect(std::function<void()>) override {}
  const std::string& request_id() const override { return id_; }
  HttpResponse response_;

 private:
  std::string id_ = "fuzz";
};

std::unique_ptr<Router> MakeRouter() {
  auto router = std::make_unique<Router>();
  Handler echo = [](HttpRequest& request, std::shared_ptr<Responder> responder) {
    nlohmann::json body = {{"params", request.path_params},
                           {"query", request.query},
                           {"path", request.path},
                           {"body_size", request.body.size()}};
    HttpResponse response = HttpResponse::Json(200, body);
    for (const auto& [name, value] : request.headers) response.headers.Add(name, value);
    responder->Send(std::move(response));
  };
  router->Add("GET", "/v1/models", echo);
  router->Add("POST", "/v1/chat/completions", echo);
  router->Add("GET", "/api/documents/{id}", echo);
  router->Add("DELETE", "/api/documents/{id}", echo);
  router->Add("POST", "/api/documents", echo, {.max_body_bytes = 1 << 16});
  router->Add("GET", "/files/{rest...}", echo);
  router->AddStatic("/ui", "/nonexistent/savoir-fuzz-root");
  return router;
}

// Answers one complete request like the server does.
void Answer(const Router& router, const RouteMatch& match, RequestReader& reader,
            RequestIdGenerator& ids) {
  HttpRequest request = reader.TakeRequest();
  request.request_id = ids.Choose(request.headers.Get("X-Request-Id"));
  auto responder = std::make_shared<SinkResponder>();
  router.Invoke(match, request, responder);
  ResponseFraming framing{request.version, request.method == "HEAD", reader.head().keep_alive,
                          request.request_id};
  std::string wire = SerializeResponse(responder->response_, framing);
  if (wire.size() < 12) __builtin_trap();
}

}  // namespace
}  // namespace savoir::server

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace savoir::server;
  static const std::unique_ptr<Router> router = MakeRouter();
  static RequestIdGenerator ids(1);
  if (size < 1) return 0;
  size_t step = 1 + data[0] % 32;  // bytes per simulated socket read
  RequestLimits limits{.max_header_bytes = (data[0] & 0x80) ? 256u : 4096u, .max_body_bytes = 1024};
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string pending;
  size_t fed = 0;
  for (int requests = 0; requests < 8; ++requests) {
    RequestReader reader(limits);
    RouteMatch match;
    RequestReader::State state = RequestReader::State::kNeedMore;
    for (;;) {
      size_t consumed = 0;
      state = reader.Parse(pending, &consumed);
      pending.erase(0, consumed);
      if (state == RequestReader::State::kHeadDone) {
        match = router->Match(reader.head().method, reader.head().parsed_target.raw_path);
        reader.SetBodyLimit(match.max_body_bytes().value_or(limits.max_body_bytes));
        continue;
      }
      if (state != RequestReader::State::kNeedMore || fed == input.size()) break;
      size_t take = std::min(step, input.size() - fed);
      pending.append(input.substr(fed, take));
      fed += take;
    }
    if (state == RequestReader::State::kComplete) {
      Answer(*router, match, reader, ids);
      continue;
    }
    if (state == RequestReader::State::kFailed) {
      HttpResponse response = ProtocolErrorResponse(reader.error());
      std::string wire = SerializeResponse(response, ResponseFraming{11, false, false, "x"});
      if (response.status < 400 || wire.empty()) __builtin_trap();
    }
    break;
  }
  return 0;
}
