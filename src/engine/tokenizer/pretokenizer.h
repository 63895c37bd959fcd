// Pre-tokenizers of byte-level BPE vocabularies: the regular expressions that cut text into
// words before BPE merges run, chosen by the GGUF key `tokenizer.ggml.pre`.
//
// The table maps each name llama.cpp knows to the list of patterns it applies, in order: the
// first pattern splits the text, each next pattern splits every piece of the previous step,
// and text between matches is kept as pieces of its own (llama.cpp's unicode_regex_split).
// It also carries the per-name options llama.cpp attaches (ignore_merges, clean-up of
// spaces on decoding, BOS by default).
//
// Patterns run on PCRE2 (Debian's libpcre2) in UTF mode with JIT. `\s` is rewritten to
// Unicode's White_Space set (PCRE2 alone would miss U+0085), `$` matches only at the end, and
// \d, \w, \b stay ASCII as in llama.cpp's std::regex.
//
// Thread safety: PreTokenizerConfig values are constant; a RegexSplitter may be used from
// several threads at once.
#ifndef SAVOIR_ENGINE_TOKENIZER_PRETOKENIZER_H_
#define SAVOIR_ENGINE_TOKENIZER_PRETOKENIZER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::engine::tokenizer_internal {

// What a `tokenizer.ggml.pre` name stands for.
struct PreTokenizerConfig {
  std::string_view family;                 // e.g. "llama3", shared by several names
  std::vector<std::string_view> patterns;  // applied in order
  bool ignore_merges = false;              // a word that is a token is emitted whole
  bool clean_spaces = true;  // detokenizing removes spaces before ?!., and contractions
  bool add_bos = false;      // BOS is added by default (the GGUF key may override)
  bool clear_bos = false;    // the family has no BOS unless the GGUF names one
  bool add_sep = false;
};

// The configuration of `name`; an empty name means "default" (llama.cpp warns that quality
// will suffer). NotFound for a name llama.cpp does not know or that savoir does not support.
StatusOr<PreTokenizerConfig> LookupPreTokenizer(std::string_view name);

// Every name LookupPreTokenizer accepts (for tests and diagnostics).
std::vector<std::string_view> SupportedPreTokenizers();

// Rewrites a pattern for PCRE2 (`\s`, `\S` to explicit White_Space classes). InvalidArgument
// for `\S` inside a character class, which the rewrite cannot express.
StatusOr<std::string> TranslatePattern(std::string_view pattern);

// Splits text with a list of compiled patterns.
class RegexSplitter {
 public:
  // Compiles `patterns` (after TranslatePattern). InvalidArgument names the pattern and the
  // PCRE2 error when one does not compile.
  static StatusOr<std::unique_ptr<RegexSplitter>> Create(
      const std::vector<std::string_view>& patterns);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Appends the pieces of `text` to `words`, in order, none empty. Invalid UTF-8 is read as
  // llama.cpp reads it (each bad byte becomes U+FFFD). With `byte_encode`, every byte of a
  // piece is replaced by its GPT-2 printable codepoint (what byte-level BPE vocabularies
  // store). Never fails: a pattern that exhausts PCRE2's limits leaves the rest of its piece
  // unsplit.
  void Split(std::string_view text, bool byte_encode, std::vector<std::string>* words) const;

 private:
  struct Compiled;
  explicit RegexSplitter(std::vector<std::unique_ptr<Compiled>> compiled);

  std::vector<std::unique_ptr<Compiled>> compiled_;
};

}  // namespace savoir::engine::tokenizer_internal

#endif  // SAVOIR_ENGINE_TOKENIZER_PRETOKENIZER_H_
