#include "engine/template/parser.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "engine/template/builtins.h"
#include "engine/template/lexer.h"
#include "engine/template/parser_checks.h"
#include "engine/template/parser_expr.h"
#include "engine/template/py_text.h"

namespace savoir::engine::jinja {
namespace {

class Parser : public ExprParser {
 public:
  using ExprParser::ExprParser;
  StatusOr<std::unique_ptr<Program>> Run() {
    auto program = std::make_unique<Program>();
    SAVOIR_ASSIGN_OR_RETURN(program->body, Subparse({}));
    if (cur().type != TokenType::kEof) {
      return Fail("unexpected " + PyStrRepr(DescribeToken(cur())));
    }
    return program;
  }

 private:
  // ---- Statements ----

  StatusOr<StmtList> Subparse(const EndTokens& end_tokens) {
    StmtList body;
    std::unique_ptr<OutputStmt> output;
    auto flush = [&]() {
      if (output) {
        body.push_back(std::move(output));
      }
    };
    auto output_part = [&]() -> OutputStmt::Part& {
      if (!output) {
        output = At(std::make_unique<OutputStmt>(), cur());
      }
      return output->parts.emplace_back();
    };
    while (cur().type != TokenType::kEof) {
      const Token& token = cur();
      if (token.type == TokenType::kData) {
        output_part().text = token.text;
        Advance();
      } else if (token.type == TokenType::kVariableBegin) {
        Advance();
        SAVOIR_ASSIGN_OR_RETURN(ExprPtr expr, ParseTuple(TupleMode::kFull, {}, false));
        output_part().expr = std::move(expr);
        SAVOIR_RETURN_IF_ERROR(ExpectType(TokenType::kVariableEnd, "end of print statement"));
      } else if (token.type == TokenType::kBlockBegin) {
        flush();
        Advance();
        for (std::string_view end : end_tokens) {
          if (IsName(cur(), end)) {
            return body;
          }
        }
        SAVOIR_ASSIGN_OR_RETURN(StmtPtr stmt, ParseStatement());
        if (stmt) {
          body.push_back(std::move(stmt));
        }
        SAVOIR_RETURN_IF_ERROR(ExpectType(TokenType::kBlockEnd, "end of statement block"));
      } else {
        return Fail("unexpected " + PyStrRepr(DescribeToken(token)));
      }
    }
    flush();
    return body;
  }

  StatusOr<StmtList> ParseStatements(const EndTokens& end_tokens, bool drop_needle) {
    DepthGuard guard(this);
    if (guard.too_deep()) {
      return Fail("template nested too deeply");
    }
    if (IsOp(cur(), ":")) {
      Advance();
    }
    SAVOIR_RETURN_IF_ERROR(ExpectType(TokenType::kBlockEnd, "end of statement block"));
    SAVOIR_ASSIGN_OR_RETURN(StmtList body, Subparse(end_tokens));
    if (cur().type == TokenType::kEof) {
      std::string looking;
      for (std::string_view end : end_tokens) {
        looking += (looking.empty() ? "" : " or ") + PyStrRepr(std::string(end));
      }
      return Fail(
          "Unexpected end of template. Jinja was looking for the following tags: " + looking + ".");
    }
    if (drop_needle) {
      Advance();
    }
    return body;
  }

  StatusOr<StmtPtr> ParseStatement() {
    const Token& token = cur();
    if (token.type != TokenType::kName) {
      return Fail("tag name expected");
    }
    const std::string& name = token.text;
    if (name == "if") {
      return ParseIf();
    }
    if (name == "for") {
      return ParseFor();
    }
    if (name == "set") {
      return ParseSet();
    }
    if (name == "macro") {
      return ParseMacro();
    }
    if (name == "call") {
      return ParseCallBlock();
    }
    if (name == "filter") {
      return ParseFilterBlock();
    }
    if (name == "with") {
      return ParseWith();
    }
    if (name == "print") {
      return ParsePrint();
    }
    if (name == "block" || name == "generation") {
      return ParseScope(name == "block");
    }
    if (name == "break" || name == "continue") {
      if (loop_depth_ == 0) {
        return Fail("'" + name + "' outside loop");
      }
      auto stmt = At(std::make_unique<LoopControlStmt>(name == "break" ? StmtKind::kBreak
                                                                       : StmtKind::kContinue),
                     token);
      Advance();
      return StmtPtr(std::move(stmt));
    }
    if (name == "include" || name == "import" || name == "from" || name == "extends" ||
        name == "autoescape") {
      return Fail("the '" + name + "' tag is not supported");
    }
    return Fail("Encountered unknown tag " + PyStrRepr(name) + ".");
  }

