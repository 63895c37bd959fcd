#include "index/vector/hnsw_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <set>
#include <thread>
#include <unordered_set>

#include "index/vector/synthetic.h"

namespace savoir::index {
namespace {

constexpr size_t kDim = 384;
constexpr size_t kCount = 3000;
constexpr size_t kQueries = 200;
constexpr size_t kK = 10;

// External ids are spread out so that no test can pass by confusing them with slot numbers.
uint64_t IdOf(size_t row) { return 1'000'003ULL * row + 17; }

SearchOptions TopOf(size_t k) {
  SearchOptions options;
  options.k = k;
  return options;
}

std::vector<uint64_t> Ids(const std::vector<SearchHit>& hits) {
  std::vector<uint64_t> ids;
  for (const SearchHit& h : hits) ids.push_back(h.id);
  return ids;
}

class HnswIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ClusteredOptions o;
    o.dim = kDim;
    o.clusters = 30;
    ClusteredGenerator gen(o);
    data_ = gen.Sample(kCount, 1);
    queries_ = gen.Sample(kQueries, 2);
  }

  static std::span<const float> Row(size_t i) { return {data_.data() + i * kDim, kDim}; }
  static std::span<const float> Query(size_t q) { return {queries_.data() + q * kDim, kDim}; }

  static std::unique_ptr<HnswIndex> Build(const HnswOptions& options = {}, int threads = 2) {
    StatusOr<std::unique_ptr<HnswIndex>> index = HnswIndex::Create(options);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    std::vector<uint64_t> ids;
    for (size_t i = 0; i < kCount; ++i) ids.push_back(IdOf(i));
    const Status s = (*index)->AddBatch(ids, data_, threads);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::move(index).value();
  }

  // Mean recall@k of Search against ExactSearch, both with `options.filter`.
  static double Recall(const HnswIndex& index, const SearchOptions& options) {
    double total = 0;
    for (size_t q = 0; q < kQueries; ++q) {
      StatusOr<std::vector<SearchHit>> got = index.Search(Query(q), options);
      StatusOr<std::vector<SearchHit>> want =
          index.ExactSearch(Query(q), options.k, options.filter);
      EXPECT_TRUE(got.ok() && want.ok());
      const std::vector<uint64_t> expected = Ids(*want);
      if (expected.empty()) {
        total += 1;
        continue;
      }
      size_t hits = 0;
      for (uint64_t id : Ids(*got)) {
        hits += std::count(expected.begin(), expected.end(), id);
      }
      total += static_cast<double>(hits) / expected.size();
    }
    return total / kQueries;
  }

  // Shared by the tests of this suite; written once in SetUpTestSuite.
  inline static std::vector<float> data_;
  inline static std::vector<float> queries_;
};

TEST_F(HnswIndexTest, RecallAtDefaultParameters) {
  std::unique_ptr<HnswIndex> index = Build();
  EXPECT_EQ(index->size(), kCount);
  const double recall = Recall(*index, SearchOptions{});
  EXPECT_GE(recall, 0.95);
  // The result lists are well formed: k distinct ids, best first.
  StatusOr<std::vector<SearchHit>> hits = index->Search(Query(0));
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), kK);
  EXPECT_TRUE(
      std::is_sorted(hits->begin(), hits->end(),
                     [](const SearchHit& a, const SearchHit& b) { return a.score > b.score; }));
  const std::vector<uint64_t> ids = Ids(*hits);
  EXPECT_EQ(std::set<uint64_t>(ids.begin(), ids.end()).size(), kK);
}

TEST_F(HnswIndexTest, ExactSearchAgreesWithFloatBruteForce) {
  // Quantization to bytes must barely change the exact top 10.
  std::unique_ptr<HnswIndex> index = Build();
  const DistanceKernels kernels = *KernelsFor(KernelLevel::kScalar);
  const auto truth =
      ExactTopK(data_.data(), kCount, queries_.data(), kQueries, kDim, kK, 1, kernels);
  std::vector<std::vector<uint64_t>> found;
  for (size_t q = 0; q < kQueries; ++q) {
    std::vector<uint64_t> rows;
    for (uint64_t id : Ids(*index->ExactSearch(Query(q), kK)))
      rows.push_back((id - 17) / 1'000'003);
    found.push_back(rows);
  }
  EXPECT_GE(RecallAtK(found, truth, kK), 0.97);
  // And the scores are close to the float cosine similarities.
  const SearchHit top = (*index->ExactSearch(Query(0), 1))[0];
  const size_t row = (top.id - 17) / 1'000'003;
  EXPECT_NEAR(top.score, kernels.dot_f32(Query(0).data(), Row(row).data(), kDim), 0.01);
}

