// ODT (OpenDocument text): content.xml's office:text, with text:h headings (outline level),
// text:p paragraphs, text:list lists (ordered when their list style numbers the level) and
// table:table tables; sections are read through. Footnotes, annotations, frames and the
// table of contents are skipped. Metadata comes from meta.xml. Encrypted packages (the
// manifest declares encryption data) are refused.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kb/parse/parsers.h"
#include "kb/parse/xml_util.h"
#include "kb/parse/zip_archive.h"

namespace savoir::kb::parse_internal {
namespace {

constexpr std::string_view kFormat = "odt";
constexpr int kMaxDepth = 64;

int ToInt(std::string_view s, int fallback) {
  if (s.empty()) return fallback;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > 100000) return fallback;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Inline text of a paragraph or heading: spans, links, spaces (text:s c="n"), tabs, breaks.
void InlineText(const xmlNode* node, int depth, std::string* out) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE) {
      if (c->content != nullptr) out->append(reinterpret_cast<const char*>(c->content));
      continue;
    }
    const std::string_view name = Name(c);
    if (name.empty() || depth > kMaxDepth) continue;
    if (name == "s") {
      out->append(static_cast<size_t>(std::min(ToInt(Attr(c, "c"), 1), 64)), ' ');
    } else if (name == "tab" || name == "line-break") {
      out->push_back(' ');
    } else if (name == "note" || name == "annotation" || name == "frame" ||
               name == "annotation-end" || name == "bookmark-ref") {
      continue;
    } else {
      InlineText(c, depth + 1, out);
    }
  }
}

class OdtReader {
 public:
  OdtReader(DocumentBuilder* b, const ParseContext& ctx) : b_(b), ctx_(ctx) {}

  // Records which list styles number their first level (from automatic or common styles).
  void ReadListStyles(const xmlNode* node, int depth) {
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      if (Name(c) == "list-style") {
        std::unordered_map<int, bool>& levels = ordered_[std::string(Attr(c, "name"))];
        for (const xmlNode* l = c->children; l != nullptr; l = l->next) {
          levels[ToInt(Attr(l, "level"), 1)] =
              Name(l) == "list-level-style-number" && !Attr(l, "num-format").empty();
        }
      } else if (depth < 4 && Name(c).find("styles") != std::string_view::npos) {
        ReadListStyles(c, depth + 1);
      }
    }
  }

  Status Blocks(const xmlNode* node, int depth) {
    for (const xmlNode* c = node->children; c != nullptr && b_->status().ok(); c = c->next) {
      if (++elements_ % 512 == 0) SAVOIR_RETURN_IF_ERROR(ctx_.CheckTime());
      const std::string_view name = Name(c);
      std::string text;
      if (name == "h") {
        InlineText(c, 0, &text);
        b_->AddHeading(ToInt(Attr(c, "outline-level"), 1), text);
      } else if (name == "p") {
        InlineText(c, 0, &text);
        b_->AddParagraph(text);
      } else if (name == "list" && depth < kMaxDepth) {
        List(c, 1, std::string(Attr(c, "style-name")), depth + 1);
      } else if (name == "table") {
        Table(c);
      } else if ((name == "section" || name == "div" || name == "change-end") &&
                 depth < kMaxDepth) {
        SAVOIR_RETURN_IF_ERROR(Blocks(c, depth + 1));
      }
    }
    return b_->status();
  }

 private:
  void List(const xmlNode* list, int level, const std::string& style, int depth) {
    bool ordered = false;
    if (const auto it = ordered_.find(style); it != ordered_.end()) {
      const auto l = it->second.find(level);
      ordered = l != it->second.end() && l->second;
    }
    int number = 0;
    for (const xmlNode* item = list->children; item != nullptr; item = item->next) {
      if (Name(item) != "list-item" && Name(item) != "list-header") continue;
      std::string text;
      std::vector<const xmlNode*> nested;
      for (const xmlNode* c = item->children; c != nullptr; c = c->next) {
        if (Name(c) == "p" || Name(c) == "h") {
          InlineText(c, 0, &text);
          text.push_back(' ');
        } else if (Name(c) == "list") {
          nested.push_back(c);
        }
      }
      b_->AddListItem(level, ordered ? ++number : 0, text);
      for (const xmlNode* n : nested) {
        if (depth < kMaxDepth) {
          const std::string_view own = Attr(n, "style-name");
          List(n, level + 1, own.empty() ? style : std::string(own), depth + 1);
        }
      }
    }
  }

  void Rows(const xmlNode* node, int depth, std::vector<std::vector<std::string>>* rows) {
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
      const std::string_view name = Name(c);
      if (name == "table-row") {
        auto& row = rows->emplace_back();
        for (const xmlNode* cell = c->children; cell != nullptr; cell = cell->next) {
          if (Name(cell) != "table-cell") continue;
          std::string& text = row.emplace_back();
          for (const xmlNode* p = cell->children; p != nullptr; p = p->next) {
            if (Name(p) == "p" || Name(p) == "h") {
              std::string part;
              InlineText(p, 0, &part);
              AppendCollapsed(part + " ", &text);
            }
          }
        }
      } else if ((name == "table-header-rows" || name == "table-rows" ||
                  name == "table-row-group") &&
                 depth < 4) {
        Rows(c, depth + 1, rows);
      }
    }
  }

  void Table(const xmlNode* table) {
    std::vector<std::vector<std::string>> rows;
    Rows(table, 0, &rows);
    b_->AddTable(std::move(rows));
  }

  DocumentBuilder* b_;
  const ParseContext& ctx_;
  std::unordered_map<std::string, std::unordered_map<int, bool>> ordered_;
  size_t elements_ = 0;
};

