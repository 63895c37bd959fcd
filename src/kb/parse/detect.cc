// Content-based type detection (see parse_document.h) and the hints that break ties.
#include "kb/parse/detect.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "kb/parse/parsers.h"

namespace savoir::kb::parse_internal {
namespace {

using namespace std::string_view_literals;

bool HasPrefix(std::span<const uint8_t> b, std::string_view magic, size_t offset = 0) {
  return b.size() >= offset + magic.size() &&
         std::memcmp(b.data() + offset, magic.data(), magic.size()) == 0;
}

struct Magic {
  std::string_view bytes;
  size_t offset;
  std::string_view what;
};

constexpr Magic kUnsupported[] = {
    {"\x89PNG"sv, 0, "png image"},
    {"\xFF\xD8\xFF"sv, 0, "jpeg image"},
    {"GIF8"sv, 0, "gif image"},
    {"II*\0"sv, 0, "tiff image"},
    {"MM\0*"sv, 0, "tiff image"},
    {"WEBP"sv, 8, "webp image"},
    {"\x1F\x8B"sv, 0, "gzip archive"},
    {"BZh"sv, 0, "bzip2 archive"},
    {"\xFD"
     "7zXZ"sv,
     0, "xz archive"},
    {"7z\xBC\xAF\x27\x1C"sv, 0, "7-zip archive"},
    {"Rar!"sv, 0, "rar archive"},
    {"\x7F"
     "ELF"sv,
     0, "executable"},
    {"ID3"sv, 0, "mp3 audio"},
    {"OggS"sv, 0, "ogg media"},
    {"fLaC"sv, 0, "flac audio"},
    {"ftyp"sv, 4, "video or audio file"},
    {"SQLite format 3"sv, 0, "sqlite database"},
    {"{\\rtf"sv, 0, "rtf document"},
    {"%!PS"sv, 0, "postscript document"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

DocumentType TypeFromExtension(std::string_view path) {
  const size_t cut = path.find_first_of("?#");
  if (cut != std::string_view::npos) path = path.substr(0, cut);
  const size_t slash = path.find_last_of("/\\");
  if (slash != std::string_view::npos) path = path.substr(slash + 1);
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos) return DocumentType::kUnknown;
  const std::string ext = Lower(path.substr(dot + 1));
  if (ext == "md" || ext == "markdown" || ext == "mdown" || ext == "mkd") {
    return DocumentType::kMarkdown;
  }
  if (ext == "csv" || ext == "tsv") return DocumentType::kCsv;
  if (ext == "json") return DocumentType::kJson;
  if (ext == "html" || ext == "htm" || ext == "xhtml") return DocumentType::kHtml;
  if (ext == "txt" || ext == "text") return DocumentType::kPlainText;
  return DocumentType::kUnknown;
}

DocumentType TypeFromMime(std::string_view mime) {
  const std::string m = Lower(mime.substr(0, mime.find(';')));
  if (m == "text/markdown" || m == "text/x-markdown") return DocumentType::kMarkdown;
  if (m == "text/csv" || m == "text/tab-separated-values") return DocumentType::kCsv;
  if (m == "application/json") return DocumentType::kJson;
  if (m == "text/html" || m == "application/xhtml+xml") return DocumentType::kHtml;
  if (m == "text/plain") return DocumentType::kPlainText;
  return DocumentType::kUnknown;
}

bool ContainsUtf16(std::span<const uint8_t> b, std::string_view ascii) {
  std::string pattern;
  for (char c : ascii) pattern += std::string{c, '\0'};
  return std::search(b.begin(), b.end(), pattern.begin(), pattern.end()) != b.end();
}

}  // namespace

DocumentType TextHint(const ParseOptions& options) {
  DocumentType t = TypeFromMime(options.mime_type);
  if (t == DocumentType::kUnknown) t = TypeFromExtension(options.file_name);
  if (t == DocumentType::kUnknown) t = TypeFromExtension(options.url);
  return t;
}

BinarySniff SniffBinary(std::span<const uint8_t> bytes) {
  const std::span<const uint8_t> head = bytes.subspan(0, std::min<size_t>(bytes.size(), 1024));
  constexpr std::string_view kPdf = "%PDF-";
  if (std::search(head.begin(), head.end(), kPdf.begin(), kPdf.end()) != head.end()) {
    return {BinaryKind::kPdf, {}};
  }
  if (HasPrefix(bytes, "PK\x03\x04") || HasPrefix(bytes, "PK\x05\x06")) {
    return {BinaryKind::kZip, {}};
  }
  if (HasPrefix(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    if (ContainsUtf16(bytes, "EncryptedPackage")) {
      return {BinaryKind::kEncryptedOffice, "encrypted office document"};
    }
    return {BinaryKind::kUnsupported, "legacy microsoft office file (.doc, .xls, .ppt)"};
  }
  for (const Magic& m : kUnsupported) {
    if (HasPrefix(bytes, m.bytes, m.offset)) return {BinaryKind::kUnsupported, m.what};
  }
  return {BinaryKind::kText, {}};
}

ZipKind ClassifyZip(ZipArchive& zip) {
  if (zip.Contains("mimetype")) {
    StatusOr<std::string> mime = zip.Read("mimetype");
    if (mime.ok()) {
      const std::string m = Lower(CollapseWhitespace(*mime));
      if (m == "application/vnd.oasis.opendocument.text") return {DocumentType::kOdt, {}};
      if (m == "application/epub+zip") return {DocumentType::kUnknown, "epub book"};
      if (m.rfind("application/vnd.oasis.opendocument.", 0) == 0) {
        return {DocumentType::kUnknown, "opendocument file other than text (.odt)"};
      }
    }
  }
  if (zip.Contains("word/document.xml")) return {DocumentType::kDocx, {}};
  if (zip.Contains("ppt/presentation.xml")) return {DocumentType::kPptx, {}};
  if (zip.Contains("xl/workbook.xml")) return {DocumentType::kUnknown, "excel workbook (.xlsx)"};
  if (zip.Contains("[Content_Types].xml")) {
    return {DocumentType::kUnknown, "office document of an unsupported kind"};
  }
  return {DocumentType::kUnknown, "zip archive"};
}

DocumentType ClassifyText(std::string_view text, const ParseOptions& options) {
  const DocumentType hint = TextHint(options);
  std::string_view head = text.substr(0, 512);
  const bool strong_html = [&] {
    const size_t first = head.find_first_not_of(" \t\n");
    if (first == std::string_view::npos) return false;
    const std::string lower = Lower(head.substr(first, 16));
    return lower.rfind("<!doctype html", 0) == 0 || lower.rfind("<html", 0) == 0;
  }();
  if (strong_html || (hint != DocumentType::kMarkdown && LooksLikeHtml(text))) {
    return DocumentType::kHtml;
  }
  if (LooksLikeJson(text)) return DocumentType::kJson;
  if (hint == DocumentType::kMarkdown) return DocumentType::kMarkdown;
  if (hint != DocumentType::kHtml && LooksLikeCsv(text, hint == DocumentType::kCsv)) {
    return DocumentType::kCsv;
  }
  if (LooksLikeMarkdown(text)) return DocumentType::kMarkdown;
  return DocumentType::kPlainText;
}

}  // namespace savoir::kb::parse_internal
