#include "engine/template/parser_expr.h"

#include <optional>

#include "engine/template/builtins.h"

namespace savoir::engine::jinja {

bool ExprParser::HasStore(const Target& t, std::string_view name) {
  if (t.kind == Target::Kind::kName) {
    return t.name == name;
  }
  for (const Target& item : t.items) {
    if (HasStore(item, name)) {
      return true;
    }
  }
  return false;
}

Status ExprParser::ToTarget(const Expr& expr, Target* target) const {
  if (expr.kind == ExprKind::kName) {
    target->kind = Target::Kind::kName;
    target->name = static_cast<const NameExpr&>(expr).name;
    return OkStatus();
  }
  if (expr.kind == ExprKind::kTuple) {
    target->kind = Target::Kind::kTuple;
    for (const ExprPtr& item : static_cast<const SeqExpr&>(expr).items) {
      SAVOIR_RETURN_IF_ERROR(ToTarget(*item, &target->items.emplace_back()));
    }
    return OkStatus();
  }
  const char* what = expr.kind == ExprKind::kConst ? "const" : "expression";
  return InvalidArgumentError("line {}, column {}: can't assign to '{}'", expr.line, expr.column,
                              what);
}

StatusOr<Target> ExprParser::ParseAssignTarget(const EndTokens& extra_end, bool name_only) {
  Target target;
  if (name_only) {
    SAVOIR_ASSIGN_OR_RETURN(target.name, ExpectName());
    return target;
  }
  SAVOIR_ASSIGN_OR_RETURN(ExprPtr expr, ParseTuple(TupleMode::kSimplified, extra_end, false));
  SAVOIR_RETURN_IF_ERROR(ToTarget(*expr, &target));
  return target;
}

bool ExprParser::IsTupleEnd(const EndTokens& extra_end) const {
  const Token& t = cur();
  if (t.type == TokenType::kVariableEnd || t.type == TokenType::kBlockEnd || IsOp(t, ")") ||
      t.type == TokenType::kEof) {
    return true;
  }
  for (std::string_view end : extra_end) {
    if (IsName(t, end)) {
      return true;
    }
  }
  return false;
}

StatusOr<ExprPtr> ExprParser::ParseTuple(TupleMode mode, const EndTokens& extra_end,
                                         bool explicit_parens) {
  const Token& start = cur();
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  while (true) {
    if (!items.empty()) {
      SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
    }
    if (IsTupleEnd(extra_end)) {
      break;
    }
    ExprPtr item;
    if (mode == TupleMode::kSimplified) {
      SAVOIR_ASSIGN_OR_RETURN(item, ParsePrimary());
    } else {
      SAVOIR_ASSIGN_OR_RETURN(item, ParseExpression(mode == TupleMode::kFull));
    }
    items.push_back(std::move(item));
    if (IsOp(cur(), ",")) {
      is_tuple = true;
    } else {
      break;
    }
  }
  if (!is_tuple) {
    if (!items.empty()) {
      return std::move(items[0]);
    }
    if (!explicit_parens) {
      return Fail("Expected an expression, got " + PyStrRepr(DescribeToken(cur())));
    }
  }
  auto tuple = At(std::make_unique<SeqExpr>(ExprKind::kTuple), start);
  tuple->items = std::move(items);
  return ExprPtr(std::move(tuple));
}

StatusOr<ExprPtr> ExprParser::ParseExpression(bool with_condexpr) {
  DepthGuard guard(this);
  if (guard.too_deep()) {
    return Fail("expression nested too deeply");
  }
  if (!with_condexpr) {
    return ParseOr();
  }
  const Token& start = cur();
  SAVOIR_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
  int links = 0;
  while (IsName(cur(), "if")) {
    SAVOIR_RETURN_IF_ERROR(CheckChain(&links));
    Advance();
    auto cond = At(std::make_unique<CondExpr>(), start);
    SAVOIR_ASSIGN_OR_RETURN(cond->test, ParseOr());
    if (IsName(cur(), "else")) {
      Advance();
      SAVOIR_ASSIGN_OR_RETURN(cond->else_expr, ParseExpression(true));
    }
    cond->then_expr = std::move(expr);
    expr = std::move(cond);
  }
  return expr;
}

Status ExprParser::CheckChain(int* links) {
  if (depth_ + ++*links > kMaxNesting) {
    return Fail("expression nested too deeply");
  }
  return OkStatus();
}

StatusOr<ExprPtr> ExprParser::ParseBinaryChain(std::string_view keyword, BinaryOp op, bool is_or) {
  SAVOIR_ASSIGN_OR_RETURN(ExprPtr left, is_or ? ParseAnd() : ParseNot());
  int links = 0;
  while (IsName(cur(), keyword)) {
    SAVOIR_RETURN_IF_ERROR(CheckChain(&links));
    auto node = At(std::make_unique<BinaryExpr>(), cur());
    Advance();
    node->op = op;
    node->left = std::move(left);
    SAVOIR_ASSIGN_OR_RETURN(node->right, is_or ? ParseAnd() : ParseNot());
    left = std::move(node);
  }
  return left;
}

StatusOr<ExprPtr> ExprParser::ParseOr() { return ParseBinaryChain("or", BinaryOp::kOr, true); }

StatusOr<ExprPtr> ExprParser::ParseAnd() { return ParseBinaryChain("and", BinaryOp::kAnd, false); }

StatusOr<ExprPtr> ExprParser::ParseNot() {
  if (IsName(cur(), "not")) {
    DepthGuard guard(this);
    if (guard.too_deep()) {
      return Fail("expression nested too deeply");
    }
    auto node = At(std::make_unique<UnaryExpr>(ExprKind::kNot), cur());
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(node->operand, ParseNot());
    return ExprPtr(std::move(node));
  }
  return ParseCompare();
}

StatusOr<ExprPtr> ExprParser::ParseCompare() {
  const Token& start = cur();
  SAVOIR_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
  std::unique_ptr<CompareExpr> cmp;
  while (true) {
    static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
        {"==", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
        {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
    std::optional<CompareOp> op;
    for (const auto& [text, value] : kOps) {
      if (IsOp(cur(), text)) {
        op = value;
        Advance();
        break;
      }
    }
    if (!op && IsName(cur(), "in")) {
      op = CompareOp::kIn;
      Advance();
    } else if (!op && IsName(cur(), "not") && IsName(peek(), "in")) {
      op = CompareOp::kNotIn;
      Advance();
      Advance();
    }
    if (!op) {
      break;
    }
    if (!cmp) {
      cmp = At(std::make_unique<CompareExpr>(), start);
      cmp->first = std::move(first);
    }
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr operand, ParseMath1());
    cmp->rest.emplace_back(*op, std::move(operand));
  }
  if (!cmp) {
    return first;
  }
  return ExprPtr(std::move(cmp));
}

StatusOr<ExprPtr> ExprParser::ParseBinaryLevel(
    std::initializer_list<std::pair<std::string_view, BinaryOp>> ops,
    StatusOr<ExprPtr> (ExprParser::*next)()) {
  SAVOIR_ASSIGN_OR_RETURN(ExprPtr left, (this->*next)());
  int links = 0;
  while (true) {
    std::optional<BinaryOp> found;
    for (const auto& [text, op] : ops) {
      if (IsOp(cur(), text)) {
        found = op;
      }
    }
    if (!found) {
      return left;
    }
    SAVOIR_RETURN_IF_ERROR(CheckChain(&links));
    auto node = At(std::make_unique<BinaryExpr>(), cur());
    Advance();
    node->op = *found;
    node->left = std::move(left);
    SAVOIR_ASSIGN_OR_RETURN(node->right, (this->*next)());
    left = std::move(node);
  }
}

StatusOr<ExprPtr> ExprParser::ParseMath1() {
  return ParseBinaryLevel({{"+", BinaryOp::kAdd}, {"-", BinaryOp::kSub}}, &ExprParser::ParseConcat);
}

StatusOr<ExprPtr> ExprParser::ParseConcat() {
  const Token& start = cur();
  SAVOIR_ASSIGN_OR_RETURN(ExprPtr first, ParseMath2());
  if (!IsOp(cur(), "~")) {
    return first;
  }
  auto node = At(std::make_unique<ConcatExpr>(), start);
  node->items.push_back(std::move(first));
  while (IsOp(cur(), "~")) {
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr item, ParseMath2());
    node->items.push_back(std::move(item));
  }
  return ExprPtr(std::move(node));
}

StatusOr<ExprPtr> ExprParser::ParseMath2() {
  return ParseBinaryLevel({{"*", BinaryOp::kMul},
                           {"/", BinaryOp::kDiv},
                           {"//", BinaryOp::kFloorDiv},
                           {"%", BinaryOp::kMod}},
                          &ExprParser::ParsePow);
}

StatusOr<ExprPtr> ExprParser::ParsePow() {
  return ParseBinaryLevel({{"**", BinaryOp::kPow}}, &ExprParser::ParseUnaryWithFilter);
}

StatusOr<ExprPtr> ExprParser::ParseUnaryWithFilter() { return ParseUnary(true); }

StatusOr<ExprPtr> ExprParser::ParseUnary(bool with_filter) {
  DepthGuard guard(this);
  if (guard.too_deep()) {
    return Fail("expression nested too deeply");
  }
  ExprPtr node;
  if (IsOp(cur(), "-") || IsOp(cur(), "+")) {
    auto unary =
        At(std::make_unique<UnaryExpr>(IsOp(cur(), "-") ? ExprKind::kNeg : ExprKind::kPos), cur());
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(unary->operand, ParseUnary(false));
    node = std::move(unary);
  } else {
    SAVOIR_ASSIGN_OR_RETURN(node, ParsePrimary());
  }
  SAVOIR_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
  if (with_filter) {
    SAVOIR_ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
  }
  return node;
}

StatusOr<ExprPtr> ExprParser::ParsePrimary() {
  DepthGuard guard(this);
  if (guard.too_deep()) {
    return Fail("expression nested too deeply");
  }
  const Token& token = cur();
  switch (token.type) {
    case TokenType::kName: {
      Advance();
      const std::string& n = token.text;
      if (n == "true" || n == "True" || n == "false" || n == "False") {
        return ExprPtr(
            At(std::make_unique<ConstExpr>(Value::Bool(n[0] == 't' || n[0] == 'T')), token));
      }
      if (n == "none" || n == "None") {
        return ExprPtr(At(std::make_unique<ConstExpr>(Value::None()), token));
      }
      return ExprPtr(At(std::make_unique<NameExpr>(n), token));
    }
    case TokenType::kString: {
      std::string text;
      while (cur().type == TokenType::kString) {
        text += cur().text;
        Advance();
      }
      return ExprPtr(At(std::make_unique<ConstExpr>(Value::Str(std::move(text))), token));
    }
    case TokenType::kInteger:
      Advance();
      return ExprPtr(At(std::make_unique<ConstExpr>(Value::Int(token.int_value)), token));
    case TokenType::kFloat:
      Advance();
      return ExprPtr(At(std::make_unique<ConstExpr>(Value::Float(token.float_value)), token));
    default:
      break;
  }
  if (IsOp(token, "(")) {
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr inner, ParseTuple(TupleMode::kFull, {}, true));
    SAVOIR_RETURN_IF_ERROR(ExpectOp(")"));
    return inner;
  }
  if (IsOp(token, "[")) {
    return ParseList();
  }
  if (IsOp(token, "{")) {
    return ParseDict();
  }
  return Fail("unexpected " + PyStrRepr(DescribeToken(token)));
}

