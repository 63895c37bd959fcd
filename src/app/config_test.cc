#include "app/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace savoir::app {
namespace {

std::string WriteFile(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("savoir_config_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

auto EnvFrom(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(ConfigTest, DefaultsAreDeclared) {
  Config config;
  EXPECT_EQ(config.GetString("server.host"), "127.0.0.1");
  EXPECT_EQ(config.GetInt("server.port"), 8080);
  EXPECT_EQ(config.GetString("data_dir"), "./data");
  EXPECT_EQ(config.Get("server.port").origin, "default");
}

TEST(ConfigTest, FileThenEnvThenFlagsTakePrecedence) {
  std::string path = WriteFile("prec.toml",
                               "data_dir = \"/srv/savoir\"\n"
                               "[server]\n"
                               "host = \"0.0.0.0\"\n"
                               "port = 9000\n");
  Config config;
  ASSERT_TRUE(config.LoadFile(path).ok());
  ASSERT_TRUE(config.LoadEnv(EnvFrom({{"SAVOIR_SERVER_PORT", "9100"}})).ok());
  ASSERT_TRUE(config.SetFromFlag("server.host", "127.0.0.2", "--host").ok());
  EXPECT_EQ(config.GetString("data_dir"), "/srv/savoir");
  EXPECT_EQ(config.Get("data_dir").origin, path + ":1");
  EXPECT_EQ(config.GetInt("server.port"), 9100);
  EXPECT_EQ(config.Get("server.port").origin, "env SAVOIR_SERVER_PORT");
  EXPECT_EQ(config.GetString("server.host"), "127.0.0.2");
  EXPECT_EQ(config.Get("server.host").origin, "flag --host");
}

TEST(ConfigTest, UnknownKeyInFileNamesKeyAndLine) {
  std::string path = WriteFile("unknown.toml", "[server]\nport = 9000\nprot = 1\n");
  Status s = Config().LoadFile(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ":3: unknown configuration key 'server.prot'");
}

TEST(ConfigTest, WrongTypeInFileNamesKeyAndLine) {
  std::string path = WriteFile("type.toml", "\n[server]\nport = \"eighty\"\n");
  Status s = Config().LoadFile(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ":3: server.port: expected an integer");
}

TEST(ConfigTest, OutOfRangeInFileNamesKeyAndLine) {
  std::string path = WriteFile("range.toml", "[server]\nport = 70000\n");
  Status s = Config().LoadFile(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ":2: server.port: expected an integer from 0 to 65535, got \"70000\"");
}

TEST(ConfigTest, TomlSyntaxErrorHasLine) {
  std::string path = WriteFile("syntax.toml", "[server\nport = 1\n");
  Status s = Config().LoadFile(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind(path + ":1:", 0), 0u) << s.message();
}

TEST(ConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(Config().LoadFile("/nonexistent/savoir.toml").code(), StatusCode::kNotFound);
}

TEST(ConfigTest, BadEnvAndFlagValuesNameTheirOrigin) {
  Config config;
  Status env = config.LoadEnv(EnvFrom({{"SAVOIR_LOG_LEVEL", "chatty"}}));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.message(),
            "env SAVOIR_LOG_LEVEL: log.level: expected one of debug, info, warn, error, off, got "
            "\"chatty\"");
  Status flag = config.SetFromFlag("server.port", "-1", "--port");
  ASSERT_FALSE(flag.ok());
  EXPECT_EQ(flag.message(),
            "flag --port: server.port: expected an integer from 0 to 65535, got \"-1\"");
}

TEST(ConfigTest, ShowListsEveryKeyWithOrigin) {
  Config config;
  ASSERT_TRUE(config.SetFromFlag("server.port", "9999", "--port").ok());
  std::string shown = config.Show();
  EXPECT_NE(shown.find("server.port = 9999  # flag --port\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("server.host = \"127.0.0.1\"  # default\n"), std::string::npos);
  auto json = config.ToJson();
  EXPECT_EQ(json["server.port"]["value"], 9999);
  EXPECT_EQ(json["server.port"]["origin"], "flag --port");
  EXPECT_EQ(json.size(), AllConfigKeys().size());
}

TEST(ConfigTest, EnvVarNames) {
  EXPECT_EQ(EnvVarForKey("server.max_body_bytes"), "SAVOIR_SERVER_MAX_BODY_BYTES");
  EXPECT_EQ(EnvVarForKey("data_dir"), "SAVOIR_DATA_DIR");
}

}  // namespace
}  // namespace savoir::app
