// Built-in word lists of the analyzer, compiled from the files in data/ (see CMakeLists.txt):
// one word per line ('#' comments) for the stop-word lists; "code: word word ..." lines for the
// language markers. Thread-safe: constant data.
#ifndef SAVOIR_INDEX_TEXT_STOPWORD_DATA_H_
#define SAVOIR_INDEX_TEXT_STOPWORD_DATA_H_

#include <string_view>

namespace savoir::index {

extern const std::string_view kEnglishStopWordsData;
extern const std::string_view kFrenchStopWordsData;
extern const std::string_view kLanguageMarkersData;

}  // namespace savoir::index

#endif  // SAVOIR_INDEX_TEXT_STOPWORD_DATA_H_
