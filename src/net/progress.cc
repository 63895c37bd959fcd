#include "net/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace savoir::net {
namespace {

// Seconds of reports the rate is measured over.
constexpr double kRateWindowS = 5.0;

double Eta(const DownloadProgress& p, double rate) {
  if (p.total < 0 || rate <= 0) return -1;
  return static_cast<double>(p.total - p.bytes) / rate;
}

std::string Percent(const DownloadProgress& p) {
  if (p.total <= 0) return p.done ? "100%" : "";
  const int64_t percent = std::clamp<int64_t>(p.bytes * 100 / p.total, 0, 100);
  return fmt::format("{}%", percent);
}

std::string Amount(const DownloadProgress& p) {
  if (p.total < 0) return FormatBytes(p.bytes);
  return fmt::format("{}/{}", FormatBytes(p.bytes), FormatBytes(p.total));
}

std::string Speed(double rate) {
  return rate > 0 ? FormatBytes(static_cast<int64_t>(rate)) + "/s" : "--";
}

}  // namespace

std::string FormatBytes(int64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  const char* units[] = {"kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes) / 1000.0;
  int unit = 0;
  while (value >= 999.95 && unit < 4) {
    value /= 1000.0;
    ++unit;
  }
  const int decimals = value < 9.995 ? 2 : (value < 99.95 ? 1 : 0);
  return fmt::format("{:.{}f} {}", value, decimals, units[unit]);
}

std::string FormatEta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 99 * 3600.0) return "--:--";
  const auto total = static_cast<int64_t>(std::ceil(seconds));
  const int64_t h = total / 3600;
  const int64_t m = total / 60 % 60;
  const int64_t s = total % 60;
  if (h > 0) return fmt::format("{}:{:02}:{:02}", h, m, s);
  return fmt::format("{}:{:02}", m, s);
}

std::string FormatProgressBar(std::string_view label, const DownloadProgress& progress,
                              double bytes_per_s, int width) {
  // Fixed-width fields keep the bar from jumping as the numbers change.
  const std::string last = progress.done ? "took " + FormatEta(progress.elapsed_s)
                                         : "ETA " + FormatEta(Eta(progress, bytes_per_s));
  const std::string tail = fmt::format("{:>4}  {:>15}  {:>9}  {:<11}", Percent(progress),
                                       Amount(progress), Speed(bytes_per_s), last);
  // name, two spaces, [bar], two spaces, tail.
  std::string name(label.substr(0, std::max<size_t>(8, static_cast<size_t>(width) / 4)));
  const int bar = width - static_cast<int>(name.size() + tail.size()) - 6;
  if (bar < 5) return (name + "  " + tail).substr(0, static_cast<size_t>(std::max(width, 0)));
  std::string cells(static_cast<size_t>(bar), ' ');
  if (progress.total > 0) {
    const auto filled =
        static_cast<size_t>(std::clamp<int64_t>(progress.bytes * bar / progress.total, 0, bar));
    std::fill_n(cells.begin(), filled, '=');
    if (filled < cells.size() && filled > 0) cells[filled - 1] = '>';
  }
  return fmt::format("{}  [{}]  {}", name, cells, tail);
}

std::string FormatProgressLine(std::string_view label, const DownloadProgress& progress,
                               double bytes_per_s) {
  std::string line(label);
  line += ": ";
  if (progress.total >= 0) {
    line += fmt::format("{} ({} of {})", Percent(progress), FormatBytes(progress.bytes),
                        FormatBytes(progress.total));
  } else {
    line += FormatBytes(progress.bytes);
  }
  line += ", " + Speed(bytes_per_s);
  if (!progress.done) line += ", ETA " + FormatEta(Eta(progress, bytes_per_s));
  return line;
}

double ProgressDisplay::Rate(const DownloadProgress& progress) {
  if (!samples_.empty() && progress.bytes < samples_.back().second) samples_.clear();  // restart
  samples_.emplace_back(progress.elapsed_s, progress.bytes);
  while (samples_.size() > 2 && progress.elapsed_s - samples_[1].first >= kRateWindowS) {
    samples_.pop_front();
  }
  const auto& [t0, b0] = samples_.front();
  const double dt = progress.elapsed_s - t0;
  if (dt <= 0) return 0;
  return static_cast<double>(progress.bytes - b0) / dt;
}

void ProgressDisplay::Update(const DownloadProgress& progress) {
  const double rate = Rate(progress);
  if (options_.terminal) {
    std::fprintf(options_.out, "\r%s\x1b[K",
                 FormatProgressBar(options_.label, progress, rate, options_.width).c_str());
    line_open_ = true;
    if (progress.done) Finish();
    std::fflush(options_.out);
    return;
  }
  if (!progress.done && progress.elapsed_s - last_log_s_ < options_.log_interval_s) return;
  last_log_s_ = progress.elapsed_s;
  std::fprintf(options_.out, "%s\n", FormatProgressLine(options_.label, progress, rate).c_str());
  std::fflush(options_.out);
}

void ProgressDisplay::Notice(std::string_view message) {
  Finish();
  std::fprintf(options_.out, "%.*s\n", static_cast<int>(message.size()), message.data());
  std::fflush(options_.out);
}

void ProgressDisplay::Finish() {
  if (!line_open_) return;
  std::fputc('\n', options_.out);
  line_open_ = false;
}

}  // namespace savoir::net
