// SentencePiece BPE as llama.cpp implements it (llm_tokenizer_spm): symbols start as UTF-8
// characters (a bad lead byte is a symbol of its own), every adjacent pair that forms a token
// is queued by the token's score, and the best pair merges first (leftmost on ties). The merged
// pieces are all tokens; characters that are not become byte tokens.
#include <algorithm>
#include <string>
#include <unordered_set>

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

// Packs a symbol of at most four bytes into an integer (equal symbols pack equal).
uint64_t Pack(std::string_view symbol) {
  uint64_t packed = 0;
  for (size_t i = 0; i < symbol.size(); ++i) {
    packed |= static_cast<uint64_t>(static_cast<uint8_t>(symbol[i])) << (8 * i);
  }
  return packed;
}

class SpmModel : public Model {
 public:
  // Records every pair of adjacent symbols found inside a token: where the input has a pair
  // that no token contains, no merge can ever cross, so the text is cut there and each part
  // merged on its own. The result is the same as merging the whole text at once (merges of
  // separate parts never interact), but the queues stay small.
  explicit SpmModel(const Vocab* vocab) : vocab_(vocab) {
    for (TokenId id = 0; id < vocab->size(); ++id) {
      const std::string_view text = vocab->Text(id);
      uint64_t previous = 0;
      for (size_t offset = 0; offset < text.size();) {
        const size_t length = std::min(Utf8SequenceLength(text[offset]), text.size() - offset);
        const uint64_t packed = Pack(text.substr(offset, length));
        if (offset > 0) pairs_.insert((previous << 32) | packed);
        previous = packed;
        offset += length;
      }
    }
  }

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
    const std::string_view all = escaped;
    Buffers buffers;
    size_t chunk_start = 0;
    uint64_t previous = 0;
    for (size_t offset = 0; offset < all.size();) {
      const size_t length = std::min(Utf8SequenceLength(all[offset]), all.size() - offset);
      const uint64_t packed = Pack(all.substr(offset, length));
      if (offset > 0 && pairs_.count((previous << 32) | packed) == 0) {
        TokenizeChunk(all.substr(chunk_start, offset - chunk_start), &buffers, out);
        chunk_start = offset;
      }
      previous = packed;
      offset += length;
    }
    TokenizeChunk(all.substr(chunk_start), &buffers, out);
  }

 private:
  // Working memory reused from chunk to chunk.
  struct Buffers {
    std::vector<Symbol> symbols;
    std::vector<Bigram> queue;  // a heap ordered by BigramOrder
  };

  void TokenizeChunk(std::string_view text, Buffers* buffers, std::vector<TokenId>* out) const {
    std::vector<Symbol>& symbols = buffers->symbols;
    std::vector<Bigram>& queue = buffers->queue;
    symbols.clear();
    queue.clear();
    for (size_t offset = 0; offset < text.size();) {
      const size_t length = std::min(Utf8SequenceLength(text[offset]), text.size() - offset);
      const int index = static_cast<int>(symbols.size());
      symbols.push_back(
          {index - 1, offset + length == text.size() ? -1 : index + 1, offset, length});
      offset += length;
    }
    if (symbols.empty()) return;

    const auto try_add = [&](int left, int right) {
      if (left == -1 || right == -1) return;
      const size_t length = symbols[left].length + symbols[right].length;
      const TokenId id = vocab_->Find(text.substr(symbols[left].start, length));
      if (id == kNoToken) return;
      queue.push_back({left, right, vocab_->Score(id), length});
      std::push_heap(queue.begin(), queue.end(), BigramOrder());
    };
    for (int i = 1; i < static_cast<int>(symbols.size()); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
      std::pop_heap(queue.begin(), queue.end(), BigramOrder());
      const Bigram bigram = queue.back();
      queue.pop_back();
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
  std::unordered_set<uint64_t> pairs_;  // Pack(a) << 32 | Pack(b) for adjacent a, b in a token
};

}  // namespace

std::unique_ptr<Model> NewSpmModel(const Vocab* vocab) { return std::make_unique<SpmModel>(vocab); }

}  // namespace savoir::engine::tokenizer_internal
