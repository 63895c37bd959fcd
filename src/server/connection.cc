#include "server/connection.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <utility>

#include "base/logging.h"
#include "server/error_response.h"
#include "server/responder_impl.h"
#include "server/response_writer.h"

namespace savoir::server::internal {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr size_t kReadChunk = size_t{64} * 1024;
// After the last response of a connection we keep reading (and discarding) for a while, so
// that a client still sending (e.g. an oversized body) reads our answer instead of a reset.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr size_t kMaxLingerBytes = size_t{64} * 1024 * 1024;
constexpr size_t kMaxWriteBatch = 64;

std::string_view BufferView(const boost::beast::flat_buffer& buffer) {
  auto data = buffer.data();
  return std::string_view(static_cast<const char*>(data.data()), data.size());
}

}  // namespace

ServerContext::ServerContext(ServerOptions options, std::shared_ptr<Router> router)
    : options_(std::move(options)),
      router_(std::move(router)),
      lifetime_(std::make_shared<ServerLifetime>()) {}

void ServerContext::Register(std::shared_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  uint64_t id = connection->id();
  connections_.emplace(id, std::move(connection));
}

void ServerContext::Unregister(uint64_t id) {
  std::shared_ptr<Connection> removed;  // released outside the lock
  std::lock_guard lock(mu_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  removed = std::move(it->second);
  connections_.erase(it);
  if (connections_.empty()) empty_cv_.notify_all();
}

size_t ServerContext::connection_count() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

std::vector<std::shared_ptr<Connection>> ServerContext::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Connection>> all;
  all.reserve(connections_.size());
  for (const auto& [id, connection] : connections_) all.push_back(connection);
  return all;
}

bool ServerContext::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

void ServerContext::Clear() {
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> all;
  {
    std::lock_guard lock(mu_);
    all.swap(connections_);
  }
}

Connection::Connection(Socket socket, ServerContext* server, uint64_t id)
    : server_(server),
      id_(id),
      socket_(std::move(socket)),
      read_timer_(socket_.get_executor()),
      write_timer_(socket_.get_executor()) {}

Connection::~Connection() {
  if (auto r = responder()) r->MarkDisconnected();
}

void Connection::Start() {
  error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  BeginRequest();
}

void Connection::RejectBusy() {
  error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  LogWarn("connection limit reached", {{"remote", remote_}});
  started_ = std::chrono::steady_clock::now();
  FailRequest({503, UnavailableError("server is at its connection limit"), "server_busy"});
}

void Connection::OnServerStop() {
  if (phase_ == Phase::kIdle) CloseSocket();
}

void Connection::Abort() { CloseSocket(); }

void Connection::BeginRequest() {
  if (closed_) return;
  if (server_->stopping()) {
    CloseSocket();
    return;
  }
  const ServerOptions& options = server_->options();
  reader_ = std::make_unique<RequestReader>(
      RequestLimits{options.max_header_bytes, options.max_body_bytes});
  match_ = RouteMatch();
  method_.clear();
  path_.clear();
  request_id_.clear();
  status_ = 0;
  body_bytes_ = 0;
  started_ = std::chrono::steady_clock::now();
  if (in_.size() == 0) {
    in_.shrink_to_fit();
    if (!read_pending_) read_buf_ = std::vector<char>();
    phase_ = Phase::kIdle;
    ArmReadTimer(first_request_ ? options.read_timeout : options.idle_timeout);
    EnsureReading();
    return;
  }
  phase_ = Phase::kReading;
  ArmReadTimer(options.read_timeout);
  ParseBuffered();
}

// Reads directly while a request is arriving; otherwise first waits for readability, so that
// idle connections hold no read buffer. Reads land in read_buf_, never in in_, so that in_ may
// be parsed and consumed while a read is outstanding.
void Connection::EnsureReading() {
  if (read_pending_ || closed_) return;
  bool background = phase_ == Phase::kHandling || phase_ == Phase::kResponding;
  size_t read_ahead_limit = std::max<size_t>(server_->options().max_header_bytes, kReadChunk);
  if (background && in_.size() >= read_ahead_limit) return;  // resumes after the response
  read_pending_ = true;
  if (phase_ == Phase::kReading) {
    StartRead(kReadChunk);
    return;
  }
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](const error_code& ec) { self->OnReadable(ec); });
}

