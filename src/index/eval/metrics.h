// Ranking metrics as BEIR computes them (through pytrec_eval / trec_eval), and latency
// percentiles.
//
// `ranked` lists document ids best first; `judgements` maps document ids to graded
// relevance, where only grades > 0 are relevant.
//   nDCG@k:   DCG / ideal DCG with linear gain: sum over the top k of grade / log2(rank + 1);
//             the ideal ranking sorts all judged grades. 0 when nothing is relevant.
//   Recall@k: relevant documents in the top k / relevant documents.
//   RR@k:     1 / rank of the first relevant document in the top k, else 0 (MRR averages it).
// A document id repeated in `ranked` counts at its first rank only.
//
// Thread safety: pure functions.
#ifndef SAVOIR_INDEX_EVAL_METRICS_H_
#define SAVOIR_INDEX_EVAL_METRICS_H_

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace savoir::index::eval {

using Judgements = std::unordered_map<std::string, int>;

double NdcgAtK(const std::vector<std::string>& ranked, const Judgements& judgements, size_t k);
double RecallAtK(const std::vector<std::string>& ranked, const Judgements& judgements, size_t k);
double ReciprocalRankAtK(const std::vector<std::string>& ranked, const Judgements& judgements,
                         size_t k);

// The p-th percentile (0 <= p <= 100) with linear interpolation between closest ranks (as
// numpy.percentile); 0 for an empty sample.
double Percentile(std::vector<double> values, double p);

}  // namespace savoir::index::eval

#endif  // SAVOIR_INDEX_EVAL_METRICS_H_
