// ParseDocument behaviour beyond the golden files: every failure class gives the right code
// and a readable reason, type detection ignores misleading names, limits are enforced.
#include "kb/parse/parse_document.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace savoir::kb {
namespace {

std::vector<uint8_t> Fixture(const std::string& name) {
  std::ifstream in(std::string(SAVOIR_SOURCE_DIR) + "/src/kb/parse/testdata/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

StatusOr<ParsedDocument> ParseFixture(const std::string& name, ParseOptions options = {}) {
  if (options.file_name.empty()) options.file_name = name;
  return ParseDocument(Fixture(name), options);
}

struct ErrorCase {
  const char* file;
  StatusCode code;
  const char* message_part;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.file; }

class ParseErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, FailsWithReason) {
  const ErrorCase& c = GetParam();
  const StatusOr<ParsedDocument> doc = ParseFixture(c.file);
  ASSERT_FALSE(doc.ok()) << c.file;
  EXPECT_EQ(doc.status().code(), c.code) << doc.status().ToString();
  EXPECT_NE(doc.status().message().find(c.message_part), std::string::npos)
      << doc.status().ToString();
  // Reasons are shown to users: one short line.
  EXPECT_EQ(doc.status().message().find('\n'), std::string::npos);
  EXPECT_LT(doc.status().message().size(), 120u);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ParseErrorTest,
    testing::Values(
        ErrorCase{"empty.txt", StatusCode::kInvalidArgument, "empty document"},
        ErrorCase{"blank.txt", StatusCode::kInvalidArgument, "empty document"},
        ErrorCase{"corrupt.pdf", StatusCode::kDataLoss, "corrupt pdf"},
        ErrorCase{"encrypted.pdf", StatusCode::kPermissionDenied, "encrypted pdf"},
        ErrorCase{"truncated.docx", StatusCode::kDataLoss, "corrupt zip archive"},
        ErrorCase{"zip_bomb.docx", StatusCode::kResourceExhausted, "zip bomb"},
        ErrorCase{"encrypted_entries.docx", StatusCode::kPermissionDenied, "encrypted docx"},
        ErrorCase{"encrypted_office.docx", StatusCode::kPermissionDenied, "encrypted office"},
        ErrorCase{"encrypted.odt", StatusCode::kPermissionDenied, "encrypted odt"},
        ErrorCase{"entities.docx", StatusCode::kDataLoss, "document type declaration"},
        ErrorCase{"image.png", StatusCode::kUnimplemented, "unsupported file type: png image"},
        ErrorCase{"not_office.zip", StatusCode::kUnimplemented, "unsupported file type: zip"}),
    [](const testing::TestParamInfo<ErrorCase>& info) {
      std::string name = info.param.file;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(ParseDocumentTest, OversizedInputIsRefusedBeforeParsing) {
  ParseOptions options;
  options.max_input_bytes = 100;
  const StatusOr<ParsedDocument> doc = ParseFixture("sample.txt", options);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(doc.status().message(), "document is 365 bytes, more than the limit of 100 bytes");
}

TEST(ParseDocumentTest, OversizedOutputFails) {
  ParseOptions options;
  options.max_output_bytes = 50;
  for (const char* file : {"sample.txt", "sample.md", "sample.html", "sample.docx", "sample.pdf",
                           "sample.pptx", "sample.odt", "sample.csv", "sample.json"}) {
    const StatusOr<ParsedDocument> doc = ParseFixture(file, options);
    ASSERT_FALSE(doc.ok()) << file;
    EXPECT_EQ(doc.status().code(), StatusCode::kResourceExhausted) << file;
    EXPECT_NE(doc.status().message().find("limit of 50 bytes"), std::string::npos)
        << doc.status().ToString();
  }
}

TEST(ParseDocumentTest, TooManyPages) {
  ParseOptions options;
  options.max_pages = 1;
  StatusOr<ParsedDocument> pdf = ParseFixture("sample.pdf", options);
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.status().message(), "pdf has 2 pages, more than the limit of 1");
  StatusOr<ParsedDocument> pptx = ParseFixture("sample.pptx", options);
  ASSERT_FALSE(pptx.ok());
  EXPECT_EQ(pptx.status().message(), "presentation has 3 slides, more than the limit of 1");
}

TEST(ParseDocumentTest, ZipBombIsCaughtByTheTotalLimitToo) {
  ParseOptions options;
  options.max_compression_ratio = 1 << 30;  // ratio check off: the size cap must still hold
  options.max_unzipped_bytes = 4 << 20;
  const StatusOr<ParsedDocument> doc = ParseFixture("zip_bomb.docx", options);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(doc.status().message().find("unpacks to more than 4 MB"), std::string::npos)
      << doc.status().ToString();
}

TEST(ParseDocumentTest, TimeLimit) {
  ParseOptions options;
  options.time_limit = std::chrono::milliseconds(-1);  // already spent: fails at the first check
  const StatusOr<ParsedDocument> doc = ParseFixture("sample.pdf", options);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(ParseDocumentTest, MisleadingNamesAreIgnored) {
  struct Case {
    const char* fixture;
    const char* name;
    const char* mime;
    DocumentType expected;
  };
  const Case cases[] = {
      {"sample.html", "report.pdf", "application/pdf", DocumentType::kHtml},
      {"sample.docx", "notes.txt", "text/plain", DocumentType::kDocx},
      {"sample.pdf", "page.html", "text/html", DocumentType::kPdf},
      {"sample.pptx", "data.csv", "", DocumentType::kPptx},
      {"sample.odt", "slides.pptx", "", DocumentType::kOdt},
      {"sample.json", "readme.md", "", DocumentType::kJson},
      {"sample.csv", "table.json", "", DocumentType::kCsv},
      {"sample.md", "notes.txt", "", DocumentType::kMarkdown},
      {"sample.txt", "archive.zip", "application/zip", DocumentType::kPlainText},
  };
  for (const Case& c : cases) {
    ParseOptions options;
    options.file_name = c.name;
    options.mime_type = c.mime;
    const std::vector<uint8_t> bytes = Fixture(c.fixture);
    EXPECT_EQ(DetectDocumentType(bytes, options), c.expected) << c.fixture << " as " << c.name;
    StatusOr<ParsedDocument> doc = ParseDocument(bytes, options);
    ASSERT_TRUE(doc.ok()) << c.fixture << ": " << doc.status().ToString();
    EXPECT_EQ(doc->type, c.expected) << c.fixture << " as " << c.name;
  }
}

TEST(ParseDocumentTest, HintsBreakTiesBetweenTextFormats) {
  const std::string_view text = "Just a line of text\nand another one.\n";
  ParseOptions options;
  EXPECT_EQ(DetectDocumentType(Bytes(text), options), DocumentType::kPlainText);
  options.file_name = "notes.md";
  EXPECT_EQ(DetectDocumentType(Bytes(text), options), DocumentType::kMarkdown);
  options.file_name = "";
  options.url = "https://wiki.example.org/page.markdown?rev=3";
  EXPECT_EQ(DetectDocumentType(Bytes(text), options), DocumentType::kMarkdown);
  // A one-column-per-comma text is prose unless the name says CSV.
  const std::string_view prose = "Hello, world\nGood morning, sir\n";
  EXPECT_EQ(DetectDocumentType(Bytes(prose), ParseOptions{}), DocumentType::kPlainText);
  ParseOptions csv;
  csv.mime_type = "text/csv; charset=utf-8";
  EXPECT_EQ(DetectDocumentType(Bytes(prose), csv), DocumentType::kCsv);
}

TEST(ParseDocumentTest, DetectsTextFormatsFromContent) {
  ParseOptions none;
  EXPECT_EQ(DetectDocumentType(Bytes("<p>Hello <b>world</b></p>"), none), DocumentType::kHtml);
  EXPECT_EQ(DetectDocumentType(Bytes("  [1, 2, {\"a\": null}]"), none), DocumentType::kJson);
  EXPECT_EQ(DetectDocumentType(Bytes("{not json"), none), DocumentType::kPlainText);
  EXPECT_EQ(DetectDocumentType(Bytes("a\tb\tc\n1\t2\t3\n4\t5\t6\n"), none), DocumentType::kCsv);
  EXPECT_EQ(DetectDocumentType(Bytes("# Title\n\nBody.\n"), none), DocumentType::kMarkdown);
  EXPECT_EQ(DetectDocumentType(Bytes("- a\n- b\n- c\n"), none), DocumentType::kPlainText);
  EXPECT_EQ(DetectDocumentType(Bytes("\x7F"
                                     "ELF\x02\x01"),
                               none),
            DocumentType::kUnknown);
}

TEST(ParseDocumentTest, BinaryGarbageIsUnsupported) {
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes.push_back(static_cast<char>((i * 7919) % 256));
  const StatusOr<ParsedDocument> doc = ParseDocument(Bytes(bytes), {});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(doc.status().message(), "unsupported file type: binary data");
}

TEST(ParseDocumentTest, TitleFallsBackToFirstHeadingThenFileName) {
  ParseOptions options;
  options.file_name = "/srv/docs/Release notes.v2.txt";
  StatusOr<ParsedDocument> doc = ParseDocument(Bytes("Plain words."), options);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->title, "Release notes.v2");
  options.language = "fr";
  doc = ParseDocument(Bytes("# Bonjour\n\nTexte.\n"), options);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->title, "Bonjour");
  EXPECT_EQ(doc->language, "fr");  // declared by the caller, the document declares none
}

TEST(ParseDocumentTest, HtmlWithoutMainFindsContentByScore) {
  const std::string html =
      "<html><body><div class='menu'><a href='/'>Home</a><a href='/x'>Products</a></div>"
      "<div id='left'><p><a href='/1'>Link one</a> <a href='/2'>Link two and more</a></p></div>"
      "<div class='article-body'><p>First real paragraph of the story, with commas, details, "
      "and enough words to score.</p><p>Second real paragraph, also long enough to count as "
      "content for the heuristic.</p></div>"
      "<div class='footer-links'>Contact | Legal</div></body></html>";
  StatusOr<ParsedDocument> doc = ParseDocument(Bytes(html), {});
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->text,
            "First real paragraph of the story, with commas, details, and enough words to "
            "score.\n\nSecond real paragraph, also long enough to count as content for the "
            "heuristic.");
}

TEST(ParseDocumentTest, DeeplyNestedInputsDoNotCrash) {
  // One bad file must never take ingestion down: nesting far past any real document.
  auto repeat = [](std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  const std::string inputs[] = {
      "<html><body>" + repeat("<div>", 200000) + "deep" + repeat("</div>", 200000),
      "<html><body>" + repeat("<ul><li>", 50000) + "x",
      "<html><body>" + repeat("<table><tr><td>", 20000) + "cell",
      repeat("[", 500000) + repeat("]", 500000),
      repeat("{\"a\":", 200000) + "1" + repeat("}", 200000),
      "# Title\n\n" + repeat("> ", 100000) + "quote\n",
      "# Title\n\n" + repeat("  ", 1) + repeat("- ", 50000) + "item\n",
      "# T\n\n" + repeat("*a ", 100000) + repeat("_b ", 100000),
  };
  for (const std::string& input : inputs) {
    const StatusOr<ParsedDocument> doc = ParseDocument(Bytes(input), {});
    if (doc.ok()) {
      EXPECT_LE(doc->text.size(), input.size());
    } else {
      EXPECT_FALSE(doc.status().message().empty());
    }
  }
}

}  // namespace
}  // namespace savoir::kb
