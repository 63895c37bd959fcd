// ParsedDocument: what the knowledge base keeps of a document after parsing, whatever its
// format.
//
// A parsed document is a plain-text rendering of the document's readable content (UTF-8)
// plus the list of structural blocks it is made of (headings, paragraphs, list items, tables,
// code). Each block records the byte range it occupies in the plain text and, for paged
// formats (PDF pages, PPTX slides), the page it is on, so that a passage cut from the text
// can be cited with a link to the exact page and place.
//
// The plain text is laid out as follows: blocks are separated by one blank line ("\n\n"),
// except consecutive items of one list, which are separated by a single "\n". A heading is
// its text alone; a list item is "- text" (or "1. text" for ordered lists) indented by two
// spaces per nesting level below the first; a table is one line per row, cells joined by
// " | "; a code block keeps its lines verbatim. Offsets are byte offsets into that UTF-8
// text ("char range" in the rest of the knowledge base means these byte offsets).
//
// DocumentBuilder is the one way parsers append blocks, so the layout rules and the output
// size limit live in one place.
//
// Thread safety: plain values; DocumentBuilder is not thread-safe.
#ifndef SAVOIR_KB_PARSE_DOCUMENT_H_
#define SAVOIR_KB_PARSE_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::kb {

// The format of a document, detected from its content.
enum class DocumentType : uint8_t {
  kUnknown = 0,
  kPlainText,
  kMarkdown,
  kHtml,
  kPdf,
  kDocx,
  kPptx,
  kOdt,
  kCsv,
  kJson,
};

// Short lower-case name: "text", "markdown", "html", "pdf", "docx", "pptx", "odt", "csv",
// "json" or "unknown".
std::string_view DocumentTypeName(DocumentType type);
// The canonical MIME type of `type` ("application/pdf", ...); "application/octet-stream" for
// kUnknown.
std::string_view DocumentTypeMime(DocumentType type);

enum class BlockKind : uint8_t { kHeading, kParagraph, kListItem, kTable, kCode };

// "heading", "paragraph", "list_item", "table" or "code".
std::string_view BlockKindName(BlockKind kind);

struct Block {
  BlockKind kind = BlockKind::kParagraph;
  // Heading level 1-6 for headings; nesting depth (1 = top level) for list items; 0 otherwise.
  int level = 0;
  // 1-based page (PDF page, PPTX slide); 0 when the format has no pages.
  int page = 0;
  // For list items: true when the list is numbered.
  bool ordered = false;
  // Byte range of the block's rendering in ParsedDocument::text.
  size_t begin = 0;
  size_t end = 0;
  // Tables only: the cells, row by row; the first row is the header row when the source marks
  // one (or when it is the first row of a CSV file).
  std::vector<std::vector<std::string>> rows;
};

struct DocumentMetadata {
  std::string author;
  // Dates as the document states them, ISO 8601 where the format uses it.
  std::string created;
  std::string modified;
  // HTML meta description, or the document's subject/description property.
  std::string description;
  // HTML <link rel="canonical">.
  std::string canonical_url;
};

struct ParsedDocument {
  DocumentType type = DocumentType::kUnknown;
  std::string title;
  // Language declared by the document (HTML lang, dc:language) or by the caller; BCP 47 as
  // found, empty when none was declared. Not guessed from the text.
  std::string language;
  DocumentMetadata metadata;
  // Number of pages for paged formats (PDF pages, PPTX slides), else 0.
  int page_count = 0;
  std::vector<Block> blocks;
  // The plain-text rendering (UTF-8) that block and passage offsets point into.
  std::string text;

  // The text of `block`: text.substr(block.begin, block.end - block.begin).
  std::string_view BlockText(const Block& block) const {
    return std::string_view(text).substr(block.begin, block.end - block.begin);
  }
};

// Renders `doc` as indented JSON (type, title, metadata, blocks with their text) for golden
// tests and diagnostics. Thread-safe.
std::string ParsedDocumentToJson(const ParsedDocument& doc);

// Appends blocks to a ParsedDocument following the layout rules above. Text passed in is
// expected to be UTF-8; it is trimmed, and runs of white space (including newlines) inside
// headings, paragraphs, list items and cells are collapsed to one space. Code keeps its
// white space (trailing blank lines are dropped). Empty blocks are skipped.
class DocumentBuilder {
 public:
  // `max_text_bytes`: once the plain text would exceed it, appends fail and status() holds
  // kResourceExhausted.
  explicit DocumentBuilder(size_t max_text_bytes);

  void SetPage(int page) { page_ = page; }
  int page() const { return page_; }

  // Each returns false (and does nothing) once the size limit has been hit.
  bool AddHeading(int level, std::string_view text);
  bool AddParagraph(std::string_view text);
  // `number` is the item's number in an ordered list, 0 for a bulleted item.
  bool AddListItem(int depth, int number, std::string_view text);
  bool AddTable(std::vector<std::vector<std::string>> rows);
  bool AddCode(std::string_view text);

  // OK, or the size-limit error.
  const Status& status() const { return status_; }
  size_t text_size() const { return doc_.text.size(); }
  const std::vector<Block>& blocks() const { return doc_.blocks; }

  // Moves the document out; the builder must not be used afterwards.
  ParsedDocument Finish() &&;

 private:
  bool Append(Block block, std::string_view rendered);

  ParsedDocument doc_;
  size_t max_text_bytes_;
  int page_ = 0;
  Status status_;
  std::string scratch_;
};

// Collapses runs of ASCII white space into one space and trims both ends. Thread-safe.
std::string CollapseWhitespace(std::string_view text);
// Appends `text` to `*out` with each run of ASCII white space turned into one space; never
// starts `*out` with a space nor puts two spaces in a row. Used to gather inline runs.
void AppendCollapsed(std::string_view text, std::string* out);

}  // namespace savoir::kb

#endif  // SAVOIR_KB_PARSE_DOCUMENT_H_
