// Tokenizer for Jinja2 template source, with the whitespace rules of Hugging Face's chat
// template environment (trim_blocks=True, lstrip_blocks=True).
//
// It reproduces Jinja2 3.1's lexer: newlines are normalized to "\n" and one trailing newline is
// dropped; `{%-`/`-%}` (and the same for `{{ }}` and `{# #}`) strip whitespace on that side;
// `{%+` disables lstrip_blocks; `+%}` disables trim_blocks; comments and `{% raw %}` blocks are
// resolved here (raw text becomes template data). Inside tags it produces names, string,
// integer and float literals (decoded as Python literals) and operators, and ends a tag only
// where brackets are balanced.
//
// Thread safety: pure function.
#ifndef SAVOIR_ENGINE_TEMPLATE_LEXER_H_
#define SAVOIR_ENGINE_TEMPLATE_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace savoir::engine::jinja {

enum class TokenType : uint8_t {
  kData,           // template text outside tags
  kVariableBegin,  // {{
  kVariableEnd,    // }}
  kBlockBegin,     // {%
  kBlockEnd,       // %}
  kName,
  kString,
  kInteger,
  kFloat,
  kOperator,  // text holds the operator, e.g. "//"
  kEof,
};

struct Token {
  TokenType type = TokenType::kEof;
  std::string text;  // data, name, decoded string literal or operator
  int64_t int_value = 0;
  double float_value = 0;
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in code points
};

// Splits `source` into tokens ending with kEof. Errors name the line and column:
// "line 3, column 7: unexpected char '$'".
StatusOr<std::vector<Token>> Tokenize(std::string_view source);

// How a token is named in syntax errors, as Jinja2 describes it ("end of print statement").
std::string DescribeToken(const Token& token);

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_LEXER_H_
