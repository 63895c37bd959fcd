#include "net/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace savoir::net {
namespace {

TEST(ProgressTest, FormatBytes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(999), "999 B");
  EXPECT_EQ(FormatBytes(1000), "1.00 kB");
  EXPECT_EQ(FormatBytes(1185376), "1.19 MB");
  EXPECT_EQ(FormatBytes(27'000'000), "27.0 MB");
  EXPECT_EQ(FormatBytes(999'960), "1.00 MB");
  EXPECT_EQ(FormatBytes(4'368'438'976), "4.37 GB");
}

TEST(ProgressTest, FormatEta) {
  EXPECT_EQ(FormatEta(0), "0:00");
  EXPECT_EQ(FormatEta(6.2), "0:07");
  EXPECT_EQ(FormatEta(754), "12:34");
  EXPECT_EQ(FormatEta(3723), "1:02:03");
  EXPECT_EQ(FormatEta(-1), "--:--");
  EXPECT_EQ(FormatEta(1e12), "--:--");
}

TEST(ProgressTest, BarFitsTheWidthAndShowsEverything) {
  const DownloadProgress p{.bytes = 13'500'000, .total = 27'000'000, .elapsed_s = 3, .done = false};
  const std::string bar = FormatProgressBar("model.gguf", p, 5'000'000, 80);
  EXPECT_EQ(bar.size(), 80u) << bar;
  EXPECT_EQ(bar,
            "model.gguf  [========>          ]   50%  13.5 MB/27.0 MB  5.00 MB/s  ETA 0:03   ");
  // Other numbers, same layout: the bar does not jump.
  const DownloadProgress early{.bytes = 5000, .total = 27'000'000, .elapsed_s = 0.1};
  EXPECT_EQ(FormatProgressBar("model.gguf", early, 0, 80).find(']'), bar.find(']'));
  const DownloadProgress done{
      .bytes = 27'000'000, .total = 27'000'000, .elapsed_s = 65, .done = true};
  EXPECT_EQ(FormatProgressBar("model.gguf", done, 415'384, 80),
            "model.gguf  [===================]  100%  27.0 MB/27.0 MB   415 kB/s  took 1:05  ");
  const std::string narrow = FormatProgressBar("model.gguf", p, 5'000'000, 40);
  EXPECT_LE(narrow.size(), 40u) << narrow;
}

TEST(ProgressTest, UnknownTotalAndDone) {
  DownloadProgress p{.bytes = 2'000'000, .total = -1, .elapsed_s = 1, .done = false};
  EXPECT_EQ(FormatProgressLine("f", p, 1e6), "f: 2.00 MB, 1.00 MB/s, ETA --:--");
  p = {.bytes = 2'000'000, .total = 2'000'000, .elapsed_s = 2, .done = true};
  EXPECT_EQ(FormatProgressLine("f", p, 1e6), "f: 100% (2.00 MB of 2.00 MB), 1.00 MB/s");
}

// Log mode writes one line per interval of reported time, plus the final one.
TEST(ProgressTest, LogModeThrottlesByReportedTime) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ASSERT_NE(out, nullptr);
  {
    ProgressDisplay display({.out = out, .terminal = false, .log_interval_s = 5, .label = "m"});
    for (int i = 0; i <= 100; ++i) {  // 10 s of reports, 100 ms apart, 1 MB/s
      display.Update(
          {.bytes = i * 100'000, .total = 10'000'000, .elapsed_s = i * 0.1, .done = i == 100});
    }
  }
  std::fclose(out);
  const std::string output(text, size);
  std::free(text);
  EXPECT_EQ(output,
            "m: 50% (5.00 MB of 10.0 MB), 1.00 MB/s, ETA 0:05\n"
            "m: 100% (10.0 MB of 10.0 MB), 1.00 MB/s\n");
}

TEST(ProgressTest, TerminalModeRedrawsOneLine) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ASSERT_NE(out, nullptr);
  {
    ProgressDisplay display({.out = out, .terminal = true, .width = 60, .label = "m"});
    display.Update({.bytes = 0, .total = 100, .elapsed_s = 0, .done = false});
    display.Notice("retrying");
    display.Update({.bytes = 100, .total = 100, .elapsed_s = 1, .done = true});
  }
  std::fclose(out);
  const std::string output(text, size);
  std::free(text);
  EXPECT_EQ(output.front(), '\r');
  EXPECT_NE(output.find("\x1b[K\nretrying\n\r"), std::string::npos) << output;
  EXPECT_EQ(output.back(), '\n');
  EXPECT_NE(output.find("100%"), std::string::npos);
}

}  // namespace
}  // namespace savoir::net
