#include "index/text/analyzer.h"

#include <libstemmer.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "index/text/stopword_data.h"
#include "index/text/unicode_text.h"

namespace savoir::index {
namespace {

using unicode::CharClass;
using unicode::CodePoint;

// Words longer than this (bytes, after lower-casing) are dropped: they are identifiers,
// encoded blobs or garbage, and only bloat the term dictionary.
constexpr size_t kMaxWordBytes = 64;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
using WordSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// French elided words that precede an apostrophe: "l'État", "qu'il", "jusqu'à".
bool IsElision(std::string_view w) {
  static constexpr std::string_view kElisions[] = {"l",      "d",      "j",      "m",     "n",
                                                   "s",      "t",      "c",      "qu",    "jusqu",
                                                   "lorsqu", "puisqu", "quoiqu", "presqu"};
  return std::find(std::begin(kElisions), std::end(kElisions), w) != std::end(kElisions);
}

// Calls `fn(word)` for each non-comment word of a one-word-per-line list.
template <typename Fn>
void ForEachListedWord(std::string_view data, Fn fn) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    size_t start = 0;
    while (start < line.size()) {
      size_t space = line.find_first_of(" \t\r", start);
      if (space == std::string_view::npos) space = line.size();
      if (space > start) fn(line.substr(start, space - start));
      start = space + 1;
    }
  }
}

bool HasLetter(std::string_view word) {
  for (const CodePoint& c : unicode::Decode(word)) {
    if (c.cls == CharClass::kLetter) return true;
  }
  return false;
}

bool AllDigits(std::string_view word) {
  for (const CodePoint& c : unicode::Decode(word)) {
    if (c.cls != CharClass::kDigit && c.cls != CharClass::kNumberSeparator) return false;
  }
  return !word.empty();
}

// Words with these letters are evidence of French (é is shared with Spanish and borrowed in
// English, so it weighs less).
float FrenchDiacriticEvidence(std::string_view lower_word) {
  static constexpr std::string_view kStrong[] = {"è", "ê", "à", "â", "ç", "î",
                                                 "ô", "û", "ù", "ë", "ï", "œ"};
  for (std::string_view s : kStrong) {
    if (lower_word.find(s) != std::string_view::npos) return 0.5f;
  }
  return lower_word.find("é") != std::string_view::npos ? 0.3f : 0.0f;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};
using StemmerPtr = std::unique_ptr<sb_stemmer, StemmerDeleter>;

// Word segmentation (steps 1-2 of the header's pipeline). Appends words to `*out`.
void SplitWords(std::string_view text, std::vector<std::string>* out);

}  // namespace

struct Analyzer::Impl {
  StemmerPtr french;
  StemmerPtr english;
  WordSet french_stop;
  WordSet english_stop;
  // Folded marker word -> the word list it belongs to (0 French, 1 English, 2.. the other
  // languages of the markers file), or -1 when several lists share it.
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> markers;
  int num_lists = 2;

  void AddMarker(const std::string& word, int list) {
    auto [it, inserted] = markers.emplace(word, list);
    if (!inserted && it->second != list) it->second = -1;
  }

  std::string Stem(sb_stemmer* stemmer, std::string_view word) {
    const sb_symbol* s = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                                         static_cast<int>(word.size()));
    if (s == nullptr) return std::string(word);
    return std::string(reinterpret_cast<const char*>(s),
                       static_cast<size_t>(sb_stemmer_length(stemmer)));
  }

  void AnalyzeWord(const std::string& word, Language language, std::vector<std::string>* out) {
    std::string folded = unicode::Fold(word);
    if (folded.empty()) return;
    sb_stemmer* stemmer = nullptr;
    if (language == Language::kFrench) {
      if (french_stop.contains(folded)) return;
      stemmer = french.get();
    } else if (language == Language::kEnglish) {
      if (english_stop.contains(folded)) return;
      stemmer = english.get();
    }
    if (stemmer == nullptr || !HasLetter(word)) {
      out->push_back(std::move(folded));
      return;
    }
    out->push_back(unicode::Fold(Stem(stemmer, word)));
  }
};

