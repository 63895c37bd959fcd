// Unit tests of the Python text and formatting rules (py_text.h, py_format.h).
#include "engine/template/py_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/template/py_format.h"

namespace savoir::engine::jinja {
namespace {

TEST(PyText, FloatReprIsPythons) {
  EXPECT_EQ(PyFloatRepr(1.0), "1.0");
  EXPECT_EQ(PyFloatRepr(0.1), "0.1");
  EXPECT_EQ(PyFloatRepr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(PyFloatRepr(-0.0), "-0.0");
  EXPECT_EQ(PyFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PyFloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(PyFloatRepr(123456789.125), "123456789.125");
  EXPECT_EQ(PyFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PyFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(PyFloatRepr(1.5e-7), "1.5e-07");
  EXPECT_EQ(PyFloatRepr(5e-324), "5e-324");
  EXPECT_EQ(PyFloatRepr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(PyFloatRepr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(PyFloatRepr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(PyFloatRepr(std::nan("")), "nan");
}

TEST(PyText, StrReprChoosesQuotesAndEscapes) {
  EXPECT_EQ(PyStrRepr("abc"), "'abc'");
  EXPECT_EQ(PyStrRepr("it's"), "\"it's\"");
  EXPECT_EQ(PyStrRepr("'\""), "'\\'\"'");
  EXPECT_EQ(PyStrRepr("a\nb\t\\"), "'a\\nb\\t\\\\'");
  EXPECT_EQ(PyStrRepr("é🎉"), "'é🎉'");
  EXPECT_EQ(PyStrRepr(std::string("\x01\x7f", 2) + "\u00a0\u200b"), "'\\x01\\x7f\\xa0\\u200b'");
}

TEST(PyText, CaseMapping) {
  EXPECT_EQ(PyUpper("héllo straße ÿ"), "HÉLLO STRASSE Ÿ");
  EXPECT_EQ(PyLower("ÀÉÎ İ ΟΔΟΣ"), "àéî i̇ οδος");
  EXPECT_EQ(PyTitle("hello wORLD they're"), "Hello World They'Re");
  EXPECT_EQ(PyCapitalize("éCOLE"), "École");
  EXPECT_TRUE(PyIsUpper("ABC1"));
  EXPECT_FALSE(PyIsUpper("123"));
  EXPECT_TRUE(PyIsLower("é"));
}

TEST(PyText, SplitStripReplace) {
  using V = std::vector<std::string>;
  EXPECT_EQ(PySplit("  a b\t c  ", std::nullopt, -1, false), (V{"a", "b", "c"}));
  EXPECT_EQ(PySplit(" a b c ", std::nullopt, 1, false), (V{"a", "b c "}));
  EXPECT_EQ(PySplit(" a b c ", std::nullopt, 1, true), (V{" a b", "c"}));
  EXPECT_EQ(PySplit("a,,b", std::string(","), -1, false), (V{"a", "", "b"}));
  EXPECT_EQ(PySplit("a,b,c", std::string(","), 1, true), (V{"a,b", "c"}));
  EXPECT_EQ(PySplitLines("a\r\nb\rc\n\nd\x0b", false), (V{"a", "b", "c", "", "d"}));
  EXPECT_EQ(PyStrip("\u3000 x \n", std::nullopt, true, true), "x");
  EXPECT_EQ(PyStrip("xxaxx", std::string("x"), false, true), "xxa");
  EXPECT_EQ(PyReplace("abc", "", "-", -1), "-a-b-c-");
  EXPECT_EQ(PyReplace("aaa", "a", "b", 2), "bba");
  EXPECT_EQ(CodePointCount("é🎉a"), 3u);
  EXPECT_EQ(PyFind("éab", "b", false), 2);
}

TEST(PyFormat, JsonDumpsLikePython) {
  const Value v = *ValueFromJson(nlohmann::ordered_json::parse(
      R"({"s": "é\"\\\n\u0001", "f": 1.0, "e": 1e-7, "l": [true, null, []], "o": {}})"));
  JsonDumpOptions options;
  EXPECT_EQ(*PyJsonDumps(v, options),
            R"({"s": "é\"\\\n\u0001", "f": 1.0, "e": 1e-07, "l": [true, null, []], "o": {}})");
  options.ensure_ascii = true;
  EXPECT_EQ(*PyJsonDumps(Value::Str("é🎉"), options), R"("\u00e9\ud83c\udf89")");
  options = JsonDumpOptions();
  options.indent = "  ";
  options.item_separator = ",";
  EXPECT_EQ(
      *PyJsonDumps(*ValueFromJson(nlohmann::ordered_json::parse(R"({"a": [1, {}]})")), options),
      "{\n  \"a\": [\n    1,\n    {}\n  ]\n}");
  options = JsonDumpOptions();
  options.sort_keys = true;
  EXPECT_EQ(
      *PyJsonDumps(*ValueFromJson(nlohmann::ordered_json::parse(R"({"b": 1, "a": 2})")), options),
      R"({"a": 2, "b": 1})");
  EXPECT_EQ(PyJsonDumps(Value::Undefined("x"), JsonDumpOptions()).status().message(),
            "Object of type Undefined is not JSON serializable");
}

TEST(PyFormat, PercentAndFormatSpecs) {
  EXPECT_EQ(*PyPercentFormat("%s=%d %5.1f|%-3s|%03d %%",
                             Value::Tuple({Value::Str("a"), Value::Float(2.9),
                                           Value::Float(3.14159), Value::Str("b"), Value::Int(7)})),
            "a=2   3.1|b  |007 %");
  EXPECT_EQ(PyPercentFormat("%s %s", Value::Tuple({Value::Int(1)})).status().message(),
            "not enough arguments for format string");
  EXPECT_EQ(*PyFormatSpec(Value::Int(1234567), ","), "1,234,567");
  EXPECT_EQ(*PyFormatSpec(Value::Float(3.14159), ".2f"), "3.14");
  EXPECT_EQ(*PyFormatSpec(Value::Str("ab"), "*^6"), "**ab**");
  EXPECT_EQ(*PyFormatSpec(Value::Int(255), "#x"), "0xff");
  EXPECT_EQ(*PyParseInt(" -1_000 ", 10), -1000);
  EXPECT_EQ(*PyParseInt("0x1f", 0), 31);
  EXPECT_FALSE(PyParseInt("1.5", 10).ok());
  EXPECT_EQ(*PyParseFloat(" 1_0.5e1 "), 105.0);
  EXPECT_TRUE(std::isinf(*PyParseFloat("-Infinity")));
  EXPECT_FALSE(PyParseFloat("1e").ok());
}

}  // namespace
}  // namespace savoir::engine::jinja
