// How subcommands plug into the `savoir` command line.
//
// Each command module has a Register* function that adds its CLI11 subcommand(s), binds their
// flags, and registers the function to run once the configuration (defaults, file, environment,
// flags) is complete. Flags that override a configuration key are declared with
// CommandRegistry::ConfigFlag so that their values are validated like any configuration value.
#ifndef SAVOIR_APP_COMMAND_H_
#define SAVOIR_APP_COMMAND_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/config.h"

namespace savoir::app {

class CommandRegistry {
 public:
  using RunFn = std::function<int(const Config&)>;

  // Runs `run` when `command` was chosen on the command line.
  void Add(CLI::App* command, RunFn run) { commands_.push_back({command, std::move(run)}); }

  // Adds `--name` to `command`; when given, its value overrides configuration key `key`.
  void ConfigFlag(CLI::App* command, const std::string& name, const std::string& key,
                  const std::string& help);

  // Applies the flags that were given to `config`.
  Status ApplyFlags(Config& config) const;

  // The function of the chosen command, or nullptr.
  const RunFn* Chosen() const;

 private:
  struct Flag {
    CLI::Option* option = nullptr;
    std::string key;
    std::string value;
  };
  struct Command {
    CLI::App* app;
    RunFn run;
  };
  std::vector<std::unique_ptr<Flag>> flags_;
  std::vector<Command> commands_;
};

void RegisterServeCommand(CLI::App& app, CommandRegistry& registry);
void RegisterInfoCommands(CLI::App& app, CommandRegistry& registry);
void RegisterModelCommands(CLI::App& app, CommandRegistry& registry);
// Adds `model pull`; call after RegisterModelCommands, which creates `model`.
void RegisterPullCommand(CLI::App& app, CommandRegistry& registry);
// Adds `model quantize` and `model synth` under the `model` subcommand, which
// RegisterModelCommands must have created.
void RegisterConvertCommands(CLI::App& app, CommandRegistry& registry);
void RegisterBenchCommand(CLI::App& app, CommandRegistry& registry);

// Prints "savoir: <message>" on stderr and returns kExitFailure.
int Fail(const Status& status);

}  // namespace savoir::app

#endif  // SAVOIR_APP_COMMAND_H_
