// Tokenizer: text to token ids and back, for the vocabularies of GGUF models, giving the same
// ids as llama.cpp (llama_tokenize / llama_detokenize).
//
// Three algorithms are supported, chosen by `tokenizer.ggml.model`: SentencePiece BPE
// ("llama": Llama 1/2, Mistral, Phi-3, ...), byte-level BPE ("gpt2": GPT-2, Llama 3, Qwen,
// DeepSeek, ... with the pre-tokenizer named by `tokenizer.ggml.pre`) and WordPiece ("bert").
//
// Tokenize first cuts the input at special tokens: user-defined tokens always, control tokens
// (e.g. "<|im_start|>") only with parse_special. The pieces between them are tokenized by the
// vocabulary's algorithm. add_special adds BOS/EOS as the vocabulary asks (CLS/SEP for BERT).
//
// Usage:
//   SAVOIR_ASSIGN_OR_RETURN(auto tokenizer, Tokenizer::FromGguf(gguf));
//   std::vector<TokenId> ids = tokenizer->Tokenize("Hello", {.add_special = true});
//   std::string text = tokenizer->Detokenize(ids, {.remove_special = true});
//
// Thread safety: a Tokenizer is immutable after creation; all methods are const and may be
// called from any number of threads at once.
#ifndef SAVOIR_ENGINE_TOKENIZER_TOKENIZER_H_
#define SAVOIR_ENGINE_TOKENIZER_TOKENIZER_H_

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "engine/tokenizer/vocab.h"

namespace savoir::engine {

class GgufFile;

namespace tokenizer_internal {
class Model;
}

struct TokenizeOptions {
  // Add the tokens the vocabulary puts around a sequence: BOS (when add_bos_token) and EOS
  // (when add_eos_token); [CLS] ... [SEP] for WordPiece.
  bool add_special = false;
  // Recognise the text of control tokens ("<s>", "<|im_start|>") in the input and emit their
  // ids; otherwise that text is tokenized like any other. User-defined tokens are always
  // recognised (as in llama.cpp and Hugging Face tokenizers).
  bool parse_special = false;
};

struct DetokenizeOptions {
  // Drop a leading BOS and a trailing EOS when the vocabulary adds them.
  bool remove_special = false;
  // Write the text of control and unknown tokens ("<|im_end|>"); otherwise they are dropped.
  bool render_special = false;
  // Apply the vocabulary's clean-up of spaces (" ," -> ",", " 's" -> "'s") where it has one
  // (most "gpt2" pre-tokenizers and BERT). Turn off for an exact inverse of Tokenize.
  bool clean_up_spaces = true;
};

class Tokenizer {
 public:
  // Builds the tokenizer of a GGUF model from its `tokenizer.ggml.*` keys. Errors name the
  // file and key: InvalidArgument for a missing or inconsistent key, Unimplemented for a
  // tokenizer type savoir does not support, FailedPrecondition for "no_vocab".
  static StatusOr<std::unique_ptr<Tokenizer>> FromGguf(const GgufFile& gguf);
  // Builds a tokenizer over an already created vocabulary (tests, tools).
  static StatusOr<std::unique_ptr<Tokenizer>> FromVocab(Vocab vocab);

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The ids of `text`. Any byte string is accepted; invalid UTF-8 is tokenized as llama.cpp
  // does (byte tokens for SentencePiece, U+FFFD for BPE, dropped for WordPiece). Never fails.
  std::vector<TokenId> Tokenize(std::string_view text, const TokenizeOptions& options = {}) const;

  // The text of one token: U+2581 becomes a space, byte tokens their byte, GPT-2 codepoints
  // their bytes, user-defined tokens their text. Control and unknown tokens give "" unless
  // `render_special`. An id outside the vocabulary gives "". The bytes of a single token
  // need not be valid UTF-8 (see IncrementalDecoder).
  std::string_view TokenToPiece(TokenId id, bool render_special = false) const;

  // The text of a sequence: the pieces joined, the space SentencePiece (or WordPiece) put at
  // the start removed, and the vocabulary's space clean-up applied (see DetokenizeOptions).
  // Ids outside the vocabulary are skipped.
  std::string Detokenize(std::span<const TokenId> ids, const DetokenizeOptions& options = {}) const;

  const Vocab& vocab() const { return vocab_; }
  int32_t vocab_size() const { return vocab_.size(); }
  TokenId bos() const { return vocab_.special().bos; }
  TokenId eos() const { return vocab_.special().eos; }
  // Whether `id` ends a generated turn (EOS, EOT, "<|im_end|>", ...).
  bool IsEog(TokenId id) const { return vocab_.IsEog(id); }

 private:
  explicit Tokenizer(Vocab vocab);
  Status Init();
  struct Fragment {
    TokenId id;             // a special token, or kNoToken for text to tokenize
    std::string_view text;  // the fragment's text (a view of the input)
  };
  // Cuts `text` at special tokens, longest token text first, as llama.cpp does.
  std::vector<Fragment> SplitSpecial(std::string_view text, bool parse_special) const;
  // The special tokens whose text occurs somewhere in `text`, in special_token_order().
  std::vector<TokenId> SpecialTokensIn(std::string_view text, bool parse_special) const;
  std::string ComputePiece(TokenId id) const;

  Vocab vocab_;
  std::unique_ptr<tokenizer_internal::Model> model_;
  std::vector<std::string> pieces_;  // TokenToPiece(id, true) of every id
  // Positions in special_token_order() by the first two bytes of the token text (for a
  // one-byte text the second is 256), to find quickly which special tokens an input holds.
  std::unordered_map<uint32_t, std::vector<int32_t>> special_by_prefix_;
  std::array<bool, 256> special_first_byte_{};
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_TOKENIZER_TOKENIZER_H_
