// Content sniffing behind ParseDocument's type detection: magic bytes, zip entries, and the
// order in which the text formats are tried (HTML, JSON, CSV, Markdown, plain text), with the
// file name / MIME hint only breaking ties among text formats.
//
// Thread safety: free functions, thread-safe (ClassifyZip reads from the archive it is given).
#ifndef SAVOIR_KB_PARSE_DETECT_H_
#define SAVOIR_KB_PARSE_DETECT_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "kb/parse/document.h"
#include "kb/parse/parse_document.h"
#include "kb/parse/zip_archive.h"

namespace savoir::kb::parse_internal {

enum class BinaryKind { kText, kPdf, kZip, kEncryptedOffice, kUnsupported };

struct BinarySniff {
  BinaryKind kind = BinaryKind::kText;
  std::string_view what;  // what the file is, for kUnsupported / kEncryptedOffice
};

// Classifies by magic bytes; kText means "not a known binary format" (it may still be binary).
BinarySniff SniffBinary(std::span<const uint8_t> bytes);

struct ZipKind {
  DocumentType type = DocumentType::kUnknown;
  std::string_view what;  // for kUnknown: what the archive is
};

// DOCX, PPTX or ODT from the archive's entries, else kUnknown with a description.
ZipKind ClassifyZip(ZipArchive& zip);

// The text format of decoded `text`.
DocumentType ClassifyText(std::string_view text, const ParseOptions& options);

// The text type suggested by the MIME type, file name or URL extension (kUnknown if none).
DocumentType TextHint(const ParseOptions& options);

}  // namespace savoir::kb::parse_internal

#endif  // SAVOIR_KB_PARSE_DETECT_H_