// Full-precision vectors kept outside the index, looked up by external id.
class RowSource : public VectorSource {
 public:
  explicit RowSource(const std::vector<float>& data) : data_(data) {}
  bool Get(uint64_t id, std::span<float> out) const override {
    const uint64_t row = (id - 17) / 1'000'003;
    if (id % 2 == 0 || row >= kCount) return false;  // Pretend to miss some.
    std::copy_n(data_.data() + row * kDim, kDim, out.data());
    return true;
  }

 private:
  const std::vector<float>& data_;
};

TEST_F(HnswIndexTest, FullPrecisionRescoring) {
  std::unique_ptr<HnswIndex> index = Build();
  const DistanceKernels kernels = *KernelsFor(KernelLevel::kScalar);
  const RowSource source(data_);
  SearchOptions options;
  options.full_precision = &source;
  for (size_t q = 0; q < 20; ++q) {
    const std::vector<SearchHit> hits = *index->Search(Query(q), options);
    ASSERT_EQ(hits.size(), kK);
    for (const SearchHit& h : hits) {
      const size_t row = (h.id - 17) / 1'000'003;
      const float exact = kernels.dot_f32(Query(q).data(), Row(row).data(), kDim);
      if (h.id % 2 == 1) {
        EXPECT_NEAR(h.score, exact, 1e-5);  // From the source: float exact.
      } else {
        EXPECT_NEAR(h.score, exact, 0.01);  // From the codes.
      }
    }
  }
}

TEST_F(HnswIndexTest, SameGraphWithEveryKernelLevel) {
  // The graph is built with the exact integer kernel only, so every level builds the same one.
  HnswOptions options;
  options.kernels = KernelLevel::kScalar;
  std::unique_ptr<HnswIndex> reference = Build(options, 1);
  SearchOptions search;
  search.rescore = false;
  for (KernelLevel level : SupportedKernelLevels()) {
    options.kernels = level;
    std::unique_ptr<HnswIndex> index = Build(options, 1);
    EXPECT_EQ(index->kernel_level(), level);
    for (size_t q = 0; q < 20; ++q) {
      EXPECT_EQ(Ids(*index->Search(Query(q), search)), Ids(*reference->Search(Query(q), search)))
          << KernelLevelName(level) << " query " << q;
    }
  }
}

TEST_F(HnswIndexTest, DeletedIdsAreNeverReturnedAndRecallHolds) {
  std::unique_ptr<HnswIndex> index = Build();
  std::mt19937_64 rng(5);
  std::vector<size_t> rows(kCount);
  for (size_t i = 0; i < kCount; ++i) rows[i] = i;
  std::shuffle(rows.begin(), rows.end(), rng);
  const size_t removed = kCount * 3 / 10;
  std::unordered_set<uint64_t> gone;
  for (size_t i = 0; i < removed; ++i) {
    ASSERT_TRUE(index->Remove(IdOf(rows[i])).ok());
    gone.insert(IdOf(rows[i]));
  }
  EXPECT_EQ(index->size(), kCount - removed);
  EXPECT_EQ(index->Stats().deleted, removed);

  const auto check = [&](const char* phase) {
    for (size_t q = 0; q < kQueries; ++q) {
      for (uint64_t id : Ids(*index->Search(Query(q)))) {
        ASSERT_EQ(gone.count(id), 0u) << phase;
      }
      for (uint64_t id : Ids(*index->ExactSearch(Query(q), kK))) ASSERT_EQ(gone.count(id), 0u);
    }
    EXPECT_GE(Recall(*index, SearchOptions{}), 0.95) << phase;
  };
  check("tombstones");

  ASSERT_TRUE(index->Vacuum().ok());
  IndexStats stats = index->Stats();
  EXPECT_EQ(stats.deleted, 0u);
  EXPECT_EQ(stats.free_slots, removed);
  EXPECT_EQ(stats.live, kCount - removed);
  check("vacuumed");

  // Re-adding reuses the freed slots; the ids come back with their vectors.
  for (size_t i = 0; i < removed; ++i) ASSERT_TRUE(index->Add(IdOf(rows[i]), Row(rows[i])).ok());
  stats = index->Stats();
  EXPECT_EQ(stats.free_slots, 0u);
  EXPECT_EQ(stats.slots, kCount);
  EXPECT_EQ(stats.live, kCount);
  gone.clear();
  check("re-added");
  const SearchHit self = (*index->Search(Row(rows[0]), TopOf(1)))[0];
  EXPECT_EQ(self.id, IdOf(rows[0]));
}

