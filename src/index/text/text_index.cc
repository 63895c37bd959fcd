#include "index/text/text_index.h"

#include <algorithm>

namespace savoir::index {

TextIndex::TextIndex(std::unique_ptr<Bm25Index> index, std::unique_ptr<Analyzer> analyzer)
    : index_(std::move(index)), analyzer_(std::move(analyzer)) {}

StatusOr<std::unique_ptr<TextIndex>> TextIndex::Create(Bm25Options options) {
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<Bm25Index> index, Bm25Index::Create(std::move(options)));
  return Wrap(std::move(index));
}

StatusOr<std::unique_ptr<TextIndex>> TextIndex::Wrap(std::unique_ptr<Bm25Index> index) {
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> analyzer, Analyzer::Create());
  return std::unique_ptr<TextIndex>(new TextIndex(std::move(index), std::move(analyzer)));
}

StatusOr<uint32_t> TextIndex::Add(const ExternalId& id, std::span<const std::string_view> fields) {
  std::string all;
  for (std::string_view f : fields) {
    all.append(f);
    all.push_back('\n');
  }
  // Without evidence, the collection's most common language is the best guess.
  const auto& counts = index_->language_prior().documents;
  const auto majority = std::max_element(counts.begin(), counts.end());
  const Language fallback =
      *majority == 0 ? Language::kUnknown : static_cast<Language>(majority - counts.begin());
  DocumentTerms doc{id, {}, analyzer_->DetectLanguage(all, fallback).language};
  for (std::string_view f : fields) doc.fields.push_back(analyzer_->Analyze(f, doc.language));
  return index_->Add(doc);
}

std::vector<SearchHit> TextIndex::Search(Analyzer& analyzer, std::string_view query,
                                         const SearchOptions& options,
                                         std::vector<QueryTerm>* terms) const {
  std::vector<QueryTerm> q = analyzer.AnalyzeQuery(query, index_->language_prior());
  std::vector<SearchHit> hits = index_->Search(q, options);
  if (terms != nullptr) *terms = std::move(q);
  return hits;
}

std::vector<SearchHit> TextIndex::Search(std::string_view query, const SearchOptions& options,
                                         std::vector<QueryTerm>* terms) {
  return Search(*analyzer_, query, options, terms);
}

}  // namespace savoir::index
