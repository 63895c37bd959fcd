// The `savoir` command line: subcommands, flags, configuration layering and exit codes.
//
// Exit codes: 0 success, 1 the command failed (its one-line reason is printed on stderr),
// 2 the command line or configuration is invalid (one line naming the flag, key or value).
#ifndef SAVOIR_APP_CLI_H_
#define SAVOIR_APP_CLI_H_

namespace savoir::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Parses `argv`, runs the chosen subcommand and returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace savoir::app

#endif  // SAVOIR_APP_CLI_H_
