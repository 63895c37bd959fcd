// BM25 inverted index: the lexical half of savoir's knowledge-base search.
//
// Documents have one or more fields (e.g. title and body) whose analysed terms (see
// analyzer.h) are indexed. Each document gets a dense uint32 ordinal, in the order documents
// are added; callers refer to documents by an external id (a string or an int64) and map
// between the two with Find() and external_id().
//
// Scoring is BM25F (Robertson & Zaragoza, "The probabilistic relevance framework", 2009): per
// document, the field frequencies of a term are length-normalised per field and combined
// with the field weights,
//     tf~ = sum_f w_f * tf_f / (1 - b_f + b_f * len_f / avglen_f)
//     score(term, doc) = qw * idf * tf~ * (k1 + 1) / (k1 + tf~)
//     idf = ln(1 + (N - df + 0.5) / (df + 0.5))
// where qw is the query term's weight, N the number of documents and df the number of
// documents holding the term. With one field this is exactly Lucene's classic BM25 (with the
// (k1 + 1) factor). Defaults are the textbook/Lucene values k1 = 1.2, b = 0.75 and field
// weight 1; they were not tuned on any evaluation set.
//
// Deletion marks a document deleted: it is never returned again, but like Lucene it keeps
// counting in N, df and avglen until Compact() rewrites the postings without it (and
// renumbers the surviving documents, preserving their order).
//
// Search is exact top-k by document-at-a-time MaxScore with block-max bounds: query terms
// are ordered by their score upper bound; documents that can only match "non-essential"
// terms (whose bounds add up to no more than the current k-th score) are never visited, and
// per-block bounds skip blocks before they are decoded. The filter (doc_filter.h) and the
// deletion marks are checked before a document is scored, so results equal exhaustive
// scoring restricted to the allowed, live documents. Ties are broken by smaller ordinal.
//
// Persistence: Save() writes a versioned binary file with CRC-32C checksums; Load() verifies
// them and the structure, returning kDataLoss for a corrupt or truncated file.
//
// Thread safety: const member functions (Search, Find, Save ...) may run concurrently from
// many threads. Add, Delete and Compact need exclusive access (no concurrent reader).
#ifndef SAVOIR_INDEX_TEXT_BM25_INDEX_H_
#define SAVOIR_INDEX_TEXT_BM25_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "base/status.h"
#include "index/text/analyzer.h"
#include "index/text/doc_filter.h"
#include "index/text/postings.h"

namespace savoir::index {

// A document's id outside the index.
using ExternalId = std::variant<int64_t, std::string>;

struct FieldOptions {
  std::string name;
  float weight = 1.0f;  // w_f, > 0
  float b = 0.75f;      // length normalisation, in [0, 1]
};

struct Bm25Options {
  // 1 to kMaxFields fields with distinct names.
  std::vector<FieldOptions> fields = {{"body"}};
  float k1 = 1.2f;  // > 0
};

// A document to index: its id, the analysed terms of each field (in Bm25Options::fields order;
// fewer entries than fields means the rest are empty) and its language.
struct DocumentTerms {
  ExternalId id;
  std::vector<std::vector<std::string>> fields;
  Language language = Language::kUnknown;
};

struct SearchOptions {
  size_t k = 10;
  // Which documents may be returned; nullptr allows all live documents. Not owned.
  const DocFilter* filter = nullptr;
  // Fill SearchHit::matched_terms.
  bool matched_terms = true;
};

struct SearchHit {
  uint32_t ordinal = 0;
  float score = 0.0f;
  // Indices into the query of the terms this document contains (for snippets), ascending.
  std::vector<uint32_t> matched_terms;
};

class Bm25Index {
 public:
  // Fails with kInvalidArgument when the options are out of range.
  static StatusOr<std::unique_ptr<Bm25Index>> Create(Bm25Options options);

