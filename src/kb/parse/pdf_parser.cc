// PDF through Poppler's C++ API: the words of each page in reading order with their boxes and
// font sizes, regrouped into lines and paragraphs (a vertical gap or a change of font size
// starts a paragraph). Short paragraphs set clearly larger than the body text (the font size
// carrying the most text) become headings, one level per distinct size, largest first. Words
// hyphenated across line ends are joined again; lines starting with a bullet or a number
// become list items. Poppler can
// throw (std::bad_alloc and others); everything is caught here. Documents that need a
// password are refused; documents encrypted with an empty user password open normally.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

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

// One line of text as Poppler's word boxes lay it out.
struct Line {
  std::string text;
  double size = 0;  // largest font size on the line
  double top = 0;
  double bottom = 0;
};

// A paragraph (or heading) of one page: consecutive lines of one font size without a gap.
struct Para {
  std::string text;  // lines joined by "\n"
  double size = 0;
  int lines = 0;
};

std::vector<Line> PageLines(const poppler::page& page) {
  std::vector<Line> lines;
  for (const poppler::text_box& box : page.text_list(poppler::page::text_list_include_font)) {
    const poppler::rectf r = box.bbox();
    const double size = box.has_font_info() ? box.get_font_size() : r.height();
    const bool same_line =
        !lines.empty() &&
        std::abs(r.top() - lines.back().top) <
            0.5 * std::max(1.0, std::min(r.height(), lines.back().bottom - lines.back().top));
    if (!same_line) lines.push_back({{}, 0, r.top(), r.bottom()});
    Line& line = lines.back();
    if (same_line && !line.text.empty() && line.text.back() != ' ') line.text.push_back(' ');
    line.text += ToUtf8(box.text());
    if (box.has_space_after()) line.text.push_back(' ');
    line.size = std::max(line.size, size);
    line.bottom = std::max(line.bottom, r.bottom());
  }
  return lines;
}

std::vector<Para> PageParagraphs(const std::vector<Line>& lines) {
  std::vector<Para> paras;
  const Line* prev = nullptr;
  for (const Line& line : lines) {
    const double height = std::max(1.0, line.bottom - line.top);
    const bool gap = prev != nullptr && line.top - prev->bottom > 0.6 * height;
    const bool size_change =
        prev != nullptr && std::abs(line.size - prev->size) > 0.1 * std::max(line.size, 1.0);
    if (paras.empty() || gap || size_change || line.top < prev->top) paras.push_back({});
    Para& p = paras.back();
    if (!p.text.empty()) p.text.push_back('\n');
    p.text += line.text;
    p.size = std::max(p.size, line.size);
    ++p.lines;
    prev = &line;
  }
  return paras;
}

// The font size carrying the most text: the body size headings stand out from.
double BodySize(const std::vector<std::vector<Para>>& pages) {
  std::map<long, size_t> chars;
  for (const auto& page : pages) {
    for (const Para& p : page) chars[std::lround(p.size * 2)] += p.text.size();
  }
  long best = 0;
  size_t most = 0;
  for (const auto& [size, n] : chars) {
    if (n > most) most = n, best = size;
  }
  return static_cast<double>(best) / 2;
}

bool IsHeading(const Para& p, double body) {
  if (body <= 0 || p.size < body * 1.15 || p.lines > 2 || p.text.size() > 150) return false;
  const std::string t = CollapseWhitespace(p.text);
  return !t.empty() && t.back() != '.' && t.back() != ',' && t.back() != ';';
}

Status ReadPages(const poppler::document& pdf, const ParseContext& ctx, DocumentBuilder* b) {
  std::vector<std::vector<Para>> pages;
  for (int i = 0; i < pdf.pages(); ++i) {
    SAVOIR_RETURN_IF_ERROR(ctx.CheckTime());
    std::unique_ptr<poppler::page> page(pdf.create_page(i));
    pages.push_back(page ? PageParagraphs(PageLines(*page)) : std::vector<Para>{});
  }
  const double body = BodySize(pages);
  // Heading levels: distinct heading sizes, largest first.
  std::set<long, std::greater<>> heading_sizes;
  for (const auto& page : pages) {
    for (const Para& p : page) {
      if (IsHeading(p, body)) heading_sizes.insert(std::lround(p.size * 2));
    }
  }
  for (size_t i = 0; i < pages.size() && b->status().ok(); ++i) {
    b->SetPage(static_cast<int>(i) + 1);
    for (const Para& p : pages[i]) {
      if (IsHeading(p, body)) {
        const auto it = heading_sizes.find(std::lround(p.size * 2));
        b->AddHeading(static_cast<int>(std::distance(heading_sizes.begin(), it)) + 1, p.text);
      } else if (!AppendPlainTextBlocks(RepairLines(p.text), b)) {
        break;
      }
    }
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
