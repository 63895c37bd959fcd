// DOCX (WordprocessingML): the main document part's body, read paragraph by paragraph.
// Paragraph styles (word/styles.xml) give headings ("heading N", "Title", or an outline
// level, following basedOn chains) and code ("code", "source", "preformatted" in the style
// name); numbering properties give list items, ordered unless the level's format is a bullet
// (word/numbering.xml). Deleted revisions, field instructions, drawings, headers, footers
// and footnotes are not read.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kb/parse/office_common.h"
#include "kb/parse/parsers.h"
#include "kb/parse/xml_util.h"
#include "kb/parse/zip_archive.h"

namespace savoir::kb::parse_internal {
namespace {

constexpr std::string_view kFormat = "docx";

struct StyleInfo {
  std::string name;      // lower-case
  std::string based_on;  // style id
  int outline_level = -1;
  bool numbered = false;
};

struct ResolvedStyle {
  int heading = 0;  // 1-9, 0 for none
  bool title = false;
  bool code = false;
  bool numbered = false;
};

int ParseInt(std::string_view s, int fallback) {
  if (s.empty()) return fallback;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > 100000) return fallback;
    v = v * 10 + (c - '0');
  }
  return v;
}

class DocxReader {
 public:
  DocxReader(DocumentBuilder* b, const ParseContext& ctx) : b_(b), ctx_(ctx) {}

  void ReadStyles(const xmlNode* root);
  void ReadNumbering(const xmlNode* root);
  Status ReadBody(const xmlNode* body);
  const std::string& first_title() const { return first_title_; }

 private:
  ResolvedStyle Resolve(std::string_view style_id) const;
  Status BodyChildren(const xmlNode* node, int depth);
  void Paragraph(const xmlNode* p);
  void Table(const xmlNode* tbl, int depth);
  void FlushCode();

  DocumentBuilder* b_;
  const ParseContext& ctx_;
  std::unordered_map<std::string, StyleInfo> styles_;
  // numId -> abstractNumId, abstractNumId -> ilvl -> ordered
  std::unordered_map<std::string, std::string> num_to_abstract_;
  std::unordered_map<std::string, std::map<int, bool>> abstract_ordered_;
  // (numId, ilvl) -> next number
  std::map<std::pair<std::string, int>, int> counters_;
  std::string code_;
  std::string first_title_;
  size_t elements_ = 0;
};

// Text of a paragraph's runs, descending into hyperlinks, insertions, fields and content
// controls but not into deletions or drawings.
void RunText(const xmlNode* node, int depth, std::string* out) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    const std::string_view name = Name(c);
    if (name.empty() || depth > 64) continue;
    if (name == "t") {
      out->append(TextContent(c));
    } else if (name == "tab" || name == "br" || name == "cr") {
      out->push_back(name == "tab" ? '\t' : '\n');
    } else if (name == "noBreakHyphen") {
      out->push_back('-');
    } else if (name == "r" || name == "hyperlink" || name == "ins" || name == "smartTag" ||
               name == "fldSimple" || name == "sdt" || name == "sdtContent" ||
               name == "customXml" || name == "moveTo" || name == "dir" || name == "bdo") {
      RunText(c, depth + 1, out);
    }
  }
}

void DocxReader::ReadStyles(const xmlNode* root) {
  for (const xmlNode* s = root->children; s != nullptr; s = s->next) {
    if (Name(s) != "style" || Attr(s, "type") != "paragraph") continue;
    StyleInfo info;
    std::string name(Attr(Child(s, "name"), "val"));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    info.name = std::move(name);
    info.based_on = Attr(Child(s, "basedOn"), "val");
    const xmlNode* ppr = Child(s, "pPr");
    info.outline_level = ParseInt(Attr(Child(ppr, "outlineLvl"), "val"), -1);
    info.numbered = Child(ppr, "numPr") != nullptr;
    styles_[std::string(Attr(s, "styleId"))] = std::move(info);
  }
}