  // Indexes a document and returns its ordinal. Errors: kAlreadyExists when a live document
  // has the same id, kInvalidArgument for more field lists than fields, kResourceExhausted
  // when 2^32 - 1 ordinals are used. A document with no terms is stored (and counts in N).
  StatusOr<uint32_t> Add(const DocumentTerms& doc);

  // Marks the document deleted. kNotFound when no live document has that id.
  Status Delete(const ExternalId& id);

  // Rewrites the postings without deleted documents and renumbers the live ones densely in
  // their previous order. Returns the old-to-new ordinal map (kNoDoc for deleted ones).
  std::vector<uint32_t> Compact();

  // Top-k live, allowed documents by decreasing score (ties: smaller ordinal first). Only
  // documents containing at least one query term are returned. Terms with weight <= 0 or
  // unknown to the index are ignored; a term repeated in the query adds its weights.
  std::vector<SearchHit> Search(std::span<const QueryTerm> query,
                                const SearchOptions& options = {}) const;

  // Ordinal of the live document with this id.
  std::optional<uint32_t> Find(const ExternalId& id) const;
  // External id of an ordinal (< num_ordinals()), deleted or not.
  const ExternalId& external_id(uint32_t ordinal) const { return ids_[ordinal]; }
  Language language(uint32_t ordinal) const { return languages_[ordinal]; }
  bool is_deleted(uint32_t ordinal) const { return deleted_.Test(ordinal); }
  // Field length (number of terms) of a document.
  uint32_t field_length(uint32_t ordinal, int field) const {
    return lengths_[static_cast<size_t>(ordinal) * options_.fields.size() + field];
  }

  // Ordinals in use, deleted documents included (until Compact()).
  uint32_t num_ordinals() const { return static_cast<uint32_t>(ids_.size()); }
  uint32_t num_live() const { return num_ordinals() - num_deleted_; }
  uint32_t num_deleted() const { return num_deleted_; }
  size_t num_terms() const { return terms_.size(); }
  // Number of documents holding `term`, deleted ones included until Compact().
  uint32_t document_frequency(std::string_view term) const;
  // Live documents per language: the prior for Analyzer::AnalyzeQuery. O(1).
  const LanguagePrior& language_prior() const { return live_languages_; }
  const Bm25Options& options() const { return options_; }
  // Approximate heap memory held by the index.
  size_t MemoryBytes() const;

  // Writes the index to `path` (via a temporary file renamed into place). kInternal/kUnknown
  // on I/O errors.
  Status Save(const std::string& path) const;
  // Reads an index written by Save(). kNotFound when the file is missing, kDataLoss when it
  // is corrupt, truncated or of an unknown format version.
  static StatusOr<std::unique_ptr<Bm25Index>> Load(const std::string& path);
  // The same with the file's bytes in memory. `verify_checksums` = false is for fuzzing the
  // structural checks only.
  std::string Serialize() const;
  static StatusOr<std::unique_ptr<Bm25Index>> Deserialize(std::string_view bytes,
                                                          bool verify_checksums = true);

 private:
  struct TermHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  class Searcher;

  explicit Bm25Index(Bm25Options options);
  int num_fields() const { return static_cast<int>(options_.fields.size()); }
  uint32_t TermId(const std::string& term);
  // Deserialization of the documents and postings sections (bm25_io.cc).
  Status ReadDocuments(std::string_view section);
  Status ReadPostings(std::string_view section);

  Bm25Options options_;
  std::unordered_map<std::string, uint32_t, TermHash, std::equal_to<>> terms_;
  std::vector<PostingList> postings_;  // by term id
  std::vector<ExternalId> ids_;        // by ordinal
  std::unordered_map<ExternalId, uint32_t> live_ids_;
  std::vector<Language> languages_;      // by ordinal
  std::vector<uint32_t> lengths_;        // by ordinal * num_fields + field
  std::vector<uint64_t> total_lengths_;  // by field, over all ordinals
  DocBitset deleted_;
  uint32_t num_deleted_ = 0;
  LanguagePrior live_languages_;
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_BM25_INDEX_H_
