// Graceful shutdown on SIGINT and SIGTERM.
//
// ShutdownSignals blocks SIGINT and SIGTERM in the calling thread, and so in every thread
// started after it, then waits for them on a dedicated thread with sigwait(). When one
// arrives, the callback runs once on that thread; the program then stops accepting work,
// finishes or cancels what is in flight, and exits with status 0.
//
// Create it in main() before any other thread starts. Destroying it stops the waiting thread
// and restores the previous signal mask of the creating thread.
#ifndef SAVOIR_BASE_SHUTDOWN_H_
#define SAVOIR_BASE_SHUTDOWN_H_

#include <signal.h>

#include <functional>
#include <memory>
#include <thread>

#include "base/status.h"

namespace savoir {

class ShutdownSignals {
 public:
  // `on_signal` receives the signal number (SIGINT or SIGTERM); it runs at most once.
  static StatusOr<std::unique_ptr<ShutdownSignals>> Start(std::function<void(int)> on_signal);
  ~ShutdownSignals();

  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

 private:
  ShutdownSignals() = default;
  void Run();

  std::function<void(int)> on_signal_;
  sigset_t old_mask_{};
  std::thread thread_;
};

}  // namespace savoir

#endif  // SAVOIR_BASE_SHUTDOWN_H_
