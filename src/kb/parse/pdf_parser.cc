// PDF through Poppler's C++ API: the text of each page in reading order, split into
// paragraphs at blank lines, with words hyphenated across line ends joined again. Poppler can
// throw (std::bad_alloc and others); everything is caught here. Documents that need a
// password are refused; documents encrypted with an empty user password open normally.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include "kb/parse/parsers.h"
#include "kb/parse/text_encoding.h"

namespace savoir::kb::parse_internal {
namespace {

void IgnorePopplerMessage(const std::string&, void*) {}

void InitPoppler() {
  // Poppler's error callback is process-wide; it is set once, to silence it.
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(IgnorePopplerMessage, nullptr); });
}

std::string ToUtf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return SanitizeUtf8(std::string_view(bytes.data(), bytes.size()));
}

std::string IsoDate(time_t t) {
  if (t <= 0) return {};
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return {};
  char buf[32];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

bool IsLower(std::string_view s) {
  if (s.empty()) return false;
  const auto c = static_cast<unsigned char>(s[0]);
  return (c >= 'a' && c <= 'z') || c >= 0xC3;  // ASCII lower case or accented Latin
}

// Joins "exam-\nple" into "example" and turns form feeds into blank lines.
std::string RepairLines(std::string_view page) {
  std::string out;
  out.reserve(page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    const char c = page[i];
    if (c == '\f') {
      out += "\n\n";
    } else if (c == '-' && i + 1 < page.size() && page[i + 1] == '\n' && i > 0 &&
               std::isalpha(static_cast<unsigned char>(page[i - 1])) &&
               IsLower(page.substr(i + 2))) {
      ++i;  // drop the hyphen and the line break
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status ReadPages(const poppler::document& pdf, const ParseContext& ctx, DocumentBuilder* b) {
  const int pages = pdf.pages();
  for (int i = 0; i < pages; ++i) {
    SAVOIR_RETURN_IF_ERROR(ctx.CheckTime());
    std::unique_ptr<poppler::page> page(pdf.create_page(i));
    if (page == nullptr) continue;
    b->SetPage(i + 1);
    const std::string text = RepairLines(ToUtf8(page->text(poppler::rectf(),
                                                            poppler::page::non_raw_non_physical_layout)));
    if (!AppendPlainTextBlocks(text, b)) break;
  }
  return b->status();
}

StatusOr<ParsedDocument> ParsePdfUnguarded(std::span<const uint8_t> bytes,
                                           const ParseContext& ctx) {
  InitPoppler();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return ResourceExhaustedError("pdf is too large");
  }
  std::unique_ptr<poppler::document> pdf(poppler::document::load_from_raw_data(
      reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size())));
  if (pdf == nullptr) return DataLossError("corrupt pdf: the file could not be opened");
  if (pdf->is_locked()) return PermissionDeniedError("encrypted pdf: a password is required");
  if (pdf->pages() > ctx.options().max_pages) {
    return ResourceExhaustedError("pdf has {} pages, more than the limit of {}", pdf->pages(),
                                  ctx.options().max_pages);
  }
  if (pdf->pages() <= 0) return DataLossError("corrupt pdf: no pages");
  DocumentBuilder b(ctx.options().max_output_bytes);
  SAVOIR_RETURN_IF_ERROR(ReadPages(*pdf, ctx, &b));
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kPdf;
  doc.page_count = pdf->pages();
  doc.title = CollapseWhitespace(ToUtf8(pdf->get_title()));
  doc.metadata.author = CollapseWhitespace(ToUtf8(pdf->get_author()));
  doc.metadata.description = CollapseWhitespace(ToUtf8(pdf->info_key("Subject")));
  doc.metadata.created = IsoDate(pdf->info_date_t("CreationDate"));
  doc.metadata.modified = IsoDate(pdf->info_date_t("ModDate"));
  if (doc.blocks.empty()) {
    return InvalidArgumentError("pdf has no text layer (scanned pages need OCR, not supported)");
  }
  return doc;
}

}  // namespace

StatusOr<ParsedDocument> ParsePdf(std::span<const uint8_t> bytes, const ParseContext& ctx) {
  try {
    return ParsePdfUnguarded(bytes, ctx);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("pdf: out of memory while reading the file");
  } catch (const std::exception& e) {
    return DataLossError("corrupt pdf: {}", e.what());
  } catch (...) {
    return DataLossError("corrupt pdf: the reader failed");
  }
}

}  // namespace savoir::kb::parse_internal
