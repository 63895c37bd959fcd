// Pieces shared by the office-format parsers (DOCX, PPTX, ODT): package relationships,
// part path resolution and document properties.
//
// Thread safety: thread-safe for distinct archives and documents.
#ifndef SAVOIR_KB_PARSE_OFFICE_COMMON_H_
#define SAVOIR_KB_PARSE_OFFICE_COMMON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "kb/parse/document.h"
#include "kb/parse/zip_archive.h"

namespace savoir::kb::parse_internal {

struct Relationship {
  std::string id;
  std::string type;    // full type URI
  std::string target;  // resolved part path inside the archive ("ppt/slides/slide1.xml")
};

// The relationships of `part` ("word/document.xml" -> "word/_rels/document.xml.rels"; "" for
// the package's own "_rels/.rels"). A missing relationship part yields an empty list.
StatusOr<std::vector<Relationship>> ReadRelationships(ZipArchive& zip, std::string_view format,
                                                      std::string_view part);

// Resolves `target`, relative to the folder of `source_part`, to a part path; "/"-rooted
// targets are taken from the package root. ".." never climbs above the root.
std::string ResolvePartPath(std::string_view source_part, std::string_view target);

// Fills title, author, dates, language and description from OOXML docProps/core.xml, if the
// part exists.
Status ReadOoxmlCoreProperties(ZipArchive& zip, std::string_view format, ParsedDocument* doc);

// The type's last path segment: "officeDocument" for ".../relationships/officeDocument".
std::string_view RelationshipKind(std::string_view type);

}  // namespace savoir::kb::parse_internal

#endif  // SAVOIR_KB_PARSE_OFFICE_COMMON_H_
