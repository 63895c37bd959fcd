// PPTX (PresentationML): slides in the order of the presentation's slide list, one page per
// slide. The title placeholder becomes a level-1 heading; body placeholders give list items
// (their paragraph level is the nesting depth) unless bullets are turned off; other text
// boxes give paragraphs; DrawingML tables give tables; speaker notes follow as paragraphs.
// Slide numbers, dates and footers are skipped.
#include <string>
#include <string_view>
#include <vector>

#include "kb/parse/office_common.h"
#include "kb/parse/parsers.h"
#include "kb/parse/xml_util.h"
#include "kb/parse/zip_archive.h"

namespace savoir::kb::parse_internal {
namespace {

constexpr std::string_view kFormat = "pptx";
constexpr int kMaxDepth = 32;

// Text of one DrawingML paragraph (<a:p>): runs, fields and line breaks.
std::string ParagraphText(const xmlNode* p) {
  std::string text;
  for (const xmlNode* c = p->children; c != nullptr; c = c->next) {
    const std::string_view name = Name(c);
    if (name == "r" || name == "fld") {
      text += TextContent(Child(c, "t"));
    } else if (name == "br") {
      text.push_back(' ');
    }
  }
  return text;
}

std::string_view PlaceholderType(const xmlNode* sp) {
  const xmlNode* nv = Child(sp, "nvSpPr");
  const xmlNode* ph = Child(Child(nv, "nvPr"), "ph");
  if (ph == nullptr) return {};
  const std::string_view type = Attr(ph, "type");
  return type.empty() ? std::string_view("body") : type;  // untyped placeholders hold body text
}

bool IsTitle(std::string_view ph) { return ph == "title" || ph == "ctrTitle"; }

class SlideReader {
 public:
  explicit SlideReader(DocumentBuilder* b) : b_(b) {}

  // Reads a shape tree: titles first, then the other shapes in order.
  void ShapeTree(const xmlNode* tree, int depth) {
    if (depth == 0) {
      for (const xmlNode* sp = tree->children; sp != nullptr; sp = sp->next) {
        if (Name(sp) == "sp" && IsTitle(PlaceholderType(sp))) Title(sp);
      }
    }
    for (const xmlNode* c = tree->children; c != nullptr; c = c->next) {
      const std::string_view name = Name(c);
      if (name == "sp" && !(depth == 0 && IsTitle(PlaceholderType(c)))) {
        Shape(c);
      } else if (name == "grpSp" && depth < kMaxDepth) {
        ShapeTree(c, depth + 1);
      } else if (name == "graphicFrame") {
        const xmlNode* data = Child(Child(c, "graphic"), "graphicData");
        if (const xmlNode* tbl = Child(data, "tbl")) Table(tbl);
      }
    }
  }

  const std::string& title() const { return title_; }

 private:
  void Title(const xmlNode* sp) {
    std::string text;
    for (const xmlNode* p = Child(sp, "txBody") ? Child(sp, "txBody")->children : nullptr;
         p != nullptr; p = p->next) {
      if (Name(p) == "p") AppendCollapsed(ParagraphText(p) + " ", &text);
    }
    if (title_.empty()) title_ = CollapseWhitespace(text);
    b_->AddHeading(1, text);
  }

  void Shape(const xmlNode* sp) {
    const std::string_view ph = PlaceholderType(sp);
    if (ph == "sldNum" || ph == "dt" || ph == "ftr" || ph == "hdr" || IsTitle(ph)) return;
    const xmlNode* body = Child(sp, "txBody");
    if (body == nullptr) return;
    const bool bulleted_by_default = ph == "body" || ph == "obj";
    for (const xmlNode* p = body->children; p != nullptr; p = p->next) {
      if (Name(p) != "p") continue;
      const xmlNode* ppr = Child(p, "pPr");
      const bool no_bullet = Child(ppr, "buNone") != nullptr;
      const bool explicit_bullet =
          Child(ppr, "buChar") != nullptr || Child(ppr, "buAutoNum") != nullptr;
      const std::string text = ParagraphText(p);
      if (!no_bullet && (bulleted_by_default || explicit_bullet)) {
        int level = 0;
        for (char ch : Attr(ppr, "lvl")) {
          if (ch >= '0' && ch <= '9' && level < 100) level = level * 10 + (ch - '0');
        }
        b_->AddListItem(level + 1, 0, text);
      } else {
        b_->AddParagraph(text);
      }
    }
  }

