// libxml2 helpers shared by the HTML, DOCX, PPTX and ODT parsers: one-time library set-up,
// owning pointers, guarded XML parsing and allocation-free node accessors.
//
// ParseXml refuses documents with a document type declaration: office formats never use one,
// and refusing it rules out entity-expansion attacks ("billion laughs") and external entity
// loading outright; the network is never used either. libxml2's default limits (depth 256,
// text nodes of 10 MB) stay on.
//
// Thread safety: all functions are thread-safe once InitXmlLibrary() has returned (every
// function here calls it).
#ifndef SAVOIR_KB_PARSE_XML_UTIL_H_
#define SAVOIR_KB_PARSE_XML_UTIL_H_

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace savoir::kb::parse_internal {

// Initialises libxml2 once per process and silences its error output.
void InitXmlLibrary();

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// Parses the zip part `part_name` of a `format` ("docx") file. Errors: kDataLoss for
// malformed XML or a DTD.
StatusOr<XmlDocPtr> ParseXml(std::string_view xml, std::string_view format,
                             std::string_view part_name);

// Local name of an element ("p" for <w:p>); empty for non-elements.
inline std::string_view Name(const xmlNode* node) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE || node->name == nullptr) return {};
  return reinterpret_cast<const char*>(node->name);
}

// Value of the attribute with local name `name` (any namespace); empty when absent.
std::string_view Attr(const xmlNode* node, std::string_view name);

// Value of the namespaced attribute with local name `name` (r:id as opposed to id).
std::string_view NsAttr(const xmlNode* node, std::string_view name);

// First child element named `name`, or nullptr.
xmlNode* Child(const xmlNode* node, std::string_view name);

// Concatenated content of all text descendants of `node` (depth-limited).
std::string TextContent(const xmlNode* node);

}  // namespace savoir::kb::parse_internal

#endif  // SAVOIR_KB_PARSE_XML_UTIL_H_
