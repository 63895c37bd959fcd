#include "index/eval/beir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "index/eval/evaluate.h"

namespace savoir::index::eval {
namespace {

const std::string kTiny = std::string(SAVOIR_SOURCE_DIR) + "/src/index/eval/testdata/tiny";

TEST(BeirTest, LoadsCorpusQueriesAndQrels) {
  auto data = LoadBeirDataset(kTiny);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->corpus.size(), 3u);
  EXPECT_EQ(data->corpus[0].id, "d1");
  EXPECT_EQ(data->corpus[0].title, "Chats");
  EXPECT_EQ(data->corpus[1].id, "2");  // integer ids become strings
  EXPECT_EQ(data->corpus[1].title, "");
  EXPECT_EQ(data->corpus[2].text, "Élan");
  ASSERT_EQ(data->queries.size(), 3u);
  EXPECT_EQ(data->queries[1].text, "dogs");
  EXPECT_EQ(data->qrels.at("q2").at("2"), 2);
  EXPECT_EQ(data->qrels.at("q2").at("d3"), 0);
}

TEST(BeirTest, MalformedLinesNameFileAndLine) {
  const std::string path = testing::TempDir() + "/bad_corpus.jsonl";
  std::ofstream(path) << "{\"_id\": \"a\", \"text\": \"x\"}\n{\"text\": \"no id\"}\n";
  auto corpus = LoadBeirCorpus(path);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(corpus.status().message().find(":2"), std::string::npos) << corpus.status().message();
  std::ofstream(path) << "not json\n";
  EXPECT_EQ(LoadBeirQueries(path).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(path) << "query-id\tcorpus-id\tscore\nq\td\tx\n";
  EXPECT_EQ(LoadQrels(path).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadBeirCorpus("/nonexistent.jsonl").status().code(), StatusCode::kNotFound);
}

TEST(EvaluateTest, RunsJudgedQueriesThroughTheCallback) {
  auto data = LoadBeirDataset(kTiny);
  ASSERT_TRUE(data.ok());
  std::vector<std::string> asked;
  auto search = [&](std::string_view query, size_t k) -> StatusOr<std::vector<std::string>> {
    asked.emplace_back(query);
    EXPECT_GE(k, 100u);
    if (query == "chats") return std::vector<std::string>{"q1", "d3", "d1"};  // "q1": own id
    return std::vector<std::string>{"d1", "d3"};
  };
  auto report = EvaluateRetrieval(*data, search);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(asked, (std::vector<std::string>{"chats", "dogs"}));  // q3 has no relevant doc
  ASSERT_EQ(report->num_queries, 2u);
  // q1: relevant d1 at rank 2 once "q1" is dropped; q2: relevant "2" never retrieved.
  EXPECT_NEAR(report->per_query[0].ndcg_at_10, 1.0 / std::log2(3.0), 1e-12);
  EXPECT_NEAR(report->per_query[0].rr_at_10, 0.5, 1e-12);
  EXPECT_NEAR(report->ndcg_at_10, 0.5 / std::log2(3.0), 1e-12);
  EXPECT_NEAR(report->recall_at_100, 0.5, 1e-12);
  EXPECT_NEAR(report->mrr_at_10, 0.25, 1e-12);
  EXPECT_GE(report->latency_p99_ms, report->latency_p50_ms);
  EXPECT_NE(FormatReport(*report).find("nDCG@10 0.3155"), std::string::npos)
      << FormatReport(*report);
}

TEST(EvaluateTest, CallbackErrorsPropagateWithTheQueryId) {
  auto data = LoadBeirDataset(kTiny);
  ASSERT_TRUE(data.ok());
  auto failing = [](std::string_view, size_t) -> StatusOr<std::vector<std::string>> {
    return UnavailableError("index offline");
  };
  auto report = EvaluateRetrieval(*data, failing);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), "query q1: index offline");
}

}  // namespace
}  // namespace savoir::index::eval