StatusOr<ExprPtr> ExprParser::ParseList() {
  auto list = At(std::make_unique<SeqExpr>(ExprKind::kList), cur());
  Advance();
  while (!IsOp(cur(), "]")) {
    if (!list->items.empty()) {
      SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
    }
    if (IsOp(cur(), "]")) {
      break;
    }
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(true));
    list->items.push_back(std::move(item));
  }
  SAVOIR_RETURN_IF_ERROR(ExpectOp("]"));
  return ExprPtr(std::move(list));
}

StatusOr<ExprPtr> ExprParser::ParseDict() {
  auto dict = At(std::make_unique<DictExpr>(), cur());
  Advance();
  while (!IsOp(cur(), "}")) {
    if (!dict->items.empty()) {
      SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
    }
    if (IsOp(cur(), "}")) {
      break;
    }
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression(true));
    SAVOIR_RETURN_IF_ERROR(ExpectOp(":"));
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
    dict->items.emplace_back(std::move(key), std::move(value));
  }
  SAVOIR_RETURN_IF_ERROR(ExpectOp("}"));
  return ExprPtr(std::move(dict));
}

StatusOr<ExprPtr> ExprParser::ParsePostfix(ExprPtr node) {
  int links = 0;
  while (true) {
    SAVOIR_RETURN_IF_ERROR(CheckChain(&links));
    if (IsOp(cur(), ".") || IsOp(cur(), "[")) {
      SAVOIR_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
    } else if (IsOp(cur(), "(")) {
      SAVOIR_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
    } else {
      return node;
    }
  }
}

