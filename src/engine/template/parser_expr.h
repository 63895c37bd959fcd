// Expression parsing for parser.cc: a token stream and Jinja2's expression grammar
// (operator precedence, tuples, filters, tests, calls, subscripts, slices) and assignment
// targets. Internal to the parser.
//
// Thread safety: one instance per parse.
#ifndef SAVOIR_ENGINE_TEMPLATE_PARSER_EXPR_H_
#define SAVOIR_ENGINE_TEMPLATE_PARSER_EXPR_H_

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/template/ast.h"
#include "engine/template/lexer.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {

// Deepest nesting of statements and expressions (and longest chain like a or b or c ...).
inline constexpr int kMaxNesting = 100;

class ExprParser {
 public:
  explicit ExprParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

 protected:
  using EndTokens = std::vector<std::string_view>;

  // Tracks recursion depth for the lifetime of a parse function.
  class DepthGuard {
   public:
    explicit DepthGuard(ExprParser* p) : p_(p) { ++p_->depth_; }
    ~DepthGuard() { --p_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool too_deep() const { return p_->depth_ > kMaxNesting; }

   private:
    ExprParser* p_;
  };

  const Token& cur() const { return tokens_[pos_]; }
  const Token& peek() const { return tokens_[std::min(pos_ + 1, tokens_.size() - 1)]; }
  void Advance() {
    if (pos_ + 1 < tokens_.size()) {
      ++pos_;
    }
  }
  static bool IsName(const Token& t, std::string_view name) {
    return t.type == TokenType::kName && t.text == name;
  }
  static bool IsOp(const Token& t, std::string_view op) {
    return t.type == TokenType::kOperator && t.text == op;
  }

  Status FailAt(const Token& t, std::string_view message) const {
    return InvalidArgumentError("line {}, column {}: {}", t.line, t.column, message);
  }
  Status Fail(std::string_view message) const { return FailAt(cur(), message); }

  template <typename T>
  static std::unique_ptr<T> At(std::unique_ptr<T> node, const Token& t) {
    node->line = t.line;
    node->column = t.column;
    return node;
  }

  Status ExpectOp(std::string_view op) {
    if (!IsOp(cur(), op)) {
      return ExpectFailure(op);
    }
    Advance();
    return OkStatus();
  }

  Status ExpectType(TokenType type, std::string_view what) {
    if (cur().type != type) {
      return ExpectFailure(what);
    }
    Advance();
    return OkStatus();
  }

  Status ExpectFailure(std::string_view what) const {
    if (cur().type == TokenType::kEof) {
      return Fail("unexpected end of template, expected " + PyStrRepr(std::string(what)) + ".");
    }
    return Fail("expected token " + PyStrRepr(std::string(what)) + ", got " +
                PyStrRepr(DescribeToken(cur())));
  }

  StatusOr<std::string> ExpectName() {
    if (cur().type != TokenType::kName) {
      return ExpectFailure("name");
    }
    std::string name = cur().text;
    Advance();
    return name;
  }

  static bool HasStore(const Target& t, std::string_view name);
  Status ToTarget(const Expr& expr, Target* target) const;
  StatusOr<Target> ParseAssignTarget(const EndTokens& extra_end, bool name_only);
  enum class TupleMode { kSimplified, kFull, kNoCondExpr };
  bool IsTupleEnd(const EndTokens& extra_end) const;
  StatusOr<ExprPtr> ParseTuple(TupleMode mode, const EndTokens& extra_end, bool explicit_parens);
  StatusOr<ExprPtr> ParseExpression(bool with_condexpr);
  // Fails when a chain of left-nested operations (a or b or c ...) gets too deep.
  Status CheckChain(int* links);
  StatusOr<ExprPtr> ParseBinaryChain(std::string_view keyword, BinaryOp op, bool is_or);
  StatusOr<ExprPtr> ParseOr();
  StatusOr<ExprPtr> ParseAnd();
  StatusOr<ExprPtr> ParseNot();
  StatusOr<ExprPtr> ParseCompare();
  StatusOr<ExprPtr> ParseBinaryLevel(
      std::initializer_list<std::pair<std::string_view, BinaryOp>> ops,
      StatusOr<ExprPtr> (ExprParser::*next)());
  StatusOr<ExprPtr> ParseMath1();
  StatusOr<ExprPtr> ParseConcat();
  StatusOr<ExprPtr> ParseMath2();
  StatusOr<ExprPtr> ParsePow();
  StatusOr<ExprPtr> ParseUnaryWithFilter();
  StatusOr<ExprPtr> ParseUnary(bool with_filter);
  StatusOr<ExprPtr> ParsePrimary();
  StatusOr<ExprPtr> ParseList();
  StatusOr<ExprPtr> ParseDict();
  StatusOr<ExprPtr> ParsePostfix(ExprPtr node);
  StatusOr<ExprPtr> ParseFilterExpr(ExprPtr node);
  StatusOr<ExprPtr> ParseSubscript(ExprPtr node);
  StatusOr<ExprPtr> ParseSubscribed();
  Status ParseCallArgs(CallArgExprs* out);
  StatusOr<ExprPtr> ParseCall(ExprPtr callee);
  StatusOr<std::string> ParseDottedName();
  StatusOr<ExprPtr> ParseFilter(ExprPtr node, bool start_inline);
  StatusOr<ExprPtr> ParseTest(ExprPtr node);

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace savoir::engine::jinja

#endif  // SAVOIR_ENGINE_TEMPLATE_PARSER_EXPR_H_
