#include "kb/parse/xml_util.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <mutex>

namespace savoir::kb::parse_internal {
namespace {

void IgnoreXmlError(void*, const char*, ...) {}

void AppendText(const xmlNode* node, int depth, std::string* out) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) out->append(reinterpret_cast<const char*>(c->content));
    } else if (c->type == XML_ELEMENT_NODE && depth < 256) {
      AppendText(c, depth + 1, out);
    }
  }
}

}  // namespace

void InitXmlLibrary() {
  // libxml2 asks for one initialisation before concurrent use; a once_flag is the one piece of
  // process state this needs.
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlThrDefSetGenericErrorFunc(nullptr, IgnoreXmlError);
    xmlSetGenericErrorFunc(nullptr, IgnoreXmlError);
  });
}

StatusOr<XmlDocPtr> ParseXml(std::string_view xml, std::string_view format,
                             std::string_view part_name) {
  InitXmlLibrary();
  if (xml.find("<!DOCTYPE") != std::string_view::npos ||
      xml.find("<!ENTITY") != std::string_view::npos) {
    return DataLossError("corrupt {}: {} has a document type declaration", format, part_name);
  }
  if (xml.size() > static_cast<size_t>(INT32_MAX)) {
    return ResourceExhaustedError("{}: {} is too large", format, part_name);
  }
  XmlDocPtr doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA));
  if (doc == nullptr || xmlDocGetRootElement(doc.get()) == nullptr) {
    return DataLossError("corrupt {}: {} is not well-formed XML", format, part_name);
  }
  return doc;
}

namespace {

std::string_view FindAttr(const xmlNode* node, std::string_view name, bool namespaced) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return {};
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr || name != reinterpret_cast<const char*>(a->name)) continue;
    if (namespaced && a->ns == nullptr) continue;
    const xmlNode* value = a->children;
    if (value != nullptr && value->type == XML_TEXT_NODE && value->content != nullptr) {
      return reinterpret_cast<const char*>(value->content);
    }
    return {};
  }
  return {};
}

}  // namespace

std::string_view Attr(const xmlNode* node, std::string_view name) {
  return FindAttr(node, name, false);
}

std::string_view NsAttr(const xmlNode* node, std::string_view name) {
  return FindAttr(node, name, true);
}

xmlNode* Child(const xmlNode* node, std::string_view name) {
  if (node == nullptr) return nullptr;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (Name(c) == name) return c;
  }
  return nullptr;
}

std::string TextContent(const xmlNode* node) {
  std::string out;
  if (node != nullptr) AppendText(node, 0, &out);
  return out;
}

}  // namespace savoir::kb::parse_internal
