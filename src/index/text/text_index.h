// TextIndex: a Bm25Index fed with raw text through an Analyzer (the glue the knowledge base
// uses, and the configuration the quality tests and benchmarks measure).
//
// Adding a document detects its language from all its fields together (falling back, when the
// text holds no evidence, to the most common language of the documents already indexed), then
// analyses every field in that language. A query is analysed with Analyzer::AnalyzeQuery using
// the index's live documents per language as the prior, then searched.
//
// Thread safety: as Bm25Index. Add/Delete/Compact need exclusive access. The Search overload
// taking an Analyzer is const and may run concurrently (one Analyzer per thread); the overload
// without uses the index's own analyzer and so is not thread-safe.
#ifndef SAVOIR_INDEX_TEXT_TEXT_INDEX_H_
#define SAVOIR_INDEX_TEXT_TEXT_INDEX_H_

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "index/text/analyzer.h"
#include "index/text/bm25_index.h"

namespace savoir::index {

class TextIndex {
 public:
  // kInvalidArgument for bad options; kInternal when the stemmers are unavailable.
  static StatusOr<std::unique_ptr<TextIndex>> Create(Bm25Options options);
  // Wraps an existing (e.g. loaded) index.
  static StatusOr<std::unique_ptr<TextIndex>> Wrap(std::unique_ptr<Bm25Index> index);

  // Analyses and indexes a document; `fields` follow the index's field order. Errors as
  // Bm25Index::Add. Returns the ordinal.
  StatusOr<uint32_t> Add(const ExternalId& id, std::span<const std::string_view> fields);

  // Analyses `query` and returns the top hits (see Bm25Index::Search). `terms`, when not null,
  // receives the analysed query terms (SearchHit::matched_terms index into it).
  std::vector<SearchHit> Search(Analyzer& analyzer, std::string_view query,
                                const SearchOptions& options,
                                std::vector<QueryTerm>* terms = nullptr) const;
  std::vector<SearchHit> Search(std::string_view query, const SearchOptions& options,
                                std::vector<QueryTerm>* terms = nullptr);

  Bm25Index& index() { return *index_; }
  const Bm25Index& index() const { return *index_; }
  Analyzer& analyzer() { return *analyzer_; }

 private:
  TextIndex(std::unique_ptr<Bm25Index> index, std::unique_ptr<Analyzer> analyzer);
  std::unique_ptr<Bm25Index> index_;
  std::unique_ptr<Analyzer> analyzer_;
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_TEXT_INDEX_H_
