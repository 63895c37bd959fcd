#include "engine/tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <utility>

#include "engine/tokenizer/unicode.h"

namespace savoir::engine::tokenizer_internal {
namespace {

// Unicode's White_Space, the set llama.cpp's tables give `\s`.
constexpr std::string_view kWhitespaceItems =
    R"(\x{09}-\x{0D}\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F})"
    R"(\x{205F}\x{3000})";

// Stand-in for surrogates (which PCRE2 cannot take in UTF mode): a private-use codepoint,
// in the same class (\p{C}) as surrogates.
constexpr uint32_t kSurrogateStandIn = 0xE000;

std::string Pcre2ErrorMessage(int code) {
  std::array<PCRE2_UCHAR, 256> buffer{};
  pcre2_get_error_message(code, buffer.data(), buffer.size());
  return std::string(reinterpret_cast<const char*>(buffer.data()));
}

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
struct MatchContextDeleter {
  void operator()(pcre2_match_context* context) const { pcre2_match_context_free(context); }
};
struct JitStackDeleter {
  void operator()(pcre2_jit_stack* stack) const { pcre2_jit_stack_free(stack); }
};

// Translation state of one character class of a pattern.
struct ClassState {
  size_t start = 0;  // where the class begins in the output
  bool negated = false;
  bool has_symbol = false;  // contains \p{S}
  bool has_tilde = false;   // contains a literal '~' (or a range reaching it)
};

// llama.cpp collapses non-ASCII text to one byte per category and keeps ASCII as is; its
// ASCII stand-in for \p{S} lacks '~'. Class items are rewritten so '~' behaves the same.
void CloseClass(const ClassState& cls, std::string* out) {
  if (!cls.has_symbol || cls.has_tilde) return;
  const std::string body = out->substr(cls.start);
  out->resize(cls.start);
  *out += cls.negated ? "(?:~|" : "(?:(?!~)";
  *out += body;
  *out += ")";
}

// Translates the \p{...} whose '{' is at `brace`; returns the index of its '}'.
StatusOr<size_t> TranslateProperty(std::string_view pattern, size_t brace, bool in_class,
                                   ClassState* cls, std::string* out) {
  const size_t close = pattern.find('}', brace);
  if (close == std::string_view::npos) {
    return InvalidArgumentError("pattern '{}': unterminated \\p{{", pattern);
  }
  std::string name(pattern.substr(brace + 1, close - brace - 1));
  // llama.cpp reads the letter subcategories as \p{L}.
  if (name == "Lu" || name == "Ll" || name == "Lt" || name == "Lm" || name == "Lo") name = "L";
  if (name == "S" && in_class) {
    cls->has_symbol = true;
    *out += "\\p{S}";
  } else if (name == "S") {
    *out += "(?:(?!~)\\p{S})";
  } else {
    *out += "\\p{" + name + "}";
  }
  return close;
}

}  // namespace

StatusOr<std::string> TranslatePattern(std::string_view pattern) {
  std::string out;
  bool in_class = false;
  ClassState cls;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[i + 1];
      ++i;
      if (next == 's') {
        out += in_class ? std::string(kWhitespaceItems) : "[" + std::string(kWhitespaceItems) + "]";
      } else if (next == 'S') {
        if (in_class) {
          return InvalidArgumentError("pattern '{}': \\S inside a class is not supported", pattern);
        }
        out += "[^" + std::string(kWhitespaceItems) + "]";
      } else if (next == 'p' && i + 1 < pattern.size() && pattern[i + 1] == '{') {
        SAVOIR_ASSIGN_OR_RETURN(i, TranslateProperty(pattern, i + 1, in_class, &cls, &out));
      } else {
        if (in_class && next == '~') cls.has_tilde = true;
        out += c;
        out += next;
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      cls = ClassState{out.size(), i + 1 < pattern.size() && pattern[i + 1] == '^', false, false};
      out += c;
      if (cls.negated) {
        out += '^';
        ++i;
      }
      continue;
    }
    if (in_class && c == ']') {
      out += c;
      in_class = false;
      CloseClass(cls, &out);
      continue;
    }
    if (in_class && c == '~') cls.has_tilde = true;
    out += c;
  }
  if (in_class) return InvalidArgumentError("pattern '{}': unterminated class", pattern);
  return out;
}

struct RegexSplitter::Compiled {
  std::unique_ptr<pcre2_code, CodeDeleter> code;
};

RegexSplitter::RegexSplitter(std::vector<std::unique_ptr<Compiled>> compiled)
    : compiled_(std::move(compiled)) {}

RegexSplitter::~RegexSplitter() = default;