StatusOr<ExprPtr> ExprParser::ParseFilterExpr(ExprPtr node) {
  int links = 0;
  while (true) {
    SAVOIR_RETURN_IF_ERROR(CheckChain(&links));
    if (IsOp(cur(), "|")) {
      SAVOIR_ASSIGN_OR_RETURN(node, ParseFilter(std::move(node), false));
    } else if (IsName(cur(), "is")) {
      SAVOIR_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
    } else if (IsOp(cur(), "(")) {
      SAVOIR_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
    } else {
      return node;
    }
  }
}

StatusOr<ExprPtr> ExprParser::ParseSubscript(ExprPtr node) {
  const Token& token = cur();
  Advance();
  if (token.text == ".") {
    const Token& attr = cur();
    Advance();
    if (attr.type == TokenType::kName) {
      auto get = At(std::make_unique<GetAttrExpr>(), token);
      get->object = std::move(node);
      get->attr = attr.text;
      return ExprPtr(std::move(get));
    }
    if (attr.type != TokenType::kInteger) {
      return FailAt(attr, "expected name or number");
    }
    auto get = At(std::make_unique<GetItemExpr>(), token);
    get->object = std::move(node);
    get->key = At(std::make_unique<ConstExpr>(Value::Int(attr.int_value)), attr);
    return ExprPtr(std::move(get));
  }
  std::vector<ExprPtr> args;
  while (!IsOp(cur(), "]")) {
    if (!args.empty()) {
      SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
    }
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr arg, ParseSubscribed());
    args.push_back(std::move(arg));
  }
  SAVOIR_RETURN_IF_ERROR(ExpectOp("]"));
  auto get = At(std::make_unique<GetItemExpr>(), token);
  get->object = std::move(node);
  if (args.size() == 1) {
    get->key = std::move(args[0]);
  } else {
    auto tuple = At(std::make_unique<SeqExpr>(ExprKind::kTuple), token);
    tuple->items = std::move(args);
    get->key = std::move(tuple);
  }
  return ExprPtr(std::move(get));
}

