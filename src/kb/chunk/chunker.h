// Chunking: cuts a ParsedDocument into passages, the units the knowledge base embeds,
// indexes and cites.
//
// The cut follows the document's structure:
//   - Headings start new passages; each passage carries the path of headings above it
//     ("Guide > Installation > Linux"). Heading text is not repeated in passage bodies, except
//     for a heading with no content at all under it, which becomes a passage of its own.
//   - Inside a section, passages are filled up to `target_tokens` with whole blocks; a
//     paragraph that does not fit is cut between sentences (French/English aware, see
//     sentence_splitter.h), never inside one unless a single sentence exceeds `max_tokens`.
//   - A run of list items stays in one passage when it fits in `max_tokens`; otherwise it is
//     cut between items. A table is kept whole when it fits in `max_tokens`; otherwise it is
//     cut between rows and each continuation repeats the header row (in Passage::table_header).
//     Code blocks are cut between lines.
//   - Consecutive passages of one section overlap by up to `overlap_tokens` of whole sentences
//     or list items (never table rows or code).
//   - Every passage body is a contiguous slice of the document's plain text:
//     doc.text.substr(begin, end - begin) == passage.text.
//
// Token counts come from a pluggable counter, so the embedding model's tokenizer can be used;
// the default is a fast approximation (ApproximateTokenCount).
//
// Thread safety: Chunk is thread-safe if the token counter is.
#ifndef SAVOIR_KB_CHUNK_CHUNKER_H_
#define SAVOIR_KB_CHUNK_CHUNKER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/parse/document.h"

namespace savoir::kb {

using TokenCounter = std::function<int(std::string_view)>;

// Approximates the number of tokens a sub-word tokenizer produces for `text`: a word of n
// letters or digits counts ceil(n / 5) tokens (code points, not bytes), every other
// non-space character one. Thread-safe.
int ApproximateTokenCount(std::string_view text);

struct ChunkOptions {
  int target_tokens = 256;
  // Hard ceiling for one passage (the embedding model's input size less room for the heading
  // path). Values below target_tokens are raised to it.
  int max_tokens = 512;
  int overlap_tokens = 32;
  // Empty: ApproximateTokenCount.
  TokenCounter count_tokens;
};

struct Passage {
  std::string title;                      // the document's title
  std::vector<std::string> heading_path;  // outermost first
  int page = 0;                           // page of the passage's first block (0: no pages)
  size_t begin = 0;                       // byte range in ParsedDocument::text
  size_t end = 0;
  std::string text;  // == ParsedDocument::text.substr(begin, end - begin)
  // For a table continued from the previous passage: its header row as rendered in the text
  // ("a | b"), to show or embed before `text`. Empty otherwise.
  std::string table_header;
  int token_count = 0;  // tokens of table_header + "\n" + text (or of text alone)

  // "Guide > Installation > Linux".
  std::string HeadingPathString() const;
};

// Cuts `doc` into passages as described above. An empty document gives no passage.
std::vector<Passage> Chunk(const ParsedDocument& doc, const ChunkOptions& options);

// What to embed for `passage`: title, heading path, table header and body on separate lines
// (empty parts skipped).
std::string PassageEmbeddingText(const Passage& passage);

// Indented JSON rendering of `passages`, for golden tests and diagnostics.
std::string PassagesToJson(const std::vector<Passage>& passages);

}  // namespace savoir::kb

#endif  // SAVOIR_KB_CHUNK_CHUNKER_H_
