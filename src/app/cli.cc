#include "app/cli.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/build_info.h"
#include "app/commands.h"
#include "app/config.h"
#include "base/logging.h"

namespace savoir::app {
namespace {

// A flag whose value, when given, overrides configuration key `key`.
struct ConfigFlag {
  CLI::Option* option;
  std::string key;
  std::string value;
};

class FlagSet {
 public:
  // Adds `--name` to `cmd`, feeding `key`. Values are validated by Config, not CLI11, so
  // that a bad value reads the same whether it came from a flag, the environment or a file.
  void Add(CLI::App* cmd, const std::string& name, const std::string& key,
           const std::string& help) {
    flags_.push_back(std::make_unique<ConfigFlag>());
    ConfigFlag* flag = flags_.back().get();
    flag->key = key;
    flag->option = cmd->add_option(name, flag->value, help + " [config: " + key + "]");
  }

  Status Apply(Config& config) const {
    for (const auto& flag : flags_) {
      if (flag->option->count() == 0) continue;
      SAVOIR_RETURN_IF_ERROR(
          config.SetFromFlag(flag->key, flag->value, flag->option->get_name()));
    }
    return OkStatus();
  }

 private:
  std::vector<std::unique_ptr<ConfigFlag>> flags_;
};

int UsageError(const std::string& message) {
  std::fprintf(stderr, "savoir: %s (see 'savoir --help')\n", message.c_str());
  return kExitUsage;
}

// Layers file, environment and flags over the defaults.
Status BuildConfig(const std::string& config_path, const FlagSet& flags, Config& config) {
  std::string path = config_path;
  if (path.empty()) {
    if (const char* env = std::getenv("SAVOIR_CONFIG"); env != nullptr) path = env;
  }
  if (!path.empty()) SAVOIR_RETURN_IF_ERROR(config.LoadFile(path));
  SAVOIR_RETURN_IF_ERROR(config.LoadEnv([](const char* name) { return std::getenv(name); }));
  return flags.Apply(config);
}

Status ConfigureLogging(const Config& config) {
  SAVOIR_ASSIGN_OR_RETURN(LogLevel level, ParseLogLevel(config.GetString("log.level")));
  SAVOIR_ASSIGN_OR_RETURN(LogFormat format, ParseLogFormat(config.GetString("log.format")));
  SetLogOptions({.level = level, .format = format, .sink = nullptr});
  return OkStatus();
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"savoir: a self-hosted knowledge assistant (local LLM service, knowledge base, "
               "web chat with sources)",
               "savoir"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("savoir ") + kVersion);
  FlagSet flags;
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration file (also SAVOIR_CONFIG)")
      ->type_name("FILE");
  flags.Add(&app, "--log-level", "log.level", "debug, info, warn, error or off");
  flags.Add(&app, "--log-format", "log.format", "text or json");

  CLI::App* serve = app.add_subcommand("serve", "Start the HTTP server");
  flags.Add(serve, "--host", "server.host", "address to listen on (default 127.0.0.1)");
  flags.Add(serve, "--port", "server.port", "TCP port (default 8080; 0 picks a free port)");
  flags.Add(serve, "--data-dir", "data_dir", "data directory (default ./data)");

  CLI::App* version = app.add_subcommand("version", "Print the version and build facts");
  bool version_json = false;
  version->add_flag("--json", version_json, "print one JSON object");

  CLI::App* config_cmd = app.add_subcommand("config", "Inspect the configuration");
  config_cmd->require_subcommand(1);
  CLI::App* config_show = config_cmd->add_subcommand(
      "show", "Print the effective configuration and where each value came from");
  bool show_json = false;
  config_show->add_flag("--json", show_json, "print one JSON object");
  flags.Add(config_show, "--data-dir", "data_dir", "data directory");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return UsageError(e.what());
  }

  Config config;
  if (Status s = BuildConfig(config_path, flags, config); !s.ok()) return UsageError(s.message());
  if (Status s = ConfigureLogging(config); !s.ok()) return UsageError(s.message());

  if (serve->parsed()) return RunServe(config);
  if (version->parsed()) return RunVersion(version_json);
  if (config_show->parsed()) return RunConfigShow(config, show_json);
  return UsageError("no command given");
}

}  // namespace savoir::app
