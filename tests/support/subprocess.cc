#include "support/subprocess.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <gtest/gtest.h>

extern char** environ;

namespace savoir::testing {

struct Subprocess::Capture {
  int fd = -1;
  std::mutex mu;
  std::string data;  // guarded by mu
  std::thread reader;

  void Start(int read_fd) {
    fd = read_fd;
    reader = std::thread([this] {
      char buf[4096];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n <= 0) break;
        std::lock_guard lock(mu);
        data.append(buf, static_cast<size_t>(n));
      }
    });
  }
  std::string Snapshot() {
    std::lock_guard lock(mu);
    return data;
  }
  void Join() {
    if (reader.joinable()) reader.join();
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

std::string SavoirBinary() {
  if (const char* bin = std::getenv("SAVOIR_BIN"); bin != nullptr && *bin) return bin;
  return std::string(SAVOIR_BINARY_DIR) + "/savoir";
}

std::string SharedDir() {
  if (const char* dir = std::getenv("SAVOIR_SHARED"); dir != nullptr && *dir) return dir;
  return SAVOIR_SHARED_DIR;
}

std::string MakeTempDir(const std::string& tag) {
  std::string templ = (std::filesystem::temp_directory_path() / ("savoir_" + tag + "_XXXXXX"));
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) std::abort();
  return buf.data();
}

Subprocess::Subprocess(std::vector<std::string> argv, std::map<std::string, std::string> env)
    : out_(std::make_unique<Capture>()), err_(std::make_unique<Capture>()) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) std::abort();
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> c_argv;
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  for (auto& e : env_strings) c_env.push_back(e.data());
  c_env.push_back(nullptr);

  pid_ = ::fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  out_->Start(out_pipe[0]);
  err_->Start(err_pipe[0]);
}

Subprocess::~Subprocess() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  out_->Join();
  err_->Join();
}

void Subprocess::Signal(int sig) { ::kill(pid_, sig); }

std::string Subprocess::OutSoFar() { return out_->Snapshot(); }

Subprocess::Result Subprocess::Wait(std::chrono::milliseconds timeout) {
  Result result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reaped_ = true;
  out_->Join();
  err_->Join();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  result.out = out_->Snapshot();
  result.err = err_->Snapshot();
  return result;
}

Subprocess::Result RunCommand(std::vector<std::string> argv, std::map<std::string, std::string> env) {
  Subprocess p(std::move(argv), std::move(env));
  return p.Wait(std::chrono::seconds(30));
}

std::string RawHttp(int port, const std::string& raw, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "";
  }
  size_t sent = 0;
  while (sent < raw.size()) {
    ssize_t n = ::send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[8192];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{fd, POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - std::chrono::steady_clock::now())
                                    .count());
    if (::poll(&pfd, 1, std::max(left, 1)) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return response;
}

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return -1;
  return std::atoi(response.substr(9, 3).c_str());
}

}  // namespace savoir::testing
