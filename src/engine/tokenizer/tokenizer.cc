#include "engine/tokenizer/tokenizer.h"

#include <algorithm>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/models.h"
#include "engine/tokenizer/unicode.h"

namespace savoir::engine {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

uint32_t PrefixKey(uint8_t first, int second) {
  return (static_cast<uint32_t>(first) << 9) | static_cast<uint32_t>(second);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte of a "<0xXX>" token (0 when the text is malformed, as strtol gives llama.cpp).
char ByteOfToken(std::string_view text) {
  if (text.size() < 5) return 0;
  const int hi = HexValue(text[3]);
  const int lo = HexValue(text[4]);
  if (hi < 0) return 0;
  return static_cast<char>(lo < 0 ? hi : hi * 16 + lo);
}

std::string ReplaceSpaceMarks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
      out += ' ';
      i += kSpaceMark.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

// GPT-2 codepoints back to bytes; a codepoint outside the mapping is written as llama.cpp
// writes it ("[UNK_BYTE_0x..." followed by the token text).
std::string DecodeByteLevel(std::string_view text) {
  std::string out;
  size_t offset = 0;
  while (offset < text.size()) {
    const uint32_t cpt = tokenizer_internal::DecodeCodepoint(text, &offset);
    const int byte = tokenizer_internal::UnicodeToByte(cpt);
    if (byte >= 0) {
      out += static_cast<char>(byte);
      continue;
    }
    out += "[UNK_BYTE_0x";
    for (const char c : tokenizer_internal::EncodeUtf8(cpt)) {
      out += fmt::format("{:02x}", static_cast<uint8_t>(c));
    }
    out += text;
    out += "]";
  }
  return out;
}

// llama.cpp's clean-up of decoded text, pass by pass, in place as it does it.
void CleanUpSpaces(std::string* text) {
  std::string& t = *text;
  int64_t total = static_cast<int64_t>(t.size());
  // " ?", " !", " .", " ," lose their space.
  const int64_t total1 = total;
  total = total ? 1 : 0;
  for (int64_t i = 1; i < total1; ++i) {
    const char x = t[i];
    if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) --total;
    t[total++] = x;
  }
  // " ' " loses both spaces.
  const int64_t total2 = total;
  total = total ? 1 : 0;
  for (int64_t i = 1; i < total2; ++i) {
    const char x = t[i];
    if (x == '\'' && i + 1 < total2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
      --total;
      t[++i] = '\0';
    }
    t[total++] = x;
  }
  // " 's", " 'm", " 're", " 've" lose their space.
  const int64_t total3 = total;
  total = total ? 1 : 0;
  for (int64_t i = 1; i < total3; ++i) {
    const char x = t[i];
    if (t[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
      const char x1 = t[i + 1];
      if (x1 == 's' || x1 == 'm') {
        --total;
      } else if (i + 2 < total3) {
        const char x2 = t[i + 2];
        if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) --total;
      }
    }
    t[total++] = x;
  }
  t.resize(static_cast<size_t>(total));
}

}  // namespace

Tokenizer::Tokenizer(Vocab vocab) : vocab_(std::move(vocab)) {}
Tokenizer::~Tokenizer() = default;

StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const GgufFile& gguf) {
  auto vocab = Vocab::FromGguf(gguf);
  if (!vocab.ok()) return vocab.status();
  auto tokenizer = FromVocab(std::move(vocab).value());
  if (!tokenizer.ok()) return tokenizer.status().WithContext(gguf.name());
  return tokenizer;
}

StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromVocab(Vocab vocab) {
  std::unique_ptr<Tokenizer> tokenizer(new Tokenizer(std::move(vocab)));
  SAVOIR_RETURN_IF_ERROR(tokenizer->Init());
  return tokenizer;
}

Status Tokenizer::Init() {
  switch (vocab_.type()) {
    case VocabType::kSpm:
      model_ = tokenizer_internal::NewSpmModel(&vocab_);
      break;
    case VocabType::kBpe: {
      SAVOIR_ASSIGN_OR_RETURN(model_, tokenizer_internal::NewBpeModel(&vocab_));
      break;
    }
    case VocabType::kWordPiece:
      model_ = tokenizer_internal::NewWordPieceModel(&vocab_);
      break;
  }
  pieces_.resize(static_cast<size_t>(vocab_.size()));
  for (TokenId id = 0; id < vocab_.size(); ++id) pieces_[id] = ComputePiece(id);
  const std::vector<TokenId>& order = vocab_.special_token_order();
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const std::string& text = vocab_.Text(order[rank]);
    const auto first = static_cast<uint8_t>(text[0]);
    const int second = text.size() > 1 ? static_cast<uint8_t>(text[1]) : 256;
    special_by_prefix_[PrefixKey(first, second)].push_back(static_cast<int32_t>(rank));
    special_first_byte_[first] = true;
  }
  return OkStatus();
}

