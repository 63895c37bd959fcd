// `savoir version` and `savoir config show`.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/build_info.h"
#include "app/cli.h"
#include "app/command.h"
#include "app/commands.h"

namespace savoir::app {

nlohmann::ordered_json BuildInfoJson() {
  return {{"version", kVersion},
          {"commit", kGitCommit},
          {"build_type", kBuildType},
          {"compiler", kCompiler}};
}

void RegisterInfoCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* version = app.add_subcommand("version", "Print the version and build facts");
  auto version_json = std::make_shared<bool>(false);
  version->add_flag("--json", *version_json, "print one JSON object");
  registry.Add(version, [version_json](const Config&) {
    if (*version_json) {
      std::printf("%s\n", BuildInfoJson().dump().c_str());
    } else {
      std::printf("savoir %s (commit %s, %s build, %s)\n", kVersion, kGitCommit, kBuildType,
                  kCompiler);
    }
    return kExitOk;
  });

  CLI::App* config_cmd = app.add_subcommand("config", "Inspect the configuration");
  config_cmd->require_subcommand(1);
  CLI::App* show = config_cmd->add_subcommand(
      "show", "Print the effective configuration and where each value came from");
  auto show_json = std::make_shared<bool>(false);
  show->add_flag("--json", *show_json, "print one JSON object");
  registry.ConfigFlag(show, "--data-dir", "data_dir", "data directory");
  registry.Add(show, [show_json](const Config& config) {
    if (*show_json) {
      std::printf("%s\n", config.ToJson().dump(2).c_str());
    } else {
      std::fputs(config.Show().c_str(), stdout);
    }
    return kExitOk;
  });
}

}  // namespace savoir::app