StatusOr<ExprPtr> ExprParser::ParseSubscribed() {
  const Token& start = cur();
  ExprPtr first;
  if (!IsOp(cur(), ":")) {
    SAVOIR_ASSIGN_OR_RETURN(first, ParseExpression(true));
    if (!IsOp(cur(), ":")) {
      return first;
    }
  }
  Advance();
  auto slice = At(std::make_unique<SliceExpr>(), start);
  slice->start = std::move(first);
  if (!IsOp(cur(), ":") && !IsOp(cur(), "]") && !IsOp(cur(), ",")) {
    SAVOIR_ASSIGN_OR_RETURN(slice->stop, ParseExpression(true));
  }
  if (IsOp(cur(), ":")) {
    Advance();
    if (!IsOp(cur(), "]") && !IsOp(cur(), ",")) {
      SAVOIR_ASSIGN_OR_RETURN(slice->step, ParseExpression(true));
    }
  }
  return ExprPtr(std::move(slice));
}

Status ExprParser::ParseCallArgs(CallArgExprs* out) {
  const Token& open = cur();
  SAVOIR_RETURN_IF_ERROR(ExpectOp("("));
  bool require_comma = false;
  auto ensure = [&](bool ok) {
    return ok ? OkStatus() : FailAt(open, "invalid syntax for function call expression");
  };
  while (!IsOp(cur(), ")")) {
    if (require_comma) {
      SAVOIR_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp(cur(), ")")) {
        break;
      }
    }
    if (IsOp(cur(), "*")) {
      SAVOIR_RETURN_IF_ERROR(ensure(!out->dyn_args && !out->dyn_kwargs));
      Advance();
      SAVOIR_ASSIGN_OR_RETURN(out->dyn_args, ParseExpression(true));
    } else if (IsOp(cur(), "**")) {
      SAVOIR_RETURN_IF_ERROR(ensure(!out->dyn_kwargs));
      Advance();
      SAVOIR_ASSIGN_OR_RETURN(out->dyn_kwargs, ParseExpression(true));
    } else if (cur().type == TokenType::kName && IsOp(peek(), "=")) {
      SAVOIR_RETURN_IF_ERROR(ensure(!out->dyn_kwargs));
      std::string key = cur().text;
      Advance();
      Advance();
      SAVOIR_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(true));
      out->kwargs.emplace_back(std::move(key), std::move(value));
    } else {
      SAVOIR_RETURN_IF_ERROR(ensure(!out->dyn_args && !out->dyn_kwargs && out->kwargs.empty()));
      SAVOIR_ASSIGN_OR_RETURN(ExprPtr arg, ParseExpression(true));
      out->args.push_back(std::move(arg));
    }
    require_comma = true;
  }
  return ExpectOp(")");
}

