#include "index/eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_set>

namespace savoir::index::eval {
namespace {

// The first k distinct ids of `ranked` with their grades (0 when unjudged).
std::vector<int> TopGrades(const std::vector<std::string>& ranked, const Judgements& judgements,
                           size_t k) {
  std::vector<int> grades;
  std::unordered_set<std::string> seen;
  for (const std::string& id : ranked) {
    if (grades.size() == k) break;
    if (!seen.insert(id).second) continue;
    auto it = judgements.find(id);
    grades.push_back(it == judgements.end() ? 0 : it->second);
  }
  return grades;
}

}  // namespace

double NdcgAtK(const std::vector<std::string>& ranked, const Judgements& judgements, size_t k) {
  double dcg = 0.0;
  const std::vector<int> grades = TopGrades(ranked, judgements, k);
  for (size_t i = 0; i < grades.size(); ++i) {
    if (grades[i] > 0) dcg += grades[i] / std::log2(static_cast<double>(i) + 2.0);
  }
  std::vector<int> ideal;
  for (const auto& [id, grade] : judgements) {
    if (grade > 0) ideal.push_back(grade);
  }
  std::sort(ideal.begin(), ideal.end(), std::greater<>());
  double idcg = 0.0;
  for (size_t i = 0; i < ideal.size() && i < k; ++i) {
    idcg += ideal[i] / std::log2(static_cast<double>(i) + 2.0);
  }
  return idcg > 0.0 ? dcg / idcg : 0.0;
}

double RecallAtK(const std::vector<std::string>& ranked, const Judgements& judgements, size_t k) {
  size_t relevant = 0;
  for (const auto& [id, grade] : judgements) relevant += grade > 0 ? 1 : 0;
  if (relevant == 0) return 0.0;
  size_t found = 0;
  for (int g : TopGrades(ranked, judgements, k)) found += g > 0 ? 1 : 0;
  return static_cast<double>(found) / static_cast<double>(relevant);
}

double ReciprocalRankAtK(const std::vector<std::string>& ranked, const Judgements& judgements,
                         size_t k) {
  const std::vector<int> grades = TopGrades(ranked, judgements, k);
  for (size_t i = 0; i < grades.size(); ++i) {
    if (grades[i] > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0.0;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

}  // namespace savoir::index::eval
