// Document parsing for the knowledge base: bytes of any supported format in, ParsedDocument
// (plain text + structural blocks, see document.h) out.
//
// The format is detected from the content, never from the name: magic bytes (PDF, zip),
// the entries of a zip archive (DOCX, PPTX, ODT), and for text, its encoding (UTF-8, UTF-16
// with a byte-order mark, else Windows-1252) followed by heuristics that tell HTML, JSON, CSV,
// Markdown and plain text apart. The file name, URL and declared MIME type are only used to
// break ties between text formats (a ".md" file with little Markdown syntax is still read as
// Markdown; a ".pdf" name on a text file is ignored).
//
// Supported formats and what is kept:
//   plain text  paragraphs (blank-line separated; hard-wrapped lines are joined), bulleted
//               and numbered lines as list items.
//   Markdown    headings, paragraphs, lists, tables (GFM), code blocks; inline syntax removed;
//               YAML front matter's title/author/date become metadata.
//   HTML        the main content only (navigation, header, footer, aside, scripts, styles and
//               boilerplate dropped by a readability-style heuristic); headings, paragraphs,
//               lists, tables, code; <title>, canonical URL, meta description, lang.
//   PDF         text of each page (Poppler), paragraphs with page numbers; Info metadata.
//   DOCX, ODT   headings (from paragraph styles / outline levels), paragraphs, lists, tables;
//               core metadata.
//   PPTX        slides in presentation order as pages: title as a heading, text as paragraphs
//               or list items, tables; speaker notes as paragraphs.
//   CSV         one table (header + rows), delimiter sniffed among , ; tab |.
//   JSON        flattened to "path.to.key: value" lines.
//
// Every failure is a Status whose message is one short, human sentence meant to be shown to
// users as the reason a document was not indexed:
//   kInvalidArgument     empty document
//   kResourceExhausted   input, unpacked or output size over a limit; too many pages; zip bomb
//   kDataLoss            corrupt or truncated file ("corrupt pdf: ...")
//   kPermissionDenied    encrypted / password-protected file
//   kUnimplemented       unsupported type ("unsupported file type: png image")
//   kDeadlineExceeded    the work limit (time) ran out
// No exception escapes: throwing libraries are wrapped at the call.
//
// Thread safety: ParseDocument may be called concurrently from any number of threads.
#ifndef SAVOIR_KB_PARSE_PARSE_DOCUMENT_H_
#define SAVOIR_KB_PARSE_PARSE_DOCUMENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"
#include "kb/parse/document.h"

namespace savoir::kb {

struct ParseOptions {
  // Hints only (see above). The file name and URL may be full paths or URLs.
  std::string file_name;
  std::string url;
  std::string mime_type;
  // Declared language, copied into ParsedDocument::language when the document declares none.
  std::string language;

  // Input larger than this is refused without being read.
  size_t max_input_bytes = size_t{64} << 20;
  // Largest plain-text rendering; a document whose text would be longer fails.
  size_t max_output_bytes = size_t{32} << 20;
  // PDF pages / PPTX slides.
  int max_pages = 2000;
  // Zip archives (DOCX, PPTX, ODT): the most bytes unpacked from all entries together, the
  // highest compression ratio tolerated for an entry past 1 MiB unpacked, and the most
  // entries in the archive.
  size_t max_unzipped_bytes = size_t{256} << 20;
  int max_compression_ratio = 200;
  int max_zip_entries = 20000;
  // Work limit: parsing stops with kDeadlineExceeded once this much wall time has been spent.
  // Checked between pages, slides and large steps, so one step (one PDF page) may overrun it.
  std::chrono::milliseconds time_limit{60000};
};

// Parses `bytes` (not retained) into a ParsedDocument. The document's title is its own
// (HTML <title>, document properties, front matter), else its first level-1 heading, else
// the file name hint without its extension. See the file comment for errors.
StatusOr<ParsedDocument> ParseDocument(std::span<const uint8_t> bytes, const ParseOptions& options);

// Detects the type of `bytes` as ParseDocument would, without parsing. Returns kUnknown for
// unsupported or unrecognised content. Thread-safe.
DocumentType DetectDocumentType(std::span<const uint8_t> bytes, const ParseOptions& options);

}  // namespace savoir::kb

#endif  // SAVOIR_KB_PARSE_PARSE_DOCUMENT_H_
