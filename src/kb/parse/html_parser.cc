// HTML through libxml2's tolerant HTML parser, then a readability-style choice of the main
// content:
//   1. Boilerplate is pruned: scripts, styles, forms controls, nav, aside, page-level header
//      and footer, ARIA navigation/banner/contentinfo/complementary regions, hidden elements,
//      and elements whose class or id says menu, sidebar, cookie banner, share buttons...
//      unless it also says content/article/main.
//   2. The content root is <main> (or role=main), else the single <article>, else the
//      element with the best paragraph score: each paragraph of 25+ characters gives
//      1 + commas + length/100 (at most 3) points to its parent and half to its grandparent;
//      an element's score is scaled by (1 - link density). A winner holding less than a
//      quarter of the page's paragraph text gives way to the whole body.
//   3. Blocks are read from the root (html_blocks.cc).
#include <libxml/HTMLparser.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kb/parse/html_blocks.h"
#include "kb/parse/parsers.h"
#include "kb/parse/xml_util.h"

namespace savoir::kb::parse_internal {
namespace {

constexpr int kMaxDepth = 256;

bool Contains(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles) {
    if (haystack.find(n) != std::string_view::npos) return true;
  }
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool AlwaysDropped(std::string_view name) {
  static constexpr std::string_view kDropped[] = {
      "script", "style",    "noscript", "template", "svg",  "math",  "iframe", "object",
      "embed",  "canvas",   "video",    "audio",    "nav",  "aside", "button", "select",
      "input",  "textarea", "dialog",   "head",     "link", "meta",  "map",    "frameset"};
  return std::find(std::begin(kDropped), std::end(kDropped), name) != std::end(kDropped);
}

// Decides whether `node` is boilerplate. `in_content`: inside <article> or <main>, where
// header and footer belong to the content (title, byline) rather than to the page.
bool IsBoilerplate(const xmlNode* node, bool in_content) {
  const std::string_view name = Name(node);
  if (AlwaysDropped(name)) return true;
  if (name == "footer" || (name == "header" && !in_content)) return true;
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr &&
        std::string_view(reinterpret_cast<const char*>(a->name)) == "hidden") {
      return true;
    }
  }
  if (Attr(node, "aria-hidden") == "true") return true;
  const std::string role = Lower(Attr(node, "role"));
  if (role == "navigation" || role == "banner" || role == "contentinfo" ||
      role == "complementary" || role == "search" || role == "dialog" || role == "menu") {
    return true;
  }
  const std::string style = Lower(Attr(node, "style"));
  if (Contains(style, {"display:none", "display: none", "visibility:hidden"})) return true;
  if (name == "body" || name == "html" || name == "article" || name == "main" || name == "table" ||
      name == "tr" || name == "td" || name == "th" || name == "tbody") {
    return false;
  }
  const std::string cls =
      Lower(std::string(Attr(node, "class")) + " " + std::string(Attr(node, "id")));
  if (cls.size() <= 1) return false;
  if (Contains(cls, {"article", "content", "main", "post", "entry", "story", "body"})) {
    return false;
  }
  return Contains(
      cls, {"nav",        "menu",      "footer",  "sidebar",  "breadcrumb", "cookie",  "banner",
            "share",      "social",    "related", "advert",   "promo",      "popup",   "modal",
            "newsletter", "subscribe", "comment", "masthead", "skip-link",  "toolbar", "pagination",
            "pager",      "widget",    "sponsor", "consent"});
}

void Prune(xmlNode* node, bool in_content, int depth, std::vector<xmlNode*>* doomed) {
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE) {
      doomed->push_back(c);
      continue;
    }
    if (c->type != XML_ELEMENT_NODE) continue;
    if (depth >= kMaxDepth || IsBoilerplate(c, in_content)) {
      doomed->push_back(c);
      continue;
    }
    const std::string_view name = Name(c);
    Prune(c, in_content || name == "article" || name == "main", depth + 1, doomed);
  }
}

struct Scores {
  std::unordered_map<const xmlNode*, double> score;
  double total_paragraph_text = 0;
};

size_t LinkTextLength(const xmlNode* node, int depth) {
  size_t n = 0;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || depth > kMaxDepth) continue;
    n += Name(c) == "a" ? TextContent(c).size() : LinkTextLength(c, depth + 1);
  }
  return n;
}

void ScoreParagraphs(const xmlNode* node, int depth, Scores* s) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || depth > kMaxDepth) continue;
    const std::string_view name = Name(c);
    if (name == "p" || name == "pre" || name == "td" || name == "blockquote" || name == "li") {
      const std::string text = CollapseWhitespace(TextContent(c));
      if (text.size() >= 25) {
        const double points = 1.0 + static_cast<double>(std::count(text.begin(), text.end(), ',')) +
                              std::min(static_cast<double>(text.size()) / 100.0, 3.0);
        s->total_paragraph_text += static_cast<double>(text.size());
        if (c->parent != nullptr) {
          s->score[c->parent] += points;
          if (c->parent->parent != nullptr) s->score[c->parent->parent] += points / 2;
        }
      }
    }
    ScoreParagraphs(c, depth + 1, s);
  }
}