  void Table(const xmlNode* tbl) {
    std::vector<std::vector<std::string>> rows;
    for (const xmlNode* tr = tbl->children; tr != nullptr; tr = tr->next) {
      if (Name(tr) != "tr") continue;
      auto& row = rows.emplace_back();
      for (const xmlNode* tc = tr->children; tc != nullptr; tc = tc->next) {
        if (Name(tc) != "tc") continue;
        std::string& cell = row.emplace_back();
        const xmlNode* body = Child(tc, "txBody");
        for (const xmlNode* p = body ? body->children : nullptr; p != nullptr; p = p->next) {
          if (Name(p) == "p") AppendCollapsed(ParagraphText(p) + " ", &cell);
        }
      }
    }
    b_->AddTable(std::move(rows));
  }

  DocumentBuilder* b_;
  std::string title_;
};

// Body text of a notes slide: its body placeholders, as paragraphs.
void ReadNotes(const xmlNode* notes_root, DocumentBuilder* b) {
  const xmlNode* tree = Child(Child(notes_root, "cSld"), "spTree");
  for (const xmlNode* sp = tree ? tree->children : nullptr; sp != nullptr; sp = sp->next) {
    if (Name(sp) != "sp" || PlaceholderType(sp) != "body") continue;
    const xmlNode* body = Child(sp, "txBody");
    for (const xmlNode* p = body ? body->children : nullptr; p != nullptr; p = p->next) {
      if (Name(p) == "p") b->AddParagraph(ParagraphText(p));
    }
  }
}

// Slide part paths in presentation order.
StatusOr<std::vector<std::string>> SlideParts(ZipArchive& zip) {
  const std::string presentation = "ppt/presentation.xml";
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.Read(presentation));
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr doc, ParseXml(xml, kFormat, presentation));
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Relationship> rels,
                          ReadRelationships(zip, kFormat, presentation));
  std::vector<std::string> slides;
  const xmlNode* list = Child(xmlDocGetRootElement(doc.get()), "sldIdLst");
  for (const xmlNode* id = list ? list->children : nullptr; id != nullptr; id = id->next) {
    if (Name(id) != "sldId") continue;
    const std::string_view rid = NsAttr(id, "id");  // r:id, not the numeric plain id
    for (const Relationship& r : rels) {
      if (r.id == rid && RelationshipKind(r.type) == "slide") slides.push_back(r.target);
    }
  }
  return slides;
}

Status ReadSlide(ZipArchive& zip, const std::string& part, DocumentBuilder* b,
                 std::string* first_title) {
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.Read(part));
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr slide, ParseXml(xml, kFormat, part));
  const xmlNode* tree = Child(Child(xmlDocGetRootElement(slide.get()), "cSld"), "spTree");
  SlideReader reader(b);
  if (tree != nullptr) reader.ShapeTree(tree, 0);
  if (first_title->empty()) *first_title = reader.title();
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Relationship> rels, ReadRelationships(zip, kFormat, part));
  for (const Relationship& r : rels) {
    if (RelationshipKind(r.type) != "notesSlide" || !zip.Contains(r.target)) continue;
    SAVOIR_ASSIGN_OR_RETURN(std::string notes_xml, zip.Read(r.target));
    SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr notes, ParseXml(notes_xml, kFormat, r.target));
    ReadNotes(xmlDocGetRootElement(notes.get()), b);
  }
  return b->status();
}

}  // namespace

StatusOr<ParsedDocument> ParsePptx(ZipArchive& zip, const ParseContext& ctx) {
  zip.set_format(kFormat);
  SAVOIR_ASSIGN_OR_RETURN(const std::vector<std::string> slides, SlideParts(zip));
  if (static_cast<int64_t>(slides.size()) > ctx.options().max_pages) {
    return ResourceExhaustedError("presentation has {} slides, more than the limit of {}",
                                  slides.size(), ctx.options().max_pages);
  }
  DocumentBuilder b(ctx.options().max_output_bytes);
  std::string first_title;
  for (size_t i = 0; i < slides.size(); ++i) {
    SAVOIR_RETURN_IF_ERROR(ctx.CheckTime());
    b.SetPage(static_cast<int>(i) + 1);
    SAVOIR_RETURN_IF_ERROR(ReadSlide(zip, slides[i], &b, &first_title));
  }
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kPptx;
  doc.page_count = static_cast<int>(slides.size());
  SAVOIR_RETURN_IF_ERROR(ReadOoxmlCoreProperties(zip, kFormat, &doc));
  if (doc.title.empty()) doc.title = first_title;
  return doc;
}

}  // namespace savoir::kb::parse_internal