void Connection::OnReadable(const error_code& ec) {
  read_pending_ = false;
  if (closed_) return;
  if (ec) {
    OnRead(ec, 0);
    return;
  }
  error_code available_ec;
  size_t available = socket_.available(available_ec);
  read_pending_ = true;
  StartRead(std::clamp<size_t>(available, 1, kReadChunk));
}

void Connection::StartRead(size_t size) {
  read_buf_.resize(size);
  socket_.async_read_some(
      asio::buffer(read_buf_),
      [self = shared_from_this()](const error_code& ec, size_t n) { self->OnRead(ec, n); });
}

void Connection::OnRead(const error_code& ec, size_t n) {
  read_pending_ = false;
  if (closed_) return;
  if (ec) {
    // End of stream or a reset. Mid-exchange this means the client is gone.
    CloseSocket();
    return;
  }
  if (phase_ == Phase::kClosing) {
    lingered_bytes_ += n;
    if (lingered_bytes_ > kMaxLingerBytes) {
      CloseSocket();
    } else {
      EnsureReading();
    }
    return;
  }
  auto space = in_.prepare(n);
  std::memcpy(space.data(), read_buf_.data(), n);
  in_.commit(n);
  switch (phase_) {
    case Phase::kIdle:
      phase_ = Phase::kReading;
      started_ = std::chrono::steady_clock::now();
      ArmReadTimer(server_->options().read_timeout);
      ParseBuffered();
      return;
    case Phase::kReading:
      ParseBuffered();
      return;
    case Phase::kHandling:
    case Phase::kResponding:
      EnsureReading();
      return;
    case Phase::kClosing:
    case Phase::kClosed:
      return;
  }
}

void Connection::ParseBuffered() {
  while (!closed_) {
    size_t consumed = 0;
    RequestReader::State state = reader_->Parse(BufferView(in_), &consumed);
    in_.consume(consumed);
    switch (state) {
      case RequestReader::State::kNeedMore:
        EnsureReading();
        return;
      case RequestReader::State::kFailed:
        FailRequest(reader_->error());
        return;
      case RequestReader::State::kComplete:
        DispatchRequest();
        return;
      case RequestReader::State::kHeadDone:
        if (!OnHead()) return;
        break;
    }
  }
}

bool Connection::OnHead() {
  const RequestHead& head = reader_->head();
  match_ = server_->router().Match(head.method, head.parsed_target.raw_path);
  size_t limit = match_.max_body_bytes().value_or(server_->options().max_body_bytes);
  if (!reader_->SetBodyLimit(limit)) {
    FailRequest(reader_->error());
    return false;
  }
  if (reader_->body_pending() && match_.read_timeout().has_value()) {
    ArmReadTimer(*match_.read_timeout());
  }
  if (head.expect_continue && reader_->body_pending() && in_.size() == 0) {
    QueueWrite(std::string(kContinueResponse), false, 0);
  }
  return true;
}

void Connection::DispatchRequest() {
  CancelReadTimer();
  HttpRequest request = reader_->TakeRequest();
  request.remote_address = remote_;
  request.request_id = server_->ids().Choose(request.headers.Get("X-Request-Id"));
  method_ = request.method;
  path_ = request.path;
  request_id_ = request.request_id;
  request_version_ = request.version;
  head_request_ = request.method == "HEAD";
  keep_alive_ = reader_->head().keep_alive;
  streaming_ = false;
  dispatched_ = true;
  phase_ = Phase::kHandling;
  auto responder =
      std::make_shared<ResponderImpl>(weak_from_this(), server_->lifetime(), ++seq_, request_id_,
                                      server_->options().max_queued_write_bytes);
  responder_ = responder;
  EnsureReading();  // notices a client that goes away while the handler works
  server_->router().Invoke(match_, request, std::move(responder));
}

