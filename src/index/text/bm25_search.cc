// Top-k search of Bm25Index: document-at-a-time MaxScore with block-max bounds.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "index/text/bm25_index.h"

namespace savoir::index {
namespace {

// Bounds are inflated by this relative margin so that floating-point rounding in a score sum
// can never make a document's score exceed the bound it was pruned with.
constexpr float kBoundSlack = 1.0f + 1e-5f;

struct Candidate {
  float score;
  uint32_t doc;
};

// Heap order: the worst hit (lowest score, then highest ordinal) on top.
bool Better(const Candidate& a, const Candidate& b) {
  return a.score > b.score || (a.score == b.score && a.doc < b.doc);
}

}  // namespace

class Bm25Index::Searcher {
 public:
  Searcher(const Bm25Index& index, std::span<const QueryTerm> query, const SearchOptions& options)
      : index_(index), options_(options), nf_(index.num_fields()) {
    const double n = static_cast<double>(index.num_ordinals());
    for (int f = 0; f < nf_; ++f) {
      const FieldOptions& fo = index.options_.fields[static_cast<size_t>(f)];
      const double avg = static_cast<double>(index.total_lengths_[static_cast<size_t>(f)]) / n;
      weight_[f] = fo.weight;
      norm_a_[f] = 1.0f - fo.b;
      norm_b_[f] = avg > 0.0 ? static_cast<float>(fo.b / avg) : 0.0f;
    }
    k1_ = index.options_.k1;
    std::unordered_map<std::string_view, size_t> slot;
    for (size_t q = 0; q < query.size(); ++q) {
      if (!(query[q].weight > 0.0f)) continue;
      auto it = index.terms_.find(query[q].term);
      if (it == index.terms_.end()) continue;
      auto [s, inserted] = slot.emplace(query[q].term, terms_.size());
      if (inserted) terms_.emplace_back(&index.postings_[it->second]);
      Term& t = terms_[s->second];
      t.weight += query[q].weight;
      t.query_indices.push_back(static_cast<uint32_t>(q));
    }
    for (Term& t : terms_) Prepare(t, n);
    std::sort(terms_.begin(), terms_.end(),
              [](const Term& a, const Term& b) { return a.upper < b.upper; });
  }

  std::vector<SearchHit> Run() {
    CollectTopK();
    std::sort(heap_.begin(), heap_.end(), Better);
    std::vector<SearchHit> hits;
    hits.reserve(heap_.size());
    for (const Candidate& c : heap_) hits.push_back(SearchHit{c.doc, c.score, {}});
    if (options_.matched_terms) FillMatchedTerms(&hits);
    return hits;
  }

 private:
  struct Term {
    explicit Term(const PostingList* list) : cursor(list) {}
    PostingCursor cursor;
    float weight = 0.0f;
    float scale = 0.0f;  // weight * idf * (k1 + 1)
    float upper = 0.0f;  // bound of the term's score over the whole list
    float tail_bound = 0.0f;
    std::vector<uint32_t> query_indices;
  };

  float Saturate(const Term& t, float tf) const { return t.scale * tf / (k1_ + tf); }

  float Score(const Term& t, uint32_t doc) const {
    const uint32_t* len = &index_.lengths_[static_cast<size_t>(doc) * nf_];
    float tf = 0.0f;
    for (int f = 0; f < nf_; ++f) {
      const uint32_t x = t.cursor.tf(f);
      if (x != 0) tf += weight_[f] * static_cast<float>(x) / (norm_a_[f] + norm_b_[f] * len[f]);
    }
    return Saturate(t, tf);
  }

  float BlockBound(const Term& t, size_t b) const {
    const std::vector<BlockMeta>& blocks = t.cursor.list()->blocks();
    if (b >= blocks.size()) return t.tail_bound;
    const BlockMeta& m = blocks[b];
    float tf = 0.0f;
    for (int f = 0; f < nf_; ++f) {
      if (m.max_tf[f] != 0) {
        tf += weight_[f] * static_cast<float>(m.max_tf[f]) /
              (norm_a_[f] + norm_b_[f] * static_cast<float>(m.min_len[f]));
      }
    }
    return Saturate(t, tf) * kBoundSlack;
  }

