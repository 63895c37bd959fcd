#include "index/text/analyzer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace savoir::index {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string Describe(const LanguageGuess& g) {
  return std::string(LanguageName(g.language)) + (g.confident ? "!" : "?");
}

Language ParseLanguage(const std::string& name) {
  if (name == "fr") return Language::kFrench;
  if (name == "en") return Language::kEnglish;
  if (name == "other") return Language::kOther;
  return Language::kUnknown;
}

// testdata/analyzer_golden.tsv: "mode<TAB>input<TAB>expected". Modes: "tokenize" (words),
// "fr"/"en"/"other" (index terms in that language), "detect" (language, '!' when confident,
// '?' when not), "query-fr"/"query-en"/"query-both" (query terms with weights, for an index
// holding French, English or both kinds of documents).
TEST(AnalyzerTest, GoldenFile) {
  auto analyzer = Analyzer::Create();
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  std::ifstream in(std::string(SAVOIR_SOURCE_DIR) + "/src/index/text/testdata/analyzer_golden.tsv");
  ASSERT_TRUE(in.good());
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string mode, input, expected;
    std::getline(fields, mode, '\t');
    std::getline(fields, input, '\t');
    std::getline(fields, expected, '\t');
    std::string got;
    if (mode == "tokenize") {
      got = Join((*analyzer)->Tokenize(input));
    } else if (mode == "detect") {
      got = Describe((*analyzer)->DetectLanguage(input));
    } else if (mode.rfind("query-", 0) == 0) {
      LanguagePrior prior;
      if (mode != "query-en") prior.documents[static_cast<int>(Language::kFrench)] = 10;
      if (mode != "query-fr") prior.documents[static_cast<int>(Language::kEnglish)] = 10;
      std::vector<std::string> terms;
      for (const QueryTerm& t : (*analyzer)->AnalyzeQuery(input, prior)) {
        terms.push_back(t.term + (t.weight != 1.0f ? "^" + std::to_string(int(t.weight)) : ""));
      }
      got = Join(terms);
    } else {
      got = Join((*analyzer)->Analyze(input, ParseLanguage(mode)));
    }
    EXPECT_EQ(got, expected) << "mode " << mode << " input: " << input;
    ++cases;
  }
  EXPECT_GT(cases, 30);
}

TEST(AnalyzerTest, FoldTextStripsAccentsAndCase) {
  EXPECT_EQ(FoldText("Élève ÇA Œuvre ﬁn Straße"), "eleve ca oeuvre fin strasse");
  EXPECT_EQ(FoldText("e\xCC\x81t\xC3\xA9"), "ete");  // NFD input
}

TEST(AnalyzerTest, InvalidUtf8IsASeparator) {
  auto analyzer = Analyzer::Create();
  ASSERT_TRUE(analyzer.ok());
  EXPECT_EQ(Join((*analyzer)->Tokenize("abc\xFF\xFE"
                                       "def \xC3")),
            "abc def");
}

TEST(AnalyzerTest, DetectLanguageUsesFallbackWithoutEvidence) {
  auto analyzer = Analyzer::Create();
  ASSERT_TRUE(analyzer.ok());
  LanguageGuess g = (*analyzer)->DetectLanguage("Kubernetes 1.29", Language::kEnglish);
  EXPECT_EQ(g.language, Language::kEnglish);
  EXPECT_FALSE(g.confident);
}

}  // namespace
}  // namespace savoir::index
