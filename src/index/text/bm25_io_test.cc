#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "index/text/bm25_index.h"
#include "index/text/crc32c.h"

namespace savoir::index {
namespace {

std::unique_ptr<Bm25Index> RandomIndex(int num_docs) {
  Bm25Options options;
  options.fields = {{"title", 1.5f}, {"body"}};
  auto index = std::move(Bm25Index::Create(options)).value();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> term(0, 400);
  for (int i = 0; i < num_docs; ++i) {
    std::vector<std::string> title(3), body(40);
    for (auto& t : title) t = "w" + std::to_string(term(rng) % 40);
    for (auto& t : body) t = "w" + std::to_string(term(rng) * term(rng) % 401);
    ExternalId id =
        i % 2 == 0 ? ExternalId(int64_t{i} * 1000) : ExternalId("doc-" + std::to_string(i));
    EXPECT_TRUE(
        index->Add({id, {title, body}, i % 3 == 0 ? Language::kFrench : Language::kEnglish}).ok());
  }
  for (int i = 0; i < num_docs; i += 18) EXPECT_TRUE(index->Delete(int64_t{i} * 1000).ok());
  return index;
}

void ExpectSameResults(const Bm25Index& a, const Bm25Index& b) {
  ASSERT_EQ(a.num_ordinals(), b.num_ordinals());
  ASSERT_EQ(a.num_live(), b.num_live());
  ASSERT_EQ(a.num_terms(), b.num_terms());
  for (uint32_t d = 0; d < a.num_ordinals(); ++d) {
    ASSERT_EQ(a.external_id(d), b.external_id(d));
    ASSERT_EQ(a.is_deleted(d), b.is_deleted(d));
    ASSERT_EQ(a.language(d), b.language(d));
  }
  for (int q = 0; q < 60; ++q) {
    std::vector<QueryTerm> query = {{"w" + std::to_string(q), 1.0f},
                                    {"w" + std::to_string(q * 7 % 401), 1.0f}};
    auto ha = a.Search(query, {.k = 20});
    auto hb = b.Search(query, {.k = 20});
    ASSERT_EQ(ha.size(), hb.size());
    for (size_t i = 0; i < ha.size(); ++i) {
      EXPECT_EQ(ha[i].ordinal, hb[i].ordinal);
      EXPECT_EQ(ha[i].score, hb[i].score);
      EXPECT_EQ(ha[i].matched_terms, hb[i].matched_terms);
    }
  }
}

TEST(Bm25IoTest, Crc32cMatchesKnownValue) {
  // The check value of CRC-32C (RFC 3720 appendix B.4 lists it too).
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), 0xE3069283u);
}

TEST(Bm25IoTest, RoundTripThroughFileKeepsEverything) {
  auto index = RandomIndex(700);
  const std::string path = testing::TempDir() + "/bm25_roundtrip.idx";
  ASSERT_TRUE(index->Save(path).ok());
  auto loaded = Bm25Index::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectSameResults(*index, **loaded);
  EXPECT_EQ((*loaded)->options().fields[0].weight, 1.5f);
  EXPECT_EQ((*loaded)->Find(ExternalId("doc-1")), std::optional<uint32_t>(1));
  EXPECT_FALSE((*loaded)->Find(int64_t{0}).has_value());  // deleted before saving
  // The loaded index stays writable: appending seals its tails as usual.
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE((*loaded)->Add({int64_t{-1 - i}, {{"w1"}, {"w1", "w2"}}}).ok());
  }
  ASSERT_TRUE(index->Add({int64_t{-1}, {{"w1"}, {"w1", "w2"}}}).ok());
  EXPECT_EQ((*loaded)->document_frequency("w1"), index->document_frequency("w1") + 299);
  EXPECT_EQ(Bm25Index::Deserialize((*loaded)->Serialize()).status(), OkStatus());
  std::filesystem::remove(path);
}

TEST(Bm25IoTest, EmptyIndexRoundTrips) {
  auto index = std::move(Bm25Index::Create({})).value();
  auto loaded = Bm25Index::Deserialize(index->Serialize());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->num_ordinals(), 0u);
}

TEST(Bm25IoTest, EveryCorruptionIsDetected) {
  auto index = RandomIndex(200);
  const std::string good = index->Serialize();
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bad = good;
    const size_t at = std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng);
    bad[at] = static_cast<char>(bad[at] ^ (1 << (trial % 8)));
    auto loaded = Bm25Index::Deserialize(bad);
    ASSERT_FALSE(loaded.ok()) << "flip at byte " << at;
    EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
  }
  for (size_t cut : {size_t{0}, size_t{5}, good.size() / 2, good.size() - 1}) {
    EXPECT_EQ(Bm25Index::Deserialize(good.substr(0, cut)).status().code(), StatusCode::kDataLoss);
  }
  std::string future = good;
  future[8] = 2;  // format version
  auto status = Bm25Index::Deserialize(future).status();
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("version 2"), std::string::npos) << status.message();
}

TEST(Bm25IoTest, StructuralChecksCatchWhatChecksumsWouldMiss) {
  auto index = RandomIndex(200);
  const std::string good = index->Serialize();
  std::mt19937 rng(5);
  int rejected = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = good;
    const size_t at = std::uniform_int_distribution<size_t>(20, bad.size() - 20)(rng);
    bad[at] = static_cast<char>(rng());
    // Without checksums the loader must still either reject the file or load an index that
    // searches without crashing.
    auto loaded = Bm25Index::Deserialize(bad, /*verify_checksums=*/false);
    if (!loaded.ok()) {
      EXPECT_EQ(loaded.status().code(), StatusCode::kDataLoss);
      ++rejected;
      continue;
    }
    (*loaded)->Search(std::vector<QueryTerm>{{"w1", 1.0f}, {"w2", 1.0f}});
  }
  EXPECT_GT(rejected, 0);
}

TEST(Bm25IoTest, MissingFileIsNotFound) {
  EXPECT_EQ(Bm25Index::Load("/nonexistent/bm25.idx").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace savoir::index
