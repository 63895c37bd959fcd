#include "base/logging.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace savoir {
namespace {

constexpr int64_t kNoon = 1795348800LL * 1000000 + 123456;  // 2026-11-22T12:00:00.123456Z

TEST(LoggingTest, TextLineHasTimeLevelMessageAndFields) {
  std::string line = FormatLogLine(LogFormat::kText, LogLevel::kWarn, kNoon, "slow request",
                                   {{"path", "/v1/chat"}, {"ms", 1520}, {"note", "two words"}});
  EXPECT_EQ(line, "2026-11-22T12:00:00.123Z WARN  slow request path=/v1/chat ms=1520 "
                  "note=\"two words\"\n");
}

TEST(LoggingTest, JsonLineIsOneObject) {
  std::string line = FormatLogLine(LogFormat::kJson, LogLevel::kInfo, kNoon, "done",
                                   {{"ok", true}, {"ratio", 0.5}, {"id", "r-1"}});
  ASSERT_EQ(line.back(), '\n');
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "2026-11-22T12:00:00.123Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "done");
  EXPECT_EQ(j["ok"], true);
  EXPECT_DOUBLE_EQ(j["ratio"].get<double>(), 0.5);
  EXPECT_EQ(j["id"], "r-1");
}

TEST(LoggingTest, InvalidUtf8DoesNotBreakJson) {
  std::string line =
      FormatLogLine(LogFormat::kJson, LogLevel::kError, kNoon, "bad \xff bytes", {});
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(LoggingTest, LevelFiltersAndSinkReceivesLines) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  LogOptions saved = GetLogOptions();
  SetLogOptions({.level = LogLevel::kWarn, .format = LogFormat::kJson, .sink = sink});
  LogInfo("hidden");
  LogWarn("shown", {{"k", 1}});
  SetLogOptions(saved);
  std::rewind(sink);
  char buf[512] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, sink);
  std::fclose(sink);
  std::string out(buf, n);
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("\"msg\":\"shown\""), std::string::npos);
}

TEST(LoggingTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(*ParseLogLevel("WARNING"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace savoir
