#include "base/metrics.h"

#include <gtest/gtest.h>

namespace savoir {
namespace {

TEST(MetricsTest, ExposesCountersGaugesAndHistogramsInPrometheusText) {
  MetricsRegistry registry;
  Counter* requests = registry.AddCounter("savoir_http_requests_total", "HTTP requests",
                                          {"endpoint", "status"});
  Gauge* queue = registry.AddGauge("savoir_queue_length", "Waiting requests");
  Histogram* ttft = registry.AddHistogram("savoir_ttft_seconds", "Time to first token",
                                          {0.1, 1.0}, {"model"});
  registry.AddCallbackGauge("savoir_kv_blocks", "KV blocks", {"state"}, [] {
    return std::vector<std::pair<LabelValues, double>>{{{"used"}, 3}, {{"free"}, 5}};
  });
  requests->Add({"/v1/chat/completions", "200"});
  requests->Add({"/v1/chat/completions", "200"});
  requests->Add({"/v1/models", "404"});
  queue->Set({}, 4);
  ttft->Observe({"q\"wen"}, 0.05);
  ttft->Observe({"q\"wen"}, 0.5);
  ttft->Observe({"q\"wen"}, 7);
  EXPECT_EQ(requests->Value({"/v1/chat/completions", "200"}), 2);
  EXPECT_EQ(ttft->Count({"q\"wen"}), 3u);

  std::string text = registry.Expose();
  EXPECT_NE(text.find("# TYPE savoir_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("savoir_http_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("savoir_queue_length 4\n"), std::string::npos);
  EXPECT_NE(text.find("savoir_ttft_seconds_bucket{model=\"q\\\"wen\",le=\"0.1\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("savoir_ttft_seconds_bucket{model=\"q\\\"wen\",le=\"1\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("savoir_ttft_seconds_bucket{model=\"q\\\"wen\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("savoir_ttft_seconds_count{model=\"q\\\"wen\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("savoir_kv_blocks{state=\"free\"} 5\n"), std::string::npos);
}

}  // namespace
}  // namespace savoir
