// Test support: runs a program (usually the real `savoir` binary) as a child process, feeds
// it nothing on stdin, captures stdout and stderr, and can signal it and wait with a deadline.
#ifndef SAVOIR_TESTS_SUPPORT_SUBPROCESS_H_
#define SAVOIR_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace savoir::testing {

// Path of the savoir binary under test: $SAVOIR_BIN (set by ctest), else the build tree's.
std::string SavoirBinary();

// Path of ../shared: $SAVOIR_SHARED, else the compiled-in SAVOIR_SHARED_DIR.
std::string SharedDir();

// A fresh empty directory under the system temp dir.
std::string MakeTempDir(const std::string& tag);

class Subprocess {
 public:
  struct Result {
    int exit_code = -1;    // valid when !signaled
    int term_signal = 0;   // signal that killed it, 0 if it exited
    bool timed_out = false;
    std::string out;
    std::string err;
  };

  // Starts `argv[0]` with `argv`; `env` entries are added to (or replace) the inherited
  // environment. Aborts the test binary if the process cannot be started.
  Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env = {});
  ~Subprocess();  // kills the child if still running

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for exit up to `timeout`; on timeout kills the child with SIGKILL.
  Result Wait(std::chrono::milliseconds timeout);
  // Stdout captured so far (thread-safe snapshot).
  std::string OutSoFar();

 private:
  struct Capture;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::unique_ptr<Capture> out_;
  std::unique_ptr<Capture> err_;
};

// Convenience: runs to completion (30 s deadline).
Subprocess::Result RunCommand(std::vector<std::string> argv,
                              std::map<std::string, std::string> env = {});

// Minimal HTTP/1.1 client for tests: sends `raw` to 127.0.0.1:port and returns everything
// read until the server closes or `timeout` passes.
std::string RawHttp(int port, const std::string& raw,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Status code of a "HTTP/1.1 200 OK" response, or -1.
int StatusOf(const std::string& response);

}  // namespace savoir::testing

#endif  // SAVOIR_TESTS_SUPPORT_SUBPROCESS_H_
