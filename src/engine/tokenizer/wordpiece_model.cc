// WordPiece as llama.cpp implements it (llm_tokenizer_wpm). BERT vocabularies converted to
// GGUF mark word starts with U+2581 and drop the "##" of continuation pieces, so a word is
// matched as "\u2581word" greedily from the left, longest piece first. If some position has
// no piece, the whole word becomes the unknown token.
#include <string>

#include "engine/tokenizer/models.h"
#include "engine/tokenizer/unicode.h"

namespace savoir::engine::tokenizer_internal {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581

// CJK ideographs that BERT splits into words of their own (the ranges of HF's tokenizers,
// including its 0x2B920 start of Extension E).
bool IsChineseChar(uint32_t cpt) {
  return (cpt >= 0x4E00 && cpt <= 0x9FFF) || (cpt >= 0x3400 && cpt <= 0x4DBF) ||
         (cpt >= 0x20000 && cpt <= 0x2A6DF) || (cpt >= 0x2A700 && cpt <= 0x2B73F) ||
         (cpt >= 0x2B740 && cpt <= 0x2B81F) || (cpt >= 0x2B920 && cpt <= 0x2CEAF) ||
         (cpt >= 0xF900 && cpt <= 0xFAFF) || (cpt >= 0x2F800 && cpt <= 0x2FA1F);
}

class WordPieceModel : public Model {
 public:
  explicit WordPieceModel(const Vocab* vocab) : vocab_(vocab) {}

  void Encode(std::string_view text, bool /*after_special*/,
              std::vector<TokenId>* out) const override {
    std::string word = std::string(kSpaceMark);
    Preprocess(text, [&](std::string_view w) {
      word.resize(kSpaceMark.size());
      word += w;
      EncodeWord(word, out);
    });
  }

 private:
  // BERT's basic tokenization; calls `emit` with each word.
  template <typename Emit>
  void Preprocess(std::string_view text, Emit emit) const {
    std::string current;
    size_t offset = 0;
    while (offset < text.size()) {
      uint32_t cpt = DecodeCodepoint(text, &offset);
      if (vocab_->strip_accents()) cpt = NfdFirst(cpt);
      const uint16_t classes = CodepointClasses(cpt);
      if (classes & kClassWhitespace) {
        if (!current.empty()) emit(current);
        current.clear();
        continue;
      }
      if (cpt == 0 || cpt == kReplacementChar || (classes & kClassControl)) continue;
      if (vocab_->strip_accents() && (classes & kClassMark)) continue;
      const uint32_t out_cpt = vocab_->lowercase() ? ToLower(cpt) : cpt;
      if ((classes & kClassPunctuation) || (cpt < 0x7F && (classes & kClassSymbol)) ||
          IsChineseChar(cpt)) {
        if (!current.empty()) emit(current);
        current.clear();
        AppendUtf8(out_cpt, &current);
        emit(current);
        current.clear();
      } else {
        AppendUtf8(out_cpt, &current);
      }
    }
    if (!current.empty()) emit(current);
  }

  void EncodeWord(std::string_view word, std::vector<TokenId>* out) const {
    const size_t first = out->size();
    const size_t n = word.size();
    const size_t max_length = static_cast<size_t>(vocab_->max_token_length());
    for (size_t i = 0; i < n;) {
      size_t j = std::min(n, i + max_length + 1);
      TokenId id = kNoToken;
      for (; j > i; --j) {
        id = vocab_->Find(word.substr(i, j - i));
        if (id != kNoToken) break;
      }
      if (id == kNoToken) {
        out->resize(first);
        break;
      }
      out->push_back(id);
      i = j;
    }
    if (out->size() == first && vocab_->special().unk != kNoToken) {
      out->push_back(vocab_->special().unk);
    }
  }

  const Vocab* vocab_;
};

}  // namespace

std::unique_ptr<Model> NewWordPieceModel(const Vocab* vocab) {
  return std::make_unique<WordPieceModel>(vocab);
}

}  // namespace savoir::engine::tokenizer_internal
