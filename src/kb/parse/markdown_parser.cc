// Markdown through md4c (CommonMark with GitHub tables): md4c reports blocks, spans and text
// through callbacks; this file turns them into DocumentBuilder blocks, dropping inline syntax.
#include <md4c.h>

#include <string>
#include <string_view>
#include <vector>

#include "kb/parse/parsers.h"

namespace savoir::kb::parse_internal {
namespace {

class MarkdownReader {
 public:
  explicit MarkdownReader(DocumentBuilder* b) : b_(b) {}

  int EnterBlock(MD_BLOCKTYPE type, void* detail);
  int LeaveBlock(MD_BLOCKTYPE type, void* detail);
  int Text(MD_TEXTTYPE type, std::string_view text);

 private:
  struct ListFrame {
    bool ordered;
    int next_number;
  };

  // Emits the text gathered so far for the innermost open list item.
  bool FlushItem() {
    if (item_text_.empty()) return true;
    const ListFrame& list = lists_.back();
    const int number = list.ordered ? item_number_ : 0;
    const bool ok = b_->AddListItem(static_cast<int>(lists_.size()), number, item_text_);
    item_text_.clear();
    return ok;
  }
  std::string* Sink() {
    if (in_cell_) return &cell_;
    if (in_code_ || in_html_) return &code_;
    if (!lists_.empty() && in_item_ && !in_heading_) return &item_text_;
    return &text_;
  }

  DocumentBuilder* b_;
  std::string text_;       // paragraph or heading being read
  std::string item_text_;  // list item being read
  std::string code_;       // code or raw HTML block
  std::string cell_;
  std::vector<ListFrame> lists_;
  std::vector<std::vector<std::string>> rows_;
  int item_number_ = 0;
  bool in_item_ = false;
  bool in_heading_ = false;
  bool in_code_ = false;
  bool in_html_ = false;
  bool in_cell_ = false;
};

int MarkdownReader::EnterBlock(MD_BLOCKTYPE type, void* detail) {
  switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL: {
      if (in_item_ && !FlushItem()) return 1;
      const int start = type == MD_BLOCK_OL
                            ? static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start)
                            : 0;
      lists_.push_back({type == MD_BLOCK_OL, start});
      break;
    }
    case MD_BLOCK_LI:
      if (in_item_ && !FlushItem()) return 1;
      in_item_ = true;
      item_number_ = lists_.empty() ? 0 : lists_.back().next_number++;
      break;
    case MD_BLOCK_H:
      in_heading_ = true;
      text_.clear();
      break;
    case MD_BLOCK_CODE:
      if (in_item_ && !FlushItem()) return 1;
      in_code_ = true;
      code_.clear();
      break;
    case MD_BLOCK_HTML:
      in_html_ = true;
      code_.clear();
      break;
    case MD_BLOCK_TABLE:
      rows_.clear();
      break;
    case MD_BLOCK_TR:
      rows_.emplace_back();
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      in_cell_ = true;
      cell_.clear();
      break;
    default:
      break;
  }
  return 0;
}

int MarkdownReader::LeaveBlock(MD_BLOCKTYPE type, void* detail) {
  bool ok = true;
  switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      if (!lists_.empty()) lists_.pop_back();
      in_item_ = !lists_.empty();
      break;
    case MD_BLOCK_LI:
      ok = FlushItem();
      in_item_ = false;
      break;
    case MD_BLOCK_H:
      ok = b_->AddHeading(static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level), text_);
      text_.clear();
      in_heading_ = false;
      break;
    case MD_BLOCK_P:
      if (in_item_) {
        AppendCollapsed(" ", &item_text_);
      } else {
        ok = b_->AddParagraph(text_);
        text_.clear();
      }
      break;
    case MD_BLOCK_CODE:
      ok = b_->AddCode(code_);
      in_code_ = false;
      break;
    case MD_BLOCK_HTML: {
      in_html_ = false;
      // Raw HTML blocks: keep the text between tags as a paragraph.
      std::string stripped;
      bool in_tag = false;
      for (char c : code_) {
        if (c == '<') in_tag = true;
        if (!in_tag) stripped.push_back(c);
        if (c == '>') in_tag = false, stripped.push_back(' ');
      }
      ok = b_->AddParagraph(DecodeEntities(stripped));
      break;
    }
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      if (!rows_.empty()) rows_.back().push_back(std::move(cell_));
      cell_.clear();
      in_cell_ = false;
      break;
    case MD_BLOCK_TABLE:
      ok = b_->AddTable(std::move(rows_));
      rows_.clear();
      break;
    default:
      break;
  }
  return ok ? 0 : 1;
}

int MarkdownReader::Text(MD_TEXTTYPE type, std::string_view text) {
  std::string* sink = Sink();
  switch (type) {
    case MD_TEXT_NULLCHAR:
      sink->append("\uFFFD");
      break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      sink->push_back(in_code_ ? '\n' : ' ');
      break;
    case MD_TEXT_ENTITY:
      sink->append(DecodeEntities(text));
      break;
    case MD_TEXT_HTML:
      if (in_html_) sink->append(text);  // inline tags are dropped
      break;
    default:
      sink->append(text);
      break;
  }
  return 0;
}

}  // namespace

StatusOr<ParsedDocument> ParseMarkdown(std::string_view text, const ParseContext& ctx) {
  const FrontMatter fm = ReadFrontMatter(text);
  text.remove_prefix(fm.length);
  DocumentBuilder b(ctx.options().max_output_bytes);
  MarkdownReader reader(&b);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags =
      MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS | MD_FLAG_PERMISSIVEATXHEADERS;
  parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) {
    return static_cast<MarkdownReader*>(u)->EnterBlock(t, d);
  };
  parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* u) {
    return static_cast<MarkdownReader*>(u)->LeaveBlock(t, d);
  };
  parser.enter_span = [](MD_SPANTYPE, void*, void*) { return 0; };
  parser.leave_span = [](MD_SPANTYPE, void*, void*) { return 0; };
  parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* u) {
    return static_cast<MarkdownReader*>(u)->Text(t, std::string_view(s, n));
  };
  const int rc = md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &reader);
  SAVOIR_RETURN_IF_ERROR(b.status());
  if (rc != 0) return InternalError("markdown parser failed (out of memory?)");
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kMarkdown;
  doc.title = fm.title;
  doc.metadata.author = fm.author;
  doc.metadata.created = fm.date;
  return doc;
}

}  // namespace savoir::kb::parse_internal
