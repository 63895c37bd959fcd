#include "kb/parse/document.h"

#include <nlohmann/json.hpp>

namespace savoir::kb {
namespace {

bool IsSpace(char c) {
  return static_cast<unsigned char>(c) <= ' ' &&
         (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v');
}

std::string_view TrimTrailingBlankLines(std::string_view code) {
  // Keep leading indentation of the first line but drop blank lines around the block.
  size_t start = 0;
  while (start < code.size()) {
    size_t eol = code.find('\n', start);
    if (eol == std::string_view::npos) break;
    bool blank = true;
    for (size_t i = start; i < eol; ++i) blank = blank && IsSpace(code[i]);
    if (!blank) break;
    start = eol + 1;
  }
  code.remove_prefix(start);
  while (!code.empty() && IsSpace(code.back())) code.remove_suffix(1);
  return code;
}

}  // namespace

std::string_view DocumentTypeName(DocumentType type) {
  switch (type) {
    case DocumentType::kPlainText:
      return "text";
    case DocumentType::kMarkdown:
      return "markdown";
    case DocumentType::kHtml:
      return "html";
    case DocumentType::kPdf:
      return "pdf";
    case DocumentType::kDocx:
      return "docx";
    case DocumentType::kPptx:
      return "pptx";
    case DocumentType::kOdt:
      return "odt";
    case DocumentType::kCsv:
      return "csv";
    case DocumentType::kJson:
      return "json";
    case DocumentType::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view DocumentTypeMime(DocumentType type) {
  switch (type) {
    case DocumentType::kPlainText:
      return "text/plain";
    case DocumentType::kMarkdown:
      return "text/markdown";
    case DocumentType::kHtml:
      return "text/html";
    case DocumentType::kPdf:
      return "application/pdf";
    case DocumentType::kDocx:
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case DocumentType::kPptx:
      return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    case DocumentType::kOdt:
      return "application/vnd.oasis.opendocument.text";
    case DocumentType::kCsv:
      return "text/csv";
    case DocumentType::kJson:
      return "application/json";
    case DocumentType::kUnknown:
      break;
  }
  return "application/octet-stream";
}

std::string_view BlockKindName(BlockKind kind) {
  switch (kind) {
    case BlockKind::kHeading:
      return "heading";
    case BlockKind::kParagraph:
      return "paragraph";
    case BlockKind::kListItem:
      return "list_item";
    case BlockKind::kTable:
      return "table";
    case BlockKind::kCode:
      return "code";
  }
  return "paragraph";
}

std::string ParsedDocumentToJson(const ParsedDocument& doc) {
  nlohmann::ordered_json j;
  j["type"] = DocumentTypeName(doc.type);
  j["title"] = doc.title;
  j["language"] = doc.language;
  nlohmann::ordered_json meta = nlohmann::ordered_json::object();
  if (!doc.metadata.author.empty()) meta["author"] = doc.metadata.author;
  if (!doc.metadata.created.empty()) meta["created"] = doc.metadata.created;
  if (!doc.metadata.modified.empty()) meta["modified"] = doc.metadata.modified;
  if (!doc.metadata.description.empty()) meta["description"] = doc.metadata.description;
  if (!doc.metadata.canonical_url.empty()) meta["canonical_url"] = doc.metadata.canonical_url;
  j["metadata"] = meta;
  j["page_count"] = doc.page_count;
  nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
  for (const Block& b : doc.blocks) {
    nlohmann::ordered_json jb;
    jb["kind"] = BlockKindName(b.kind);
    if (b.level != 0) jb["level"] = b.level;
    if (b.page != 0) jb["page"] = b.page;
    if (b.ordered) jb["ordered"] = true;
    jb["range"] = {b.begin, b.end};
    if (b.kind == BlockKind::kTable) {
      jb["rows"] = b.rows;
    } else {
      jb["text"] = doc.BlockText(b);
    }
    blocks.push_back(std::move(jb));
  }
  j["blocks"] = std::move(blocks);
  j["text"] = doc.text;
  // Replace rather than throw on invalid UTF-8: parsers are meant to emit valid UTF-8 only,
  // and a diagnostic dump must not fail.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void AppendCollapsed(std::string_view text, std::string* out) {
  // Copies runs of non-space bytes in bulk: this is on the hot path of every text format.
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    if (IsSpace(*p)) {
      while (p < end && IsSpace(*p)) ++p;
      if (!out->empty() && out->back() != ' ') out->push_back(' ');
      continue;
    }
    const char* run = p;
    while (p < end && !IsSpace(*p)) ++p;
    out->append(run, static_cast<size_t>(p - run));
  }
}

std::string CollapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendCollapsed(text, &out);
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

DocumentBuilder::DocumentBuilder(size_t max_text_bytes) : max_text_bytes_(max_text_bytes) {}

bool DocumentBuilder::Append(Block block, std::string_view rendered) {
  if (!status_.ok()) return false;
  if (rendered.empty()) return true;
  const bool tight = block.kind == BlockKind::kListItem && !doc_.blocks.empty() &&
                     doc_.blocks.back().kind == BlockKind::kListItem;
  const std::string_view separator = doc_.text.empty() ? "" : (tight ? "\n" : "\n\n");
  if (doc_.text.size() + separator.size() + rendered.size() > max_text_bytes_) {
    status_ = ResourceExhaustedError("document text is larger than the limit of {} bytes",
                                     max_text_bytes_);
    return false;
  }
  doc_.text.append(separator);
  block.begin = doc_.text.size();
  doc_.text.append(rendered);
  block.end = doc_.text.size();
  block.page = page_;
  doc_.blocks.push_back(std::move(block));
  return true;
}

bool DocumentBuilder::AddHeading(int level, std::string_view text) {
  Block b;
  b.kind = BlockKind::kHeading;
  b.level = level < 1 ? 1 : (level > 6 ? 6 : level);
  scratch_ = CollapseWhitespace(text);
  return Append(std::move(b), scratch_);
}

bool DocumentBuilder::AddParagraph(std::string_view text) {
  scratch_ = CollapseWhitespace(text);
  return Append(Block{}, scratch_);
}

bool DocumentBuilder::AddListItem(int depth, int number, std::string_view text) {
  std::string body = CollapseWhitespace(text);
  if (body.empty()) return status_.ok();
  Block b;
  b.kind = BlockKind::kListItem;
  b.level = depth < 1 ? 1 : (depth > 16 ? 16 : depth);
  b.ordered = number > 0;
  scratch_.assign(static_cast<size_t>(2 * (b.level - 1)), ' ');
  scratch_ += number > 0 ? std::to_string(number) + ". " : "- ";
  scratch_ += body;
  return Append(std::move(b), scratch_);
}

bool DocumentBuilder::AddTable(std::vector<std::vector<std::string>> rows) {
  std::string rendered;
  std::vector<std::vector<std::string>> kept;
  for (auto& row : rows) {
    bool any = false;
    for (std::string& cell : row) {
      cell = CollapseWhitespace(cell);
      any = any || !cell.empty();
    }
    if (!any) continue;
    if (!rendered.empty()) rendered.push_back('\n');
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) rendered += " | ";
      rendered += row[i];
    }
    kept.push_back(std::move(row));
  }
  Block b;
  b.kind = BlockKind::kTable;
  b.rows = std::move(kept);
  return Append(std::move(b), rendered);
}

bool DocumentBuilder::AddCode(std::string_view text) {
  Block b;
  b.kind = BlockKind::kCode;
  return Append(std::move(b), TrimTrailingBlankLines(text));
}

ParsedDocument DocumentBuilder::Finish() && { return std::move(doc_); }

}  // namespace savoir::kb
