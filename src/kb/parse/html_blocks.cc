#include "kb/parse/html_blocks.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "kb/parse/xml_util.h"

namespace savoir::kb::parse_internal {
namespace {

constexpr int kMaxDepth = 256;

bool IsBlockName(std::string_view n) {
  static constexpr std::string_view kBlocks[] = {
      "address", "article", "aside",   "blockquote", "body",     "center",     "details", "dialog",
      "dd",      "div",     "dl",      "dt",         "fieldset", "figcaption", "figure",  "footer",
      "form",    "header",  "hgroup",  "hr",         "li",       "main",       "nav",     "ol",
      "p",       "pre",     "section", "summary",    "table",    "tbody",      "td",      "tfoot",
      "th",      "thead",   "tr",      "ul",         "legend",   "caption",    "html",    "h1",
      "h2",      "h3",      "h4",      "h5",         "h6"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), n) != std::end(kBlocks);
}

int HeadingLevel(std::string_view n) {
  if (n.size() == 2 && n[0] == 'h' && n[1] >= '1' && n[1] <= '6') return n[1] - '0';
  return 0;
}

bool IsList(std::string_view n) { return n == "ul" || n == "ol"; }

// Text of `node`'s descendants with block boundaries as spaces. When `nested_lists` is given,
// lists are collected there instead of being read.
void GatherInline(const xmlNode* node, int depth, std::string* out,
                  std::vector<const xmlNode*>* nested_lists) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) AppendCollapsed(reinterpret_cast<const char*>(c->content), out);
      continue;
    }
    if (c->type != XML_ELEMENT_NODE || depth >= kMaxDepth) continue;
    const std::string_view name = Name(c);
    if (nested_lists != nullptr && IsList(name)) {
      nested_lists->push_back(c);
      continue;
    }
    const bool block = IsBlockName(name) || name == "br";
    if (block) AppendCollapsed(" ", out);
    GatherInline(c, depth + 1, out, nested_lists);
    if (block) AppendCollapsed(" ", out);
  }
}

class HtmlBlockReader {
 public:
  explicit HtmlBlockReader(DocumentBuilder* b) : b_(b) {}

  void Walk(const xmlNode* node, int depth);
  void Flush() {
    if (!inline_.empty()) b_->AddParagraph(inline_);
    inline_.clear();
  }

 private:
  void Element(const xmlNode* el, int depth);
  void List(const xmlNode* list, int level, int depth);
  void Table(const xmlNode* table, int depth);

  DocumentBuilder* b_;
  std::string inline_;
};

void HtmlBlockReader::Walk(const xmlNode* node, int depth) {
  for (const xmlNode* c = node->children; c != nullptr && b_->status().ok(); c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr)
        AppendCollapsed(reinterpret_cast<const char*>(c->content), &inline_);
    } else if (c->type == XML_ELEMENT_NODE && depth < kMaxDepth) {
      Element(c, depth + 1);
    }
  }
}

void HtmlBlockReader::Element(const xmlNode* el, int depth) {
  const std::string_view name = Name(el);
  if (const int level = HeadingLevel(name); level > 0) {
    Flush();
    std::string text;
    GatherInline(el, depth, &text, nullptr);
    b_->AddHeading(level, text);
  } else if (IsList(name)) {
    Flush();
    List(el, 1, depth);
  } else if (name == "table") {
    Flush();
    Table(el, depth);
  } else if (name == "pre") {
    Flush();
    b_->AddCode(TextContent(el));
  } else if (name == "br") {
    AppendCollapsed(" ", &inline_);
  } else if (name == "img") {
    // Images carry no text worth indexing on their own.
  } else if (IsBlockName(name)) {
    Flush();
    Walk(el, depth);
    Flush();
  } else {
    Walk(el, depth);
  }
}

void HtmlBlockReader::List(const xmlNode* list, int level, int depth) {
  const bool ordered = Name(list) == "ol";
  int number = 1;
  if (ordered) {
    const std::string_view start = Attr(list, "start");
    std::from_chars(start.data(), start.data() + start.size(), number);
  }
  for (const xmlNode* li = list->children; li != nullptr && b_->status().ok(); li = li->next) {
    if (li->type != XML_ELEMENT_NODE || depth >= kMaxDepth) continue;
    if (IsList(Name(li))) {  // a list directly inside a list (invalid but common)
      List(li, level + 1, depth + 1);
      continue;
    }
    std::string text;
    std::vector<const xmlNode*> nested;
    GatherInline(li, depth + 1, &text, &nested);
    b_->AddListItem(level, ordered ? number++ : 0, text);
    for (const xmlNode* n : nested) List(n, level + 1, depth + 2);
  }
}

// Collects the <tr> of `node` that belong to this table (not to nested tables).
void CollectRows(const xmlNode* node, int depth, std::vector<const xmlNode*>* rows) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    const std::string_view name = Name(c);
    if (name == "tr") {
      rows->push_back(c);
    } else if ((name == "thead" || name == "tbody" || name == "tfoot") && depth < 4) {
      CollectRows(c, depth + 1, rows);
    }
  }
}

bool HasStructure(const xmlNode* node, int depth) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || depth >= kMaxDepth) continue;
    const std::string_view name = Name(c);
    if (name == "table" || IsList(name) || HeadingLevel(name) > 0 || name == "section" ||
        name == "article" || name == "form") {
      return true;
    }
    if (HasStructure(c, depth + 1)) return true;
  }
  return false;
}

void HtmlBlockReader::Table(const xmlNode* table, int depth) {
  std::vector<const xmlNode*> rows;
  CollectRows(table, 0, &rows);
  size_t columns = 0;
  bool layout = false;
  for (const xmlNode* tr : rows) {
    size_t cells = 0;
    for (const xmlNode* c = tr->children; c != nullptr; c = c->next) {
      const std::string_view name = Name(c);
      if (name != "td" && name != "th") continue;
      ++cells;
      layout = layout || HasStructure(c, depth + 2);
    }
    columns = std::max(columns, cells);
  }
  if (layout || columns < 2) {  // a table used for page layout: read it as content
    Walk(table, depth);
    Flush();
    return;
  }
  if (const xmlNode* caption = Child(table, "caption")) {
    std::string text;
    GatherInline(caption, depth + 1, &text, nullptr);
    b_->AddParagraph(text);
  }
  std::vector<std::vector<std::string>> cells;
  for (const xmlNode* tr : rows) {
    std::vector<std::string>& row = cells.emplace_back();
    for (const xmlNode* c = tr->children; c != nullptr; c = c->next) {
      const std::string_view name = Name(c);
      if (name != "td" && name != "th") continue;
      GatherInline(c, depth + 2, &row.emplace_back(), nullptr);
    }
  }
  b_->AddTable(std::move(cells));
}

}  // namespace

void ReadHtmlBlocks(const xmlNode* root, DocumentBuilder* builder) {
  HtmlBlockReader reader(builder);
  reader.Walk(root, 0);
  reader.Flush();
}

}  // namespace savoir::kb::parse_internal
