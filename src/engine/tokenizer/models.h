// The three tokenization algorithms behind Tokenizer, one per vocabulary type. Each turns a
// fragment of text that holds no special token into token ids, exactly as llama.cpp does.
//
// Thread safety: Encode is const and keeps its working state on the stack; a Model may be used
// from several threads at once. A Model keeps a pointer to its Vocab, which must outlive it.
#ifndef SAVOIR_ENGINE_TOKENIZER_MODELS_H_
#define SAVOIR_ENGINE_TOKENIZER_MODELS_H_

#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/tokenizer/vocab.h"

namespace savoir::engine::tokenizer_internal {

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of `text` to `out`. `after_special` says that the fragment begins the
  // input or follows a special token (SentencePiece then adds its leading space).
  virtual void Encode(std::string_view text, bool after_special,
                      std::vector<TokenId>* out) const = 0;
};

// SentencePiece BPE ("llama"): spaces become U+2581, an optional space is prefixed, adjacent
// pieces merge by highest token score, and text left without a token is spelled with byte
// tokens <0xXX>.
std::unique_ptr<Model> NewSpmModel(const Vocab* vocab);

// Byte-level BPE ("gpt2"): the pre-tokenizer's regexes cut words, bytes map to GPT-2's
// printable codepoints, and adjacent pieces merge by lowest merge rank. InvalidArgument if a
// pattern of the pre-tokenizer does not compile.
StatusOr<std::unique_ptr<Model>> NewBpeModel(const Vocab* vocab);

// WordPiece ("bert"): BERT's basic tokenization (lower case, accents folded, punctuation and
// CJK characters split off) then greedy longest match; continuation pieces are the vocabulary
// tokens without the U+2581 word-start prefix. A word that cannot be spelled becomes [UNK].
std::unique_ptr<Model> NewWordPieceModel(const Vocab* vocab);

}  // namespace savoir::engine::tokenizer_internal

#endif  // SAVOIR_ENGINE_TOKENIZER_MODELS_H_
