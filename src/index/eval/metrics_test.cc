#include "index/eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace savoir::index::eval {
namespace {

using Ranked = std::vector<std::string>;

// Worked by hand: relevant a (grade 2), b (grade 1); c judged non-relevant.
const Judgements kJudged = {{"a", 2}, {"b", 1}, {"c", 0}};

TEST(MetricsTest, NdcgUsesLinearGainAndLog2Discount) {
  // Ideal DCG = 2/log2(2) + 1/log2(3) = 2 + 0.63093 = 2.63093.
  const double idcg = 2.0 + 1.0 / std::log2(3.0);
  EXPECT_NEAR(NdcgAtK({"a", "b"}, kJudged, 10), 1.0, 1e-12);
  // b at rank 1, a at rank 3: 1 + 2/log2(4) = 2.
  EXPECT_NEAR(NdcgAtK({"b", "c", "a"}, kJudged, 10), 2.0 / idcg, 1e-12);
  // Cut at 2: only b counts; the ideal is cut at 2 too.
  EXPECT_NEAR(NdcgAtK({"b", "c", "a"}, kJudged, 2), 1.0 / idcg, 1e-12);
  EXPECT_EQ(NdcgAtK({"x"}, kJudged, 10), 0.0);
  EXPECT_EQ(NdcgAtK({"a"}, {{"a", 0}}, 10), 0.0);  // nothing relevant
  // A repeated id counts once: b at rank 1, a at rank 2.
  EXPECT_NEAR(NdcgAtK({"b", "b", "a"}, kJudged, 10), (1.0 + 2.0 / std::log2(3.0)) / idcg, 1e-12);
}

TEST(MetricsTest, RecallAndReciprocalRank) {
  EXPECT_EQ(RecallAtK({"c", "b", "x"}, kJudged, 100), 0.5);
  EXPECT_EQ(RecallAtK({"c", "b", "a"}, kJudged, 2), 0.5);
  EXPECT_EQ(RecallAtK({"c", "b", "a"}, kJudged, 3), 1.0);
  EXPECT_EQ(ReciprocalRankAtK({"c", "x", "b"}, kJudged, 10), 1.0 / 3.0);
  EXPECT_EQ(ReciprocalRankAtK({"c", "x", "b"}, kJudged, 2), 0.0);
}

TEST(MetricsTest, PercentileInterpolatesLikeNumpy) {
  EXPECT_EQ(Percentile({}, 50), 0.0);
  EXPECT_EQ(Percentile({3, 1, 2}, 50), 2.0);
  EXPECT_EQ(Percentile({1, 2, 3, 4}, 50), 2.5);
  EXPECT_NEAR(Percentile({1, 2, 3, 4}, 99), 3.97, 1e-12);
  EXPECT_EQ(Percentile({5}, 99), 5.0);
}

}  // namespace
}  // namespace savoir::index::eval
