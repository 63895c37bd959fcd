// The metrics the model API reports (see GET /metrics).
#ifndef SAVOIR_SERVER_OPENAI_API_METRICS_H_
#define SAVOIR_SERVER_OPENAI_API_METRICS_H_

#include "base/metrics.h"

namespace savoir::server::openai {

struct ApiMetrics {
  explicit ApiMetrics(MetricsRegistry& registry)
      : time_to_first_token(registry.AddHistogram(
            "savoir_time_to_first_token_seconds", "Time from request to first generated token",
            MetricsRegistry::LatencyBuckets(), {"model"})),
        inter_token_latency(registry.AddHistogram(
            "savoir_inter_token_latency_seconds", "Time between consecutive streamed tokens",
            {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2.5}, {"model"})),
        prompt_tokens(registry.AddCounter("savoir_prompt_tokens_total",
                                          "Prompt tokens of finished requests", {"model"})),
        generated_tokens(registry.AddCounter("savoir_generated_tokens_total",
                                             "Tokens generated", {"model"})),
        finished(registry.AddCounter("savoir_generation_requests_total",
                                     "Generation requests by how they ended",
                                     {"model", "finish_reason"})) {}

  Histogram* time_to_first_token;
  Histogram* inter_token_latency;
  Counter* prompt_tokens;
  Counter* generated_tokens;
  Counter* finished;
};

}  // namespace savoir::server::openai

#endif  // SAVOIR_SERVER_OPENAI_API_METRICS_H_
