// Functions shared between command modules.
#ifndef SAVOIR_APP_COMMANDS_H_
#define SAVOIR_APP_COMMANDS_H_

#include <nlohmann/json.hpp>

namespace savoir::app {

// Version, commit, build type and compiler, as `savoir version --json` and GET /version give.
nlohmann::ordered_json BuildInfoJson();

}  // namespace savoir::app

#endif  // SAVOIR_APP_COMMANDS_H_
