// Internal to the server component: one accepted connection and the state it shares with the
// server. Not for use outside src/server/.
//
// Threading model. Each Connection owns a TCP socket whose executor is a strand of the
// server's io_context; every member function below runs on that strand (callers post to
// executor()), so the Connection's fields need no lock: "strand-only" below. Handlers and
// other threads reach a connection only through ResponderImpl, which posts to the strand.
// ServerContext is shared by the server and all its connections and is thread-safe.
//
// Lifetime. The server's registry holds each open connection; pending asynchronous operations
// hold it too. A connection unregisters itself when its socket closes. Responders hold only a
// weak reference, taken under ServerLifetime's lock so that no thread touches a connection
// after the server has torn down its io_context.
#ifndef SAVOIR_SERVER_CONNECTION_H_
#define SAVOIR_SERVER_CONNECTION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/http_server.h"
#include "server/request_id.h"
#include "server/request_reader.h"
#include "server/router.h"

namespace savoir::server::internal {

class Connection;
class ResponderImpl;

// Whether the server's io_context still exists. Responders take `mu` shared while they touch
// a connection; the server sets `alive` to false under `mu` exclusively before tearing down.
struct ServerLifetime {
  std::shared_mutex mu;
  bool alive = true;  // guarded by mu
};

// State shared by the server and its connections. Thread-safe.
class ServerContext {
 public:
  ServerContext(ServerOptions options, std::shared_ptr<Router> router);

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return *router_; }
  RequestIdGenerator& ids() { return ids_; }
  const std::shared_ptr<ServerLifetime>& lifetime() const { return lifetime_; }

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void SetStopping() { stopping_.store(true, std::memory_order_release); }

  void Register(std::shared_ptr<Connection> connection);
  void Unregister(uint64_t id);
  size_t connection_count() const;
  std::vector<std::shared_ptr<Connection>> Snapshot() const;
  // Waits until no connection is registered or `deadline` passes; true if none is left.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);
  // Drops every registered connection (after the I/O threads stopped).
  void Clear();

 private:
  const ServerOptions options_;
  const std::shared_ptr<Router> router_;
  RequestIdGenerator ids_;
  const std::shared_ptr<ServerLifetime> lifetime_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  std::condition_variable empty_cv_;  // signalled when connections_ becomes empty
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Socket = boost::asio::ip::tcp::socket;

  Connection(Socket socket, ServerContext* server, uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uint64_t id() const { return id_; }
  Socket::executor_type executor() { return socket_.get_executor(); }

  // Everything below runs on the strand.
  void Start();
  void RejectBusy();    // answers 503 and closes
  void OnServerStop();  // closes the connection if idle
  void Abort();         // closes at once

  // From ResponderImpl; `seq` identifies the exchange, stale calls are ignored.
  void DeliverResponse(uint64_t seq, HttpResponse response);
  void DeliverStreamStart(uint64_t seq, int status, const std::string& content_type,
                          const Headers& headers);
  void DeliverChunk(uint64_t seq, std::string data);
  void DeliverEnd(uint64_t seq);
  // Closes the connection; with `flush`, after the bytes already queued are written.
  void DeliverAbort(uint64_t seq, std::string reason, bool flush);

 private:
  enum class Phase { kIdle, kReading, kHandling, kResponding, kClosing, kClosed };
  struct PendingWrite {
    std::string data;
    size_t accounted = 0;  // bytes counted against the responder's queue limit
  };

  void BeginRequest();
  void EnsureReading();
  void OnReadable(const boost::system::error_code& ec);
  void StartRead(size_t size);
  void OnRead(const boost::system::error_code& ec, size_t n);
  void ParseBuffered();
  bool OnHead();
  void DispatchRequest();
  void FailRequest(const ProtocolError& error);
  void OnReadTimer();
  void ArmReadTimer(std::chrono::milliseconds after);
  void CancelReadTimer();
  bool IsCurrent(uint64_t seq) const;
  void QueueWrite(std::string data, bool final, size_t accounted);
  void DoWrite();
  void OnWrite(const boost::system::error_code& ec);
  void FinishResponse();
  void BeginLingeringClose();
  void CloseSocket();
  void LogAccess(bool aborted);
  std::shared_ptr<ResponderImpl> responder() const { return responder_.lock(); }

  // Immutable after construction.
  ServerContext* const server_;
  const uint64_t id_;

  // Strand-only.
  Socket socket_;
  boost::asio::steady_timer read_timer_;   // idle, request and linger deadlines
  boost::asio::steady_timer write_timer_;  // write progress deadline
  uint64_t read_timer_gen_ = 0;
  uint64_t write_timer_gen_ = 0;
  std::string remote_;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  boost::beast::flat_buffer in_;  // received, not yet parsed bytes
  std::vector<char> read_buf_;    // target of the outstanding read, if any
  bool read_pending_ = false;     // an async wait or read is outstanding
  size_t lingered_bytes_ = 0;
  std::unique_ptr<RequestReader> reader_;
  RouteMatch match_;

  // The current exchange (strand-only).
  uint64_t seq_ = 0;
  std::weak_ptr<ResponderImpl> responder_;
  std::string method_;
  std::string path_;
  std::string request_id_;
  int request_version_ = 11;
  bool head_request_ = false;
  bool keep_alive_ = false;
  bool dispatched_ = false;  // a handler got the request and the access line is not written
  bool streaming_ = false;
  int status_ = 0;
  size_t body_bytes_ = 0;
  std::chrono::steady_clock::time_point started_;

  // Output (strand-only).
  std::deque<PendingWrite> out_;
  size_t batch_size_ = 0;  // entries of out_ in the write in flight
  bool writing_ = false;
  bool final_queued_ = false;       // the end of the current response is in out_
  bool close_after_flush_ = false;  // close once out_ is written (an aborted stream)
  bool linger_ = false;             // close with a lingering read (after refusing a request)
  bool closed_ = false;
};

}  // namespace savoir::server::internal

#endif  // SAVOIR_SERVER_CONNECTION_H_
