// Tests of the Jinja2 language: the cases of testdata/language_cases.json against Python's
// results, and what Python cannot check: error positions, limits, the API and concurrency.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "engine/template/chat_template.h"
#include "engine/template/golden_test_util.h"

namespace savoir::engine {
namespace {

using testing::CheckLanguageGolden;
using testing::TemplateSourceDir;

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += line + "\n";
  }
  return out;
}

// Parses and renders `source` with `context`; returns the output or the error as "ERROR: ...".
std::string RenderText(const std::string& source, const nlohmann::ordered_json& context = {},
                       const ChatRenderOptions& options = {}) {
  StatusOr<ChatTemplate> t = ChatTemplate::Parse(source);
  if (!t.ok()) {
    return "PARSE ERROR: " + t.status().message();
  }
  StatusOr<std::string> out =
      t->Render(context.is_null() ? nlohmann::ordered_json::object() : context, options);
  return out.ok() ? *out : "ERROR: " + out.status().message();
}

TEST(TemplateLanguage, MatchesJinja2OnLanguageCases) {
  const std::vector<std::string> failures =
      CheckLanguageGolden(TemplateSourceDir() / "testdata/golden/language_cases.json");
  EXPECT_TRUE(failures.empty()) << failures.size() << " mismatches:\n" << Join(failures);
}

TEST(TemplateLanguage, BasicsWithoutPython) {
  EXPECT_EQ(RenderText("{{ 'a' ~ 1 }}|{{ 7 // 2 }}|{{ 1 / 2 }}|{{ [1, 'b'] }}"),
            "a1|3|0.5|[1, 'b']");
  EXPECT_EQ(
      RenderText("{% for m in msgs %}{{ loop.index }}{{ m }}{% if not loop.last %},{% endif %}"
                 "{% endfor %}",
                 {{"msgs", {"x", "y"}}}),
      "1x,2y");
  EXPECT_EQ(RenderText("  {%- if true %}\n  yes\n  {% endif %}\n"), "  yes\n");
  EXPECT_EQ(
      RenderText("{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}"
                 "{% endfor %}{{ ns.n }}"),
      "6");
  EXPECT_EQ(RenderText("{{ x|tojson }}", {{"x", {{"k", "é"}, {"f", 1.0}}}}),
            "{\"k\": \"é\", \"f\": 1.0}");
  EXPECT_EQ(RenderText("{{ missing }}|{{ missing is defined }}"), "|False");
}

TEST(TemplateLanguage, SyntaxErrorsNameLineAndColumn) {
  StatusOr<ChatTemplate> t = ChatTemplate::Parse("line one\n  {{ 1 + }}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("line 2, column 10"), std::string::npos)
      << t.status().message();

  t = ChatTemplate::Parse("{% if x %}\n{{ x|nosuchfilter }}{% endif %}{{ y|nosuchfilter }}");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("line 2, column 37: No filter named 'nosuchfilter'."),
            std::string::npos)
      << t.status().message();

  for (const char* bad : {"{% for x in y %}", "{{ 'abc }}", "{# open", "{% endif %}", "{{ (1 }}",
                          "{% include 'x' %}", "{% break %}", "{{ 1 $ 2 }}"}) {
    EXPECT_FALSE(ChatTemplate::Parse(bad).ok()) << bad;
  }
}

TEST(TemplateLanguage, RaiseExceptionGivesItsMessage) {
  StatusOr<ChatTemplate> t = ChatTemplate::Parse(
      "{% if messages|length > 1 %}{{ raise_exception('Roles must alternate') }}"
      "{% endif %}ok");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ChatRenderInput input;
  input.messages = nlohmann::ordered_json::parse(R"([{"role":"user","content":"a"},
                                                    {"role":"user","content":"b"}])");
  StatusOr<std::string> out = t->RenderChat(input);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "Roles must alternate");
}

TEST(TemplateLanguage, RenderChatPassesTheHuggingFaceVariables) {
  StatusOr<ChatTemplate> t = ChatTemplate::Parse(
      "{{ bos_token }}{{ tools is none }}{{ documents is none }}{{ add_generation_prompt }}"
      "{{ messages|length }}{{ eos_token }}{{ extra }}");
  ASSERT_TRUE(t.ok());
  ChatRenderInput input;
  input.messages = nlohmann::ordered_json::array({{{"role", "user"}, {"content", "hi"}}});
  input.add_generation_prompt = true;
  input.bos_token = "<s>";
  input.eos_token = "</s>";
  input.extra_context = {{"extra", "E"}, {"eos_token", "<eos>"}};
  StatusOr<std::string> out = t->RenderChat(input);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "<s>TrueTrueTrue1<eos>E");
  EXPECT_FALSE(t->Render(nlohmann::ordered_json::array()).ok());
}

