#include "engine/template/lexer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

#include "engine/template/py_format.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Normalizes "\r\n" and "\r" to "\n" and drops one trailing newline, as Jinja2 does.
std::string NormalizeNewlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < source.size() && source[i + 1] == '\n') {
        ++i;
      }
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

// Python's "backslashreplace": non-ASCII characters become \x, \u or \U escapes.
std::string EscapeNonAscii(std::string_view body) {
  std::string ascii;
  ascii.reserve(body.size());
  for (char32_t cp : DecodeUtf8(body)) {
    if (cp < 0x80) {
      ascii.push_back(static_cast<char>(cp));
      continue;
    }
    char buf[16];
    if (cp <= 0xFF) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned>(cp));
    } else if (cp <= 0xFFFF) {
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(cp));
    } else {
      std::snprintf(buf, sizeof(buf), "\\U%08x", static_cast<unsigned>(cp));
    }
    ascii.append(buf);
  }
  return ascii;
}

// Reads `digits` hex digits at *i.
StatusOr<char32_t> ReadHex(std::string_view s, size_t* i, size_t digits, const char* error) {
  uint32_t value = 0;
  for (size_t k = 0; k < digits; ++k) {
    const int digit = *i + k < s.size() ? HexDigit(s[*i + k]) : -1;
    if (digit < 0) {
      return InvalidArgumentError("{}", error);
    }
    value = value * 16 + static_cast<uint32_t>(digit);
  }
  *i += digits;
  return static_cast<char32_t>(value);
}

// Decodes the escape whose letter `e` was just read (Python's "unicode-escape" codec) and
// appends it to `out`.
Status DecodeEscape(std::string_view s, char e, size_t* i, std::string* out) {
  static constexpr std::string_view kSimple = "abfnrtv";
  static constexpr char kSimpleValues[] = {7, 8, 12, 10, 13, 9, 11};
  if (e == '\n') {
    return OkStatus();  // line continuation
  }
  if (e == '\\' || e == '\'' || e == '"') {
    out->push_back(e);
    return OkStatus();
  }
  if (const size_t k = kSimple.find(e); k != std::string_view::npos) {
    out->push_back(kSimpleValues[k]);
    return OkStatus();
  }
  char32_t cp = 0;
  if (e == 'x') {
    SAVOIR_ASSIGN_OR_RETURN(cp, ReadHex(s, i, 2, "truncated \\xXX escape"));
  } else if (e == 'u') {
    SAVOIR_ASSIGN_OR_RETURN(cp, ReadHex(s, i, 4, "truncated \\uXXXX escape"));
  } else if (e == 'U') {
    SAVOIR_ASSIGN_OR_RETURN(cp, ReadHex(s, i, 8, "truncated \\UXXXXXXXX escape"));
    if (cp > 0x10FFFF) {
      return InvalidArgumentError("illegal Unicode character");
    }
  } else if (e == 'N') {
    return InvalidArgumentError("{}", "\\N{...} escapes are not supported");
  } else if (e >= '0' && e <= '7') {
    cp = static_cast<char32_t>(e - '0');
    for (int k = 0; k < 2 && *i < s.size() && s[*i] >= '0' && s[*i] <= '7'; ++k) {
      cp = cp * 8 + static_cast<char32_t>(s[(*i)++] - '0');
    }
  } else {
    // Unknown escapes stay as they are.
    out->push_back('\\');
    out->push_back(e);
    return OkStatus();
  }
  AppendUtf8(cp, out);
  return OkStatus();
}

