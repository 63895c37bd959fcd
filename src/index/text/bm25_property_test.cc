// Property test: for random documents, deletions, filters and queries, the index's pruned
// top-k search equals exhaustive BM25F scoring (written here independently, in double
// precision, from the documents themselves) restricted to the allowed live documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "index/text/bm25_index.h"

namespace savoir::index {
namespace {

struct Doc {
  std::vector<std::vector<std::string>> fields;
  bool deleted = false;
};

struct Model {
  Bm25Options options;
  std::vector<Doc> docs;  // by ordinal
  // Statistics over all documents, deleted ones included (as the index keeps them until
  // compaction); rebuilt by Prepare().
  std::vector<double> avg;
  std::map<std::string, double> df;
  std::vector<std::vector<std::map<std::string, double>>> counts;  // by doc, field

  void Prepare() {
    const size_t nf = options.fields.size();
    avg.assign(nf, 0.0);
    df.clear();
    counts.assign(docs.size(), std::vector<std::map<std::string, double>>(nf));
    for (size_t d = 0; d < docs.size(); ++d) {
      std::set<std::string> distinct;
      for (size_t f = 0; f < nf; ++f) {
        avg[f] += static_cast<double>(docs[d].fields[f].size()) / static_cast<double>(docs.size());
        for (const std::string& t : docs[d].fields[f]) {
          counts[d][f][t] += 1;
          distinct.insert(t);
        }
      }
      for (const std::string& t : distinct) df[t] += 1;
    }
  }

