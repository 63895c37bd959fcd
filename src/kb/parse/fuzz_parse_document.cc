// libFuzzer target: arbitrary bytes through ParseDocument (every format's parser, chosen by
// content sniffing), with small limits so that each input stays fast, then through the
// chunker. Checks the invariants of a successful parse (block ranges inside the text and in
// order, UTF-8 text) and of chunking (each passage is the slice of the text it points to).
#include <cstddef>
#include <cstdint>
#include <span>

#include "kb/chunk/chunker.h"
#include "kb/parse/parse_document.h"
#include "kb/parse/text_encoding.h"

// Poppler looks fonts up through fontconfig, which keeps its configuration in process-wide
// caches for the life of the process; LeakSanitizer reports those at exit. They are not leaks
// of ours and do not grow with inputs.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  savoir::kb::ParseOptions options;
  options.max_output_bytes = size_t{4} << 20;
  options.max_unzipped_bytes = size_t{32} << 20;
  options.max_pages = 50;
  options.time_limit = std::chrono::milliseconds(5000);
  auto result = savoir::kb::ParseDocument(std::span<const uint8_t>(data, size), options);
  if (!result.ok()) {
    if (result.status().message().empty()) __builtin_trap();
    return 0;
  }
  const savoir::kb::ParsedDocument& doc = *result;
  size_t last_end = 0;
  for (const savoir::kb::Block& b : doc.blocks) {
    if (b.begin > b.end || b.end > doc.text.size() || b.begin < last_end) __builtin_trap();
    last_end = b.end;
  }
  if (!savoir::kb::IsValidUtf8(doc.text) || !savoir::kb::IsValidUtf8(doc.title)) {
    __builtin_trap();
  }
  savoir::kb::ChunkOptions chunk;
  chunk.target_tokens = 24;
  chunk.max_tokens = 40;
  chunk.overlap_tokens = 8;
  for (const savoir::kb::Passage& p : savoir::kb::Chunk(doc, chunk)) {
    if (p.begin >= p.end || p.end > doc.text.size()) __builtin_trap();
    if (doc.text.compare(p.begin, p.end - p.begin, p.text) != 0) __builtin_trap();
  }
  (void)savoir::kb::DetectDocumentType(std::span<const uint8_t>(data, size), options);
  return 0;
}