// Decodes the body of a string literal as Jinja2 does:
// value.encode("ascii", "backslashreplace").decode("unicode-escape").
StatusOr<std::string> DecodeStringLiteral(std::string_view body) {
  const std::string ascii = EscapeNonAscii(body);
  std::string out;
  size_t i = 0;
  while (i < ascii.size()) {
    const char c = ascii[i++];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i >= ascii.size()) {
      return InvalidArgumentError("\\ at end of string");
    }
    const char e = ascii[i++];
    SAVOIR_RETURN_IF_ERROR(DecodeEscape(ascii, e, &i, &out));
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string source) : src_(std::move(source)) {
    line_starts_.push_back(0);
    cp_index_.reserve(src_.size() + 1);
    uint32_t cps = 0;
    for (size_t i = 0; i < src_.size(); ++i) {
      cp_index_.push_back(cps);
      // Counts lead bytes; continuation bytes (10xxxxxx) belong to the previous code point.
      if ((static_cast<unsigned char>(src_[i]) & 0xC0) != 0x80) {
        ++cps;
      }
      if (src_[i] == '\n') {
        line_starts_.push_back(i + 1);
      }
    }
    cp_index_.push_back(cps);
  }

  StatusOr<std::vector<Token>> Run() {
    while (pos_ < src_.size()) {
      SAVOIR_RETURN_IF_ERROR(LexRoot());
    }
    Token eof;
    eof.type = TokenType::kEof;
    SetPosition(&eof, src_.size());
    tokens_.push_back(std::move(eof));
    return std::move(tokens_);
  }

 private:
  enum class Tag { kVariable, kBlock, kComment, kRaw };

  Status Error(size_t at, std::string_view message) const {
    Token t;
    SetPosition(&t, at);
    return InvalidArgumentError("line {}, column {}: {}", t.line, t.column, message);
  }

  void SetPosition(Token* token, size_t at) const {
    at = std::min(at, src_.size());
    const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), at);
    const size_t line_start = *(line - 1);
    token->line = static_cast<int>(line - line_starts_.begin());
    token->column = static_cast<int>(cp_index_[at] - cp_index_[line_start]) + 1;
  }

  void Emit(TokenType type, std::string text, size_t at) {
    Token t;
    t.type = type;
    t.text = std::move(text);
    SetPosition(&t, at);
    tokens_.push_back(std::move(t));
  }

  // Length of a run of Python whitespace starting at `at`.
  size_t SpaceRun(size_t at) const {
    size_t i = at;
    while (i < src_.size()) {
      char32_t cp = 0;
      size_t len = 1;
      const auto b = static_cast<unsigned char>(src_[i]);
      if (b < 0x80) {
        cp = b;
      } else {
        const std::u32string one = DecodeUtf8(std::string_view(src_).substr(i, 4));
        cp = one.empty() ? 0 : one[0];
        std::string enc;
        AppendUtf8(cp, &enc);
        len = enc.size();
      }
      if (!IsPySpace(cp)) {
        break;
      }
      i += len;
    }
    return i - at;
  }

  bool StartsWith(size_t at, std::string_view s) const {
    return std::string_view(src_).substr(at, s.size()) == s;
  }

  // Matches `{%(-|+|)\s*raw\s*(-%}\s*|%})` at `at`; returns the end or nullopt.
  std::optional<size_t> MatchRawBegin(size_t at) const {
    size_t i = at + 2;
    if (i < src_.size() && (src_[i] == '-' || src_[i] == '+')) {
      ++i;
    }
    i += SpaceRun(i);
    if (!StartsWith(i, "raw")) {
      return std::nullopt;
    }
    i += 3;
    i += SpaceRun(i);
    if (StartsWith(i, "-%}")) {
      return i + 3 + SpaceRun(i + 3);
    }
    if (StartsWith(i, "%}")) {
      return i + 2;
    }
    return std::nullopt;
  }

  // Applies `-` stripping or lstrip_blocks to the text before a tag and emits it.
  void EmitDataBefore(std::string text, char sign, bool lstrip, size_t at) {
    if (sign == '-') {
      text = PyStrip(text, std::nullopt, false, true);
    } else if (sign != '+' && lstrip) {
      const size_t nl = text.rfind('\n');
      const size_t l_pos = nl == std::string::npos ? 0 : nl + 1;
      if (l_pos > 0 || line_starting_) {
        const std::string tail = text.substr(l_pos);
        if (!tail.empty() && PyStrip(tail, std::nullopt, true, false).empty()) {
          text.resize(l_pos);
        }
      }
    }
    if (!text.empty()) {
      Emit(TokenType::kData, std::move(text), at);
    }
  }

  Status LexRoot() {
    size_t t = pos_;
    Tag tag = Tag::kVariable;
    for (;; ++t) {
      t = src_.find('{', t);
      if (t == std::string::npos || t + 1 >= src_.size()) {
        Emit(TokenType::kData, src_.substr(pos_), pos_);
        pos_ = src_.size();
        return OkStatus();
      }
      const char next = src_[t + 1];
      if (next == '{' || next == '%' || next == '#') {
        tag = next == '{' ? Tag::kVariable : (next == '%' ? Tag::kBlock : Tag::kComment);
        break;
      }
    }
    std::optional<size_t> raw_end;
    if (tag == Tag::kBlock) {
      raw_end = MatchRawBegin(t);
      if (raw_end) {
        tag = Tag::kRaw;
      }
    }
    const char sign =
        (t + 2 < src_.size() && (src_[t + 2] == '-' || src_[t + 2] == '+')) ? src_[t + 2] : '\0';
    EmitDataBefore(src_.substr(pos_, t - pos_), sign, tag != Tag::kVariable, pos_);
    line_starting_ = false;
    switch (tag) {
      case Tag::kRaw:
        pos_ = *raw_end;
        line_starting_ = src_[pos_ - 1] == '\n';
        return LexRaw();
      case Tag::kComment:
        return LexComment(t, t + 2 + (sign != '\0' ? 1 : 0));
      case Tag::kVariable:
        Emit(TokenType::kVariableBegin, "{{", t);
        pos_ = t + 2 + (sign != '\0' ? 1 : 0);
        return LexTag(false);
      case Tag::kBlock:
        Emit(TokenType::kBlockBegin, "{%", t);
        pos_ = t + 2 + (sign != '\0' ? 1 : 0);
        return LexTag(true);
    }
    return OkStatus();
  }

  // Consumes a block end (`+%}`, `-%}\s*`, `%}\n?`) at pos_, if there is one.
  bool ConsumeBlockEnd() {
    if (StartsWith(pos_, "+%}")) {
      pos_ += 3;
    } else if (StartsWith(pos_, "-%}")) {
      pos_ += 3;
      pos_ += SpaceRun(pos_);
    } else if (StartsWith(pos_, "%}")) {
      pos_ += 2;
      if (pos_ < src_.size() && src_[pos_] == '\n') {
        ++pos_;
      }
    } else {
      return false;
    }
    line_starting_ = src_[pos_ - 1] == '\n';
    return true;
  }

  Status LexComment(size_t tag_start, size_t body_start) {
    for (size_t i = body_start; i < src_.size(); ++i) {
      const bool plus = StartsWith(i, "+#}");
      const bool minus = StartsWith(i, "-#}");
      if (!plus && !minus && !StartsWith(i, "#}")) {
        continue;
      }
      pos_ = i + (plus || minus ? 3 : 2);
      if (minus) {
        pos_ += SpaceRun(pos_);
      } else if (!plus && pos_ < src_.size() && src_[pos_] == '\n') {
        ++pos_;
      }
      line_starting_ = src_[pos_ - 1] == '\n';
      return OkStatus();
    }
    return Error(tag_start, "Missing end of comment tag");
  }

  Status LexRaw() {
    const size_t body_start = pos_;
    const bool begin_starting = line_starting_;
    for (size_t i = body_start; i < src_.size(); ++i) {
      if (!StartsWith(i, "{%")) {
        continue;
      }
      size_t j = i + 2;
      const char sign = (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) ? src_[j] : '\0';
      j += sign != '\0' ? 1 : 0;
      j += SpaceRun(j);
      if (!StartsWith(j, "endraw")) {
        continue;
      }
      j += 6;
      j += SpaceRun(j);
      const size_t saved = pos_;
      pos_ = j;
      if (!ConsumeBlockEnd()) {
        pos_ = saved;
        continue;
      }
      const bool end_starting = line_starting_;
      line_starting_ = begin_starting;
      EmitDataBefore(src_.substr(body_start, i - body_start), sign, true, body_start);
      line_starting_ = end_starting;
      return OkStatus();
    }
    return Error(body_start, "Missing end of raw directive");
  }

  Status LexTag(bool block) {
    std::vector<char> balance;
    while (pos_ < src_.size()) {
      if (balance.empty()) {
        if (block && ConsumeBlockEnd()) {
          Emit(TokenType::kBlockEnd, "%}", pos_);
          return OkStatus();
        }
        if (!block && (StartsWith(pos_, "-}}") || StartsWith(pos_, "}}"))) {
          const size_t at = pos_;
          if (src_[pos_] == '-') {
            pos_ += 3;
            pos_ += SpaceRun(pos_);
          } else {
            pos_ += 2;
          }
          line_starting_ = src_[pos_ - 1] == '\n';
          Emit(TokenType::kVariableEnd, "}}", at);
          return OkStatus();
        }
      }
      const size_t space = SpaceRun(pos_);
      if (space > 0) {
        pos_ += space;
        line_starting_ = src_[pos_ - 1] == '\n';
        continue;
      }
      SAVOIR_RETURN_IF_ERROR(LexTagToken(&balance));
      line_starting_ = src_[pos_ - 1] == '\n';
    }
    return OkStatus();  // end of input inside a tag: the parser reports it
  }

  // Digits with single underscores between them: (\d+_)*\d+. Returns the end or `at`.
  size_t DigitRun(size_t at) const {
    size_t i = at;
    if (i >= src_.size() || !IsDigit(src_[i])) {
      return at;
    }
    while (i < src_.size() && IsDigit(src_[i])) {
      ++i;
    }
    while (i + 1 < src_.size() && src_[i] == '_' && IsDigit(src_[i + 1])) {
      ++i;
      while (i < src_.size() && IsDigit(src_[i])) {
        ++i;
      }
    }
    return i;
  }

  // Exponent part e[+-]?digits at `at`; returns the end or `at`.
  size_t ExponentRun(size_t at) const {
    if (at >= src_.size() || (src_[at] != 'e' && src_[at] != 'E')) {
      return at;
    }
    size_t i = at + 1;
    if (i < src_.size() && (src_[i] == '+' || src_[i] == '-')) {
      ++i;
    }
    const size_t end = DigitRun(i);
    return end == i ? at : end;
  }

  // End of a float literal at pos_, or pos_ when there is none.
  size_t FloatEnd() const {
    if (pos_ > 0 && src_[pos_ - 1] == '.') {
      return pos_;
    }
    const size_t int_end = DigitRun(pos_);
    if (int_end == pos_) {
      return pos_;
    }
    size_t frac_end = int_end;
    if (int_end < src_.size() && src_[int_end] == '.') {
      const size_t d = DigitRun(int_end + 1);
      if (d != int_end + 1) {
        frac_end = d;
      }
    }
    if (size_t e = ExponentRun(frac_end); e != frac_end) {
      return e;
    }
    if (size_t e = ExponentRun(int_end); e != int_end) {
      return e;
    }
    return frac_end == int_end ? pos_ : frac_end;
  }

  // End of an integer literal at pos_ (0b, 0o, 0x, decimal), or pos_.
  size_t IntegerEnd() const {
    auto run = [&](size_t at, auto is_digit) {
      size_t i = at;
      while (i < src_.size()) {
        if (is_digit(src_[i])) {
          ++i;
        } else if (src_[i] == '_' && i + 1 < src_.size() && is_digit(src_[i + 1])) {
          i += 2;
        } else {
          break;
        }
      }
      return i;
    };
    if (src_[pos_] == '0' && pos_ + 2 < src_.size()) {
      const char p = static_cast<char>(src_[pos_ + 1] | 0x20);
      size_t end = pos_ + 2;
      if (p == 'b') {
        end = run(pos_ + 2, [](char c) { return c == '0' || c == '1'; });
      } else if (p == 'o') {
        end = run(pos_ + 2, [](char c) { return c >= '0' && c <= '7'; });
      } else if (p == 'x') {
        end = run(pos_ + 2, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
      }
      if (end > pos_ + 2) {
        return end;
      }
    }
    if (src_[pos_] >= '1' && src_[pos_] <= '9') {
      return run(pos_ + 1, IsDigit);
    }
    if (src_[pos_] == '0') {
      return run(pos_ + 1, [](char c) { return c == '0'; });
    }
    return pos_;
  }

  Status LexNumber(size_t end, bool is_float) {
    std::string text;
    for (size_t i = pos_; i < end; ++i) {
      if (src_[i] != '_') {
        text.push_back(src_[i]);
      }
    }
    Token t;
    SetPosition(&t, pos_);
    t.text = text;
    if (is_float) {
      t.type = TokenType::kFloat;
      t.float_value = std::strtod(text.c_str(), nullptr);
    } else {
      t.type = TokenType::kInteger;
      StatusOr<int64_t> value = PyParseInt(text, 0);
      if (!value.ok()) {
        return Error(pos_, "integer literal too large");
      }
      t.int_value = *value;
    }
    tokens_.push_back(std::move(t));
    pos_ = end;
    return OkStatus();
  }

  bool IsNameStart(size_t at, size_t* len) const {
    const auto b = static_cast<unsigned char>(src_[at]);
    if (b < 0x80) {
      *len = 1;
      return std::isalpha(b) || b == '_';
    }
    const std::u32string one = DecodeUtf8(std::string_view(src_).substr(at, 4));
    std::string enc;
    AppendUtf8(one[0], &enc);
    *len = enc.size();
    return IsPyAlpha(one[0]);
  }

  Status LexString() {
    const char quote = src_[pos_];
    size_t i = pos_ + 1;
    while (i < src_.size() && src_[i] != quote) {
      i += (src_[i] == '\\' && i + 1 < src_.size()) ? 2 : 1;
    }
    if (i >= src_.size()) {
      return Error(pos_, std::string("unexpected char ") + PyStrRepr(std::string(1, quote)));
    }
    StatusOr<std::string> decoded =
        DecodeStringLiteral(std::string_view(src_).substr(pos_ + 1, i - pos_ - 1));
    if (!decoded.ok()) {
      return Error(pos_, decoded.status().message());
    }
    Emit(TokenType::kString, std::move(decoded).value(), pos_);
    pos_ = i + 1;
    return OkStatus();
  }

  Status LexOperator(std::vector<char>* balance) {
    static constexpr std::string_view kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
    for (std::string_view op : kTwo) {
      if (StartsWith(pos_, op)) {
        Emit(TokenType::kOperator, std::string(op), pos_);
        pos_ += 2;
        return OkStatus();
      }
    }
    const char c = src_[pos_];
    if (std::string_view("+-/*%~[](){}><=.:|,;").find(c) == std::string_view::npos) {
      const std::u32string one = DecodeUtf8(std::string_view(src_).substr(pos_, 4));
      std::string ch;
      AppendUtf8(one[0], &ch);
      return Error(pos_, "unexpected char " + PyStrRepr(ch));
    }
    if (c == '(' || c == '[' || c == '{') {
      balance->push_back(c == '(' ? ')' : (c == '[' ? ']' : '}'));
    } else if (c == ')' || c == ']' || c == '}') {
      if (balance->empty()) {
        return Error(pos_, std::string("unexpected '") + c + "'");
      }
      const char expected = balance->back();
      balance->pop_back();
      if (expected != c) {
        return Error(pos_, std::string("unexpected '") + c + "', expected '" + expected + "'");
      }
    }
    Emit(TokenType::kOperator, std::string(1, c), pos_);
    ++pos_;
    return OkStatus();
  }

  Status LexTagToken(std::vector<char>* balance) {
    if (const size_t end = FloatEnd(); end != pos_) {
      return LexNumber(end, true);
    }
    if (IsDigit(src_[pos_])) {
      if (const size_t end = IntegerEnd(); end != pos_) {
        return LexNumber(end, false);
      }
    }
    size_t len = 0;
    if (IsNameStart(pos_, &len)) {
      size_t i = pos_ + len;
      while (i < src_.size()) {
        size_t l = 0;
        if (!IsNameStart(i, &l) && !IsDigit(src_[i])) {
          break;
        }
        i += IsDigit(src_[i]) ? 1 : l;
      }
      Emit(TokenType::kName, src_.substr(pos_, i - pos_), pos_);
      pos_ = i;
      return OkStatus();
    }
    if (src_[pos_] == '\'' || src_[pos_] == '"') {
      return LexString();
    }
    return LexOperator(balance);
  }

  std::string src_;
  std::vector<size_t> line_starts_;  // byte offset of the start of each line
  std::vector<uint32_t> cp_index_;   // code points before each byte offset
  size_t pos_ = 0;
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

StatusOr<std::vector<Token>> Tokenize(std::string_view source) {
  Lexer lexer(NormalizeNewlines(source));
  return lexer.Run();
}

std::string DescribeToken(const Token& token) {
  switch (token.type) {
    case TokenType::kData:
      return "template data / text";
    case TokenType::kVariableBegin:
      return "begin of print statement";
    case TokenType::kVariableEnd:
      return "end of print statement";
    case TokenType::kBlockBegin:
      return "begin of statement block";
    case TokenType::kBlockEnd:
      return "end of statement block";
    case TokenType::kName:
    case TokenType::kOperator:
      return token.text;
    case TokenType::kString:
      return "string";
    case TokenType::kInteger:
      return "integer";
    case TokenType::kFloat:
      return "float";
    case TokenType::kEof:
      return "end of template";
  }
  return "token";
}

}  // namespace savoir::engine::jinja
