#include "kb/parse/parse_document.h"

#include <new>
#include <string>

#include "kb/parse/detect.h"
#include "kb/parse/parsers.h"
#include "kb/parse/text_encoding.h"
#include "kb/parse/zip_archive.h"

namespace savoir::kb {
namespace {

using parse_internal::BinaryKind;
using parse_internal::ParseContext;
using parse_internal::ZipArchive;

std::string HumanSize(size_t bytes) {
  if (bytes >= (size_t{1} << 20)) return fmt::format("{:.1f} MB", bytes / 1048576.0);
  if (bytes >= 1024) return fmt::format("{} KB", bytes / 1024);
  return fmt::format("{} bytes", bytes);
}

parse_internal::ZipLimits ZipLimitsOf(const ParseOptions& options) {
  return {options.max_unzipped_bytes, options.max_compression_ratio, options.max_zip_entries};
}

// "report" for "/data/report.final.pdf" or "https://x.org/docs/report.pdf?v=2".
std::string NameStem(std::string_view path) {
  const size_t cut = path.find_first_of("?#");
  if (cut != std::string_view::npos) path = path.substr(0, cut);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.find_last_of("/\\");
  if (slash != std::string_view::npos) path = path.substr(slash + 1);
  const size_t dot = path.rfind('.');
  if (dot != std::string_view::npos && dot > 0) path = path.substr(0, dot);
  return SanitizeUtf8(path);
}

StatusOr<ParsedDocument> ParseZip(std::span<const uint8_t> bytes, const ParseContext& ctx) {
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> zip,
                          ZipArchive::Open(bytes, ZipLimitsOf(ctx.options())));
  const parse_internal::ZipKind kind = parse_internal::ClassifyZip(*zip);
  switch (kind.type) {
    case DocumentType::kDocx:
      return parse_internal::ParseDocx(*zip, ctx);
    case DocumentType::kPptx:
      return parse_internal::ParsePptx(*zip, ctx);
    case DocumentType::kOdt:
      return parse_internal::ParseOdt(*zip, ctx);
    default:
      break;
  }
  return UnimplementedError("unsupported file type: {}", kind.what);
}

StatusOr<ParsedDocument> ParseText(std::span<const uint8_t> bytes, const ParseContext& ctx) {
  std::optional<DecodedText> decoded = DecodeText(bytes);
  if (!decoded) return UnimplementedError("unsupported file type: binary data");
  const std::string_view text = decoded->text;
  if (text.find_first_not_of(" \t\n\f\v") == std::string_view::npos) {
    return InvalidArgumentError("empty document");
  }
  switch (parse_internal::ClassifyText(text, ctx.options())) {
    case DocumentType::kHtml:
      return parse_internal::ParseHtml(text, ctx);
    case DocumentType::kJson:
      return parse_internal::ParseJson(text, ctx);
    case DocumentType::kCsv:
      return parse_internal::ParseCsv(text, ctx);
    case DocumentType::kMarkdown:
      return parse_internal::ParseMarkdown(text, ctx);
    default:
      return parse_internal::ParsePlainText(text, ctx);
  }
}

StatusOr<ParsedDocument> Dispatch(std::span<const uint8_t> bytes, const ParseContext& ctx) {
  const parse_internal::BinarySniff sniff = parse_internal::SniffBinary(bytes);
  switch (sniff.kind) {
    case BinaryKind::kPdf:
      return parse_internal::ParsePdf(bytes, ctx);
    case BinaryKind::kZip:
      return ParseZip(bytes, ctx);
    case BinaryKind::kEncryptedOffice:
      return PermissionDeniedError("encrypted office document: a password is required");
    case BinaryKind::kUnsupported:
      return UnimplementedError("unsupported file type: {}", sniff.what);
    case BinaryKind::kText:
      break;
  }
  return ParseText(bytes, ctx);
}

void ApplyDefaults(const ParseOptions& options, ParsedDocument* doc) {
  if (doc->title.empty()) {
    for (const Block& b : doc->blocks) {
      if (b.kind == BlockKind::kHeading && b.level == 1) {
        doc->title = std::string(doc->BlockText(b));
        break;
      }
    }
  }
  if (doc->title.empty()) {
    doc->title = NameStem(!options.file_name.empty() ? options.file_name : options.url);
  }
  if (doc->language.empty()) doc->language = options.language;
}

}  // namespace

namespace parse_internal {

Status ParseContext::CheckTime() const {
  if (std::chrono::steady_clock::now() - start_ > options_.time_limit) {
    return DeadlineExceededError("parsing took longer than the limit of {} ms",
                                 options_.time_limit.count());
  }
  return OkStatus();
}

}  // namespace parse_internal

StatusOr<ParsedDocument> ParseDocument(std::span<const uint8_t> bytes,
                                       const ParseOptions& options) {
  if (bytes.size() > options.max_input_bytes) {
    return ResourceExhaustedError("document is {}, more than the limit of {}",
                                  HumanSize(bytes.size()), HumanSize(options.max_input_bytes));
  }
  if (bytes.empty()) return InvalidArgumentError("empty document");
  const ParseContext ctx(options);
  try {
    SAVOIR_ASSIGN_OR_RETURN(ParsedDocument doc, Dispatch(bytes, ctx));
    if (doc.blocks.empty()) return InvalidArgumentError("no text found in the document");
    ApplyDefaults(options, &doc);
    return doc;
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("out of memory while parsing the document");
  } catch (const std::exception& e) {
    return InternalError("document parser failed: {}", e.what());
  } catch (...) {
    return InternalError("document parser failed");
  }
}

DocumentType DetectDocumentType(std::span<const uint8_t> bytes, const ParseOptions& options) {
  try {
    const parse_internal::BinarySniff sniff = parse_internal::SniffBinary(bytes);
    if (sniff.kind == BinaryKind::kPdf) return DocumentType::kPdf;
    if (sniff.kind == BinaryKind::kZip) {
      StatusOr<std::unique_ptr<ZipArchive>> zip = ZipArchive::Open(bytes, ZipLimitsOf(options));
      return zip.ok() ? parse_internal::ClassifyZip(**zip).type : DocumentType::kUnknown;
    }
    if (sniff.kind != BinaryKind::kText) return DocumentType::kUnknown;
    std::optional<DecodedText> decoded = DecodeText(bytes);
    if (!decoded) return DocumentType::kUnknown;
    return parse_internal::ClassifyText(decoded->text, options);
  } catch (...) {
    return DocumentType::kUnknown;
  }
}

}  // namespace savoir::kb
