// An in-memory Responder for testing handlers without a socket.
//
// RecordingResponder implements the Responder contract (one answer; Write only inside a
// stream; OnDisconnect fires once) and records what the handler produced, so that handler
// tests can run real handlers and inspect their answers. SimulateDisconnect plays the client
// going away. Thread-safe: handlers may answer from other threads; tests wait with
// WaitForAnswer / WaitForEnd.
#ifndef SAVOIR_SERVER_TESTING_RECORDING_RESPONDER_H_
#define SAVOIR_SERVER_TESTING_RECORDING_RESPONDER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/http_message.h"

namespace savoir::server::testutil {

class RecordingResponder : public Responder {
 public:
  explicit RecordingResponder(std::string request_id = "test-request-id");

  void Send(HttpResponse response) override;
  bool StartStream(int status, std::string content_type, Headers headers) override;
  bool Write(std::string data) override;
  void End() override;
  bool Disconnected() const override;
  void OnDisconnect(std::function<void()> callback) override;
  const std::string& request_id() const override { return request_id_; }

  // Marks the client gone and runs the disconnect callback (once) on the calling thread.
  void SimulateDisconnect();
  // Waits until Send or StartStream was called; false on timeout.
  bool WaitForAnswer(std::chrono::milliseconds timeout);
  // Waits until Send or End was called; false on timeout.
  bool WaitForEnd(std::chrono::milliseconds timeout);

  // The complete response passed to Send, if any.
  std::optional<HttpResponse> response() const;
  // For streams: the status, content type, header fields and chunks written.
  std::optional<HttpResponse> stream_head() const;
  std::vector<std::string> chunks() const;
  bool ended() const;

 private:
  const std::string request_id_;
  mutable std::mutex mu_;
  std::condition_variable cv_;               // signalled on every change
  std::optional<HttpResponse> response_;     // guarded by mu_
  std::optional<HttpResponse> stream_head_;  // guarded by mu_
  std::vector<std::string> chunks_;          // guarded by mu_
  bool ended_ = false;                       // guarded by mu_
  bool disconnected_ = false;                // guarded by mu_
  std::function<void()> on_disconnect_;      // guarded by mu_
};

}  // namespace savoir::server::testutil

#endif  // SAVOIR_SERVER_TESTING_RECORDING_RESPONDER_H_
