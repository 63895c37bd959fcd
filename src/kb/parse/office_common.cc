#include "kb/parse/office_common.h"

#include "kb/parse/xml_util.h"

namespace savoir::kb::parse_internal {

std::string ResolvePartPath(std::string_view source_part, std::string_view target) {
  std::vector<std::string_view> parts;
  auto push_segments = [&](std::string_view path) {
    size_t pos = 0;
    while (pos <= path.size()) {
      size_t slash = path.find('/', pos);
      if (slash == std::string_view::npos) slash = path.size();
      const std::string_view seg = path.substr(pos, slash - pos);
      if (seg == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!seg.empty() && seg != ".") {
        parts.push_back(seg);
      }
      pos = slash + 1;
    }
  };
  if (target.empty() || target[0] != '/') {
    const size_t slash = source_part.rfind('/');
    if (slash != std::string_view::npos) push_segments(source_part.substr(0, slash));
  }
  push_segments(target);
  std::string out;
  for (std::string_view seg : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(seg);
  }
  return out;
}

std::string_view RelationshipKind(std::string_view type) {
  const size_t slash = type.rfind('/');
  return slash == std::string_view::npos ? type : type.substr(slash + 1);
}

StatusOr<std::vector<Relationship>> ReadRelationships(ZipArchive& zip, std::string_view format,
                                                      std::string_view part) {
  std::string rels_path;
  const size_t slash = part.rfind('/');
  if (part.empty()) {
    rels_path = "_rels/.rels";
  } else if (slash == std::string_view::npos) {
    rels_path = "_rels/" + std::string(part) + ".rels";
  } else {
    rels_path = std::string(part.substr(0, slash)) + "/_rels/" +
                std::string(part.substr(slash + 1)) + ".rels";
  }
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.ReadOptional(rels_path));
  std::vector<Relationship> rels;
  if (xml.empty()) return rels;
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr doc, ParseXml(xml, format, rels_path));
  for (xmlNode* r = xmlDocGetRootElement(doc.get())->children; r != nullptr; r = r->next) {
    if (Name(r) != "Relationship" || Attr(r, "TargetMode") == "External") continue;
    rels.push_back({std::string(Attr(r, "Id")), std::string(Attr(r, "Type")),
                    ResolvePartPath(part, Attr(r, "Target"))});
  }
  return rels;
}

Status ReadOoxmlCoreProperties(ZipArchive& zip, std::string_view format, ParsedDocument* doc) {
  SAVOIR_ASSIGN_OR_RETURN(std::string xml, zip.ReadOptional("docProps/core.xml"));
  if (xml.empty()) return OkStatus();
  SAVOIR_ASSIGN_OR_RETURN(XmlDocPtr core, ParseXml(xml, format, "docProps/core.xml"));
  for (xmlNode* c = xmlDocGetRootElement(core.get())->children; c != nullptr; c = c->next) {
    const std::string_view name = Name(c);
    std::string value = CollapseWhitespace(TextContent(c));
    if (value.empty()) continue;
    if (name == "title") {
      doc->title = std::move(value);
    } else if (name == "creator") {
      doc->metadata.author = std::move(value);
    } else if (name == "created") {
      doc->metadata.created = std::move(value);
    } else if (name == "modified") {
      doc->metadata.modified = std::move(value);
    } else if (name == "language") {
      doc->language = std::move(value);
    } else if (name == "description" || (name == "subject" && doc->metadata.description.empty())) {
      doc->metadata.description = std::move(value);
    }
  }
  return OkStatus();
}

}  // namespace savoir::kb::parse_internal
