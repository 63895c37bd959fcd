// Runs a retrieval evaluation: every judged query of a BEIR collection through a search
// callback, scored with nDCG@10, Recall@100 and MRR@10 (metrics.h), plus per-query latency.
//
// The callback receives the query text and the number of results wanted, and returns document
// ids (BeirDocument::id) best first. Only queries with at least one relevant judgement are
// run (as BEIR does); like BEIR, a returned id equal to the query's own id is dropped.
//
// Thread safety: EvaluateRetrieval calls the callback from the calling thread only, one query
// at a time (so latencies are single-query latencies).
#ifndef SAVOIR_INDEX_EVAL_EVALUATE_H_
#define SAVOIR_INDEX_EVAL_EVALUATE_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/eval/beir.h"

namespace savoir::index::eval {

using SearchCallback =
    std::function<StatusOr<std::vector<std::string>>(std::string_view query, size_t k)>;

struct EvalOptions {
  // Results asked of the callback per query (at least 100 for Recall@100).
  size_t depth = 100;
  // Stop after this many judged queries (0: all).
  size_t max_queries = 0;
  // Drop a returned id equal to the query id (BEIR's ignore_identical_ids).
  bool ignore_identical_ids = true;
};

struct QueryResult {
  std::string query_id;
  double ndcg_at_10 = 0.0;
  double recall_at_100 = 0.0;
  double rr_at_10 = 0.0;
  double latency_ms = 0.0;
};

struct RetrievalReport {
  size_t num_queries = 0;
  double ndcg_at_10 = 0.0;
  double recall_at_100 = 0.0;
  double mrr_at_10 = 0.0;
  double latency_p50_ms = 0.0;
  double latency_p99_ms = 0.0;
  double latency_mean_ms = 0.0;
  std::vector<QueryResult> per_query;  // in query file order
};

// Evaluates `search` on `dataset`. Fails with the callback's first error (with the query id as
// context), or kInvalidArgument when no query has a relevant judgement.
StatusOr<RetrievalReport> EvaluateRetrieval(const BeirDataset& dataset,
                                            const SearchCallback& search,
                                            const EvalOptions& options = {});

// One line: "queries 809  nDCG@10 0.6912  Recall@100 0.9213  MRR@10 0.6523  p50 0.41 ms ...".
std::string FormatReport(const RetrievalReport& report);

}  // namespace savoir::index::eval

#endif  // SAVOIR_INDEX_EVAL_EVALUATE_H_
