#include "engine/template/golden_test_util.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace savoir::engine::testing {
namespace {

// Python exception types whose message the C++ renderer reproduces exactly.
const std::set<std::string>& ExactMessageTypes() {
  static const std::set<std::string> types = {
      "TemplateError",     "UndefinedError", "TypeError",     "ValueError",
      "ZeroDivisionError", "SecurityError",  "OverflowError", "TemplateRuntimeError",
      "KeyError",          "IndexError"};
  return types;
}

std::string Quote(const std::string& s) { return nlohmann::ordered_json(s).dump(); }

}  // namespace

std::filesystem::path SharedDir() {
  if (const char* env = std::getenv("SAVOIR_SHARED")) {
    return env;
  }
  return SAVOIR_SHARED_DIR;
}

std::filesystem::path TemplateSourceDir() {
  return std::filesystem::path(SAVOIR_SOURCE_DIR) / "src/engine/template";
}

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("{}: cannot open", path.string());
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

StatusOr<nlohmann::ordered_json> ReadJson(const std::filesystem::path& path) {
  SAVOIR_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(text, nullptr, false);
  if (json.is_discarded()) {
    return InvalidArgumentError("{}: invalid json", path.string());
  }
  return json;
}

ChatRenderOptions GoldenRenderOptions() {
  ChatRenderOptions options;
  std::tm tm{};
  tm.tm_year = 2024 - 1900;
  tm.tm_mon = 6;
  tm.tm_mday = 26;
  tm.tm_hour = 14;
  tm.tm_min = 5;
  tm.tm_sec = 9;
  options.now = tm;
  return options;
}

std::string CompareResult(const Status& parse_status, const StatusOr<std::string>& result,
                          const nlohmann::ordered_json& golden) {
  if (golden.contains("output")) {
    const std::string expected = golden["output"].get<std::string>();
    if (!parse_status.ok()) {
      return "parse failed: " + parse_status.ToString() + "; expected output " + Quote(expected);
    }
    if (!result.ok()) {
      return "render failed: " + result.status().ToString() + "; expected output " +
             Quote(expected);
    }
    if (*result != expected) {
      return "output differs:\n  got      " + Quote(*result) + "\n  expected " + Quote(expected);
    }
    return "";
  }
  const std::string error = golden["error"].get<std::string>();
  const std::string type = golden.value("error_type", "");
  if (golden.value("stage", "") == "parse") {
    return parse_status.ok() ? "parsed, but Jinja2 rejects the template: " + type + ": " + error
                             : "";
  }
  if (!parse_status.ok()) {
    return "parse failed (" + parse_status.ToString() + "), but Jinja2 parses and then raises " +
           type + ": " + error;
  }
  if (result.ok()) {
    return "rendered " + Quote(*result) + ", but Jinja2 raises " + type + ": " + error;
  }
  if (ExactMessageTypes().count(type) != 0 && result.status().message() != error) {
    return "error message differs:\n  got      " + Quote(result.status().message()) +
           "\n  expected " + Quote(error) + " (" + type + ")";
  }
  return "";
}

std::vector<std::string> CheckTemplateGolden(const std::filesystem::path& golden_file,
                                             const std::filesystem::path& templates_dir) {
  std::vector<std::string> failures;
  StatusOr<nlohmann::ordered_json> golden = ReadJson(golden_file);
  StatusOr<nlohmann::ordered_json> spec =
      ReadJson(TemplateSourceDir() / "testdata/conversations.json");
  if (!golden.ok() || !spec.ok()) {
    return {"cannot load: " + golden.status().ToString() + " " + spec.status().ToString()};
  }
  const std::string name = (*golden)["template"].get<std::string>();
  // Templates written for these tests live beside them; the others in ../shared.
  const bool local = golden->value("template_dir", "shared") == "testdata";
  StatusOr<std::string> source =
      ReadFile((local ? TemplateSourceDir() / "testdata/templates" : templates_dir) / name);
  if (!source.ok()) {
    return {source.status().ToString()};
  }
  StatusOr<ChatTemplate> tmpl = ChatTemplate::Parse(*source);
  const ChatRenderOptions options = GoldenRenderOptions();
  size_t checked = 0;
  for (const auto& conv : (*spec)["conversations"]) {
    for (bool gen : {false, true}) {
      const std::string case_name = conv["name"].get<std::string>() + (gen ? "+gen" : "");
      if (!(*golden)["cases"].contains(case_name)) {
        failures.push_back(name + " / " + case_name + ": no golden result (rerun gen_golden.py)");
        continue;
      }
      ChatRenderInput input;
      input.messages = conv["messages"];
      input.tools = conv.value("tools", nlohmann::ordered_json());
      input.add_generation_prompt = gen;
      input.bos_token = (*spec)["bos_token"].get<std::string>();
      input.eos_token = (*spec)["eos_token"].get<std::string>();
      input.extra_context = conv.value("extra", nlohmann::ordered_json::object());
      const StatusOr<std::string> result =
          tmpl.ok() ? tmpl->RenderChat(input, options) : StatusOr<std::string>(tmpl.status());
      const std::string diff = CompareResult(tmpl.status(), result, (*golden)["cases"][case_name]);
      if (!diff.empty()) {
        failures.push_back(name + " / " + case_name + ": " + diff);
      }
      ++checked;
    }
  }
  if (checked != (*golden)["cases"].size()) {
    failures.push_back(name + ": golden has " + std::to_string((*golden)["cases"].size()) +
                       " cases, conversations.json gives " + std::to_string(checked));
  }
  return failures;
}

std::vector<std::string> CheckLanguageGolden(const std::filesystem::path& golden_file,
                                             const std::filesystem::path& cases_file) {
  std::vector<std::string> failures;
  StatusOr<nlohmann::ordered_json> golden = ReadJson(golden_file);
  StatusOr<nlohmann::ordered_json> cases = ReadJson(
      cases_file.empty() ? TemplateSourceDir() / "testdata/language_cases.json" : cases_file);
  if (!golden.ok() || !cases.ok()) {
    return {"cannot load: " + golden.status().ToString() + " " + cases.status().ToString()};
  }
  const ChatRenderOptions options = GoldenRenderOptions();
  for (const auto& c : *cases) {
    const std::string name = c["name"].get<std::string>();
    if (!golden->contains(name)) {
      failures.push_back(name + ": no golden result (rerun gen_golden.py)");
      continue;
    }
    StatusOr<ChatTemplate> tmpl = ChatTemplate::Parse(c["template"].get<std::string>());
    const nlohmann::ordered_json context = c.value("context", nlohmann::ordered_json::object());
    const StatusOr<std::string> result =
        tmpl.ok() ? tmpl->Render(context, options) : StatusOr<std::string>(tmpl.status());
    const std::string diff = CompareResult(tmpl.status(), result, (*golden)[name]);
    if (!diff.empty()) {
      failures.push_back(name + " " + Quote(c["template"].get<std::string>()) + ": " + diff);
    }
  }
  return failures;
}

}  // namespace savoir::engine::testing