void Connection::FailRequest(const ProtocolError& error) {
  CancelReadTimer();
  if (reader_ != nullptr && reader_->header_done()) {
    const RequestHead& head = reader_->head();
    method_ = head.method;
    path_ = head.parsed_target.path;
    request_version_ = head.version == 10 ? 10 : 11;
    request_id_ = server_->ids().Choose(head.incoming_request_id);
  }
  if (request_id_.empty()) request_id_ = server_->ids().Next();
  HttpResponse response = ProtocolErrorResponse(error);
  status_ = response.status;
  body_bytes_ = response.body.size();
  keep_alive_ = false;
  linger_ = true;  // the client may still be sending what we refused to read
  head_request_ = false;
  dispatched_ = true;
  phase_ = Phase::kResponding;
  ResponseFraming framing{request_version_, false, false, request_id_};
  QueueWrite(SerializeResponse(response, framing), true, 0);
}

void Connection::ArmReadTimer(std::chrono::milliseconds after) {
  uint64_t gen = ++read_timer_gen_;
  read_timer_.expires_after(after);
  read_timer_.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || gen != self->read_timer_gen_ || self->closed_) return;
    self->OnReadTimer();
  });
}

void Connection::CancelReadTimer() {
  ++read_timer_gen_;
  read_timer_.cancel();
}

void Connection::OnReadTimer() {
  switch (phase_) {
    case Phase::kIdle:
      if (!first_request_) {
        CloseSocket();  // an idle keep-alive connection
        return;
      }
      [[fallthrough]];
    case Phase::kReading:
      FailRequest({408, DeadlineExceededError("request not received in time"), "request_timeout"});
      return;
    case Phase::kClosing:
      CloseSocket();
      return;
    default:
      return;
  }
}

bool Connection::IsCurrent(uint64_t seq) const {
  return !closed_ && seq == seq_ && dispatched_ &&
         (phase_ == Phase::kHandling || phase_ == Phase::kResponding);
}

void Connection::DeliverResponse(uint64_t seq, HttpResponse response) {
  if (!IsCurrent(seq) || phase_ != Phase::kHandling) return;
  phase_ = Phase::kResponding;
  if (response.status < 100 || response.status > 599) response.status = 500;
  status_ = response.status;
  body_bytes_ = head_request_ ? 0 : response.body.size();
  keep_alive_ = keep_alive_ && !server_->stopping();
  ResponseFraming framing{request_version_, head_request_, keep_alive_, request_id_};
  QueueWrite(SerializeResponse(response, framing), true, 0);
}

void Connection::DeliverStreamStart(uint64_t seq, int status, const std::string& content_type,
                                    const Headers& headers) {
  if (!IsCurrent(seq) || phase_ != Phase::kHandling) return;
  phase_ = Phase::kResponding;
  streaming_ = true;
  status_ = (status < 100 || status > 599) ? 500 : status;
  if (request_version_ == 10) keep_alive_ = false;  // the body ends when the connection closes
  keep_alive_ = keep_alive_ && !server_->stopping();
  ResponseFraming framing{request_version_, head_request_, keep_alive_, request_id_};
  QueueWrite(SerializeStreamHead(status_, content_type, headers, framing), false, 0);
}

void Connection::DeliverChunk(uint64_t seq, std::string data) {
  auto r = responder();
  if (!IsCurrent(seq) || !streaming_ || final_queued_ || head_request_) {
    if (r != nullptr) r->ReleaseQueued(data.size());
    return;
  }
  size_t size = data.size();
  body_bytes_ += size;
  QueueWrite(request_version_ == 10 ? std::move(data) : EncodeChunk(data), false, size);
}

void Connection::DeliverEnd(uint64_t seq) {
  if (!IsCurrent(seq) || !streaming_ || final_queued_) return;
  bool framed = request_version_ == 11 && !head_request_;
  QueueWrite(framed ? std::string(kLastChunk) : std::string(), true, 0);
}

void Connection::DeliverAbort(uint64_t seq, std::string reason, bool flush) {
  if (!IsCurrent(seq)) return;
  LogWarn("response aborted", {{"reason", reason}, {"request_id", request_id_}});
  if (flush && writing_) {
    close_after_flush_ = true;  // what the handler wrote still goes out, then the cut
    return;
  }
  CloseSocket();
}

