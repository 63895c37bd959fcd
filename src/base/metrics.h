// Prometheus metrics: counters, gauges and histograms with labels, and the text exposition
// format served at GET /metrics.
//
// A MetricsRegistry owns metric families, created once at start-up by the components that
// report them (handlers, scheduler adapters) and updated on hot paths: Add/Set/Observe take one
// uncontended mutex per family lookup of a label set, which is cheap next to an HTTP request.
// Gauges whose value lives elsewhere (queue length, KV blocks) are read at scrape time through
// callbacks.
//
// Thread safety: every method may be called from any thread.
#ifndef SAVOIR_BASE_METRICS_H_
#define SAVOIR_BASE_METRICS_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace savoir {

// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Add(const LabelValues& labels, double delta = 1.0);
  double Value(const LabelValues& labels) const;

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_;  // guarded by mu_
};

class Gauge {
 public:
  void Set(const LabelValues& labels, double value);
  double Value(const LabelValues& labels) const;

 private:
  friend class MetricsRegistry;
  mutable std::mutex mu_;
  std::map<LabelValues, double> values_;  // guarded by mu_
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {}
  void Observe(const LabelValues& labels, double value);
  // Observations so far for `labels`.
  uint64_t Count(const LabelValues& labels) const;

 private:
  friend class MetricsRegistry;
  struct Series {
    std::vector<uint64_t> buckets;  // cumulative counts are computed at exposition
    uint64_t count = 0;
    double sum = 0;
  };
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<LabelValues, Series> series_;  // guarded by mu_
};

class MetricsRegistry {
 public:
  // Each family is created once; the returned pointer lives as long as the registry.
  Counter* AddCounter(std::string name, std::string help, std::vector<std::string> labels = {});
  Gauge* AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Histogram* AddHistogram(std::string name, std::string help, std::vector<double> bounds,
                          std::vector<std::string> labels = {});
  // A gauge computed at scrape time; `read` returns (label values, value) pairs.
  void AddCallbackGauge(std::string name, std::string help, std::vector<std::string> labels,
                        std::function<std::vector<std::pair<LabelValues, double>>()> read);

  // The Prometheus text exposition (version 0.0.4) of every family.
  std::string Expose() const;

  // Latency buckets in seconds from 5 ms to 60 s.
  static std::vector<double> LatencyBuckets();

 private:
  struct Family {
    std::string name;
    std::string help;
    std::string type;
    std::vector<std::string> labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<std::vector<std::pair<LabelValues, double>>()> callback;
  };
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;  // guarded by mu_
};

}  // namespace savoir

#endif  // SAVOIR_BASE_METRICS_H_
