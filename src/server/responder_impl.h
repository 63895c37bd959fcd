// Internal to the server component: the Responder handed to handlers, bound to one exchange
// of one Connection. Not for use outside src/server/.
//
// Handler-facing calls (Send, StartStream, Write, End, ...) may come from any thread; they
// update the state under mu_ and post the work to the connection's strand while still holding
// mu_, so that the strand sees the calls in the order they were made. The connection calls
// back (MarkDisconnected, MarkComplete, ReleaseQueued) from its strand.
//
// Lock order: mu_, then ServerLifetime::mu (shared), then Asio's internal strand lock. User
// callbacks run with no lock held.
#ifndef SAVOIR_SERVER_RESPONDER_IMPL_H_
#define SAVOIR_SERVER_RESPONDER_IMPL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "server/connection.h"
#include "server/http_message.h"

namespace savoir::server::internal {

class ResponderImpl final : public Responder {
 public:
  ResponderImpl(std::weak_ptr<Connection> connection, std::shared_ptr<ServerLifetime> lifetime,
                uint64_t seq, std::string request_id, size_t max_queued_bytes);
  // Answers 500 if nothing was sent; aborts the connection if a stream was left open.
  ~ResponderImpl() override;

  void Send(HttpResponse response) override;
  bool StartStream(int status, std::string content_type, Headers headers) override;
  bool Write(std::string data) override;
  void End() override;
  bool Disconnected() const override;
  void OnDisconnect(std::function<void()> callback) override;
  const std::string& request_id() const override { return request_id_; }

  // Strand side. The connection closed before the response was complete: runs the callback.
  void MarkDisconnected();
  // The response was completely written: the disconnect callback will never run.
  void MarkComplete();
  // `bytes` accepted by Write were written to the socket.
  void ReleaseQueued(size_t bytes) { queued_bytes_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  enum class State { kNew, kSent, kStreaming, kEnded, kAborted };

  // Posts `work(Connection&)` to the connection's strand; false if the connection or the
  // server is gone. Callers hold mu_ (except the destructor, which is alone).
  bool Post(std::function<void(Connection&)> work);

  const std::weak_ptr<Connection> connection_;
  const std::shared_ptr<ServerLifetime> lifetime_;
  const uint64_t seq_;
  const std::string request_id_;
  const size_t max_queued_bytes_;
  std::atomic<size_t> queued_bytes_{0};  // Write() adds, the strand subtracts

  mutable std::mutex mu_;
  State state_ = State::kNew;            // guarded by mu_
  bool disconnected_ = false;            // guarded by mu_
  bool complete_ = false;                // guarded by mu_
  std::function<void()> on_disconnect_;  // guarded by mu_; cleared once fired or complete
};

}  // namespace savoir::server::internal

#endif  // SAVOIR_SERVER_RESPONDER_IMPL_H_