void Connection::QueueWrite(std::string data, bool final, size_t accounted) {
  if (closed_) return;
  out_.push_back(PendingWrite{std::move(data), accounted});
  if (final) final_queued_ = true;
  if (!writing_) DoWrite();
}

void Connection::DoWrite() {
  std::vector<asio::const_buffer> buffers;
  batch_size_ = std::min(out_.size(), kMaxWriteBatch);
  buffers.reserve(batch_size_);
  for (size_t i = 0; i < batch_size_; ++i) buffers.emplace_back(asio::buffer(out_[i].data));
  writing_ = true;
  uint64_t gen = ++write_timer_gen_;
  write_timer_.expires_after(server_->options().write_timeout);
  write_timer_.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || gen != self->write_timer_gen_ || self->closed_) return;
    LogWarn("response write timed out",
            {{"request_id", self->request_id_}, {"remote", self->remote_}});
    self->CloseSocket();
  });
  asio::async_write(
      socket_, buffers,
      [self = shared_from_this()](const error_code& ec, size_t /*n*/) { self->OnWrite(ec); });
}

void Connection::OnWrite(const error_code& ec) {
  writing_ = false;
  ++write_timer_gen_;
  write_timer_.cancel();
  if (closed_) return;
  if (ec) {
    CloseSocket();
    return;
  }
  size_t released = 0;
  for (size_t i = 0; i < batch_size_; ++i) {
    released += out_.front().accounted;
    out_.pop_front();
  }
  batch_size_ = 0;
  if (released > 0) {
    if (auto r = responder()) r->ReleaseQueued(released);
  }
  if (!out_.empty()) {
    DoWrite();
  } else if (close_after_flush_) {
    CloseSocket();
  } else if (final_queued_) {
    FinishResponse();
  }
}

void Connection::FinishResponse() {
  final_queued_ = false;
  if (auto r = responder()) r->MarkComplete();
  responder_.reset();
  LogAccess(false);
  dispatched_ = false;
  streaming_ = false;
  if (keep_alive_ && !server_->stopping()) {
    first_request_ = false;
    BeginRequest();
  } else if (linger_ || in_.size() > 0) {
    BeginLingeringClose();
  } else {
    error_code ec;
    socket_.shutdown(Socket::shutdown_send, ec);
    CloseSocket();
  }
}

void Connection::BeginLingeringClose() {
  phase_ = Phase::kClosing;
  error_code ec;
  socket_.shutdown(Socket::shutdown_send, ec);
  if (ec) {
    CloseSocket();
    return;
  }
  in_.consume(in_.size());
  ArmReadTimer(kLingerTime);
  EnsureReading();
}

void Connection::CloseSocket() {
  if (closed_) return;
  closed_ = true;
  phase_ = Phase::kClosed;
  ++read_timer_gen_;
  ++write_timer_gen_;
  read_timer_.cancel();
  write_timer_.cancel();
  error_code ec;
  socket_.close(ec);
  out_.clear();
  if (auto r = responder()) r->MarkDisconnected();
  responder_.reset();
  if (dispatched_) LogAccess(true);
  dispatched_ = false;
  server_->Unregister(id_);
}

void Connection::LogAccess(bool aborted) {
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
                  .count();
  ms = static_cast<double>(static_cast<int64_t>(ms * 10.0)) / 10.0;
  int status = status_ != 0 ? status_ : 499;  // 499: the client went away before an answer
  std::string_view method = method_.empty() ? std::string_view("-") : std::string_view(method_);
  std::string_view path = path_.empty() ? std::string_view("-") : std::string_view(path_);
  if (aborted) {
    LogInfo("http request", {{"method", method},
                             {"path", path},
                             {"status", status},
                             {"bytes", body_bytes_},
                             {"ms", ms},
                             {"request_id", request_id_},
                             {"remote", remote_},
                             {"aborted", true}});
  } else {
    LogInfo("http request", {{"method", method},
                             {"path", path},
                             {"status", status},
                             {"bytes", body_bytes_},
                             {"ms", ms},
                             {"request_id", request_id_},
                             {"remote", remote_}});
  }
}

}  // namespace savoir::server::internal
