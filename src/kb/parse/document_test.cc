#include "kb/parse/document.h"

#include <gtest/gtest.h>

namespace savoir::kb {
namespace {

TEST(DocumentBuilderTest, LaysOutBlocksAndRanges) {
  DocumentBuilder b(1 << 20);
  EXPECT_TRUE(b.AddHeading(2, "  Install\n guide "));
  EXPECT_TRUE(b.AddParagraph("First   line\nsecond line."));
  EXPECT_TRUE(b.AddListItem(1, 0, "apples"));
  EXPECT_TRUE(b.AddListItem(2, 3, "green"));
  EXPECT_TRUE(b.AddTable({{"a", " b "}, {"", ""}, {"1", "2"}}));
  EXPECT_TRUE(b.AddCode("\n\n  indented\n\tcode\n\n"));
  EXPECT_TRUE(b.AddParagraph("   "));  // empty: skipped
  ParsedDocument doc = std::move(b).Finish();
  EXPECT_EQ(doc.text,
            "Install guide\n\nFirst line second line.\n\n- apples\n  3. green\n\na | b\n1 | 2\n\n"
            "  indented\n\tcode");
  ASSERT_EQ(doc.blocks.size(), 6u);
  EXPECT_EQ(doc.BlockText(doc.blocks[0]), "Install guide");
  EXPECT_EQ(doc.blocks[0].level, 2);
  EXPECT_EQ(doc.BlockText(doc.blocks[3]), "  3. green");
  EXPECT_TRUE(doc.blocks[3].ordered);
  EXPECT_EQ(doc.blocks[3].level, 2);
  EXPECT_EQ(doc.blocks[4].rows, (std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(doc.BlockText(doc.blocks[5]), "  indented\n\tcode");
}

TEST(DocumentBuilderTest, PagesAreRecorded) {
  DocumentBuilder b(1 << 20);
  b.SetPage(3);
  b.AddParagraph("on page three");
  ParsedDocument doc = std::move(b).Finish();
  EXPECT_EQ(doc.blocks[0].page, 3);
}

TEST(DocumentBuilderTest, SizeLimit) {
  DocumentBuilder b(20);
  EXPECT_TRUE(b.AddParagraph("0123456789"));
  EXPECT_FALSE(b.AddParagraph("0123456789"));  // 10 + 2 + 10 > 20
  EXPECT_FALSE(b.AddParagraph("x"));           // stays failed
  EXPECT_EQ(b.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(b.text_size(), 10u);
}

TEST(DocumentTest, Names) {
  EXPECT_EQ(DocumentTypeName(DocumentType::kDocx), "docx");
  EXPECT_EQ(DocumentTypeMime(DocumentType::kPdf), "application/pdf");
  EXPECT_EQ(BlockKindName(BlockKind::kListItem), "list_item");
  EXPECT_EQ(CollapseWhitespace(" a \t b\n"), "a b");
}

}  // namespace
}  // namespace savoir::kb
