#include "app/cli.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "app/build_info.h"
#include "app/command.h"
#include "app/config.h"
#include "base/logging.h"

namespace savoir::app {
namespace {

int UsageError(const std::string& message) {
  std::fprintf(stderr, "savoir: %s (see 'savoir --help')\n", message.c_str());
  return kExitUsage;
}

// Layers file, environment and flags over the defaults.
Status BuildConfig(const std::string& config_path, const CommandRegistry& registry,
                   Config& config) {
  std::string path = config_path;
  if (path.empty()) {
    if (const char* env = std::getenv("SAVOIR_CONFIG"); env != nullptr) path = env;
  }
  if (!path.empty()) SAVOIR_RETURN_IF_ERROR(config.LoadFile(path));
  SAVOIR_RETURN_IF_ERROR(config.LoadEnv([](const char* name) { return std::getenv(name); }));
  return registry.ApplyFlags(config);
}

Status ConfigureLogging(const Config& config) {
  SAVOIR_ASSIGN_OR_RETURN(LogLevel level, ParseLogLevel(config.GetString("log.level")));
  SAVOIR_ASSIGN_OR_RETURN(LogFormat format, ParseLogFormat(config.GetString("log.format")));
  SetLogOptions({.level = level, .format = format, .sink = nullptr});
  return OkStatus();
}

}  // namespace

void CommandRegistry::ConfigFlag(CLI::App* command, const std::string& name,
                                 const std::string& key, const std::string& help) {
  flags_.push_back(std::make_unique<Flag>());
  Flag* flag = flags_.back().get();
  flag->key = key;
  flag->option = command->add_option(name, flag->value, help + " [config: " + key + "]");
}

Status CommandRegistry::ApplyFlags(Config& config) const {
  for (const auto& flag : flags_) {
    if (flag->option->count() == 0) continue;
    SAVOIR_RETURN_IF_ERROR(config.SetFromFlag(flag->key, flag->value, flag->option->get_name()));
  }
  return OkStatus();
}

const CommandRegistry::RunFn* CommandRegistry::Chosen() const {
  for (const Command& c : commands_) {
    if (c.app->parsed()) return &c.run;
  }
  return nullptr;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "savoir: %s\n", status.message().c_str());
  return kExitFailure;
}

int RunCli(int argc, char** argv) {
  CLI::App app{"savoir: a self-hosted knowledge assistant (local LLM service, knowledge base, "
               "web chat with sources)",
               "savoir"};
  // No require_subcommand(): CLI11 would report a missing command before an unknown flag.
  app.set_version_flag("--version", std::string("savoir ") + kVersion);
  CommandRegistry registry;
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration file (also SAVOIR_CONFIG)")
      ->type_name("FILE");
  registry.ConfigFlag(&app, "--log-level", "log.level", "debug, info, warn, error or off");
  registry.ConfigFlag(&app, "--log-format", "log.format", "text or json");
  RegisterServeCommand(app, registry);
  RegisterModelCommands(app, registry);
  RegisterPullCommand(app, registry);
  RegisterConvertCommands(app, registry);
  RegisterBenchCommand(app, registry);
  RegisterInfoCommands(app, registry);

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
  if (Status s = BuildConfig(config_path, registry, config); !s.ok()) return UsageError(s.message());
  if (Status s = ConfigureLogging(config); !s.ok()) return UsageError(s.message());
  const CommandRegistry::RunFn* run = registry.Chosen();
  if (run == nullptr) return UsageError("no command given");
  return (*run)(config);
}

}  // namespace savoir::app
