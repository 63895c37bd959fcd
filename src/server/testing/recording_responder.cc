#include "server/testing/recording_responder.h"

namespace savoir::server::testutil {

RecordingResponder::RecordingResponder(std::string request_id)
    : request_id_(std::move(request_id)) {}

void RecordingResponder::Send(HttpResponse response) {
  std::lock_guard lock(mu_);
  if (response_ || stream_head_ || disconnected_) return;
  response_ = std::move(response);
  cv_.notify_all();
}

bool RecordingResponder::StartStream(int status, std::string content_type, Headers headers) {
  std::lock_guard lock(mu_);
  if (response_ || stream_head_ || disconnected_) return false;
  HttpResponse head;
  head.status = status;
  head.content_type = std::move(content_type);
  head.headers = std::move(headers);
  stream_head_ = std::move(head);
  cv_.notify_all();
  return true;
}

bool RecordingResponder::Write(std::string data) {
  std::lock_guard lock(mu_);
  if (!stream_head_ || ended_ || disconnected_) return false;
  if (!data.empty()) chunks_.push_back(std::move(data));
  cv_.notify_all();
  return true;
}

void RecordingResponder::End() {
  std::lock_guard lock(mu_);
  if (!stream_head_ || ended_) return;
  ended_ = true;
  cv_.notify_all();
}

bool RecordingResponder::Disconnected() const {
  std::lock_guard lock(mu_);
  return disconnected_;
}

void RecordingResponder::OnDisconnect(std::function<void()> callback) {
  std::unique_lock lock(mu_);
  if (!disconnected_) {
    on_disconnect_ = std::move(callback);
    return;
  }
  lock.unlock();
  if (callback) callback();
}

void RecordingResponder::SimulateDisconnect() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    if (disconnected_) return;
    disconnected_ = true;
    callback = std::move(on_disconnect_);
    on_disconnect_ = nullptr;
    cv_.notify_all();
  }
  if (callback) callback();
}

bool RecordingResponder::WaitForAnswer(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return response_ || stream_head_; });
}

bool RecordingResponder::WaitForEnd(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return response_.has_value() || ended_; });
}

std::optional<HttpResponse> RecordingResponder::response() const {
  std::lock_guard lock(mu_);
  return response_;
}

std::optional<HttpResponse> RecordingResponder::stream_head() const {
  std::lock_guard lock(mu_);
  return stream_head_;
}

std::vector<std::string> RecordingResponder::chunks() const {
  std::lock_guard lock(mu_);
  return chunks_;
}

bool RecordingResponder::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

}  // namespace savoir::server::testutil
