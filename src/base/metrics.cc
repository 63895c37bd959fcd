#include "base/metrics.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace savoir {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

// {a="x",b="y"} with an optional extra label (histogram buckets' le).
std::string LabelText(const std::vector<std::string>& names, const LabelValues& values,
                      const std::string& extra = "") {
  std::vector<std::string> parts;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    parts.push_back(fmt::format("{}=\"{}\"", names[i], EscapeLabel(values[i])));
  }
  if (!extra.empty()) parts.push_back(extra);
  if (parts.empty()) return "";
  return fmt::format("{{{}}}", fmt::join(parts, ","));
}

}  // namespace

void Counter::Add(const LabelValues& labels, double delta) {
  std::lock_guard lock(mu_);
  values_[labels] += delta;
}

double Counter::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

void Gauge::Set(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  values_[labels] = value;
}

double Gauge::Value(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

void Histogram::Observe(const LabelValues& labels, double value) {
  std::lock_guard lock(mu_);
  Series& s = series_[labels];
  if (s.buckets.empty()) s.buckets.resize(bounds_.size(), 0);
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  if (it != bounds_.end()) ++s.buckets[static_cast<size_t>(it - bounds_.begin())];
  ++s.count;
  s.sum += value;
}

uint64_t Histogram::Count(const LabelValues& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

Counter* MetricsRegistry::AddCounter(std::string name, std::string help,
                                     std::vector<std::string> labels) {
  auto f = std::make_unique<Family>();
  f->name = std::move(name);
  f->help = std::move(help);
  f->type = "counter";
  f->labels = std::move(labels);
  f->counter = std::make_unique<Counter>();
  Counter* c = f->counter.get();
  std::lock_guard lock(mu_);
  families_.push_back(std::move(f));
  return c;
}

Gauge* MetricsRegistry::AddGauge(std::string name, std::string help,
                                 std::vector<std::string> labels) {
  auto f = std::make_unique<Family>();
  f->name = std::move(name);
  f->help = std::move(help);
  f->type = "gauge";
  f->labels = std::move(labels);
  f->gauge = std::make_unique<Gauge>();
  Gauge* g = f->gauge.get();
  std::lock_guard lock(mu_);
  families_.push_back(std::move(f));
  return g;
}

Histogram* MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<double> bounds,
                                         std::vector<std::string> labels) {
  std::sort(bounds.begin(), bounds.end());
  auto f = std::make_unique<Family>();
  f->name = std::move(name);
  f->help = std::move(help);
  f->type = "histogram";
  f->labels = std::move(labels);
  f->histogram = std::make_unique<Histogram>(std::move(bounds));
  Histogram* h = f->histogram.get();
  std::lock_guard lock(mu_);
  families_.push_back(std::move(f));
  return h;
}

void MetricsRegistry::AddCallbackGauge(
    std::string name, std::string help, std::vector<std::string> labels,
    std::function<std::vector<std::pair<LabelValues, double>>()> read) {
  auto f = std::make_unique<Family>();
  f->name = std::move(name);
  f->help = std::move(help);
  f->type = "gauge";
  f->labels = std::move(labels);
  f->callback = std::move(read);
  std::lock_guard lock(mu_);
  families_.push_back(std::move(f));
}

std::string MetricsRegistry::Expose() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& f : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f->name, f->help, f->name, f->type);
    if (f->counter || f->gauge) {
      std::mutex& mu = f->counter ? f->counter->mu_ : f->gauge->mu_;
      const auto& values = f->counter ? f->counter->values_ : f->gauge->values_;
      std::lock_guard family_lock(mu);
      for (const auto& [labels, v] : values) {
        out += fmt::format("{}{} {}\n", f->name, LabelText(f->labels, labels), FormatValue(v));
      }
    } else if (f->callback) {
      for (const auto& [labels, v] : f->callback()) {
        out += fmt::format("{}{} {}\n", f->name, LabelText(f->labels, labels), FormatValue(v));
      }
    } else if (f->histogram) {
      const Histogram& h = *f->histogram;
      std::lock_guard family_lock(h.mu_);
      for (const auto& [labels, s] : h.series_) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < h.bounds_.size(); ++i) {
          cumulative += s.buckets[i];
          out += fmt::format("{}_bucket{} {}\n", f->name,
                             LabelText(f->labels, labels,
                                       fmt::format("le=\"{}\"", FormatValue(h.bounds_[i]))),
                             cumulative);
        }
        out += fmt::format("{}_bucket{} {}\n", f->name,
                           LabelText(f->labels, labels, "le=\"+Inf\""), s.count);
        out += fmt::format("{}_sum{} {}\n", f->name, LabelText(f->labels, labels),
                           FormatValue(s.sum));
        out += fmt::format("{}_count{} {}\n", f->name, LabelText(f->labels, labels), s.count);
      }
    }
  }
  return out;
}

std::vector<double> MetricsRegistry::LatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace savoir