TEST(TemplateLanguage, StrftimeNowUsesTheGivenClock) {
  ChatRenderOptions options = testing::GoldenRenderOptions();
  EXPECT_EQ(RenderText("{{ strftime_now('%d %b %Y %a') }}", {}, options), "26 Jul 2024 Fri");
  // Without a fixed clock it formats the current local time.
  EXPECT_EQ(RenderText("{{ strftime_now('%Y')|length }}"), "4");
}

TEST(TemplateLanguage, RunawayTemplatesHitLimits) {
  ChatRenderOptions options;
  options.max_steps = 100000;
  options.max_output_bytes = 1 << 20;
  StatusOr<ChatTemplate> loops = ChatTemplate::Parse(
      "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
  ASSERT_TRUE(loops.ok());
  EXPECT_EQ(loops->Render(nlohmann::ordered_json::object(), options).status().code(),
            StatusCode::kResourceExhausted);

  StatusOr<ChatTemplate> output =
      ChatTemplate::Parse("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}");
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(output->Render(nlohmann::ordered_json::object(), options).status().code(),
            StatusCode::kResourceExhausted);

  StatusOr<ChatTemplate> doubling = ChatTemplate::Parse(
      "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
      "{% endfor %}{{ ns.s|length }}");
  ASSERT_TRUE(doubling.ok());
  EXPECT_EQ(doubling->Render(nlohmann::ordered_json::object(), options).status().code(),
            StatusCode::kResourceExhausted);

  EXPECT_EQ(RenderText("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"),
            "ERROR: maximum recursion depth exceeded");
  EXPECT_EQ(RenderText("{% for x in t recursive %}{{ loop([x]) }}{% endfor %}", {{"t", {1}}}),
            "ERROR: maximum recursion depth exceeded");
  EXPECT_NE(
      RenderText("{% set ns = namespace(v=[]) %}{% for i in range(1000) %}{% set ns.v = [ns.v] %}"
                 "{% endfor %}{{ ns.v }}")
          .find("nested more than"),
      std::string::npos);
  EXPECT_EQ(RenderText("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}")
                .rfind("PARSE ERROR", 0),
            0u);
  std::string chain = "{{ 1";
  for (int i = 0; i < 5000; ++i) {
    chain += " or 1";
  }
  EXPECT_EQ(RenderText(chain + " }}").rfind("PARSE ERROR", 0), 0u);
  EXPECT_EQ(
      RenderText(std::string(3000, ' ') + std::string(300, '{') + "% if %}").rfind("PARSE", 0), 0u);
}

TEST(TemplateLanguage, ReferenceCyclesAreReleased) {
  // A namespace holding itself and a macro that captures it: runs (and, under ASan, leaks
  // nothing: the interpreter breaks these cycles when the render ends).
  EXPECT_EQ(RenderText("{% set ns = namespace() %}{% set ns.me = ns %}{% macro m() %}{{ ns.me.x }}"
                       "{% endmacro %}{% set ns.m = m %}{% set ns.x = 'ok' %}{{ ns.m() }}"),
            "ok");
}

TEST(TemplateLanguage, BytesThatAreNotUtf8PassThrough) {
  const std::string bad = "a\xff\xfe";
  EXPECT_EQ(RenderText("<" + bad + "{{ x }}{{ x|length }}>", {{"x", "ok"}}), "<" + bad + "ok2>");
}

TEST(TemplateLanguage, ConcurrentRendersOfOneTemplate) {
  StatusOr<ChatTemplate> t = ChatTemplate::Parse(
      "{% for m in messages %}{{ m.role|upper }}: {{ m.content|trim }}\n{% endfor %}"
      "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}"
      "{{ ns.n }}");
  ASSERT_TRUE(t.ok());
  ChatRenderInput input;
  for (int i = 0; i < 20; ++i) {
    input.messages.push_back({{"role", i % 2 == 0 ? "user" : "assistant"},
                              {"content", " message " + std::to_string(i) + " "}});
  }
  const std::string expected = *t->RenderChat(input);
  const ChatTemplate copy = *t;  // copies share the parsed program
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k]() {
      for (int i = 0; i < 100; ++i) {
        StatusOr<std::string> out = copy.RenderChat(input);
        mismatches[k] += (out.ok() && *out == expected) ? 0 : 1;
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(mismatches[k], 0);
  }
  EXPECT_NE(expected.find("USER: message 0\nASSISTANT: message 1\n"), std::string::npos);
}

}  // namespace
}  // namespace savoir::engine
