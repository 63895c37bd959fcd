#include "kb/chunk/sentence_splitter.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace savoir::kb {
namespace {

// Lower-case abbreviations (without their final period) after which a period does not end a
// sentence, because a name, number or noun follows them.
constexpr std::string_view kAbbreviations[] = {
    "m",    "mm",     "mme",  "mmes", "mlle", "mlles", "me",  "mgr",  "dr",  "drs",  "pr",
    "prof", "mr",     "mrs",  "ms",   "st",   "ste",   "sr",  "jr",   "gen", "col",  "capt",
    "lt",   "sgt",    "rev",  "hon",  "p",    "pp",    "ex",  "cf",   "fig", "figs", "n",
    "no",   "nos",    "vol",  "vols", "art",  "chap",  "ch",  "sect", "env", "vs",   "e.g",
    "i.e",  "approx", "resp", "réf",  "ref",  "tél",   "tel", "av",   "bd",  "éd",   "ed",
    "op",   "cit",    "al",   "inc",  "ltd",  "co"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Decodes the code point at text[i] (U+FFFD on invalid input) and its length.
utf8proc_int32_t CodePointAt(std::string_view text, size_t i, size_t* length) {
  utf8proc_int32_t cp = 0;
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                       static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
  if (n <= 0) {
    *length = 1;
    return 0xFFFD;
  }
  *length = static_cast<size_t>(n);
  return cp;
}

bool IsNBSpace(std::string_view text, size_t i, size_t* length) {
  size_t n = 0;
  const utf8proc_int32_t cp = CodePointAt(text, i, &n);
  *length = n;
  return cp == 0xA0 || cp == 0x202F;
}

// True when the code point at text[i] may start a new sentence.
bool StartsSentence(std::string_view text, size_t i) {
  size_t n = 0;
  const utf8proc_int32_t cp = CodePointAt(text, i, &n);
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    return std::isupper(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '(' ||
           c == '[' || c == '-' || c == '*';
  }
  if (cp == 0xAB || cp == 0x201C || cp == 0x2018 || cp == 0xBF || cp == 0xA1 || cp == 0x2014 ||
      cp == 0x2013) {
    return true;  // « “ ‘ ¿ ¡ — –
  }
  const utf8proc_category_t cat = utf8proc_category(cp);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LO;
}

// Length of the closing quote or bracket at text[i], 0 if none.
size_t ClosingLength(std::string_view text, size_t i) {
  const char c = text[i];
  if (c == ')' || c == ']' || c == '"' || c == '\'') return 1;
  size_t n = 0;
  const utf8proc_int32_t cp = CodePointAt(text, i, &n);
  return (cp == 0xBB || cp == 0x201D || cp == 0x2019) ? n : 0;  // » ” ’
}

bool IsAbbreviation(std::string_view word) {
  while (!word.empty() && (word.front() == '(' || word.front() == '"' || word.front() == '[')) {
    word.remove_prefix(1);
  }
  if (word.empty()) return false;
  std::string lower(word);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(std::begin(kAbbreviations), std::end(kAbbreviations), lower) !=
      std::end(kAbbreviations)) {
    return true;
  }
  // One upper-case letter: an initial ("J. Smith").
  size_t n = 0;
  const utf8proc_int32_t cp = CodePointAt(word, 0, &n);
  if (n == word.size() && utf8proc_category(cp) == UTF8PROC_CATEGORY_LU) return true;
  // Dotted acronyms: "U.S", "e.g", "S.A" (the final period is not part of `word`).
  bool dotted = word.size() >= 3;
  for (size_t i = 0; i < word.size() && dotted; ++i) {
    dotted = (i % 2 == 0) ? std::isalpha(static_cast<unsigned char>(word[i])) != 0 : word[i] == '.';
  }
  return dotted;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// Decides whether the terminal punctuation run text[punct, after) ends the sentence that
// started at `sentence_start`; `next` is the first non-space byte after it.
bool EndsSentence(std::string_view text, size_t sentence_start, size_t punct, size_t next) {
  if (next >= text.size()) return true;
  if (!StartsSentence(text, next)) return false;
  if (text[punct] != '.' || (punct + 1 < text.size() && text[punct + 1] == '.')) return true;
  if (punct > 0 && text[punct - 1] == '.') return true;  // end of an ellipsis "..."
  size_t word_start = punct;
  while (word_start > sentence_start && !IsSpace(text[word_start - 1])) --word_start;
  const std::string_view word = text.substr(word_start, punct - word_start);
  if (IsAbbreviation(word)) return false;
  if (AllDigits(word) && word_start == sentence_start) return false;  // "1. Introduction"
  return true;
}

}  // namespace

std::vector<TextSpan> SplitSentences(std::string_view text) {
  std::vector<TextSpan> spans;
  size_t start = 0;
  while (start < text.size() && IsSpace(text[start])) ++start;
  size_t i = start;
  while (i < text.size()) {
    const char c = text[i];
    const bool ellipsis = c == '\xE2' && text.compare(i, 3, "\u2026") == 0;
    if (c != '.' && c != '!' && c != '?' && !ellipsis) {
      ++i;
      continue;
    }
    const size_t punct = i;
    size_t after = i + (ellipsis ? 3 : 1);
    while (after < text.size() &&
           (text[after] == '.' || text[after] == '!' || text[after] == '?')) {
      ++after;
    }
    // Closing quotes and brackets, possibly after a (no-break) space as in French "Oui. »".
    for (size_t guard = 0; guard < 4 && after < text.size(); ++guard) {
      size_t n = ClosingLength(text, after);
      size_t space = 0;
      if (n == 0 && (text[after] == ' ' || IsNBSpace(text, after, &space))) {
        const size_t skip = text[after] == ' ' ? 1 : space;
        size_t m = 0;
        const utf8proc_int32_t cp =
            after + skip < text.size() ? CodePointAt(text, after + skip, &m) : 0;
        if (cp == 0xBB || cp == 0x201D) n = skip + m;  // » ” after a space close the sentence
      }
      if (n == 0) break;
      after += n;
    }
    if (after < text.size() && !IsSpace(text[after])) {
      i = after;
      continue;
    }
    size_t next = after;
    while (next < text.size() && IsSpace(text[next])) ++next;
    if (EndsSentence(text, start, punct, next)) {
      spans.push_back({start, after});
      start = next;
    }
    i = next > after ? next : after;
  }
  size_t end = text.size();
  while (end > start && IsSpace(text[end - 1])) --end;
  if (end > start) spans.push_back({start, end});
  return spans;
}

}  // namespace savoir::kb