void DocxReader::ReadNumbering(const xmlNode* root) {
  for (const xmlNode* n = root->children; n != nullptr; n = n->next) {
    if (Name(n) == "abstractNum") {
      auto& levels = abstract_ordered_[std::string(Attr(n, "abstractNumId"))];
      for (const xmlNode* lvl = n->children; lvl != nullptr; lvl = lvl->next) {
        if (Name(lvl) != "lvl") continue;
        const std::string_view fmt = Attr(Child(lvl, "numFmt"), "val");
        levels[ParseInt(Attr(lvl, "ilvl"), 0)] = fmt != "bullet" && fmt != "none" && !fmt.empty();
      }
    } else if (Name(n) == "num") {
      num_to_abstract_[std::string(Attr(n, "numId"))] = Attr(Child(n, "abstractNumId"), "val");
    }
  }
}

ResolvedStyle DocxReader::Resolve(std::string_view style_id) const {
  ResolvedStyle r;
  std::string id(style_id);
  for (int hops = 0; hops < 16 && !id.empty(); ++hops) {
    const auto it = styles_.find(id);
    if (it == styles_.end()) break;
    const StyleInfo& s = it->second;
    if (hops == 0) {
      r.code = s.name.find("code") != std::string::npos ||
               s.name.find("source") != std::string::npos ||
               s.name.find("preformatted") != std::string::npos ||
               s.name.find("verbatim") != std::string::npos;
    }
    r.numbered = r.numbered || s.numbered;
    if (r.heading == 0 && !r.title) {
      if (s.name == "title") {
        r.title = true;
      } else if (s.name.rfind("heading ", 0) == 0) {
        r.heading = ParseInt(std::string_view(s.name).substr(8), 0);
      } else if (s.outline_level >= 0 && s.outline_level < 9) {
        r.heading = s.outline_level + 1;
      }
    }
    id = s.based_on;
  }
  return r;
}

void DocxReader::FlushCode() {
  if (!code_.empty()) b_->AddCode(code_);
  code_.clear();
}

void DocxReader::Paragraph(const xmlNode* p) {
  const xmlNode* ppr = Child(p, "pPr");
  const ResolvedStyle style = Resolve(Attr(Child(ppr, "pStyle"), "val"));
  std::string text;
  RunText(p, 0, &text);
  if (style.code) {
    code_ += text;
    code_.push_back('\n');
    return;
  }
  FlushCode();
  const int outline = ParseInt(Attr(Child(ppr, "outlineLvl"), "val"), -1);
  const int heading = outline >= 0 && outline < 9 ? outline + 1 : style.heading;
  const xmlNode* num_pr = Child(ppr, "numPr");
  const std::string num_id(Attr(Child(num_pr, "numId"), "val"));
  if (style.title || heading > 0) {
    if (style.title && first_title_.empty()) first_title_ = CollapseWhitespace(text);
    b_->AddHeading(style.title ? 1 : std::min(heading, 6), text);
  } else if ((num_pr != nullptr && num_id != "0") || (num_pr == nullptr && style.numbered)) {
    const int ilvl = ParseInt(Attr(Child(num_pr, "ilvl"), "val"), 0);
    bool ordered = false;
    if (const auto a = num_to_abstract_.find(num_id); a != num_to_abstract_.end()) {
      if (const auto l = abstract_ordered_.find(a->second); l != abstract_ordered_.end()) {
        const auto lvl = l->second.find(ilvl);
        ordered = lvl != l->second.end() && lvl->second;
      }
    }
    int number = 0;
    if (ordered) number = ++counters_[{num_id, ilvl}];
    if (!CollapseWhitespace(text).empty()) b_->AddListItem(ilvl + 1, number, text);
  } else {
    b_->AddParagraph(text);
  }
}