TEST_F(HnswIndexTest, AddAndRemoveErrors) {
  std::unique_ptr<HnswIndex> index = *HnswIndex::Create(HnswOptions{});
  EXPECT_EQ(index->Remove(1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(index->Add(1, Row(0)).ok());
  EXPECT_EQ(index->Add(1, Row(1)).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(index->Contains(1));
  ASSERT_TRUE(index->Remove(1).ok());
  EXPECT_FALSE(index->Contains(1));
  EXPECT_EQ(index->Remove(1).code(), StatusCode::kNotFound);
  EXPECT_TRUE(index->Add(1, Row(1)).ok());  // An id may come back after removal.

  const std::vector<uint64_t> twice = {5, 6, 5};
  std::vector<float> three(data_.begin(), data_.begin() + 3 * kDim);
  EXPECT_EQ(index->AddBatch(twice, three).code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(index->Contains(5));  // All-or-nothing.

  std::vector<float> bad(Row(2).begin(), Row(2).end());
  EXPECT_EQ(index->Add(7, std::span<const float>(bad).first(10)).code(),
            StatusCode::kInvalidArgument);
  bad[3] = NAN;
  EXPECT_EQ(index->Add(7, bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index->Search(bad).status().code(), StatusCode::kInvalidArgument);
  const std::vector<float> zero(kDim, 0.0f);
  EXPECT_EQ(index->Add(7, zero).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index->AddBatch(twice, three, 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(index->size(), 1u);
}

TEST_F(HnswIndexTest, CreateRejectsBadOptions) {
  const auto code_with = [](auto change) {
    HnswOptions options;
    change(options);
    return HnswIndex::Create(options).status().code();
  };
  EXPECT_EQ(code_with([](HnswOptions& o) { o.dim = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions& o) { o.dim = 4097; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions& o) { o.m = 1; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions& o) { o.m = 129; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions& o) { o.ef_search = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions& o) { o.ef_construction = 1 << 17; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions& o) { o.metric = static_cast<Metric>(7); }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code_with([](HnswOptions&) {}), StatusCode::kOk);
}

TEST_F(HnswIndexTest, EmptyAndTinyIndexes) {
  std::unique_ptr<HnswIndex> index = *HnswIndex::Create(HnswOptions{});
  EXPECT_TRUE(index->Search(Query(0))->empty());
  EXPECT_TRUE(index->ExactSearch(Query(0), 5)->empty());
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(index->Add(IdOf(i), Row(i)).ok());
  EXPECT_EQ(index->Search(Query(0))->size(), 3u);  // k = 10 but only 3 live.
  EXPECT_TRUE(index->Search(Query(0), TopOf(0))->empty());
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(index->Remove(IdOf(i)).ok());
  EXPECT_TRUE(index->Search(Query(0))->empty());
  ASSERT_TRUE(index->Vacuum().ok());
  EXPECT_EQ(index->Stats().max_level, -1);
  EXPECT_TRUE(index->Search(Query(0))->empty());
  ASSERT_TRUE(index->Add(IdOf(9), Row(9)).ok());
  EXPECT_EQ(Ids(*index->Search(Row(9))), std::vector<uint64_t>{IdOf(9)});
}

TEST_F(HnswIndexTest, InnerProductMetricKeepsNorms) {
  HnswOptions options;
  options.metric = Metric::kInnerProduct;
  std::unique_ptr<HnswIndex> index = *HnswIndex::Create(options);
  // The same direction at two lengths: inner product prefers the longer one.
  std::vector<float> longer(Row(0).begin(), Row(0).end());
  for (float& x : longer) x *= 3.0f;
  ASSERT_TRUE(index->Add(1, Row(0)).ok());
  ASSERT_TRUE(index->Add(2, longer).ok());
  const std::vector<SearchHit> hits = *index->Search(Row(0));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 2u);
  EXPECT_NEAR(hits[0].score, 3.0f, 0.03f);
  EXPECT_NEAR(hits[1].score, 1.0f, 0.01f);
}

// Results contain only allowed ids, as many as exist up to k, and match exact filtered search.
TEST_F(HnswIndexTest, FilterProperty) {
  std::unique_ptr<HnswIndex> index = Build();
  for (size_t i = 0; i < kCount; i += 10) ASSERT_TRUE(index->Remove(IdOf(i * 7 % kCount)).ok());
  std::mt19937_64 rng(9);
  for (double share : {0.5, 0.1, 0.03, 0.01, 0.002}) {
    std::unordered_set<uint64_t> allowed;
    std::vector<uint64_t> list;
    for (size_t i = 0; i < kCount; ++i) {
      if (std::uniform_real_distribution<double>(0, 1)(rng) < share) {
        allowed.insert(IdOf(i));
        list.push_back(IdOf(i));
      }
    }
    list.push_back(424242);  // Unknown ids in a list are ignored.
    const PredicateFilter predicate([&](uint64_t id) { return allowed.count(id) > 0; });
    const AllowListFilter allow_list(list);
    for (const VectorFilter* filter : {static_cast<const VectorFilter*>(&predicate),
                                       static_cast<const VectorFilter*>(&allow_list)}) {
      SearchOptions options;
      options.filter = filter;
      for (size_t q = 0; q < kQueries; ++q) {
        const std::vector<SearchHit> hits = *index->Search(Query(q), options);
        const std::vector<SearchHit> exact = *index->ExactSearch(Query(q), kK, filter);
        ASSERT_EQ(hits.size(), exact.size()) << share;
        for (const SearchHit& h : hits) {
          ASSERT_TRUE(allowed.count(h.id)) << share;
          ASSERT_TRUE(index->Contains(h.id)) << share;
        }
      }
      EXPECT_GE(Recall(*index, options), 0.95) << "share " << share;
    }
  }
}

TEST_F(HnswIndexTest, SelectiveFilterUsesExactSearch) {
  // With exact_filter_fraction = 1 every filtered search is exact, so it equals ExactSearch.
  std::unique_ptr<HnswIndex> index = Build();
  const PredicateFilter odd([](uint64_t id) { return id % 2 == 1; });
  SearchOptions options;
  options.filter = &odd;
  options.exact_filter_fraction = 1.0;
  for (size_t q = 0; q < 20; ++q) {
    EXPECT_EQ(Ids(*index->Search(Query(q), options)), Ids(*index->ExactSearch(Query(q), kK, &odd)));
  }
  const PredicateFilter none([](uint64_t) { return false; });
  options.filter = &none;
  options.exact_filter_fraction = 0.0;
  EXPECT_TRUE(index->Search(Query(0), options)->empty());
}

TEST_F(HnswIndexTest, SearchesRunDuringWrites) {
  // One writer adds, removes and vacuums while two readers search. Readers must always get
  // well-formed results made of ids that were added at some point; after the writer is done,
  // no removed id is returned.
  std::unique_ptr<HnswIndex> index = *HnswIndex::Create(HnswOptions{});
  std::vector<uint64_t> first;
  for (size_t i = 0; i < 500; ++i) first.push_back(IdOf(i));
  ASSERT_TRUE(index->AddBatch(first, std::span<const float>(data_).first(500 * kDim)).ok());
  std::atomic<bool> done{false};
  std::atomic<size_t> searches{0};
  const auto reader = [&] {
    for (size_t q = 0; !done.load() || q < 50; ++q) {
      StatusOr<std::vector<SearchHit>> hits = index->Search(Query(q % kQueries));
      ASSERT_TRUE(hits.ok());
      std::set<uint64_t> seen;
      for (const SearchHit& h : *hits) {
        ASSERT_EQ((h.id - 17) % 1'000'003, 0u);
        ASSERT_LT((h.id - 17) / 1'000'003, kCount);
        ASSERT_TRUE(seen.insert(h.id).second);
      }
      searches.fetch_add(1);
    }
  };
  std::thread r1(reader);
  std::thread r2(reader);
  for (size_t start = 500; start < kCount; start += 250) {
    std::vector<uint64_t> ids;
    for (size_t i = start; i < start + 250; ++i) ids.push_back(IdOf(i));
    ASSERT_TRUE(
        index->AddBatch(ids, std::span<const float>(data_).subspan(start * kDim, 250 * kDim), 2)
            .ok());
    for (size_t i = start - 500; i < start - 400; ++i) ASSERT_TRUE(index->Remove(IdOf(i)).ok());
    if (start % 1000 == 0) {
      ASSERT_TRUE(index->Vacuum().ok());
    }
  }
  done.store(true);
  r1.join();
  r2.join();
  EXPECT_GT(searches.load(), 0u);
  for (size_t q = 0; q < kQueries; ++q) {
    for (uint64_t id : Ids(*index->Search(Query(q)))) {
      ASSERT_TRUE(index->Contains(id));
    }
  }
  EXPECT_GE(Recall(*index, SearchOptions{}), 0.9);
}

TEST_F(HnswIndexTest, StatsAccountForMemory) {
  std::unique_ptr<HnswIndex> index = Build();
  const IndexStats stats = index->Stats();
  EXPECT_EQ(stats.live, kCount);
  EXPECT_EQ(stats.slots, kCount);
  EXPECT_GE(stats.max_level, 1);
  // 528-byte blocks plus upper lists and the id map; well under 600 bytes a vector.
  EXPECT_GE(stats.memory_bytes, kCount * 528);
  EXPECT_LE(stats.memory_bytes, kCount * 600 + (1 << 20));
}

}  // namespace
}  // namespace savoir::index
