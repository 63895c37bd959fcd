#include "engine/tokenizer/incremental_decoder.h"

#include "engine/tokenizer/unicode.h"

namespace savoir::engine {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

IncrementalDecoder::IncrementalDecoder(const Tokenizer* tokenizer,
                                       IncrementalDecoderOptions options)
    : tokenizer_(tokenizer), options_(options) {}

std::string IncrementalDecoder::Push(TokenId id) {
  std::string_view piece = tokenizer_->TokenToPiece(id, options_.render_special);
  if (first_) {
    const VocabType type = tokenizer_->vocab().type();
    const bool spaced = tokenizer_->vocab().add_space_prefix() || type == VocabType::kWordPiece;
    if (options_.strip_leading_space && spaced && !piece.empty() && piece.front() == ' ') {
      piece.remove_prefix(1);
    }
    first_ = false;
  }
  pending_ += piece;
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    const int n = tokenizer_internal::StrictSequenceLength(std::string_view(pending_).substr(i));
    if (n == 0) break;  // an unfinished character: wait for more bytes
    if (n < 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    out.append(pending_, i, static_cast<size_t>(n));
    i += static_cast<size_t>(n);
  }
  pending_.erase(0, i);
  return out;
}

std::string IncrementalDecoder::Finish() {
  std::string out = pending_.empty() ? "" : std::string(kReplacement);
  pending_.clear();
  first_ = true;
  return out;
}

}  // namespace savoir::engine
