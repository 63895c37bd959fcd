// `savoir version` and `savoir config show`.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/build_info.h"
#include "app/cli.h"
#include "app/commands.h"

namespace savoir::app {

nlohmann::ordered_json BuildInfoJson() {
  return {{"version", kVersion},
          {"commit", kGitCommit},
          {"build_type", kBuildType},
          {"compiler", kCompiler}};
}

int RunVersion(bool json) {
  if (json) {
    std::printf("%s\n", BuildInfoJson().dump().c_str());
  } else {
    std::printf("savoir %s (commit %s, %s build, %s)\n", kVersion, kGitCommit, kBuildType,
                kCompiler);
  }
  return kExitOk;
}

int RunConfigShow(const Config& config, bool json) {
  if (json) {
    std::printf("%s\n", config.ToJson().dump(2).c_str());
  } else {
    std::fputs(config.Show().c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace savoir::app
