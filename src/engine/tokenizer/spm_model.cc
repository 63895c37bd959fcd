// SentencePiece BPE as llama.cpp implements it (llm_tokenizer_spm): symbols start as UTF-8
// characters (a bad lead byte is a symbol of its own), every adjacent pair that forms a token
// is queued by the token's score, and the best pair merges first (leftmost on ties). The merged
// pieces are all tokens; characters that are not become byte tokens.
#include <queue>
#include <string>

#include "engine/tokenizer/models.h"
#include "engine/tokenizer/unicode.h"

namespace savoir::engine::tokenizer_internal {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581

struct Symbol {
  int prev;
  int next;
  size_t start;
  size_t length;  // 0 once merged into its left neighbour
};

struct Bigram {
  int left;
  int right;
  float score;
  size_t length;
};

struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

class SpmModel : public Model {
 public:
  explicit SpmModel(const Vocab* vocab) : vocab_(vocab) {}

  void Encode(std::string_view text, bool after_special, std::vector<TokenId>* out) const override {
    std::string escaped;
    escaped.reserve(text.size() * 2 + 3);
    if (after_special && vocab_->add_space_prefix()) escaped += kSpaceMark;
    for (const char c : text) {
      if (c == ' ') {
        escaped += kSpaceMark;
      } else {
        escaped += c;
      }
    }
    Tokenize(escaped, out);
  }

 private:
  void Tokenize(std::string_view text, std::vector<TokenId>* out) const {
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (size_t offset = 0; offset < text.size();) {
      const size_t length = std::min(Utf8SequenceLength(text[offset]), text.size() - offset);
      const int index = static_cast<int>(symbols.size());
      symbols.push_back(
          {index - 1, offset + length == text.size() ? -1 : index + 1, offset, length});
      offset += length;
    }
    if (symbols.empty()) return;

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    const auto try_add = [&](int left, int right) {
      if (left == -1 || right == -1) return;
      const size_t length = symbols[left].length + symbols[right].length;
      const TokenId id = vocab_->Find(text.substr(symbols[left].start, length));
      if (id == kNoToken) return;
      queue.push({left, right, vocab_->Score(id), length});
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
      const Bigram bigram = queue.top();
      queue.pop();
      Symbol& left = symbols[bigram.left];
      Symbol& right = symbols[bigram.right];
      // Stale: one side has merged since the pair was queued.
      if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length) {
        continue;
      }
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next].prev = bigram.left;
      try_add(left.prev, bigram.left);
      try_add(bigram.left, left.next);
    }

    for (int i = 0; i != -1; i = symbols[i].next) {
      const std::string_view piece = text.substr(symbols[i].start, symbols[i].length);
      const TokenId id = vocab_->Find(piece);
      if (id != kNoToken) {
        out->push_back(id);
        continue;
      }
      for (const char c : piece) {
        const TokenId byte_id = ByteToken(static_cast<uint8_t>(c));
        if (byte_id != kNoToken) out->push_back(byte_id);
      }
    }
  }

  // <0xXX>, else the byte itself as a token, else the unknown token (llama.cpp would abort).
  TokenId ByteToken(uint8_t byte) const {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const char name[6] = {'<', '0', 'x', kHex[byte >> 4], kHex[byte & 15], '>'};
    TokenId id = vocab_->Find(std::string_view(name, 6));
    if (id != kNoToken) return id;
    const char raw = static_cast<char>(byte);
    id = vocab_->Find(std::string_view(&raw, 1));
    return id != kNoToken ? id : vocab_->special().unk;
  }

  const Vocab* vocab_;
};

}  // namespace

std::unique_ptr<Model> NewSpmModel(const Vocab* vocab) { return std::make_unique<SpmModel>(vocab); }

}  // namespace savoir::engine::tokenizer_internal