namespace {

// Lower-cases one hyphen-separated part (which may hold apostrophes), drops elisions and
// possessives, and returns it without apostrophes.
std::string FinishPart(std::string part, bool has_mark) {
  if (has_mark) part = unicode::ComposeNfc(part);
  std::vector<std::string> pieces;
  size_t start = 0;
  while (true) {
    size_t q = part.find('\'', start);
    pieces.push_back(part.substr(start, q == std::string::npos ? std::string::npos : q - start));
    if (q == std::string::npos) break;
    start = q + 1;
  }
  size_t first = 0;
  size_t last = pieces.size();
  if (pieces.size() > 1 && IsElision(pieces[0])) ++first;
  if (last - first > 1 && pieces[last - 1] == "s") --last;
  std::string word;
  for (size_t i = first; i < last; ++i) word += pieces[i];
  return word;
}

void EmitCompound(std::vector<std::string>& parts, std::vector<std::string>* out) {
  bool any_letters = false;
  bool any_digits = false;
  std::string joined;
  size_t kept = 0;
  for (const std::string& p : parts) {
    if (p.empty() || p.size() > kMaxWordBytes) continue;
    ++kept;
    joined += p;
    if (AllDigits(p)) {
      any_digits = true;
    } else {
      any_letters = true;
    }
  }
  for (std::string& p : parts) {
    if (!p.empty() && p.size() <= kMaxWordBytes) out->push_back(std::move(p));
  }
  if (kept > 1 && any_letters && any_digits && joined.size() <= kMaxWordBytes) {
    out->push_back(std::move(joined));
  }
}

void SplitWords(std::string_view text, std::vector<std::string>* out) {
  const std::vector<CodePoint> cps = unicode::Decode(text);
  const size_t n = cps.size();
  size_t i = 0;
  while (i < n) {
    if (cps[i].cls == CharClass::kIdeograph) {
      std::string w;
      unicode::AppendLower(cps[i].value, &w);
      out->push_back(std::move(w));
      ++i;
      continue;
    }
    if (!unicode::IsWordChar(cps[i].cls)) {
      ++i;
      continue;
    }
    std::vector<std::string> parts(1);
    bool has_mark = false;
    size_t j = i;
    while (j < n) {
      const CharClass c = cps[j].cls;
      if (unicode::IsWordChar(c)) {
        has_mark |= c == CharClass::kMark;
        unicode::AppendLower(cps[j].value, &parts.back());
        ++j;
        continue;
      }
      const bool joins = j + 1 < n && unicode::IsWordChar(cps[j + 1].cls);
      if (!joins) break;
      if (c == CharClass::kApostrophe) {
        parts.back().push_back('\'');
      } else if (c == CharClass::kHyphen) {
        parts.back() = FinishPart(std::move(parts.back()), has_mark);
        parts.emplace_back();
      } else if (c == CharClass::kNumberSeparator && cps[j - 1].cls == CharClass::kDigit &&
                 cps[j + 1].cls == CharClass::kDigit) {
        parts.back().push_back(static_cast<char>(cps[j].value));
      } else {
        break;
      }
      ++j;
    }
    parts.back() = FinishPart(std::move(parts.back()), has_mark);
    EmitCompound(parts, out);
    i = j;
  }
}

}  // namespace

std::string_view LanguageName(Language language) {
  switch (language) {
    case Language::kFrench:
      return "fr";
    case Language::kEnglish:
      return "en";
    case Language::kOther:
      return "other";
    case Language::kUnknown:
      break;
  }
  return "unknown";
}

std::string FoldText(std::string_view text) { return unicode::Fold(text); }

StatusOr<std::unique_ptr<Analyzer>> Analyzer::Create() {
  auto impl = std::make_unique<Impl>();
  impl->french.reset(sb_stemmer_new("french", nullptr));
  impl->english.reset(sb_stemmer_new("english", nullptr));
  if (impl->french == nullptr || impl->english == nullptr) {
    return InternalError("libstemmer: french or english snowball stemmer unavailable");
  }
  ForEachListedWord(kFrenchStopWordsData, [&](std::string_view w) {
    std::string f = unicode::Fold(w);
    impl->french_stop.insert(f);
    impl->AddMarker(f, 0);
  });
  ForEachListedWord(kEnglishStopWordsData, [&](std::string_view w) {
    std::string f = unicode::Fold(w);
    impl->english_stop.insert(f);
    impl->AddMarker(f, 1);
  });
  size_t pos = 0;
  std::string_view markers = kLanguageMarkersData;
  while (pos < markers.size()) {
    size_t end = markers.find('\n', pos);
    if (end == std::string_view::npos) end = markers.size();
    std::string_view line = markers.substr(pos, end - pos);
    pos = end + 1;
    size_t colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string_view::npos) continue;
    int list = impl->num_lists++;
    ForEachListedWord(line.substr(colon + 1),
                      [&](std::string_view w) { impl->AddMarker(unicode::Fold(w), list); });
  }
  return std::unique_ptr<Analyzer>(new Analyzer(std::move(impl)));
}

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::~Analyzer() = default;

