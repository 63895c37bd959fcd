// Test support: a real `savoir serve` child process on a free loopback port.
#ifndef SAVOIR_TESTS_SUPPORT_SAVOIR_SERVER_H_
#define SAVOIR_TESTS_SUPPORT_SAVOIR_SERVER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace savoir::testing {

class SavoirServer {
 public:
  // Starts `savoir --log-format json serve --port 0 --data-dir <fresh dir> <extra_args>` and
  // waits (up to 30 s) for the URL it prints. ok() is false if it did not come up; error()
  // then holds its stderr.
  explicit SavoirServer(std::vector<std::string> extra_args = {},
                        std::map<std::string, std::string> env = {});

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& error() const { return error_; }
  Subprocess& process() { return *process_; }

 private:
  std::string data_dir_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
  std::string error_;
};

}  // namespace savoir::testing

#endif  // SAVOIR_TESTS_SUPPORT_SAVOIR_SERVER_H_
