// ProgressDisplay: shows how a download advances, on a terminal or in a log.
//
// On a terminal it redraws one line in place -- name, bar, percent, bytes, MB/s and ETA --
// and ends it with a newline when done. Elsewhere (a pipe, a log file, systemd) it writes a
// plain line every `log_interval_s` seconds and one at the end, so logs stay readable. The
// rate is measured over the last few seconds of progress reports, so a resumed download does
// not count the bytes it found on disk as speed. Time comes from DownloadProgress::elapsed_s,
// which keeps the output a pure function of the reports (and testable).
//
// Thread safety: not thread-safe; feed one display from one thread.
#ifndef SAVOIR_NET_PROGRESS_H_
#define SAVOIR_NET_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "net/download.h"

namespace savoir::net {

struct ProgressDisplayOptions {
  // Not owned; must outlive the display.
  std::FILE* out = stderr;
  // true: redraw one line in place; false: one line per `log_interval_s`.
  bool terminal = false;
  double log_interval_s = 5.0;
  // Terminal width in columns.
  int width = 80;
  // What is downloaded, e.g. the file name.
  std::string label;
};

class ProgressDisplay {
 public:
  explicit ProgressDisplay(ProgressDisplayOptions options) : options_(std::move(options)) {}

  // Takes one report (as DownloadOptions::on_progress gives them) and draws if it is time.
  void Update(const DownloadProgress& progress);
  // Prints `message` on a line of its own, ending the bar line first.
  void Notice(std::string_view message);
  // Ends the bar line if one is drawn; call before printing anything else.
  void Finish();

 private:
  double Rate(const DownloadProgress& progress);

  ProgressDisplayOptions options_;
  std::deque<std::pair<double, int64_t>> samples_;  // (elapsed_s, bytes), oldest first
  double last_log_s_ = 0;
  bool line_open_ = false;
};

// "999 B", "12.3 kB", "4.56 MB", "1.23 GB" (decimal units, as MB/s).
std::string FormatBytes(int64_t bytes);
// "0:07", "12:34", "1:02:03"; "--:--" when negative, infinite or absurdly long.
std::string FormatEta(double seconds);
// One terminal line of exactly `width` columns when the bar fits, else shorter (no bar):
// "name  [=====>    ]   45%  12.3 MB/27.0 MB  5.10 MB/s  ETA 0:03   "; the last field is
// "took M:SS" once done. Fields have fixed widths so that the bar does not jump.
std::string FormatProgressBar(std::string_view label, const DownloadProgress& progress,
                              double bytes_per_s, int width);
// One log line: "name: 45% (12.3 MB of 27.0 MB), 5.10 MB/s, ETA 0:03".
std::string FormatProgressLine(std::string_view label, const DownloadProgress& progress,
                               double bytes_per_s);

}  // namespace savoir::net

#endif  // SAVOIR_NET_PROGRESS_H_