Status ReadMeta(ZipArchive& zip, ParsedDocument* doc) {
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.ReadOptional("meta.xml"));
  if (xml.empty()) return OkStatus();
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr meta_doc, ParseXml(xml, kFormat, "meta.xml"));
  const xmlNode* meta = Child(xmlDocGetRootElement(meta_doc.get()), "meta");
  for (const xmlNode* c = meta ? meta->children : nullptr; c != nullptr; c = c->next) {
    const std::string_view name = Name(c);
    std::string value = CollapseWhitespace(TextContent(c));
    if (value.empty()) continue;
    if (name == "title")
      doc->title = std::move(value);
    else if (name == "initial-creator")
      doc->metadata.author = std::move(value);
    else if (name == "creator" && doc->metadata.author.empty())
      doc->metadata.author = value;
    else if (name == "creation-date")
      doc->metadata.created = std::move(value);
    else if (name == "date")
      doc->metadata.modified = std::move(value);
    else if (name == "language")
      doc->language = std::move(value);
    else if (name == "description" || name == "subject")
      doc->metadata.description = value;
  }
  return OkStatus();
}

}  // namespace

StatusOr<ParsedDocument> ParseOdt(ZipArchive& zip, const ParseContext& ctx) {
  zip.set_format(kFormat);
  SAVOIR_ASSIGN_OR_RETURN(std::string manifest, zip.ReadOptional("META-INF/manifest.xml"));
  if (manifest.find("encryption-data") != std::string::npos) {
    return PermissionDeniedError("encrypted odt: a password is required to read it");
  }
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.Read("content.xml"));
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr content, ParseXml(xml, kFormat, "content.xml"));
  xml.clear();
  DocumentBuilder b(ctx.options().max_output_bytes);
  OdtReader reader(&b, ctx);
  const xmlNode* root = xmlDocGetRootElement(content.get());
  reader.ReadListStyles(root, 0);
  SAVOIR_ASSIGN_OR_RETURN(std::string styles_xml, zip.ReadOptional("styles.xml"));
  if (!styles_xml.empty()) {
    SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr styles, ParseXml(styles_xml, kFormat, "styles.xml"));
    reader.ReadListStyles(xmlDocGetRootElement(styles.get()), 0);
  }
  const xmlNode* text = Child(Child(root, "body"), "text");
  if (text == nullptr) return DataLossError("corrupt odt: content.xml has no text body");
  SAVOIR_RETURN_IF_ERROR(reader.Blocks(text, 0));
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kOdt;
  SAVOIR_RETURN_IF_ERROR(ReadMeta(zip, &doc));
  return doc;
}

}  // namespace savoir::kb::parse_internal
