#include "base/shutdown.h"

#include <pthread.h>

#include <cstring>

namespace savoir {
namespace {

// SIGUSR2 wakes the waiting thread when the watcher is destroyed without a real signal.
constexpr int kWakeSignal = SIGUSR2;

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, kWakeSignal);
  return set;
}

}  // namespace

StatusOr<std::unique_ptr<ShutdownSignals>> ShutdownSignals::Start(
    std::function<void(int)> on_signal) {
  std::unique_ptr<ShutdownSignals> watcher(new ShutdownSignals());  // private constructor
  watcher->on_signal_ = std::move(on_signal);
  sigset_t set = WatchedSignals();
  int rc = pthread_sigmask(SIG_BLOCK, &set, &watcher->old_mask_);
  if (rc != 0) return InternalError("pthread_sigmask: {}", std::strerror(rc));
  watcher->thread_ = std::thread([w = watcher.get()] { w->Run(); });
  return watcher;
}

void ShutdownSignals::Run() {
  sigset_t set = WatchedSignals();
  int signal_number = 0;
  if (sigwait(&set, &signal_number) != 0) return;
  if (signal_number == kWakeSignal) return;
  on_signal_(signal_number);
}

ShutdownSignals::~ShutdownSignals() {
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), kWakeSignal);
    thread_.join();
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace savoir
