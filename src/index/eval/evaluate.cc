#include "index/eval/evaluate.h"

#include <algorithm>
#include <chrono>

#include "index/eval/metrics.h"

namespace savoir::index::eval {

StatusOr<RetrievalReport> EvaluateRetrieval(const BeirDataset& dataset,
                                            const SearchCallback& search,
                                            const EvalOptions& options) {
  RetrievalReport report;
  std::vector<double> latencies;
  for (const BeirQuery& query : dataset.queries) {
    if (options.max_queries != 0 && report.per_query.size() == options.max_queries) break;
    auto judged = dataset.qrels.find(query.id);
    if (judged == dataset.qrels.end() || std::none_of(judged->second.begin(), judged->second.end(),
                                                      [](const auto& j) { return j.second > 0; })) {
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    StatusOr<std::vector<std::string>> ranked =
        search(query.text, std::max<size_t>(options.depth, 100));
    const auto stop = std::chrono::steady_clock::now();
    if (!ranked.ok()) return ranked.status().WithContext("query " + query.id);
    if (options.ignore_identical_ids) std::erase(*ranked, query.id);
    QueryResult r;
    r.query_id = query.id;
    r.latency_ms = std::chrono::duration<double, std::milli>(stop - start).count();
    r.ndcg_at_10 = NdcgAtK(*ranked, judged->second, 10);
    r.recall_at_100 = RecallAtK(*ranked, judged->second, 100);
    r.rr_at_10 = ReciprocalRankAtK(*ranked, judged->second, 10);
    report.ndcg_at_10 += r.ndcg_at_10;
    report.recall_at_100 += r.recall_at_100;
    report.mrr_at_10 += r.rr_at_10;
    report.latency_mean_ms += r.latency_ms;
    latencies.push_back(r.latency_ms);
    report.per_query.push_back(std::move(r));
  }
  report.num_queries = report.per_query.size();
  if (report.num_queries == 0) return InvalidArgumentError("evaluation: no judged query to run");
  const double n = static_cast<double>(report.num_queries);
  report.ndcg_at_10 /= n;
  report.recall_at_100 /= n;
  report.mrr_at_10 /= n;
  report.latency_mean_ms /= n;
  report.latency_p50_ms = Percentile(latencies, 50);
  report.latency_p99_ms = Percentile(latencies, 99);
  return report;
}

std::string FormatReport(const RetrievalReport& r) {
  return fmt::format(
      "queries {}  nDCG@10 {:.4f}  Recall@100 {:.4f}  MRR@10 {:.4f}  latency p50 {:.3f} ms  "
      "p99 {:.3f} ms  mean {:.3f} ms",
      r.num_queries, r.ndcg_at_10, r.recall_at_100, r.mrr_at_10, r.latency_p50_ms, r.latency_p99_ms,
      r.latency_mean_ms);
}

}  // namespace savoir::index::eval