std::string Tokenizer::ComputePiece(TokenId id) const {
  const uint32_t attr = vocab_.Attr(id);
  const std::string& text = vocab_.Text(id);
  if (attr & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return text;
  if (attr & kAttrNormal) {
    return vocab_.type() == VocabType::kBpe ? DecodeByteLevel(text) : ReplaceSpaceMarks(text);
  }
  if ((attr & kAttrByte) && vocab_.type() != VocabType::kWordPiece) {
    return std::string(1, ByteOfToken(text));
  }
  return "";
}

std::vector<TokenId> Tokenizer::SpecialTokensIn(std::string_view text, bool parse_special) const {
  std::vector<int32_t> ranks;  // positions in special_token_order()
  const std::vector<TokenId>& order = vocab_.special_token_order();
  for (size_t i = 0; i < text.size(); ++i) {
    const auto first = static_cast<uint8_t>(text[i]);
    if (!special_first_byte_[first]) continue;
    for (const int second : {i + 1 < text.size() ? static_cast<uint8_t>(text[i + 1]) : -1, 256}) {
      if (second < 0) continue;
      const auto bucket = special_by_prefix_.find(PrefixKey(first, second));
      if (bucket == special_by_prefix_.end()) continue;
      for (const int32_t rank : bucket->second) {
        const std::string& token = vocab_.Text(order[rank]);
        if (text.compare(i, token.size(), token) == 0) ranks.push_back(rank);
      }
    }
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  std::vector<TokenId> found;
  for (const int32_t rank : ranks) {
    const TokenId id = order[rank];
    // Control and unknown tokens only count when asked for; user-defined ones always.
    if (!parse_special && (vocab_.Attr(id) & (kAttrControl | kAttrUnknown))) continue;
    found.push_back(id);
  }
  return found;
}

std::vector<Tokenizer::Fragment> Tokenizer::SplitSpecial(std::string_view text,
                                                         bool parse_special) const {
  std::vector<Fragment> fragments;
  if (text.empty()) return fragments;
  fragments.push_back({kNoToken, text});
  std::vector<Fragment> next;
  for (const TokenId id : SpecialTokensIn(text, parse_special)) {
    const std::string& token = vocab_.Text(id);
    const uint32_t attr = vocab_.Attr(id);
    next.clear();
    for (const Fragment& fragment : fragments) {
      if (fragment.id != kNoToken) {
        next.push_back(fragment);
        continue;
      }
      std::string_view rest = fragment.text;
      while (!rest.empty()) {
        const size_t pos = rest.find(token);
        if (pos == std::string_view::npos) {
          next.push_back({kNoToken, rest});
          break;
        }
        std::string_view left = rest.substr(0, pos);
        if (attr & kAttrLstrip) {
          while (!left.empty() && IsAsciiSpace(left.back())) left.remove_suffix(1);
        }
        if (!left.empty()) next.push_back({kNoToken, left});
        next.push_back({id, rest.substr(pos, token.size())});
        rest.remove_prefix(pos + token.size());
        if (attr & kAttrRstrip) {
          while (!rest.empty() && IsAsciiSpace(rest.front())) rest.remove_prefix(1);
        }
      }
    }
    fragments.swap(next);
  }
  return fragments;
}

std::vector<TokenId> Tokenizer::Tokenize(std::string_view text,
                                         const TokenizeOptions& options) const {
  std::vector<TokenId> ids;
  ids.reserve(text.size() / 3 + 4);
  const SpecialTokens& special = vocab_.special();
  const bool word_piece = vocab_.type() == VocabType::kWordPiece;
  if (options.add_special && (word_piece || vocab_.add_bos()) && special.bos != kNoToken) {
    ids.push_back(special.bos);
  }
  bool after_special = true;
  for (const Fragment& fragment : SplitSpecial(text, options.parse_special)) {
    if (fragment.id != kNoToken) {
      ids.push_back(fragment.id);
      after_special = true;
    } else {
      model_->Encode(fragment.text, after_special, &ids);
      after_special = false;
    }
  }
  if (options.add_special) {
    if (word_piece) {
      if (special.sep != kNoToken) ids.push_back(special.sep);
    } else if (vocab_.add_eos() && special.eos != kNoToken) {
      ids.push_back(special.eos);
    }
  }
  return ids;
}

std::string_view Tokenizer::TokenToPiece(TokenId id, bool render_special) const {
  if (!vocab_.Contains(id)) return {};
  if (!render_special && (vocab_.Attr(id) & (kAttrUnknown | kAttrControl))) return {};
  return pieces_[id];
}

std::string Tokenizer::Detokenize(std::span<const TokenId> ids,
                                  const DetokenizeOptions& options) const {
  // SentencePiece puts a space before the first word; WordPiece marks every word start (here
  // the first space is dropped too, where llama.cpp keeps it).
  bool remove_space = vocab_.add_space_prefix() || vocab_.type() == VocabType::kWordPiece;
  if (options.remove_special && vocab_.add_bos() && !ids.empty() &&
      ids.front() == vocab_.special().bos) {
    remove_space = false;
    ids = ids.subspan(1);
  }
  if (options.remove_special && vocab_.add_eos() && !ids.empty() &&
      ids.back() == vocab_.special().eos) {
    ids = ids.first(ids.size() - 1);
  }
  std::string text;
  for (const TokenId id : ids) {
    std::string_view piece = TokenToPiece(id, options.render_special);
    if (remove_space && !piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    remove_space = false;
    text += piece;
  }
  if (options.clean_up_spaces && vocab_.clean_spaces()) CleanUpSpaces(&text);
  return text;
}

}  // namespace savoir::engine