  StatusOr<StmtPtr> ParseIf() {
    auto stmt = At(std::make_unique<IfStmt>(), cur());
    Advance();
    while (true) {
      SAVOIR_ASSIGN_OR_RETURN(ExprPtr test, ParseTuple(TupleMode::kNoCondExpr, {}, false));
      SAVOIR_ASSIGN_OR_RETURN(StmtList body, ParseStatements({"elif", "else", "endif"}, false));
      stmt->branches.emplace_back(std::move(test), std::move(body));
      const std::string keyword = cur().text;
      Advance();
      if (keyword == "elif") {
        continue;
      }
      if (keyword == "else") {
        SAVOIR_ASSIGN_OR_RETURN(stmt->else_body, ParseStatements({"endif"}, true));
      }
      break;
    }
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParseFor() {
    auto stmt = At(std::make_unique<ForStmt>(), cur());
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(stmt->target, ParseAssignTarget({"in"}, false));
    if (HasStore(stmt->target, "loop")) {
      return Fail("Can't assign to special loop variable in for-loop target");
    }
    if (!IsName(cur(), "in")) {
      return ExpectFailure("in");
    }
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(stmt->iter, ParseTuple(TupleMode::kNoCondExpr, {"recursive"}, false));
    if (IsName(cur(), "if")) {
      Advance();
      SAVOIR_ASSIGN_OR_RETURN(stmt->filter, ParseExpression(true));
    }
    if (IsName(cur(), "recursive")) {
      Advance();
      stmt->recursive = true;
    }
    ++loop_depth_;
    StatusOr<StmtList> body = ParseStatements({"endfor", "else"}, false);
    --loop_depth_;
    SAVOIR_ASSIGN_OR_RETURN(stmt->body, std::move(body));
    const std::string keyword = cur().text;
    Advance();
    if (keyword == "else") {
      SAVOIR_ASSIGN_OR_RETURN(stmt->else_body, ParseStatements({"endfor"}, true));
    }
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParseSet() {
    const Token& start = cur();
    Advance();
    Target target;
    if (cur().type == TokenType::kName && IsOp(peek(), ".")) {
      target.kind = Target::Kind::kNamespaceAttr;
      target.name = cur().text;
      Advance();
      Advance();
      SAVOIR_ASSIGN_OR_RETURN(target.attr, ExpectName());
    } else {
      SAVOIR_ASSIGN_OR_RETURN(target, ParseAssignTarget({}, false));
    }
    if (IsOp(cur(), "=")) {
      Advance();
      auto stmt = At(std::make_unique<SetStmt>(), start);
      stmt->target = std::move(target);
      SAVOIR_ASSIGN_OR_RETURN(stmt->value, ParseTuple(TupleMode::kFull, {}, false));
      return StmtPtr(std::move(stmt));
    }
    auto stmt = At(std::make_unique<SetBlockStmt>(), start);
    stmt->target = std::move(target);
    SAVOIR_ASSIGN_OR_RETURN(stmt->filter, ParseFilter(nullptr, false));
    SAVOIR_ASSIGN_OR_RETURN(stmt->body, ParseStatements({"endset"}, true));
    return StmtPtr(std::move(stmt));
  }

  Status ParseSignature(MacroStmt* macro) {
    SAVOIR_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(cur(), ")")) {
      if (!macro->params.empty()) {
        SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
      }
      SAVOIR_ASSIGN_OR_RETURN(std::string param, ExpectName());
      if (IsOp(cur(), "=")) {
        Advance();
        SAVOIR_ASSIGN_OR_RETURN(ExprPtr def, ParseExpression(true));
        macro->defaults.push_back(std::move(def));
      } else if (!macro->defaults.empty()) {
        return Fail("non-default argument follows default argument");
      }
      macro->params.push_back(std::move(param));
    }
    return ExpectOp(")");
  }

  // Parses a macro or caller body with loop controls disallowed (it is a new function).
  Status ParseMacroBody(MacroStmt* macro, std::string_view end) {
    const int saved_loops = loop_depth_;
    loop_depth_ = 0;
    StatusOr<StmtList> body = ParseStatements({end}, true);
    loop_depth_ = saved_loops;
    SAVOIR_ASSIGN_OR_RETURN(macro->body, std::move(body));
    ScanMacroNames(macro);
    return OkStatus();
  }

  StatusOr<StmtPtr> ParseMacro() {
    auto stmt = At(std::make_unique<MacroStmt>(), cur());
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(stmt->name, ExpectName());
    SAVOIR_RETURN_IF_ERROR(ParseSignature(stmt.get()));
    SAVOIR_RETURN_IF_ERROR(ParseMacroBody(stmt.get(), "endmacro"));
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParseCallBlock() {
    auto stmt = At(std::make_unique<CallBlockStmt>(), cur());
    stmt->caller = At(std::make_unique<MacroStmt>(), cur());
    stmt->caller->name = "caller";
    Advance();
    if (IsOp(cur(), "(")) {
      SAVOIR_RETURN_IF_ERROR(ParseSignature(stmt->caller.get()));
    }
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr call, ParseExpression(true));
    if (call->kind != ExprKind::kCall) {
      return FailAt(tokens_[pos_ - 1], "expected call");
    }
    stmt->call.reset(static_cast<CallExpr*>(call.release()));
    SAVOIR_RETURN_IF_ERROR(ParseMacroBody(stmt->caller.get(), "endcall"));
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParseFilterBlock() {
    auto stmt = At(std::make_unique<FilterBlockStmt>(), cur());
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(stmt->filter, ParseFilter(nullptr, true));
    SAVOIR_ASSIGN_OR_RETURN(stmt->body, ParseStatements({"endfilter"}, true));
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParseWith() {
    auto stmt = At(std::make_unique<WithStmt>(), cur());
    Advance();
    while (cur().type != TokenType::kBlockEnd) {
      if (!stmt->targets.empty()) {
        SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
      }
      SAVOIR_ASSIGN_OR_RETURN(Target target, ParseAssignTarget({}, false));
      stmt->targets.push_back(std::move(target));
      SAVOIR_RETURN_IF_ERROR(ExpectOp("="));
      SAVOIR_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      stmt->values.push_back(std::move(value));
    }
    SAVOIR_ASSIGN_OR_RETURN(stmt->body, ParseStatements({"endwith"}, true));
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParsePrint() {
    auto stmt = At(std::make_unique<OutputStmt>(), cur());
    Advance();
    while (cur().type != TokenType::kBlockEnd) {
      if (!stmt->parts.empty()) {
        SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
      }
      SAVOIR_ASSIGN_OR_RETURN(ExprPtr expr, ParseExpression(true));
      stmt->parts.push_back({"", std::move(expr)});
    }
    return StmtPtr(std::move(stmt));
  }

  StatusOr<StmtPtr> ParseScope(bool named_block) {
    auto stmt = At(std::make_unique<ScopeStmt>(), cur());
    Advance();
    if (!named_block) {
      const int saved_loops = loop_depth_;
      loop_depth_ = 0;
      StatusOr<StmtList> body = ParseStatements({"endgeneration"}, true);
      loop_depth_ = saved_loops;
      SAVOIR_ASSIGN_OR_RETURN(stmt->body, std::move(body));
      return StmtPtr(std::move(stmt));
    }
    SAVOIR_ASSIGN_OR_RETURN(std::string name, ExpectName());
    if (IsName(cur(), "scoped")) {
      Advance();
    }
    if (IsName(cur(), "required")) {
      Advance();
    }
    SAVOIR_ASSIGN_OR_RETURN(stmt->body, ParseStatements({"endblock"}, true));
    if (IsName(cur(), name)) {
      Advance();
    }
    return StmtPtr(std::move(stmt));
  }

  int loop_depth_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<Program>> ParseTemplate(std::string_view source) {
  SAVOIR_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source));
  Parser parser(std::move(tokens));
  SAVOIR_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, parser.Run());
  ConstFolder folder;
  SAVOIR_RETURN_IF_ERROR(CheckFiltersAndTests(*program, folder));
  folder.FoldSlices(*program);
  return program;
}

}  // namespace savoir::engine::jinja
