#include "server/responder_impl.h"

#include <boost/asio/post.hpp>
#include <exception>

#include "base/logging.h"
#include "server/error_response.h"

namespace savoir::server::internal {
namespace {

void RunCallback(const std::function<void()>& callback, const std::string& request_id) {
  if (!callback) return;
  try {
    callback();
  } catch (const std::exception& e) {
    LogError("disconnect callback threw", {{"error", e.what()}, {"request_id", request_id}});
  } catch (...) {
    LogError("disconnect callback threw", {{"request_id", request_id}});
  }
}

}  // namespace

ResponderImpl::ResponderImpl(std::weak_ptr<Connection> connection,
                             std::shared_ptr<ServerLifetime> lifetime, uint64_t seq,
                             std::string request_id, size_t max_queued_bytes)
    : connection_(std::move(connection)),
      lifetime_(std::move(lifetime)),
      seq_(seq),
      request_id_(std::move(request_id)),
      max_queued_bytes_(max_queued_bytes) {}

ResponderImpl::~ResponderImpl() {
  uint64_t seq = seq_;
  if (state_ == State::kNew && !disconnected_) {
    LogError("handler dropped the request without answering", {{"request_id", request_id_}});
    HttpResponse response = ErrorResponse(InternalError("internal error"));
    Post([seq, response](Connection& c) { c.DeliverResponse(seq, response); });
  } else if (state_ == State::kStreaming && !disconnected_) {
    LogError("stream dropped without End", {{"request_id", request_id_}});
    Post([seq](Connection& c) { c.DeliverAbort(seq, "stream dropped without End", true); });
  }
}

bool ResponderImpl::Post(std::function<void(Connection&)> work) {
  std::shared_lock lock(lifetime_->mu);
  if (!lifetime_->alive) return false;
  std::shared_ptr<Connection> connection = connection_.lock();
  if (connection == nullptr) return false;
  boost::asio::post(connection->executor(),
                    [connection, work = std::move(work)] { work(*connection); });
  return true;
}

void ResponderImpl::Send(HttpResponse response) {
  std::lock_guard lock(mu_);
  uint64_t seq = seq_;
  if (state_ == State::kStreaming) {
    state_ = State::kAborted;
    LogWarn("Send during a stream aborts the connection", {{"request_id", request_id_}});
    Post([seq](Connection& c) { c.DeliverAbort(seq, "send during stream", true); });
    return;
  }
  if (state_ != State::kNew) return;
  state_ = State::kSent;
  if (disconnected_) return;
  Post([seq, response = std::move(response)](Connection& c) mutable {
    c.DeliverResponse(seq, std::move(response));
  });
}

bool ResponderImpl::StartStream(int status, std::string content_type, Headers headers) {
  std::lock_guard lock(mu_);
  if (state_ != State::kNew || disconnected_) return false;
  state_ = State::kStreaming;
  uint64_t seq = seq_;
  bool posted =
      Post([seq, status, content_type = std::move(content_type), headers = std::move(headers)](
               Connection& c) { c.DeliverStreamStart(seq, status, content_type, headers); });
  if (!posted) disconnected_ = true;
  return posted;
}

bool ResponderImpl::Write(std::string data) {
  std::lock_guard lock(mu_);
  if (state_ != State::kStreaming || disconnected_) return false;
  if (data.empty()) return true;
  uint64_t seq = seq_;
  size_t queued = queued_bytes_.load(std::memory_order_relaxed);
  if (queued > 0 && queued + data.size() > max_queued_bytes_) {
    // The client does not keep up: drop it instead of buffering without bound.
    disconnected_ = true;
    state_ = State::kAborted;
    Post([seq](Connection& c) { c.DeliverAbort(seq, "client too slow", false); });
    return false;
  }
  queued_bytes_.fetch_add(data.size(), std::memory_order_relaxed);
  bool posted = Post([seq, data = std::move(data)](Connection& c) mutable {
    c.DeliverChunk(seq, std::move(data));
  });
  if (!posted) disconnected_ = true;
  return posted;
}

void ResponderImpl::End() {
  std::lock_guard lock(mu_);
  if (state_ != State::kStreaming) return;
  state_ = State::kEnded;
  if (disconnected_) return;
  uint64_t seq = seq_;
  Post([seq](Connection& c) { c.DeliverEnd(seq); });
}

bool ResponderImpl::Disconnected() const {
  std::lock_guard lock(mu_);
  return disconnected_;
}

void ResponderImpl::OnDisconnect(std::function<void()> callback) {
  std::unique_lock lock(mu_);
  if (!disconnected_) {
    if (!complete_) on_disconnect_ = std::move(callback);
    return;
  }
  lock.unlock();
  RunCallback(callback, request_id_);
}

void ResponderImpl::MarkDisconnected() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    if (complete_) return;
    complete_ = true;
    disconnected_ = true;
    callback = std::move(on_disconnect_);
    on_disconnect_ = nullptr;
  }
  RunCallback(callback, request_id_);
}

void ResponderImpl::MarkComplete() {
  std::function<void()> callback;  // destroyed outside the lock: it may own this responder
  std::lock_guard lock(mu_);
  complete_ = true;
  callback = std::move(on_disconnect_);
  on_disconnect_ = nullptr;
}

}  // namespace savoir::server::internal
