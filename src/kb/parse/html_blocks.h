// Reading structural blocks out of an HTML element tree (libxml2): headings, paragraphs,
// nested lists, data tables (layout tables are read as ordinary content), preformatted code.
// Inline markup is flattened to its text; <br> and block boundaries become spaces inside a
// block. Nodes deeper than 256 levels are ignored.
//
// Thread safety: thread-safe for distinct trees and builders.
#ifndef SAVOIR_KB_PARSE_HTML_BLOCKS_H_
#define SAVOIR_KB_PARSE_HTML_BLOCKS_H_

#include <libxml/tree.h>

#include "kb/parse/document.h"

namespace savoir::kb::parse_internal {

// Appends the blocks under `root` to `builder`; stops early when the builder hits its size
// limit (see builder->status()).
void ReadHtmlBlocks(const xmlNode* root, DocumentBuilder* builder);

}  // namespace savoir::kb::parse_internal

#endif  // SAVOIR_KB_PARSE_HTML_BLOCKS_H_
