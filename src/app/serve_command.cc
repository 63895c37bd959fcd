// `savoir serve`: the long-running server process.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/command.h"
#include "app/commands.h"
#include "base/dir_lock.h"
#include "base/logging.h"
#include "base/shutdown.h"
#include "server/http_server.h"

namespace savoir::app {
namespace {

// Set once the components the server depends on (models, indexes) are loaded.
class Readiness {
 public:
  void MarkReady() { ready_.store(true); }
  bool ready() const { return ready_.load(); }

 private:
  std::atomic<bool> ready_{false};
};

// Blocks the main thread until a shutdown signal arrives.
class ShutdownLatch {
 public:
  void Trigger(int signal_number) {
    std::lock_guard lock(mu_);
    signal_ = signal_number;
    cv_.notify_all();
  }
  int Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return signal_ != 0; });
    return signal_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int signal_ = 0;  // guarded by mu_
};

void AddHealthRoutes(server::Router& router, const Readiness& readiness) {
  auto started = std::chrono::steady_clock::now();
  router.Add("GET", "/healthz", [started](server::HttpRequest&, auto responder) {
    double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count();
    responder->Send(server::HttpResponse::Json(
        200, {{"status", "ok"}, {"version", BuildInfoJson()["version"]}, {"uptime_s", uptime}}));
  });
  router.Add("GET", "/readyz", [&readiness](server::HttpRequest&, auto responder) {
    bool ready = readiness.ready();
    responder->Send(server::HttpResponse::Json(ready ? 200 : 503,
                                               {{"status", ready ? "ready" : "loading"}}));
  });
  router.Add("GET", "/version", [](server::HttpRequest&, auto responder) {
    responder->Send(server::HttpResponse::Json(200, BuildInfoJson()));
  });
}

server::ServerOptions ServerOptionsFrom(const Config& config) {
  server::ServerOptions options;
  options.host = config.GetString("server.host");
  options.port = static_cast<uint16_t>(config.GetInt("server.port"));
  options.io_threads = static_cast<int>(config.GetInt("server.io_threads"));
  options.max_header_bytes = static_cast<size_t>(config.GetInt("server.max_header_bytes"));
  options.max_body_bytes = static_cast<size_t>(config.GetInt("server.max_body_bytes"));
  options.read_timeout = std::chrono::milliseconds(config.GetInt("server.read_timeout_ms"));
  options.idle_timeout = std::chrono::milliseconds(config.GetInt("server.idle_timeout_ms"));
  return options;
}


int RunServe(const Config& config) {
  // Signals are blocked before any thread starts so that only the watcher receives them.
  ShutdownLatch latch;
  auto signals = ShutdownSignals::Start([&latch](int sig) { latch.Trigger(sig); });
  if (!signals.ok()) {
    std::fprintf(stderr, "savoir: %s\n", signals.status().message().c_str());
    return kExitFailure;
  }
  auto data_lock = DirectoryLock::Acquire(config.GetString("data_dir"));
  if (!data_lock.ok()) {
    std::fprintf(stderr, "savoir: %s\n", data_lock.status().message().c_str());
    return kExitFailure;
  }

  Readiness readiness;
  auto router = std::make_shared<server::Router>();
  AddHealthRoutes(*router, readiness);

  server::ServerOptions options = ServerOptionsFrom(config);
  auto server = server::HttpServer::Start(options, router);
  if (!server.ok()) {
    std::fprintf(stderr, "savoir: %s\n", server.status().message().c_str());
    return kExitFailure;
  }
  readiness.MarkReady();
  std::string url = fmt::format("http://{}:{}", options.host, (*server)->port());
  LogInfo("listening", {{"url", url}, {"data_dir", config.GetString("data_dir")}});
  std::printf("savoir is listening on %s\n", url.c_str());
  std::fflush(stdout);

  int sig = latch.Wait();
  LogInfo("shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Stop(std::chrono::milliseconds(config.GetInt("server.shutdown_grace_ms")));
  LogInfo("stopped");
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* serve = app.add_subcommand("serve", "Start the HTTP server");
  registry.ConfigFlag(serve, "--host", "server.host", "address to listen on (default 127.0.0.1)");
  registry.ConfigFlag(serve, "--port", "server.port",
                      "TCP port (default 8080; 0 picks a free port)");
  registry.ConfigFlag(serve, "--data-dir", "data_dir", "data directory (default ./data)");
  registry.Add(serve, RunServe);
}

}  // namespace savoir::app