StatusOr<ExprPtr> ExprParser::ParseCall(ExprPtr callee) {
  auto call = At(std::make_unique<CallExpr>(), cur());
  call->callee = std::move(callee);
  SAVOIR_RETURN_IF_ERROR(ParseCallArgs(&call->args));
  return ExprPtr(std::move(call));
}

StatusOr<std::string> ExprParser::ParseDottedName() {
  SAVOIR_ASSIGN_OR_RETURN(std::string name, ExpectName());
  while (IsOp(cur(), ".")) {
    Advance();
    SAVOIR_ASSIGN_OR_RETURN(std::string part, ExpectName());
    name += "." + part;
  }
  return name;
}

StatusOr<ExprPtr> ExprParser::ParseFilter(ExprPtr node, bool start_inline) {
  int links = 0;
  while (IsOp(cur(), "|") || start_inline) {
    SAVOIR_RETURN_IF_ERROR(CheckChain(&links));
    if (!start_inline) {
      Advance();
    }
    start_inline = false;
    auto filter = At(std::make_unique<FilterExpr>(), cur());
    SAVOIR_ASSIGN_OR_RETURN(filter->name, ParseDottedName());
    filter->fn = FindFilter(filter->name);
    if (IsOp(cur(), "(")) {
      SAVOIR_RETURN_IF_ERROR(ParseCallArgs(&filter->args));
    }
    filter->operand = std::move(node);
    node = std::move(filter);
  }
  return node;
}

StatusOr<ExprPtr> ExprParser::ParseTest(ExprPtr node) {
  const Token& is_token = cur();
  Advance();
  bool negated = false;
  if (IsName(cur(), "not")) {
    negated = true;
    Advance();
  }
  auto test = At(std::make_unique<TestExpr>(), is_token);
  SAVOIR_ASSIGN_OR_RETURN(test->name, ParseDottedName());
  test->fn = FindTest(test->name);
  const Token& t = cur();
  const bool arg_start = t.type == TokenType::kName || t.type == TokenType::kString ||
                         t.type == TokenType::kInteger || t.type == TokenType::kFloat ||
                         IsOp(t, "[") || IsOp(t, "{");
  if (IsOp(t, "(")) {
    SAVOIR_RETURN_IF_ERROR(ParseCallArgs(&test->args));
  } else if (arg_start && !IsName(t, "else") && !IsName(t, "or") && !IsName(t, "and")) {
    if (IsName(t, "is")) {
      return Fail("You cannot chain multiple tests with is");
    }
    SAVOIR_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
    SAVOIR_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
    test->args.args.push_back(std::move(arg));
  }
  test->operand = std::move(node);
  if (!negated) {
    return ExprPtr(std::move(test));
  }
  auto not_node = At(std::make_unique<UnaryExpr>(ExprKind::kNot), is_token);
  not_node->operand = std::move(test);
  return ExprPtr(std::move(not_node));
}

}  // namespace savoir::engine::jinja
