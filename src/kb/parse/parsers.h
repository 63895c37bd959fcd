// Internal interface between ParseDocument (detection, limits, dispatch) and the parser of
// each format. Not part of savoir_parse's public API.
//
// Each parser receives its input already sized-checked (and, for text formats, decoded to
// UTF-8) and a ParseContext carrying the options and the work clock. Parsers return the
// document without title fallback or declared-language defaults; ParseDocument applies those.
//
// Thread safety: every function may be called concurrently.
#ifndef SAVOIR_KB_PARSE_PARSERS_H_
#define SAVOIR_KB_PARSE_PARSERS_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "kb/parse/document.h"
#include "kb/parse/parse_document.h"

namespace savoir::kb::parse_internal {

class ZipArchive;

// The options plus the moment parsing started, to enforce ParseOptions::time_limit.
class ParseContext {
 public:
  explicit ParseContext(const ParseOptions& options)
      : options_(options), start_(std::chrono::steady_clock::now()) {}

  const ParseOptions& options() const { return options_; }

  // kDeadlineExceeded once the time limit has passed, else OK.
  Status CheckTime() const;

 private:
  const ParseOptions& options_;
  std::chrono::steady_clock::time_point start_;
};

// Text formats; `text` is valid UTF-8 with "\n" line endings.
StatusOr<ParsedDocument> ParsePlainText(std::string_view text, const ParseContext& ctx);
StatusOr<ParsedDocument> ParseMarkdown(std::string_view text, const ParseContext& ctx);
StatusOr<ParsedDocument> ParseHtml(std::string_view text, const ParseContext& ctx);
StatusOr<ParsedDocument> ParseCsv(std::string_view text, const ParseContext& ctx);
StatusOr<ParsedDocument> ParseJson(std::string_view text, const ParseContext& ctx);

// Binary formats.
StatusOr<ParsedDocument> ParsePdf(std::span<const uint8_t> bytes, const ParseContext& ctx);
StatusOr<ParsedDocument> ParseDocx(ZipArchive& zip, const ParseContext& ctx);
StatusOr<ParsedDocument> ParsePptx(ZipArchive& zip, const ParseContext& ctx);
StatusOr<ParsedDocument> ParseOdt(ZipArchive& zip, const ParseContext& ctx);

// Appends the blocks of plain text (paragraphs split at blank lines, list items for lines
// starting with a bullet or number) to `b`; false once `b` hits its size limit.
bool AppendPlainTextBlocks(std::string_view text, DocumentBuilder* b);

// Text-format sniffing, used by detection: `text` is decoded UTF-8.
bool LooksLikeHtml(std::string_view text);
bool LooksLikeJson(std::string_view text);
// `hinted`: the name or MIME type says CSV/TSV, which lowers the bar.
bool LooksLikeCsv(std::string_view text, bool hinted);
bool LooksLikeMarkdown(std::string_view text);

// Strips a YAML front matter block ("---\n...\n---\n") from the start of Markdown text and
// returns the values of its simple "key: value" lines for title, author and date.
struct FrontMatter {
  std::string title;
  std::string author;
  std::string date;
  size_t length = 0;  // bytes of `text` the block occupies (0: none)
};
FrontMatter ReadFrontMatter(std::string_view text);

// Decodes the HTML/XML character references of `text` (&amp; &#233; &#xE9; and the common
// named ones); unknown references are kept as written.
std::string DecodeEntities(std::string_view text);

}  // namespace savoir::kb::parse_internal

#endif  // SAVOIR_KB_PARSE_PARSERS_H_
