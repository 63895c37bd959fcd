// The `savoir` command line as a user meets it: exit codes, one-line errors, configuration
// layering. Runs the real binary.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/subprocess.h"

namespace savoir::testing {
namespace {

using ::testing::HasSubstr;

int CountLines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliTest, UnknownFlagExitsTwoWithOneLineNamingIt) {
  auto r = RunCommand({SavoirBinary(), "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--frobnicate"));
  EXPECT_EQ(r.out, "");
}

TEST(CliTest, UnknownSubcommandFlagExitsTwo) {
  auto r = RunCommand({SavoirBinary(), "serve", "--prot", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--prot"));
}

TEST(CliTest, BadFlagValueExitsTwoNamingFlagAndValue) {
  auto r = RunCommand({SavoirBinary(), "serve", "--port", "eighty"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--port"));
  EXPECT_THAT(r.err, HasSubstr("eighty"));
}

TEST(CliTest, NoCommandExitsTwo) {
  auto r = RunCommand({SavoirBinary()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
}

TEST(CliTest, HelpDescribesCommandsAndFlags) {
  auto top = RunCommand({SavoirBinary(), "--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("serve"));
  EXPECT_THAT(top.out, HasSubstr("version"));
  EXPECT_THAT(top.out, HasSubstr("config"));
  auto serve = RunCommand({SavoirBinary(), "serve", "--help"});
  EXPECT_EQ(serve.exit_code, 0);
  EXPECT_THAT(serve.out, HasSubstr("--host"));
  EXPECT_THAT(serve.out, HasSubstr("--port"));
  EXPECT_THAT(serve.out, HasSubstr("--data-dir"));
}

TEST(CliTest, VersionPrintsVersion) {
  auto r = RunCommand({SavoirBinary(), "version", "--json"});
  EXPECT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_TRUE(j.contains("commit"));
  auto plain = RunCommand({SavoirBinary(), "--version"});
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_THAT(plain.out, HasSubstr("savoir 0.1.0"));
}

TEST(CliTest, ConfigShowReportsValuesAndOrigins) {
  std::string dir = MakeTempDir("cli_config");
  std::string file = dir + "/savoir.toml";
  std::ofstream(file) << "data_dir = \"/var/lib/savoir\"\n[server]\nport = 9000\nhost = \"::1\"\n";
  auto r = RunCommand({SavoirBinary(), "--config", file, "config", "show", "--json"},
               {{"SAVOIR_SERVER_PORT", "9100"}, {"SAVOIR_LOG_FORMAT", "json"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["data_dir"]["value"], "/var/lib/savoir");
  EXPECT_EQ(j["data_dir"]["origin"], file + ":1");
  EXPECT_EQ(j["server.port"]["value"], 9100);
  EXPECT_EQ(j["server.port"]["origin"], "env SAVOIR_SERVER_PORT");
  EXPECT_EQ(j["server.host"]["value"], "::1");
  EXPECT_EQ(j["log.format"]["value"], "json");
  EXPECT_EQ(j["server.io_threads"]["origin"], "default");

  auto text = RunCommand({SavoirBinary(), "--config", file, "config", "show", "--data-dir", "/tmp/x"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("data_dir = \"/tmp/x\"  # flag --data-dir\n"));
  EXPECT_THAT(text.out, HasSubstr("server.port = 9000  # " + file + ":3\n"));
}

TEST(CliTest, InvalidConfigFileExitsTwoNamingKeyAndLine) {
  std::string dir = MakeTempDir("cli_badconfig");
  std::string file = dir + "/savoir.toml";
  std::ofstream(file) << "[server]\nport = 8080\nhots = \"x\"\n";
  auto r = RunCommand({SavoirBinary(), "--config", file, "config", "show"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(file + ":3"));
  EXPECT_THAT(r.err, HasSubstr("server.hots"));
}

TEST(CliTest, BadEnvironmentValueExitsTwo) {
  auto r = RunCommand({SavoirBinary(), "config", "show"}, {{"SAVOIR_SERVER_PORT", "99999"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("SAVOIR_SERVER_PORT"));
}

}  // namespace
}  // namespace savoir::testing
