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
#include "app/model_host.h"
#include "base/dir_lock.h"
#include "base/logging.h"
#include "base/metrics.h"
#include "base/shutdown.h"
#include "server/error_response.h"
#include "server/http_server.h"
#include "server/openai/routes.h"

namespace savoir::app {
namespace {

// Set once the components the server depends on (models, indexes) are loaded.
class Readiness {
 public:
  void MarkReady() { ready_.store(true, std::memory_order_release); }
  bool ready() const { return ready_.load(std::memory_order_acquire); }

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

// Scheduler gauges read at scrape time.
void AddSchedulerMetrics(MetricsRegistry& metrics, const ModelHost& host) {
  auto read = [&host](auto field) {
    return [&host, field] {
      std::vector<std::pair<LabelValues, double>> out;
      for (const auto& [name, scheduler] : host.schedulers()) {
        out.push_back({{name}, field(scheduler->stats())});
      }
      return out;
    };
  };
  using S = engine::SchedulerStats;
  metrics.AddCallbackGauge("savoir_queue_length", "Requests waiting for a sequence slot",
                           {"model"}, read([](const S& s) { return double(s.queued); }));
  metrics.AddCallbackGauge("savoir_active_sequences", "Sequences being generated", {"model"},
                           read([](const S& s) { return double(s.active); }));
  metrics.AddCallbackGauge("savoir_kv_blocks_used", "KV cache blocks held by sequences",
                           {"model"}, read([](const S& s) { return double(s.kv.blocks_in_use); }));
  metrics.AddCallbackGauge(
      "savoir_kv_blocks_free", "KV cache blocks free or holding reusable prefixes", {"model"},
      read([](const S& s) { return double(s.kv.blocks_total - s.kv.blocks_in_use); }));
  metrics.AddCallbackGauge(
      "savoir_prefix_cache_hit_ratio", "Share of prompt tokens served from the prefix cache",
      {"model"}, read([](const S& s) {
        return s.kv.prefix_lookup_tokens == 0
                   ? 0.0
                   : double(s.kv.prefix_hit_tokens) / double(s.kv.prefix_lookup_tokens);
      }));
  metrics.AddCallbackGauge("savoir_scheduler_preemptions", "Sequences preempted for memory",
                           {"model"}, read([](const S& s) { return double(s.preemptions); }));
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
  if (!signals.ok()) return Fail(signals.status());
  auto data_lock = DirectoryLock::Acquire(config.GetString("data_dir"));
  if (!data_lock.ok()) return Fail(data_lock.status());

  Readiness readiness;
  MetricsRegistry metrics;
  server::openai::ApiMetrics api_metrics(metrics);
  ModelHost models;
  auto router = std::make_shared<server::Router>();
  AddHealthRoutes(*router, readiness);
  router->Add("GET", "/metrics", [&metrics](server::HttpRequest&, auto responder) {
    responder->Send(server::HttpResponse::Text(200, metrics.Expose(),
                                               "text/plain; version=0.0.4; charset=utf-8"));
  });

  server::ServerOptions options = ServerOptionsFrom(config);
  auto server = server::HttpServer::Start(options, router);
  if (!server.ok()) return Fail(server.status());
  std::string url = fmt::format("http://{}:{}", options.host, (*server)->port());

  // The server answers health checks while models load; model routes appear once loaded.
  if (Status s = models.Load(config); !s.ok()) {
    (*server)->Stop(std::chrono::milliseconds(0));
    return Fail(s);
  }
  AddSchedulerMetrics(metrics, models);
  server::openai::AddModelRoutes(*router, models.registry(), api_metrics);
  readiness.MarkReady();
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
  registry.ConfigFlag(serve, "--model", "models.chat", "chat model (GGUF path or name)");
  registry.ConfigFlag(serve, "--embedding-model", "models.embedding", "embedding model");
  registry.ConfigFlag(serve, "--reranker", "models.reranker", "reranker model");
  registry.ConfigFlag(serve, "--threads", "engine.threads", "compute threads");
  registry.Add(serve, RunServe);
}

}  // namespace savoir::app