xmlNode* FindFirst(xmlNode* node, std::string_view name, std::string_view role, int depth,
                   int* count) {
  xmlNode* found = nullptr;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || depth > kMaxDepth) continue;
    if (Name(c) == name || (!role.empty() && Attr(c, "role") == role)) {
      ++*count;
      if (found == nullptr) found = c;
      continue;
    }
    xmlNode* inner = FindFirst(c, name, role, depth + 1, count);
    if (found == nullptr) found = inner;
  }
  return found;
}

xmlNode* ChooseContentRoot(xmlNode* body) {
  int count = 0;
  if (xmlNode* main = FindFirst(body, "main", "main", 0, &count); main != nullptr && count == 1) {
    return main;
  }
  count = 0;
  if (xmlNode* article = FindFirst(body, "article", "", 0, &count);
      article != nullptr && count == 1) {
    return article;
  }
  Scores s;
  ScoreParagraphs(body, 0, &s);
  const xmlNode* best = nullptr;
  double best_score = 0;
  for (const auto& [node, raw] : s.score) {
    const std::string text = TextContent(node);
    const double density =
        text.empty() ? 0 : static_cast<double>(LinkTextLength(node, 0)) / text.size();
    const double score = raw * (1.0 - density);
    if (score > best_score) best_score = score, best = node;
  }
  if (best == nullptr) return body;
  // The winner must hold most of the page's paragraphs; otherwise content is split between
  // siblings and the body is the safer root.
  Scores inner;
  ScoreParagraphs(best, 0, &inner);
  if (inner.total_paragraph_text * 4 < s.total_paragraph_text * 3) return body;
  return const_cast<xmlNode*>(best);
}

// The first <h1> before `root` in document order, outside it: the page title that templates
// often place above the content column.
xmlNode* HeadingBefore(xmlNode* body, xmlNode* root) {
  int count = 0;
  xmlNode* h1 = FindFirst(body, "h1", "", 0, &count);
  if (h1 == nullptr) return nullptr;
  for (xmlNode* p = h1; p != nullptr; p = p->parent) {
    if (p == root) return nullptr;
  }
  return h1;
}

void ReadHead(xmlNode* html, ParsedDocument* doc) {
  doc->language = CollapseWhitespace(Attr(html, "lang"));
  xmlNode* head = Child(html, "head");
  if (head == nullptr) return;
  for (xmlNode* c = head->children; c != nullptr; c = c->next) {
    const std::string_view name = Name(c);
    if (name == "title" && doc->title.empty()) {
      doc->title = CollapseWhitespace(TextContent(c));
    } else if (name == "meta") {
      const std::string key =
          Lower(!Attr(c, "name").empty() ? Attr(c, "name") : Attr(c, "property"));
      const std::string value = CollapseWhitespace(Attr(c, "content"));
      if ((key == "description" || key == "og:description") && doc->metadata.description.empty()) {
        doc->metadata.description = value;
      } else if (key == "author" && doc->metadata.author.empty()) {
        doc->metadata.author = value;
      } else if (key == "og:title" && doc->title.empty()) {
        doc->title = value;
      } else if ((key == "article:published_time" || key == "date") &&
                 doc->metadata.created.empty()) {
        doc->metadata.created = value;
      } else if (key == "article:modified_time" && doc->metadata.modified.empty()) {
        doc->metadata.modified = value;
      }
    } else if (name == "link" && Lower(Attr(c, "rel")) == "canonical") {
      doc->metadata.canonical_url = CollapseWhitespace(Attr(c, "href"));
    }
  }
}

}  // namespace

StatusOr<ParsedDocument> ParseHtml(std::string_view text, const ParseContext& ctx) {
  InitXmlLibrary();
  if (text.size() > static_cast<size_t>(INT32_MAX)) {
    return ResourceExhaustedError("html document is too large");
  }
  XmlDocPtr html(htmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, "UTF-8",
                                HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                    HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC));
  xmlNode* root = html ? xmlDocGetRootElement(html.get()) : nullptr;
  if (root == nullptr) return DataLossError("corrupt html: no content could be read");
  ParsedDocument meta;
  ReadHead(root, &meta);
  std::vector<xmlNode*> doomed;
  Prune(root, false, 0, &doomed);
  for (xmlNode* n : doomed) {
    xmlUnlinkNode(n);
    xmlFreeNode(n);
  }
  SAVOIR_RETURN_IF_ERROR(ctx.CheckTime());
  xmlNode* body = Child(root, "body");
  if (body == nullptr) body = root;
  xmlNode* content = ChooseContentRoot(body);
  DocumentBuilder b(ctx.options().max_output_bytes);
  if (content != body) {
    if (xmlNode* h1 = HeadingBefore(body, content)) b.AddHeading(1, TextContent(h1));
  }
  ReadHtmlBlocks(content, &b);
  SAVOIR_RETURN_IF_ERROR(b.status());
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kHtml;
  doc.title = std::move(meta.title);
  doc.language = std::move(meta.language);
  doc.metadata = std::move(meta.metadata);
  return doc;
}

}  // namespace savoir::kb::parse_internal
