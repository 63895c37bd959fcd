#include "index/text/bm25_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace savoir::index {
namespace {

using Terms = std::vector<std::string>;

std::unique_ptr<Bm25Index> MakeIndex(Bm25Options options = {}) {
  auto index = Bm25Index::Create(std::move(options));
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return std::move(index).value();
}

std::vector<QueryTerm> Query(std::initializer_list<const char*> terms) {
  std::vector<QueryTerm> q;
  for (const char* t : terms) q.push_back({t, 1.0f});
  return q;
}

// Three one-field documents. N = 3, avgdl = (3 + 3 + 6) / 3 = 4, k1 = 1.2, b = 0.75.
// idf(df=2) = ln(1 + 1.5/2.5) = ln 1.6; idf(df=1) = ln(1 + 2.5/1.5) = ln(8/3).
// score = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / 4)), values worked out by hand.
std::unique_ptr<Bm25Index> ThreeDocs() {
  auto index = MakeIndex();
  EXPECT_TRUE(index->Add({int64_t{10}, {Terms{"a", "b", "c"}}}).ok());
  EXPECT_TRUE(index->Add({int64_t{11}, {Terms{"a", "a", "d"}}}).ok());
  EXPECT_TRUE(index->Add({std::string("twelve"), {Terms{"b", "e", "f", "g", "h", "i"}}}).ok());
  return index;
}

TEST(Bm25IndexTest, ScoresMatchHandComputedValues) {
  auto index = ThreeDocs();
  auto hits = index->Search(Query({"a"}));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].ordinal, 1u);
  EXPECT_NEAR(hits[0].score, 0.6951314, 1e-5);  // tf 2, dl 3
  EXPECT_EQ(hits[1].ordinal, 0u);
  EXPECT_NEAR(hits[1].score, 0.5235483, 1e-5);  // tf 1, dl 3

  hits = index->Search(Query({"a", "b", "zzz"}));
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].ordinal, 0u);
  EXPECT_NEAR(hits[0].score, 1.0470967, 1e-5);
  EXPECT_EQ(hits[0].matched_terms, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(hits[1].ordinal, 1u);
  EXPECT_EQ(hits[1].matched_terms, (std::vector<uint32_t>{0}));
  EXPECT_EQ(hits[2].ordinal, 2u);
  EXPECT_NEAR(hits[2].score, 0.3901917, 1e-5);  // tf 1, dl 6
  EXPECT_EQ(hits[2].matched_terms, (std::vector<uint32_t>{1}));

  hits = index->Search(Query({"d"}));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].score, 1.0925693, 1e-5);  // idf ln(8/3)
}

TEST(Bm25IndexTest, QueryWeightsScaleAndRepeatedTermsAdd) {
  auto index = ThreeDocs();
  std::vector<QueryTerm> q = {{"d", 0.5f}, {"d", 1.0f}, {"e", 0.0f}};
  auto hits = index->Search(q);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].score, 1.5 * 1.0925693, 1e-5);
  EXPECT_EQ(hits[0].matched_terms, (std::vector<uint32_t>{0, 1}));
}

// BM25F with title (weight 2) and body (weight 1), b = 0.75 each. N = 2,
// avg title = (2 + 1) / 2, avg body = (4 + 3) / 2. tf~ = sum_f w_f tf_f / (0.25 + 0.75 len_f /
// avg_f); score = idf * tf~ * 2.2 / (1.2 + tf~), idf(df=2) = ln(1 + 0.5/2.5).
TEST(Bm25IndexTest, FieldWeightsFollowBm25F) {
  Bm25Options options;
  options.fields = {{"title", 2.0f}, {"body", 1.0f}};
  auto index = MakeIndex(options);
  ASSERT_TRUE(index->Add({int64_t{0}, {Terms{"x", "y"}, Terms{"x", "z", "z", "z"}}}).ok());
  ASSERT_TRUE(index->Add({int64_t{1}, {Terms{"z"}, Terms{"x", "y", "y"}}}).ok());
  auto expect = [&](const char* term, float d0, float d1) {
    auto hits = index->Search(Query({term}));
    ASSERT_EQ(hits.size(), 2u) << term;
    for (const SearchHit& h : hits) EXPECT_NEAR(h.score, h.ordinal == 0 ? d0 : d1, 1e-5) << term;
  };
  expect("x", 0.2711318f, 0.1936381f);
  expect("y", 0.2292042f, 0.2611862f);
  expect("z", 0.2779952f, 0.2766258f);
  EXPECT_EQ(index->field_length(0, 1), 4u);
}

