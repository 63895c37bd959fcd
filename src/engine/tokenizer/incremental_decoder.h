// IncrementalDecoder: turns a stream of generated token ids into text, one token at a time,
// releasing only whole UTF-8 characters.
//
// A single token may carry part of a character (SentencePiece byte tokens <0xF0> <0x9F> ...,
// or a byte-level BPE token holding the first bytes of an emoji). The decoder keeps such an
// incomplete tail until the following tokens complete it, so every string it returns is valid
// UTF-8 and can be sent to a client as is. Bytes that can never form a character (a stray
// continuation byte, an invalid lead byte, a sequence cut short by another character) come out
// as U+FFFD.
//
// With strip_leading_space, the concatenation of everything Push and Finish return equals
// Tokenizer::Detokenize of the same ids (same render_special, clean_up_spaces = false)
// whenever that text is valid UTF-8.
//
// Thread safety: not thread-safe; one decoder per stream. The Tokenizer must outlive it.
#ifndef SAVOIR_ENGINE_TOKENIZER_INCREMENTAL_DECODER_H_
#define SAVOIR_ENGINE_TOKENIZER_INCREMENTAL_DECODER_H_

#include <string>

#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {

struct IncrementalDecoderOptions {
  // Write the text of control tokens (otherwise they produce nothing).
  bool render_special = false;
  // Drop the space that SentencePiece/WordPiece put before the first word, as Detokenize
  // does. Leave false when the stream continues a prompt (the space separates the words).
  bool strip_leading_space = false;
};

class IncrementalDecoder {
 public:
  explicit IncrementalDecoder(const Tokenizer* tokenizer, IncrementalDecoderOptions options = {});

  // Adds one token and returns the text that became complete (possibly empty).
  std::string Push(TokenId id);
  // Returns what is still held back (an unfinished character, as U+FFFD) and resets the
  // decoder for a new stream.
  std::string Finish();
  // Bytes held back, waiting for the rest of a character.
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  IncrementalDecoderOptions options_;
  bool first_ = true;
  std::string pending_;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_TOKENIZER_INCREMENTAL_DECODER_H_