void DocxReader::Table(const xmlNode* tbl, int depth) {
  std::vector<std::vector<std::string>> rows;
  for (const xmlNode* tr = tbl->children; tr != nullptr; tr = tr->next) {
    if (Name(tr) != "tr") continue;
    auto& row = rows.emplace_back();
    for (const xmlNode* tc = tr->children; tc != nullptr; tc = tc->next) {
      if (Name(tc) != "tc") continue;
      std::string& cell = row.emplace_back();
      for (const xmlNode* p = tc->children; p != nullptr; p = p->next) {
        std::string text;
        if (Name(p) == "p") {
          RunText(p, 0, &text);
        } else if (Name(p) == "tbl" && depth < 8) {
          text = TextContent(p);  // nested table: its text only
        }
        AppendCollapsed(text, &cell);
        AppendCollapsed(" ", &cell);
      }
    }
  }
  b_->AddTable(std::move(rows));
}

Status DocxReader::BodyChildren(const xmlNode* node, int depth) {
  for (const xmlNode* c = node->children; c != nullptr && b_->status().ok(); c = c->next) {
    if (++elements_ % 512 == 0) SAVOIR_RETURN_IF_ERROR(ctx_.CheckTime());
    const std::string_view name = Name(c);
    if (name == "p") {
      Paragraph(c);
    } else if (name == "tbl") {
      FlushCode();
      Table(c, depth);
    } else if ((name == "sdt" || name == "sdtContent" || name == "customXml" || name == "ins") &&
               depth < 32) {
      SAVOIR_RETURN_IF_ERROR(BodyChildren(c, depth + 1));
    }
  }
  return OkStatus();
}

Status DocxReader::ReadBody(const xmlNode* body) {
  SAVOIR_RETURN_IF_ERROR(BodyChildren(body, 0));
  FlushCode();
  return b_->status();
}

// The main document part named by the package relationships (word/document.xml normally).
StatusOr<std::string> MainPart(ZipArchive& zip) {
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Relationship> rels, ReadRelationships(zip, kFormat, ""));
  for (const Relationship& r : rels) {
    if (RelationshipKind(r.type) == "officeDocument" && zip.Contains(r.target)) return r.target;
  }
  return std::string("word/document.xml");
}

}  // namespace

StatusOr<ParsedDocument> ParseDocx(ZipArchive& zip, const ParseContext& ctx) {
  zip.set_format(kFormat);
  SAVOIR_ASSIGN_OR_RETURN(const std::string main_part, MainPart(zip));
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.Read(main_part));
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr main, ParseXml(xml, kFormat, main_part));
  xml.clear();
  xml.shrink_to_fit();
  DocumentBuilder b(ctx.options().max_output_bytes);
  DocxReader reader(&b, ctx);
  SAVOIR_ASSIGN_OR_RETURN(std::string styles_xml, zip.ReadOptional("word/styles.xml"));
  if (!styles_xml.empty()) {
    SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr styles, ParseXml(styles_xml, kFormat, "word/styles.xml"));
    reader.ReadStyles(xmlDocGetRootElement(styles.get()));
  }
  SAVOIR_ASSIGN_OR_RETURN(std::string numbering_xml, zip.ReadOptional("word/numbering.xml"));
  if (!numbering_xml.empty()) {
    SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr numbering,
                            ParseXml(numbering_xml, kFormat, "word/numbering.xml"));
    reader.ReadNumbering(xmlDocGetRootElement(numbering.get()));
  }
  const xmlNode* body = Child(xmlDocGetRootElement(main.get()), "body");
  if (body == nullptr) return DataLossError("corrupt docx: the document has no body");
  SAVOIR_RETURN_IF_ERROR(reader.ReadBody(body));
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kDocx;
  SAVOIR_RETURN_IF_ERROR(ReadOoxmlCoreProperties(zip, kFormat, &doc));
  if (doc.title.empty()) doc.title = reader.first_title();
  return doc;
}

}  // namespace savoir::kb::parse_internal
