#include "support/savoir_server.h"

#include <chrono>
#include <regex>
#include <thread>

namespace savoir::testing {

SavoirServer::SavoirServer(std::vector<std::string> extra_args,
                           std::map<std::string, std::string> env)
    : data_dir_(MakeTempDir("server")) {
  std::vector<std::string> argv = {SavoirBinary(), "--log-format", "json", "serve",
                                   "--port",       "0",            "--data-dir", data_dir_};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Subprocess>(argv, env);
  const std::regex url_re(R"(listening on http://[^:]+:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string out = process_->OutSoFar();
    if (std::regex_search(out, m, url_re)) {
      port_ = std::stoi(m[1]);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto result = process_->Wait(std::chrono::seconds(1));
  error_ = result.err;
}

}  // namespace savoir::testing
