// Entry points of the subcommands, called by cli.cc once flags and configuration are parsed.
// Each returns a process exit code (see cli.h) and prints its own one-line errors.
#ifndef SAVOIR_APP_COMMANDS_H_
#define SAVOIR_APP_COMMANDS_H_

#include <nlohmann/json.hpp>

#include "app/config.h"

namespace savoir::app {

// Starts the HTTP server and blocks until SIGINT or SIGTERM; then stops gracefully.
int RunServe(const Config& config);

// Version, commit, build type and compiler, as served by GET /version.
nlohmann::ordered_json BuildInfoJson();

// Prints the version and build facts.
int RunVersion(bool json);

// Prints the effective configuration and the origin of each value.
int RunConfigShow(const Config& config, bool json);

}  // namespace savoir::app

#endif  // SAVOIR_APP_COMMANDS_H_
