// Golden tests: each fixture under testdata/ is parsed and its JSON rendering (type, title,
// metadata, blocks with ranges and text, plain text) compared with testdata/golden/<name>.json.
// Set SAVOIR_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change, then review
// the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kb/parse/parse_document.h"

namespace savoir::kb {
namespace {

std::string TestData(const std::string& name) {
  return std::string(SAVOIR_SOURCE_DIR) + "/src/kb/parse/testdata/" + name;
}

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

struct GoldenCase {
  const char* file;
  DocumentType type;
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.file; }

class ParseGoldenTest : public testing::TestWithParam<GoldenCase> {};

TEST_P(ParseGoldenTest, MatchesGolden) {
  const GoldenCase& c = GetParam();
  const std::vector<uint8_t> bytes = ReadBytes(TestData(c.file));
  ASSERT_FALSE(bytes.empty()) << c.file;
  ParseOptions options;
  options.file_name = c.file;
  StatusOr<ParsedDocument> doc = ParseDocument(bytes, options);
  ASSERT_TRUE(doc.ok()) << c.file << ": " << doc.status().ToString();
  EXPECT_EQ(doc->type, c.type) << c.file;
  // Every block's range lies in the text, in order, and is non-empty.
  size_t last_end = 0;
  for (const Block& b : doc->blocks) {
    EXPECT_LE(last_end, b.begin);
    EXPECT_LT(b.begin, b.end);
    EXPECT_LE(b.end, doc->text.size());
    last_end = b.end;
  }
  const std::string json = ParsedDocumentToJson(*doc) + "\n";
  const std::string golden_path = TestData(std::string("golden/") + c.file + ".json");
  if (std::getenv("SAVOIR_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path, std::ios::binary) << json;
    GTEST_SKIP() << "updated " << golden_path;
  }
  std::ifstream in(golden_path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << golden_path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(json, expected.str()) << c.file;
}

INSTANTIATE_TEST_SUITE_P(Formats, ParseGoldenTest,
                         testing::Values(GoldenCase{"sample.txt", DocumentType::kPlainText},
                                         GoldenCase{"latin1.txt", DocumentType::kPlainText},
                                         GoldenCase{"utf16le.txt", DocumentType::kPlainText},
                                         GoldenCase{"utf16be.txt", DocumentType::kPlainText},
                                         GoldenCase{"sample.md", DocumentType::kMarkdown},
                                         GoldenCase{"sample.html", DocumentType::kHtml},
                                         GoldenCase{"sample.csv", DocumentType::kCsv},
                                         GoldenCase{"sample.json", DocumentType::kJson},
                                         GoldenCase{"sample.pdf", DocumentType::kPdf},
                                         GoldenCase{"sample.docx", DocumentType::kDocx},
                                         GoldenCase{"sample.pptx", DocumentType::kPptx},
                                         GoldenCase{"sample.odt", DocumentType::kOdt}),
                         [](const testing::TestParamInfo<GoldenCase>& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace savoir::kb
