// Sentence boundaries in French and English text, for the chunker.
//
// A sentence ends after '.', '!', '?' or an ellipsis ("..." or U+2026), optionally followed
// by closing quotes or brackets, when white space follows and the next word starts with an
// upper-case letter, a digit or an opening quote or bracket (or the text ends). A period does
// not end a sentence after:
//   - a title or abbreviation that is followed by a name or a number in both languages
//     ("M.", "Mme", "Dr.", "Prof.", "Mr.", "St.", "p.", "pp.", "ex.", "cf.", "fig.", "n.",
//     "vol.", "art.", "chap.", "env.", "vs.", "e.g.", "i.e.", ...);
//   - a single letter (an initial: "J. Smith");
//   - dotted acronyms ("U.S.", "S.A.");
//   - a number that opens the sentence ("1. Introduction").
// Decimal numbers ("3.14"), URLs and e-mail addresses never contain a boundary because their
// periods are not followed by white space.
//
// Thread safety: free functions, thread-safe.
#ifndef SAVOIR_KB_CHUNK_SENTENCE_SPLITTER_H_
#define SAVOIR_KB_CHUNK_SENTENCE_SPLITTER_H_

#include <cstddef>
#include <string_view>
#include <vector>

namespace savoir::kb {

struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Splits `text` into sentences. The spans are byte ranges of `text`, in order, trimmed of
// surrounding white space; together they cover every non-space byte. Empty or all-space text
// gives no span.
std::vector<TextSpan> SplitSentences(std::string_view text);

}  // namespace savoir::kb

#endif  // SAVOIR_KB_CHUNK_SENTENCE_SPLITTER_H_