  double Score(const std::map<std::string, double>& query, uint32_t d) const {
    const double n = static_cast<double>(docs.size());
    double total = 0.0;
    for (const auto& [term, weight] : query) {
      double tf = 0.0;
      for (size_t f = 0; f < options.fields.size(); ++f) {
        auto it = counts[d][f].find(term);
        if (it == counts[d][f].end()) continue;
        const double b = options.fields[f].b;
        const double len = static_cast<double>(docs[d].fields[f].size());
        tf += options.fields[f].weight * it->second / (1 - b + b * len / avg[f]);
      }
      if (tf == 0) continue;
      const double dft = df.at(term);
      const double idf = std::log(1 + (n - dft + 0.5) / (dft + 0.5));
      total += weight * idf * tf * (options.k1 + 1) / (options.k1 + tf);
    }
    return total;
  }
};

// Zipf-like vocabulary: a handful of very frequent terms (long, multi-block posting lists)
// and a tail of rare ones.
std::string RandomTerm(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const int rank = static_cast<int>(std::pow(300.0, u(rng)));  // 1..300, log-uniform
  return "t" + std::to_string(rank);
}

std::vector<std::string> RandomField(std::mt19937& rng, int max_len) {
  std::vector<std::string> terms(std::uniform_int_distribution<int>(0, max_len)(rng));
  for (std::string& t : terms) t = RandomTerm(rng);
  return terms;
}

void CheckQuery(const Bm25Index& index, const Model& model, const std::vector<QueryTerm>& query,
                size_t k, const DocFilter* filter, const DocBitset* allowed_bits) {
  std::map<std::string, double> merged;
  for (const QueryTerm& q : query) merged[q.term] += q.weight;
  std::vector<std::pair<double, uint32_t>> ref;
  for (uint32_t d = 0; d < model.docs.size(); ++d) {
    if (model.docs[d].deleted) continue;
    if (filter != nullptr && !filter->Allows(d)) continue;
    const double s = model.Score(merged, d);
    if (s > 0) ref.push_back({-s, d});
  }
  std::sort(ref.begin(), ref.end());
  std::map<uint32_t, double> ref_score;
  for (const auto& [s, d] : ref) ref_score[d] = -s;

  const auto hits = index.Search(query, {.k = k, .filter = filter});
  ASSERT_EQ(hits.size(), std::min(k, ref.size()));
  std::set<uint32_t> seen;
  for (size_t i = 0; i < hits.size(); ++i) {
    const SearchHit& h = hits[i];
    ASSERT_TRUE(ref_score.contains(h.ordinal))
        << "returned a filtered, deleted or non-matching doc";
    if (allowed_bits != nullptr) {
      ASSERT_TRUE(allowed_bits->Test(h.ordinal));
    }
    ASSERT_TRUE(seen.insert(h.ordinal).second);
    const double expected = ref_score[h.ordinal];
    const double tol = 1e-4 * (1 + expected);
    EXPECT_NEAR(h.score, expected, tol);
    // Same ranking as the exhaustive one, up to floating-point near-ties.
    const double ref_i = -ref[i].first;
    EXPECT_TRUE(h.ordinal == ref[i].second || std::abs(ref_i - expected) <= tol)
        << "rank " << i << ": got doc " << h.ordinal << " (" << expected << "), want doc "
        << ref[i].second << " (" << ref_i << ")";
    if (i > 0) {
      EXPECT_LE(h.score, hits[i - 1].score);
    }
  }
}

void RunRandomQueries(const Bm25Index& index, const Model& model, std::mt19937& rng, int count) {
  for (int q = 0; q < count; ++q) {
    std::vector<QueryTerm> query(std::uniform_int_distribution<int>(1, 6)(rng));
    for (QueryTerm& t : query) {
      t.term = RandomTerm(rng);
      t.weight = std::uniform_int_distribution<int>(1, 3)(rng) * 0.5f;
    }
    const size_t k = std::uniform_int_distribution<size_t>(1, 25)(rng);
    // Allow-sets from nearly empty to nearly full, as bitset, predicate, or both.
    const double density = std::pow(10.0, std::uniform_real_distribution<double>(-2.5, 0)(rng));
    DocBitset bits(model.docs.size());
    std::bernoulli_distribution keep(density);
    for (uint32_t d = 0; d < model.docs.size(); ++d) {
      if (keep(rng)) bits.Set(d);
    }
    const uint32_t modulus = std::uniform_int_distribution<uint32_t>(1, 4)(rng);
    auto predicate = [modulus](uint32_t d) { return d % modulus == 0; };
    switch (q % 4) {
      case 0:
        CheckQuery(index, model, query, k, nullptr, nullptr);
        break;
      case 1: {
        DocFilter filter(&bits);
        CheckQuery(index, model, query, k, &filter, &bits);
        break;
      }
      case 2: {
        DocFilter filter(predicate);
        CheckQuery(index, model, query, k, &filter, nullptr);
        break;
      }
      default: {
        DocFilter filter(&bits, predicate);
        CheckQuery(index, model, query, k, &filter, &bits);
        break;
      }
    }
    if (testing::Test::HasFailure()) {
      ADD_FAILURE() << "failing query number " << q;
      return;
    }
  }
}

TEST(Bm25PropertyTest, FilteredSearchEqualsExhaustiveScoring) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    Model model;
    model.options.fields = {{"title", 2.0f, 0.6f}, {"body", 1.0f, 0.75f}};
    if (seed == 3) model.options.fields = {{"body"}};
    auto created = Bm25Index::Create(model.options);
    ASSERT_TRUE(created.ok());
    auto index = std::move(created).value();
    const int num_docs = 1500;
    for (int i = 0; i < num_docs; ++i) {
      Doc doc;
      doc.fields.push_back(RandomField(rng, 6));
      if (model.options.fields.size() > 1) doc.fields.push_back(RandomField(rng, 60));
      ASSERT_TRUE(index->Add({int64_t{i}, doc.fields}).ok());
      model.docs.push_back(std::move(doc));
    }
    std::bernoulli_distribution drop(0.1);
    for (int i = 0; i < num_docs; ++i) {
      if (!drop(rng)) continue;
      ASSERT_TRUE(index->Delete(int64_t{i}).ok());
      model.docs[static_cast<size_t>(i)].deleted = true;
    }
    model.Prepare();
    RunRandomQueries(*index, model, rng, 300);
    if (HasFailure()) return;

    // After compaction the model renumbers the same way.
    index->Compact();
    std::erase_if(model.docs, [](const Doc& d) { return d.deleted; });
    ASSERT_EQ(index->num_ordinals(), model.docs.size());
    model.Prepare();
    RunRandomQueries(*index, model, rng, 100);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace savoir::index