std::vector<std::string> Analyzer::Tokenize(std::string_view text) const {
  std::vector<std::string> words;
  SplitWords(text, &words);
  return words;
}

LanguageGuess Analyzer::DetectLanguage(std::string_view text, Language fallback) const {
  LanguageGuess guess;
  std::vector<float> counts(static_cast<size_t>(impl_->num_lists), 0.0f);
  for (const std::string& word : Tokenize(text)) {
    guess.evidence[static_cast<int>(Language::kFrench)] += FrenchDiacriticEvidence(word);
    auto it = impl_->markers.find(unicode::Fold(word));
    if (it != impl_->markers.end() && it->second >= 0) counts[it->second] += 1.0f;
  }
  guess.evidence[static_cast<int>(Language::kFrench)] += counts[0];
  guess.evidence[static_cast<int>(Language::kEnglish)] += counts[1];
  guess.evidence[static_cast<int>(Language::kOther)] =
      counts.size() > 2 ? *std::max_element(counts.begin() + 2, counts.end()) : 0.0f;
  int best = 0;
  float second = 0.0f;
  for (int l = 1; l < kNumLanguages; ++l) {
    if (guess.evidence[l] > guess.evidence[best]) {
      second = guess.evidence[best];
      best = l;
    } else {
      second = std::max(second, guess.evidence[l]);
    }
  }
  const float top = guess.evidence[best];
  if (top < 1.0f || top == second) {
    guess.language = fallback;
    return guess;
  }
  guess.language = static_cast<Language>(best);
  guess.confident = top >= 2.0f && top >= 2.0f * second;
  return guess;
}

void Analyzer::AnalyzeInto(std::string_view text, Language language,
                           std::vector<std::string>* terms) {
  std::vector<std::string> words;
  SplitWords(text, &words);
  for (const std::string& w : words) impl_->AnalyzeWord(w, language, terms);
}

std::vector<std::string> Analyzer::Analyze(std::string_view text, Language language) {
  std::vector<std::string> terms;
  AnalyzeInto(text, language, &terms);
  return terms;
}

std::vector<QueryTerm> Analyzer::AnalyzeQuery(std::string_view text, const LanguagePrior& prior) {
  uint64_t total = 0;
  for (uint64_t n : prior.documents) total += n;
  // A language counts when it holds at least 1% of the documents: a handful of misdetected
  // documents must not add a second analysis to every short query.
  auto has_docs = [&](Language l) {
    const uint64_t n = prior.documents[static_cast<int>(l)];
    return n > 0 && n * 100 >= total;
  };
  const bool empty_prior = std::none_of(prior.documents.begin(), prior.documents.end(),
                                        [](uint64_t n) { return n > 0; });
  std::vector<Language> languages;
  const LanguageGuess guess = DetectLanguage(text);
  if (guess.confident && (empty_prior || has_docs(guess.language))) {
    languages.push_back(guess.language);
  } else if (empty_prior) {
    languages = {Language::kFrench, Language::kEnglish};
  } else {
    for (Language l : {Language::kFrench, Language::kEnglish, Language::kOther}) {
      if (has_docs(l)) languages.push_back(l);
    }
    if (has_docs(Language::kUnknown) && !has_docs(Language::kOther)) {
      languages.push_back(Language::kOther);
    }
  }
  std::vector<std::string> words;
  SplitWords(text, &words);
  // A term's weight is its count in the analysis where it occurs most often: a word that
  // two languages analyse to the same term must not count twice.
  std::vector<QueryTerm> merged;
  std::unordered_map<std::string, size_t> position;
  for (Language l : languages) {
    std::vector<std::string> terms;
    for (const std::string& w : words) impl_->AnalyzeWord(w, l, &terms);
    std::unordered_map<std::string, float> counts;
    for (std::string& t : terms) counts[t] += 1.0f;
    for (std::string& t : terms) {
      auto [it, inserted] = position.emplace(t, merged.size());
      if (inserted) merged.push_back({t, 0.0f});
      merged[it->second].weight = std::max(merged[it->second].weight, counts[t]);
    }
  }
  return merged;
}

}  // namespace savoir::index