TEST(Bm25IndexTest, RejectsBadOptionsAndDocuments) {
  Bm25Options bad;
  bad.k1 = -1.0f;
  EXPECT_EQ(Bm25Index::Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad = {};
  bad.fields = {{"a"}, {"a"}};
  EXPECT_EQ(Bm25Index::Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad.fields = {{"a", 1.0f, 1.5f}};
  EXPECT_EQ(Bm25Index::Create(bad).status().code(), StatusCode::kInvalidArgument);

  auto index = ThreeDocs();
  EXPECT_EQ(index->Add({int64_t{10}, {Terms{"q"}}}).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(index->Add({int64_t{99}, {Terms{"q"}, Terms{"r"}}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(index->Delete(int64_t{12}).code(), StatusCode::kNotFound);  // "twelve" is a string
}

TEST(Bm25IndexTest, DeletedDocumentsAreNeverReturnedAndCompactionReclaimsThem) {
  auto index = ThreeDocs();
  ASSERT_TRUE(index->Delete(int64_t{11}).ok());
  EXPECT_EQ(index->Delete(int64_t{11}).code(), StatusCode::kNotFound);
  EXPECT_FALSE(index->Find(int64_t{11}).has_value());
  auto hits = index->Search(Query({"a", "d"}));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].ordinal, 0u);
  // Statistics keep the deleted document until compaction, as in Lucene.
  EXPECT_NEAR(hits[0].score, 0.5235483, 1e-5);
  EXPECT_EQ(index->document_frequency("a"), 2u);
  EXPECT_EQ(index->num_live(), 2u);

  std::vector<uint32_t> remap = index->Compact();
  EXPECT_EQ(remap, (std::vector<uint32_t>{0, kNoDoc, 1}));
  EXPECT_EQ(index->num_ordinals(), 2u);
  EXPECT_EQ(index->document_frequency("a"), 1u);
  EXPECT_EQ(index->document_frequency("d"), 0u);
  EXPECT_EQ(index->Find(std::string("twelve")), std::optional<uint32_t>(1));
  EXPECT_EQ(std::get<std::string>(index->external_id(1)), "twelve");
  // N = 2, avgdl = 4.5, df(a) = 1: idf = ln(1 + 1.5/1.5) = ln 2.
  const double norm = 0.25 + 0.75 * 3 / 4.5;
  hits = index->Search(Query({"a"}));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].score, std::log(2.0) * 2.2 / (1 + 1.2 * norm), 1e-5);

  // The id may be reused by a new document.
  auto again = index->Add({int64_t{11}, {Terms{"d"}}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 2u);
  EXPECT_EQ(index->Search(Query({"d"})).size(), 1u);
}

TEST(Bm25IndexTest, LanguagePriorCountsLiveDocuments) {
  auto index = MakeIndex();
  ASSERT_TRUE(index->Add({int64_t{1}, {Terms{"x"}}, Language::kFrench}).ok());
  ASSERT_TRUE(index->Add({int64_t{2}, {Terms{"x"}}, Language::kFrench}).ok());
  ASSERT_TRUE(index->Add({int64_t{3}, {Terms{"x"}}, Language::kEnglish}).ok());
  ASSERT_TRUE(index->Delete(int64_t{2}).ok());
  LanguagePrior prior = index->language_prior();
  EXPECT_EQ(prior.documents[static_cast<int>(Language::kFrench)], 1u);
  EXPECT_EQ(prior.documents[static_cast<int>(Language::kEnglish)], 1u);
  EXPECT_EQ(index->language(2), Language::kEnglish);
}

TEST(Bm25IndexTest, TopKKeepsBestAndBreaksTiesBySmallerOrdinal) {
  auto index = MakeIndex();
  for (int i = 0; i < 300; ++i) {
    Terms t(1 + i % 7, "w");
    t.push_back("pad");
    ASSERT_TRUE(index->Add({int64_t{i}, {t}}).ok());
  }
  auto hits = index->Search(Query({"w"}), {.k = 5});
  ASSERT_EQ(hits.size(), 5u);
  // Documents with i % 7 == 6 score best; among equals the smallest ordinals come first.
  EXPECT_EQ(hits[0].ordinal, 6u);
  EXPECT_EQ(hits[1].ordinal, 13u);
  EXPECT_EQ(hits[4].ordinal, 34u);
  for (size_t i = 1; i < hits.size(); ++i) EXPECT_EQ(hits[i].score, hits[0].score);
}

}  // namespace
}  // namespace savoir::index