  void Prepare(Term& t, double n) {
    const PostingList& list = *t.cursor.list();
    const double df = list.size();
    const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    t.scale = static_cast<float>(t.weight * idf * (k1_ + 1.0));
    // Exact maximum over the unpacked tail.
    if (list.tail_size() > 0) {
      const std::vector<uint32_t>& raw = list.tail();
      const size_t stride = static_cast<size_t>(nf_) + 1;
      for (size_t i = 0; i < raw.size(); i += stride) {
        const uint32_t* len = &index_.lengths_[static_cast<size_t>(raw[i]) * nf_];
        float tf = 0.0f;
        for (int f = 0; f < nf_; ++f) {
          const uint32_t x = raw[i + 1 + static_cast<size_t>(f)];
          if (x != 0) tf += weight_[f] * static_cast<float>(x) / (norm_a_[f] + norm_b_[f] * len[f]);
        }
        t.tail_bound = std::max(t.tail_bound, Saturate(t, tf) * kBoundSlack);
      }
    }
    t.upper = t.tail_bound;
    for (size_t b = 0; b < list.blocks().size(); ++b) t.upper = std::max(t.upper, BlockBound(t, b));
  }

  bool Allowed(uint32_t doc) const {
    return !index_.deleted_.Test(doc) &&
           (options_.filter == nullptr || options_.filter->Allows(doc));
  }

  float Threshold() const {
    return heap_.size() < options_.k ? -std::numeric_limits<float>::infinity()
                                     : heap_.front().score;
  }

  void Offer(float score, uint32_t doc) {
    if (heap_.size() < options_.k) {
      heap_.push_back({score, doc});
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (score > heap_.front().score) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = {score, doc};
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }

  // Adds the non-essential terms [0, essential) to `score` for `doc`, highest bound first,
  // stopping as soon as the document cannot beat `threshold`. Returns false when pruned.
  bool AddNonEssential(size_t essential, uint32_t doc, float threshold, float* score) {
    for (size_t i = essential; i-- > 0;) {
      if (*score + prefix_[i] <= threshold) return false;
      Term& t = terms_[i];
      const size_t b = t.cursor.FindBlock(doc);
      if (b >= t.cursor.num_blocks()) continue;
      const float rest = i > 0 ? prefix_[i - 1] : 0.0f;
      if (*score + BlockBound(t, b) + rest <= threshold) return false;
      t.cursor.Advance(doc);
      if (t.cursor.doc() == doc) *score += Score(t, doc);
    }
    return true;
  }

  void CollectTopK() {
    const size_t n = terms_.size();
    prefix_.resize(n);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i) prefix_[i] = sum += terms_[i].upper;
    size_t essential = 0;
    while (true) {
      const float threshold = Threshold();
      while (essential < n && prefix_[essential] <= threshold) ++essential;
      if (essential == n) break;
      uint32_t doc = kNoDoc;
      for (size_t i = essential; i < n; ++i) doc = std::min(doc, terms_[i].cursor.doc());
      if (doc == kNoDoc) break;
      if (!Allowed(doc)) {
        const uint32_t next =
            options_.filter == nullptr ? doc + 1 : options_.filter->NextCandidate(doc + 1);
        for (size_t i = essential; i < n; ++i) terms_[i].cursor.Advance(next);
        continue;
      }
      float score = 0.0f;
      for (size_t i = essential; i < n; ++i) {
        PostingCursor& c = terms_[i].cursor;
        if (c.doc() != doc) continue;
        score += Score(terms_[i], doc);
        c.Next();
      }
      if (AddNonEssential(essential, doc, threshold, &score)) Offer(score, doc);
    }
  }

  void FillMatchedTerms(std::vector<SearchHit>* hits) const {
    std::vector<size_t> by_doc(hits->size());
    for (size_t i = 0; i < by_doc.size(); ++i) by_doc[i] = i;
    std::sort(by_doc.begin(), by_doc.end(),
              [&](size_t a, size_t b) { return (*hits)[a].ordinal < (*hits)[b].ordinal; });
    for (const Term& t : terms_) {
      PostingCursor c(t.cursor.list());
      for (size_t h : by_doc) {
        SearchHit& hit = (*hits)[h];
        c.Advance(hit.ordinal);
        if (c.doc() != hit.ordinal) continue;
        hit.matched_terms.insert(hit.matched_terms.end(), t.query_indices.begin(),
                                 t.query_indices.end());
      }
    }
    for (SearchHit& hit : *hits) std::sort(hit.matched_terms.begin(), hit.matched_terms.end());
  }

  const Bm25Index& index_;
  const SearchOptions& options_;
  const int nf_;
  float weight_[kMaxFields] = {};
  float norm_a_[kMaxFields] = {};
  float norm_b_[kMaxFields] = {};
  float k1_ = 1.2f;
  std::vector<Term> terms_;
  std::vector<float> prefix_;
  std::vector<Candidate> heap_;
};

std::vector<SearchHit> Bm25Index::Search(std::span<const QueryTerm> query,
                                         const SearchOptions& options) const {
  if (options.k == 0 || ids_.empty()) return {};
  Searcher searcher(*this, query, options);
  return searcher.Run();
}

}  // namespace savoir::index
