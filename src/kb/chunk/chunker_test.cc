// Chunker tests: golden files (document under testdata/ -> expected passages JSON under
// testdata/golden/), invariants checked on every case (offsets, token limits, heading paths),
// and targeted cases for the token counter and pluggable tokenizers. Set
// SAVOIR_UPDATE_GOLDEN=1 to rewrite the golden files, then review the diff.
#include "kb/chunk/chunker.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kb/chunk/sentence_splitter.h"
#include "kb/parse/parse_document.h"

namespace savoir::kb {
namespace {

std::string TestData(const std::string& name) {
  return std::string(SAVOIR_SOURCE_DIR) + "/src/kb/chunk/testdata/" + name;
}

ParsedDocument ParseFile(const std::string& name) {
  std::ifstream in(TestData(name), std::ios::binary);
  const std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  ParseOptions options;
  options.file_name = name;
  StatusOr<ParsedDocument> doc = ParseDocument(bytes, options);
  EXPECT_TRUE(doc.ok()) << name << ": " << doc.status().ToString();
  return doc.ok() ? *std::move(doc) : ParsedDocument{};
}

ChunkOptions SmallOptions() {
  ChunkOptions o;
  o.target_tokens = 40;
  o.max_tokens = 64;
  o.overlap_tokens = 20;
  return o;
}

// Properties every chunking must have.
void CheckInvariants(const ParsedDocument& doc, const std::vector<Passage>& passages,
                     const ChunkOptions& options, const std::string& name) {
  for (const Passage& p : passages) {
    ASSERT_LT(p.begin, p.end) << name;
    ASSERT_LE(p.end, doc.text.size()) << name;
    EXPECT_EQ(doc.text.substr(p.begin, p.end - p.begin), p.text) << name;
    EXPECT_NE(p.text.front(), '\n') << name;
    EXPECT_NE(p.text.back(), ' ') << name << ": passage ends with white space";
    EXPECT_NE(p.text.back(), '\n') << name;
    EXPECT_LE(p.token_count, options.max_tokens + 2) << name << ": " << p.text;
    EXPECT_EQ(p.title, doc.title);
  }
  for (size_t i = 1; i < passages.size(); ++i) {
    EXPECT_LE(passages[i - 1].begin, passages[i].begin) << name << ": passages out of order";
  }
}

struct ChunkCase {
  const char* file;
};

void PrintTo(const ChunkCase& c, std::ostream* os) { *os << c.file; }

class ChunkGoldenTest : public testing::TestWithParam<ChunkCase> {};

TEST_P(ChunkGoldenTest, MatchesGolden) {
  const std::string file = GetParam().file;
  const ParsedDocument doc = ParseFile(file);
  const ChunkOptions options = SmallOptions();
  const std::vector<Passage> passages = Chunk(doc, options);
  ASSERT_FALSE(passages.empty());
  CheckInvariants(doc, passages, options, file);
  const std::string json = PassagesToJson(passages) + "\n";
  const std::string golden_path = TestData("golden/" + file + ".json");
  if (std::getenv("SAVOIR_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path, std::ios::binary) << json;
    GTEST_SKIP() << "updated " << golden_path;
  }
  std::ifstream in(golden_path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << golden_path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(json, expected.str()) << file;
}

INSTANTIATE_TEST_SUITE_P(Documents, ChunkGoldenTest,
                         testing::Values(ChunkCase{"headings.md"}, ChunkCase{"long_paragraph.txt"},
                                         ChunkCase{"tables.md"}, ChunkCase{"lists.md"},
                                         ChunkCase{"french.txt"}),
                         [](const testing::TestParamInfo<ChunkCase>& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ChunkerTest, HeadingPathsFollowTheOutline) {
  const ParsedDocument doc = ParseFile("headings.md");
  const std::vector<Passage> passages = Chunk(doc, SmallOptions());
  std::vector<std::string> paths;
  for (const Passage& p : passages) paths.push_back(p.HeadingPathString());
  EXPECT_EQ(paths, (std::vector<std::string>{"Guide", "Guide > Installation > Linux",
                                             "Guide > Installation", "Guide > Configuration",
                                             "Guide > Configuration", "Guide > Usage"}));
  // The empty "Windows" and "Empty leaf" sections become passages of their own heading.
  EXPECT_EQ(passages[2].text, "Windows");
  EXPECT_EQ(passages[4].text, "Empty leaf");
}

TEST(ChunkerTest, LongParagraphIsCutBetweenSentencesWithOverlap) {
  const ParsedDocument doc = ParseFile("long_paragraph.txt");
  const ChunkOptions options = SmallOptions();
  const std::vector<Passage> passages = Chunk(doc, options);
  ASSERT_GE(passages.size(), 3u);
  int overlapping = 0;
  for (size_t i = 0; i + 1 < passages.size(); ++i) {
    const Passage& a = passages[i];
    const Passage& b = passages[i + 1];
    EXPECT_EQ(a.text.back(), '.') << "cut inside a sentence: " << a.text;
    EXPECT_GT(b.end, a.end);
    // Overlap is made of whole sentences: present whenever a's last sentence fits the budget.
    const std::vector<TextSpan> sentences = SplitSentences(a.text);
    const TextSpan last = sentences.back();
    const int last_tokens = ApproximateTokenCount(a.text.substr(last.begin, last.end - last.begin));
    if (sentences.size() > 1 &&
        last_tokens <= std::min(options.overlap_tokens, a.token_count / 2)) {
      EXPECT_EQ(b.begin, a.begin + last.begin) << "expected overlap after passage " << i;
      ++overlapping;
    } else {
      EXPECT_GE(b.begin, a.end);
    }
  }
  EXPECT_GE(overlapping, 2);
}

TEST(ChunkerTest, LargeTableRepeatsHeader) {
  const ParsedDocument doc = ParseFile("tables.md");
  const std::vector<Passage> passages = Chunk(doc, SmallOptions());
  int continued = 0;
  for (const Passage& p : passages) {
    if (p.table_header.empty()) continue;
    ++continued;
    EXPECT_EQ(p.table_header, "Name | Memory | Site | State");
    EXPECT_EQ(p.text.rfind("srv-", 0), 0u) << p.text;
  }
  EXPECT_GE(continued, 2);
  // The small table stays whole, with its introduction.
  EXPECT_NE(passages[0].text.find("Key | Value\na | 1\nb | 2"), std::string::npos);
}

TEST(ChunkerTest, ShortListStaysTogether) {
  const ParsedDocument doc = ParseFile("lists.md");
  const std::vector<Passage> passages = Chunk(doc, SmallOptions());
  ASSERT_FALSE(passages.empty());
  EXPECT_EQ(passages[0].text,
            "Before the release:\n\n- build the packages\n- run the tests\n- update the changelog");
}

TEST(ChunkerTest, PluggableTokenCounterIsUsed) {
  const ParsedDocument doc = ParseFile("long_paragraph.txt");
  ChunkOptions options;
  options.target_tokens = 30;
  options.max_tokens = 40;
  options.overlap_tokens = 0;
  int calls = 0;
  options.count_tokens = [&calls](std::string_view text) {
    ++calls;
    int words = 0;
    bool in_word = false;
    for (char c : text) {
      const bool space = c == ' ' || c == '\n';
      words += !space && !in_word;
      in_word = !space;
    }
    return words;
  };
  const std::vector<Passage> passages = Chunk(doc, options);
  EXPECT_GT(calls, 0);
  CheckInvariants(doc, passages, options, "long_paragraph.txt (word counter)");
  for (size_t i = 0; i + 1 < passages.size(); ++i) {
    EXPECT_LE(passages[i].token_count, 30) << passages[i].text;
    EXPECT_LE(passages[i].end, passages[i + 1].begin) << "overlap despite overlap_tokens = 0";
  }
}

TEST(ChunkerTest, OverlongSentenceIsCutBetweenWords) {
  ParseOptions parse;
  std::string text;
  for (int i = 0; i < 300; ++i) text += "word" + std::to_string(i) + " ";
  StatusOr<ParsedDocument> doc =
      ParseDocument(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), parse);
  ASSERT_TRUE(doc.ok());
  const ChunkOptions options = SmallOptions();
  const std::vector<Passage> passages = Chunk(*doc, options);
  ASSERT_GT(passages.size(), 5u);
  CheckInvariants(*doc, passages, options, "overlong sentence");
  size_t covered = 0;
  for (const Passage& p : passages) covered += p.text.size() + 1;
  EXPECT_EQ(covered, doc->text.size() + 1);
}

TEST(ChunkerTest, TextWithoutSpacesIsCutToo) {
  ParseOptions parse;
  const std::string text(5000, 'x');
  StatusOr<ParsedDocument> doc =
      ParseDocument(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), parse);
  ASSERT_TRUE(doc.ok());
  const std::vector<Passage> passages = Chunk(*doc, SmallOptions());
  ASSERT_GT(passages.size(), 10u);
  CheckInvariants(*doc, passages, SmallOptions(), "no spaces");
}

TEST(ChunkerTest, CodeBlockWithBlankLinesNeverGivesEmptyPassage) {
  // Found by fuzz_parse_document: a long code block cut between lines produced an empty
  // passage on a blank line.
  std::string md = "# Code\n\n```\n";
  for (int i = 0; i < 40; ++i) md += "line " + std::to_string(i) + " of the listing\n\n\n";
  md += "```\n";
  StatusOr<ParsedDocument> doc = ParseDocument(
      std::span(reinterpret_cast<const uint8_t*>(md.data()), md.size()), ParseOptions{});
  ASSERT_TRUE(doc.ok());
  const std::vector<Passage> passages = Chunk(*doc, SmallOptions());
  ASSERT_GT(passages.size(), 3u);
  CheckInvariants(*doc, passages, SmallOptions(), "code with blank lines");
}

TEST(ChunkerTest, EmptyDocumentGivesNoPassage) {
  EXPECT_TRUE(Chunk(ParsedDocument{}, ChunkOptions{}).empty());
}

TEST(ApproximateTokenCountTest, CountsWordsAndPunctuation) {
  EXPECT_EQ(ApproximateTokenCount(""), 0);
  EXPECT_EQ(ApproximateTokenCount("the cat"), 2);
  EXPECT_EQ(ApproximateTokenCount("installation"), 3);  // 12 letters
  EXPECT_EQ(ApproximateTokenCount("Hello, world!"), 4);
  EXPECT_EQ(ApproximateTokenCount("été"), 1);  // code points, not bytes
  EXPECT_EQ(ApproximateTokenCount("a | b"), 3);
}

TEST(PassageEmbeddingTextTest, JoinsContext) {
  Passage p;
  p.title = "Guide";
  p.heading_path = {"Install", "Linux"};
  p.text = "Run it.";
  EXPECT_EQ(PassageEmbeddingText(p), "Guide\nInstall > Linux\nRun it.");
  p.table_header = "a | b";
  EXPECT_EQ(PassageEmbeddingText(p), "Guide\nInstall > Linux\na | b\nRun it.");
}

}  // namespace
}  // namespace savoir::kb
