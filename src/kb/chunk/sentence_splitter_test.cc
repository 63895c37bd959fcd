#include "kb/chunk/sentence_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace savoir::kb {
namespace {

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  for (const TextSpan& s : SplitSentences(text)) {
    out.emplace_back(text.substr(s.begin, s.end - s.begin));
  }
  return out;
}

using Sentences = std::vector<std::string>;

TEST(SentenceSplitterTest, EmptyAndBlank) {
  EXPECT_TRUE(SplitSentences("").empty());
  EXPECT_TRUE(SplitSentences("   \n ").empty());
  EXPECT_EQ(Split("  One sentence without period  "), Sentences{"One sentence without period"});
}

TEST(SentenceSplitterTest, EnglishBasics) {
  EXPECT_EQ(Split("It works. It really does! Does it? Yes."),
            (Sentences{"It works.", "It really does!", "Does it?", "Yes."}));
  EXPECT_EQ(Split("Wait... Then it ended."), (Sentences{"Wait...", "Then it ended."}));
  EXPECT_EQ(Split("He said \"stop.\" Then he left."),
            (Sentences{"He said \"stop.\"", "Then he left."}));
}

TEST(SentenceSplitterTest, EnglishAbbreviationsAndNumbers) {
  EXPECT_EQ(Split("Dr. Smith met Mr. Jones at 3.30 pm. They talked."),
            (Sentences{"Dr. Smith met Mr. Jones at 3.30 pm.", "They talked."}));
  EXPECT_EQ(Split("Use a tool, e.g. Grep or Sed. Done."),
            (Sentences{"Use a tool, e.g. Grep or Sed.", "Done."}));
  EXPECT_EQ(Split("The U.S. Army won. J. R. R. Tolkien wrote it."),
            (Sentences{"The U.S. Army won.", "J. R. R. Tolkien wrote it."}));
  EXPECT_EQ(Split("Version 2.5 is out. See fig. 3 for details."),
            (Sentences{"Version 2.5 is out.", "See fig. 3 for details."}));
  EXPECT_EQ(Split("1. Introduction to the topic. Next part."),
            (Sentences{"1. Introduction to the topic.", "Next part."}));
  EXPECT_EQ(Split("Prices rose in 2024. Sales fell."),
            (Sentences{"Prices rose in 2024.", "Sales fell."}));
}

TEST(SentenceSplitterTest, UrlsAndEmails) {
  EXPECT_EQ(
      Split("Visit https://example.org/a.b?x=1. Or mail jo.doe@example.com. Thanks."),
      (Sentences{"Visit https://example.org/a.b?x=1.", "Or mail jo.doe@example.com.", "Thanks."}));
  EXPECT_EQ(Split("See www.example.org for more. Bye."),
            (Sentences{"See www.example.org for more.", "Bye."}));
}

TEST(SentenceSplitterTest, FrenchAbbreviations) {
  EXPECT_EQ(Split("M. Dupont et Mme Martin sont arrivés. Le Dr. Leroy aussi."),
            (Sentences{"M. Dupont et Mme Martin sont arrivés.", "Le Dr. Leroy aussi."}));
  EXPECT_EQ(Split("Apportez des fruits, p. ex. Pommes ou poires. Merci."),
            (Sentences{"Apportez des fruits, p. ex. Pommes ou poires.", "Merci."}));
  EXPECT_EQ(Split("Il y a des pommes, des poires, etc. Le reste suit."),
            (Sentences{"Il y a des pommes, des poires, etc.", "Le reste suit."}));
  EXPECT_EQ(Split("MM. Durand et Petit signent. Voir art. 12 du contrat."),
            (Sentences{"MM. Durand et Petit signent.", "Voir art. 12 du contrat."}));
  EXPECT_EQ(Split("Le taux est de 3,5 %. Il était de 2.5 l'an dernier."),
            (Sentences{"Le taux est de 3,5 %.", "Il était de 2.5 l'an dernier."}));
}

TEST(SentenceSplitterTest, FrenchPunctuationAndQuotes) {
  EXPECT_EQ(Split("Vraiment ? Oui ! C'est fini."),
            (Sentences{"Vraiment ?", "Oui !", "C'est fini."}));
  EXPECT_EQ(Split("Il a dit « c'est fini. » Puis il est parti."),
            (Sentences{"Il a dit « c'est fini. »", "Puis il est parti."}));
  EXPECT_EQ(Split("Été chaud. Écoles fermées. Ça continue\u2026 Enfin la pluie."),
            (Sentences{"Été chaud.", "Écoles fermées.", "Ça continue\u2026", "Enfin la pluie."}));
}

TEST(SentenceSplitterTest, LowerCaseAfterPeriodDoesNotSplit) {
  EXPECT_EQ(Split("It costs approx. ten euros. Fine."),
            (Sentences{"It costs approx. ten euros.", "Fine."}));
}

TEST(SentenceSplitterTest, SpansCoverAllText) {
  const std::string text = "  A b. C d!  E f?\nG h.  ";
  const std::vector<TextSpan> spans = SplitSentences(text);
  ASSERT_EQ(spans.size(), 4u);
  size_t last = 0;
  for (const TextSpan& s : spans) {
    for (size_t i = last; i < s.begin; ++i) EXPECT_TRUE(std::isspace(text[i]));
    last = s.end;
  }
  for (size_t i = last; i < text.size(); ++i) EXPECT_TRUE(std::isspace(text[i]));
}

}  // namespace
}  // namespace savoir::kb
