// Text analysis for savoir's lexical (BM25) index: from raw UTF-8 text to index terms.
//
// The pipeline is the same for documents and queries:
//   1. Tokenize: words are maximal runs of letters, combining marks and digits (Unicode
//      categories L*, M*, N*). An apostrophe between two letters keeps a word together
//      ("aujourd'hui"), a hyphen joins the parts of a compound ("covid-19"), and '.' or ','
//      between two digits keeps a number together ("14,2"). Han, Hiragana and Katakana
//      characters are one word each. Invalid UTF-8 bytes separate words.
//   2. Lower-case (Unicode), then split: French elisions ("l'", "d'", "qu'", "jusqu'" ...) and
//      English possessives ("'s") are dropped; the parts of a hyphenated compound become
//      separate words, and a compound mixing letters and digits also yields its parts joined
//      ("covid-19" -> "covid", "19", "covid19").
//   3. Stop words of the text's language (data files in data/) are removed.
//   4. Snowball stemming (libstemmer) for French and English; no stemming for other text.
//   5. Accent folding: NFKD, combining marks stripped, case-folded, and a few letters that
//      Unicode does not decompose are spelled out (œ -> oe, æ -> ae, ø -> o, ł -> l, đ -> d).
//      Stemming runs before folding because the Snowball rules expect accented spelling.
//
// The language of a text (French, English or other) is guessed from stop-word and diacritic
// statistics. Queries are analysed in their detected language when the guess is confident;
// otherwise (short queries) with every language the index holds documents in, the terms of
// all those analyses being merged.
//
// Thread safety: an Analyzer is NOT thread-safe (Snowball stemmers keep state); use one
// instance per thread. Free functions here are thread-safe.
#ifndef SAVOIR_INDEX_TEXT_ANALYZER_H_
#define SAVOIR_INDEX_TEXT_ANALYZER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::index {

// Language of a document or query. Values are stored in index files: never renumber.
enum class Language : uint8_t { kUnknown = 0, kFrench = 1, kEnglish = 2, kOther = 3 };
inline constexpr int kNumLanguages = 4;

// "unknown", "fr", "en" or "other".
std::string_view LanguageName(Language language);

// Result of language detection. `evidence` holds the weighted counts of marker words per
// language (indexed by Language); `confident` is true when the winner is clearly ahead.
struct LanguageGuess {
  Language language = Language::kUnknown;
  bool confident = false;
  std::array<float, kNumLanguages> evidence{};
};

// Number of (live) documents per language in an index, used as the prior for queries whose
// language is uncertain. All zero means "no information": both French and English are used.
struct LanguagePrior {
  std::array<uint64_t, kNumLanguages> documents{};
};

// One query term with its weight (the number of times it occurs in the analysed query).
struct QueryTerm {
  std::string term;
  float weight = 1.0f;
};

// Lower-cases, decomposes (NFKD), strips combining marks and spells out œ, æ, ø, ł, đ.
// Invalid UTF-8 bytes are dropped. Thread-safe.
std::string FoldText(std::string_view text);

class Analyzer {
 public:
  // Creates an analyzer with French and English Snowball stemmers and the built-in stop-word
  // lists. Fails with kInternal when libstemmer lacks one of the algorithms.
  static StatusOr<std::unique_ptr<Analyzer>> Create();
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Steps 1-2 only: lower-cased words (NFC, accents kept), elisions and possessives dropped,
  // compounds split. No stop words, stemming or folding.
  std::vector<std::string> Tokenize(std::string_view text) const;

  // Guesses the language of `text`. When the text holds too little evidence the guess is
  // `fallback` with confident == false.
  LanguageGuess DetectLanguage(std::string_view text, Language fallback = Language::kUnknown) const;

  // Full pipeline for indexing `text` written in `language` (kOther and kUnknown: no stop
  // words, no stemming). Appends the terms, in text order, to `*terms`.
  void AnalyzeInto(std::string_view text, Language language, std::vector<std::string>* terms);
  std::vector<std::string> Analyze(std::string_view text, Language language);

  // Analyses a query: in its detected language when that detection is confident and at least
  // 1% of the prior's documents are in that language, otherwise with every language holding
  // at least 1% of the documents (French and English when the prior is empty). Duplicate terms are
  // merged and their weights summed; order is first occurrence.
  std::vector<QueryTerm> AnalyzeQuery(std::string_view text, const LanguagePrior& prior);

 private:
  struct Impl;
  explicit Analyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_ANALYZER_H_
