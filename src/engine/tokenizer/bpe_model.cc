// Byte-level BPE as llama.cpp implements it (llm_tokenizer_bpe): the pre-tokenizer cuts the
// text into words (bytes already mapped to GPT-2's codepoints); within a word, symbols start as
// characters and the adjacent pair with the lowest merge rank merges first (leftmost on ties)
// until no pair has a merge. Each final piece is looked up; a piece that is not a token is
// spelled with single-byte tokens where those exist.
#include <queue>
#include <string>

#include "engine/tokenizer/models.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/unicode.h"

namespace savoir::engine::tokenizer_internal {
namespace {

struct Symbol {
  int prev;
  int next;
  size_t start;
  size_t length;
};

struct Bigram {
  int left;
  int right;
  int32_t rank;
  size_t left_length;
  size_t right_length;
};

struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

class BpeModel : public Model {
 public:
  BpeModel(const Vocab* vocab, std::unique_ptr<RegexSplitter> splitter)
      : vocab_(vocab), splitter_(std::move(splitter)) {}

  void Encode(std::string_view text, bool /*after_special*/,
              std::vector<TokenId>* out) const override {
    std::vector<std::string> words;
    splitter_->Split(text, /*byte_encode=*/true, &words);
    std::vector<Symbol> symbols;
    for (const std::string& word : words) EncodeWord(word, &symbols, out);
  }

 private:
  void EncodeWord(std::string_view word, std::vector<Symbol>* symbols_buffer,
                  std::vector<TokenId>* out) const {
    if (vocab_->ignore_merges()) {
      const TokenId id = vocab_->Find(word);
      if (id != kNoToken) {
        out->push_back(id);
        return;
      }
    }
    std::vector<Symbol>& symbols = *symbols_buffer;
    symbols.clear();
    for (size_t offset = 0; offset < word.size();) {
      const size_t length = std::min(Utf8SequenceLength(word[offset]), word.size() - offset);
      const int index = static_cast<int>(symbols.size());
      symbols.push_back(
          {index - 1, offset + length == word.size() ? -1 : index + 1, offset, length});
      offset += length;
    }

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    const auto try_add = [&](int left, int right) {
      if (left == -1 || right == -1) return;
      const Symbol& l = symbols[left];
      const Symbol& r = symbols[right];
      const int32_t rank =
          vocab_->MergeRank(word.substr(l.start, l.length), word.substr(r.start, r.length));
      if (rank < 0) return;
      queue.push({left, right, rank, l.length, r.length});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
      const Bigram bigram = queue.top();
      queue.pop();
      Symbol& left = symbols[bigram.left];
      Symbol& right = symbols[bigram.right];
      // Stale: a side has merged since the pair was queued (pieces only grow, so unchanged
      // lengths mean unchanged text).
      if (left.length != bigram.left_length || right.length != bigram.right_length) continue;
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next].prev = bigram.left;
      try_add(left.prev, bigram.left);
      try_add(bigram.left, left.next);
    }

    for (const Symbol& symbol : symbols) {
      if (symbol.length == 0) continue;
      const std::string_view piece = word.substr(symbol.start, symbol.length);
      const TokenId id = vocab_->Find(piece);
      if (id != kNoToken) {
        out->push_back(id);
        continue;
      }
      for (size_t i = 0; i < piece.size(); ++i) {
        const TokenId byte_id = vocab_->Find(piece.substr(i, 1));
        if (byte_id != kNoToken) out->push_back(byte_id);
      }
    }
  }

  const Vocab* vocab_;
  std::unique_ptr<RegexSplitter> splitter_;
};

}  // namespace

StatusOr<std::unique_ptr<Model>> NewBpeModel(const Vocab* vocab) {
  auto splitter = RegexSplitter::Create(vocab->pre_tokenizer().patterns);
  if (!splitter.ok()) return splitter.status().WithContext("tokenizer.ggml.pre");
  return std::unique_ptr<Model>(std::make_unique<BpeModel>(vocab, std::move(splitter).value()));
}

}  // namespace savoir::engine::tokenizer_internal
