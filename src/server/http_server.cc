#include "server/http_server.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cassert>
#include <exception>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "base/logging.h"
#include "server/connection.h"

namespace savoir::server {
namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::chrono::milliseconds kAbortWait{2000};
constexpr std::chrono::milliseconds kAcceptRetry{100};
constexpr std::chrono::milliseconds kDefaultGrace{5000};

StatusOr<tcp::endpoint> ResolveEndpoint(asio::io_context& ioc, const ServerOptions& options) {
  error_code ec;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (!ec) return tcp::endpoint(address, options.port);
  tcp::resolver resolver(ioc);
  auto results =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return InvalidArgumentError("cannot resolve host '{}': {}", options.host,
                                ec ? ec.message() : "no address");
  }
  return results.begin()->endpoint();
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions opts, std::shared_ptr<Router> router)
      : options(opts),
        context(std::make_unique<internal::ServerContext>(std::move(opts), std::move(router))),
        ioc(std::max(1, options.io_threads)),
        work(asio::make_work_guard(ioc)),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()) {}

  Status Listen();
  void Accept();
  void OnAccept(const error_code& ec, tcp::socket socket);
  void RunThread();
  bool OnIoThread() const;

  const ServerOptions options;
  // Declared before the io_context so that it outlives every Connection (which points to it).
  std::unique_ptr<internal::ServerContext> context;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;            // used on its strand only
  asio::steady_timer accept_retry;   // used on the acceptor's strand only
  std::vector<std::thread> threads;  // written by Start and Stop, under stop_mu
  uint16_t port = 0;                 // immutable after Start
  std::atomic<uint64_t> next_connection_id{1};

  std::mutex stop_mu;
  bool stopped = false;  // guarded by stop_mu
};

Status HttpServer::Impl::Listen() {
  SAVOIR_ASSIGN_OR_RETURN(tcp::endpoint endpoint, ResolveEndpoint(ioc, options));
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on {}:{}: {}", options.host, options.port, ec.message());
  }
  port = acceptor.local_endpoint(ec).port();
  return OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](const error_code& ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(const error_code& ec, tcp::socket socket) {
  if (!acceptor.is_open() || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Typically out of file descriptors: back off instead of spinning.
    LogWarn("accept failed", {{"error", ec.message()}});
    accept_retry.expires_after(kAcceptRetry);
    accept_retry.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && acceptor.is_open()) Accept();
    });
    return;
  }
  bool busy = context->connection_count() >= options.max_connections;
  auto connection = std::make_shared<internal::Connection>(std::move(socket), context.get(),
                                                           next_connection_id++);
  context->Register(connection);
  asio::post(connection->executor(), [connection, busy] {
    if (busy) {
      connection->RejectBusy();
    } else {
      connection->Start();
    }
  });
  Accept();
}

void HttpServer::Impl::RunThread() {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      LogError("uncaught exception on an http i/o thread", {{"error", e.what()}});
    } catch (...) {
      LogError("uncaught exception on an http i/o thread");
    }
  }
}

bool HttpServer::Impl::OnIoThread() const {
  return std::any_of(threads.begin(), threads.end(),
                     [](const std::thread& t) { return t.get_id() == std::this_thread::get_id(); });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options,
                                                        std::shared_ptr<Router> router) {
  if (router == nullptr) return InvalidArgumentError("http server needs a router");
  if (options.io_threads < 1) return InvalidArgumentError("io_threads must be at least 1");
  if (options.max_header_bytes < 64) return InvalidArgumentError("max_header_bytes too small");
  auto impl = std::make_unique<Impl>(options, std::move(router));
  SAVOIR_RETURN_IF_ERROR(impl->Listen());
  Impl* raw = impl.get();
  asio::post(raw->acceptor.get_executor(), [raw] { raw->Accept(); });
  {
    std::lock_guard lock(raw->stop_mu);
    for (int i = 0; i < options.io_threads; ++i) {
      raw->threads.emplace_back([raw] { raw->RunThread(); });
    }
  }
  LogInfo("http server listening", {{"address", fmt::format("{}:{}", options.host, raw->port)},
                                    {"io_threads", options.io_threads}});
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->port; }

size_t HttpServer::connection_count() const { return impl_->context->connection_count(); }

void HttpServer::Stop(std::chrono::milliseconds grace) {
  Impl& impl = *impl_;
  std::lock_guard lock(impl.stop_mu);
  if (impl.stopped) return;
  assert(!impl.OnIoThread() && "HttpServer::Stop called from an I/O thread");
  impl.stopped = true;
  impl.context->SetStopping();
  std::promise<void> acceptor_closed;
  asio::post(impl.acceptor.get_executor(), [&impl, &acceptor_closed] {
    error_code ec;
    impl.acceptor.close(ec);
    impl.accept_retry.cancel();
    acceptor_closed.set_value();
  });
  acceptor_closed.get_future().wait();  // no connection is accepted after this point
  for (const auto& connection : impl.context->Snapshot()) {
    asio::post(connection->executor(), [connection] { connection->OnServerStop(); });
  }
  auto now = std::chrono::steady_clock::now();
  if (!impl.context->WaitUntilEmpty(now + grace)) {
    size_t left = impl.context->connection_count();
    LogWarn("closing connections still busy after the grace period", {{"connections", left}});
    for (const auto& connection : impl.context->Snapshot()) {
      asio::post(connection->executor(), [connection] { connection->Abort(); });
    }
    impl.context->WaitUntilEmpty(std::chrono::steady_clock::now() + kAbortWait);
  }
  impl.work.reset();
  impl.ioc.stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
  LogInfo("http server stopped", {{"port", impl.port}});
}

HttpServer::~HttpServer() {
  Stop(kDefaultGrace);
  {
    std::unique_lock lock(impl_->context->lifetime()->mu);
    impl_->context->lifetime()->alive = false;
  }
  // Connections must go before the io_context their sockets belong to.
  impl_->context->Clear();
}

}  // namespace savoir::server