StatusOr<std::unique_ptr<RegexSplitter>> RegexSplitter::Create(
    const std::vector<std::string_view>& patterns) {
  std::vector<std::unique_ptr<Compiled>> compiled;
  for (const std::string_view pattern : patterns) {
    SAVOIR_ASSIGN_OR_RETURN(const std::string translated, TranslatePattern(pattern));
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                      PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &error, &error_offset, nullptr);
    if (code == nullptr) {
      return InvalidArgumentError("pattern '{}': {} at offset {}", pattern,
                                  Pcre2ErrorMessage(error), error_offset);
    }
    auto entry = std::make_unique<Compiled>();
    entry->code.reset(code);
    // Without JIT support PCRE2 interprets the pattern; that is slower but gives the same
    // result, so the error is ignored.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    compiled.push_back(std::move(entry));
  }
  return std::unique_ptr<RegexSplitter>(new RegexSplitter(std::move(compiled)));
}

namespace {

using Piece = std::pair<size_t, size_t>;  // [begin, end) byte offsets in the subject

// Matching state of one Split call.
class Matcher {
 public:
  Matcher()
      : data_(pcre2_match_data_create(1, nullptr)), context_(pcre2_match_context_create(nullptr)) {}

  // Match of `code` in subject[begin, end) from `pos` (relative); returns false when there
  // is none (or PCRE2 gave up), else sets *start and *stop (relative).
  bool Find(const pcre2_code* code, std::string_view subject, Piece piece, size_t pos,
            uint32_t options, size_t* start, size_t* stop) {
    const auto* base = reinterpret_cast<PCRE2_SPTR>(subject.data() + piece.first);
    const size_t length = piece.second - piece.first;
    int rc = pcre2_match(code, base, length, pos, options | PCRE2_NO_UTF_CHECK, data_.get(),
                         context_.get());
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && stack_ == nullptr) {
      stack_.reset(pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, nullptr));
      pcre2_jit_stack_assign(context_.get(), nullptr, stack_.get());
      rc = pcre2_match(code, base, length, pos, options | PCRE2_NO_UTF_CHECK, data_.get(),
                       context_.get());
    }
    if (rc < 0) return false;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data_.get());
    *start = ovector[0];
    *stop = ovector[1] < ovector[0] ? ovector[0] : ovector[1];
    return true;
  }

 private:
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data_;
  std::unique_ptr<pcre2_match_context, MatchContextDeleter> context_;
  std::unique_ptr<pcre2_jit_stack, JitStackDeleter> stack_;
};

// Splits one piece into matches and the text between them, as std::regex_iterator walks it
// (after an empty match the next match may not be empty at the same place).
void SplitPiece(const pcre2_code* code, std::string_view subject, Piece piece, Matcher* matcher,
                std::vector<Piece>* out) {
  const size_t length = piece.second - piece.first;
  size_t pos = 0;
  size_t last = 0;
  uint32_t options = 0;
  size_t start = 0;
  size_t stop = 0;
  while (pos <= length && matcher->Find(code, subject, piece, pos, options, &start, &stop)) {
    if (start > last) out->emplace_back(piece.first + last, piece.first + start);
    if (stop > start) out->emplace_back(piece.first + start, piece.first + stop);
    last = stop > last ? stop : last;
    options = stop == start ? PCRE2_NOTEMPTY_ATSTART : 0;
    pos = stop;
  }
  if (last < length) out->emplace_back(piece.first + last, piece.second);
}

// Re-encodes `text` as llama.cpp reads it: `encoded` holds what words are made of (bad bytes
// as U+FFFD, surrogates kept), `subject` the same with surrogates replaced for PCRE2. Both
// have the same codepoint boundaries.
void Normalize(std::string_view text, std::string* encoded, std::string* subject) {
  size_t offset = 0;
  while (offset < text.size()) {
    const uint32_t cpt = DecodeCodepoint(text, &offset);
    AppendUtf8(cpt, encoded);
    AppendUtf8(cpt >= 0xD800 && cpt <= 0xDFFF ? kSurrogateStandIn : cpt, subject);
  }
}

}  // namespace

void RegexSplitter::Split(std::string_view text, bool byte_encode,
                          std::vector<std::string>* words) const {
  std::string encoded_storage;
  std::string subject_storage;
  std::string_view encoded = text;
  std::string_view subject = text;
  if (!IsValidUtf8(text)) {
    Normalize(text, &encoded_storage, &subject_storage);
    encoded = encoded_storage;
    subject = subject_storage;
  }
  if (subject.empty()) return;

  std::vector<Piece> pieces = {{0, subject.size()}};
  std::vector<Piece> next;
  Matcher matcher;
  for (const auto& compiled : compiled_) {
    next.clear();
    for (const Piece& piece : pieces)
      SplitPiece(compiled->code.get(), subject, piece, &matcher, &next);
    pieces.swap(next);
  }

  for (const Piece& piece : pieces) {
    const std::string_view word = encoded.substr(piece.first, piece.second - piece.first);
    if (!byte_encode) {
      words->emplace_back(word);
      continue;
    }
    std::string mapped;
    mapped.reserve(word.size() * 2);
    for (const char c : word) mapped += ByteToUnicode(static_cast<uint8_t>(c));
    words->push_back(std::move(mapped));
  }
}

}  // namespace savoir::engine::tokenizer_internal
