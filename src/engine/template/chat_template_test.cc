// Golden tests: every chat template of ../shared/chat-templates over every conversation of
// testdata/conversations.json must render byte for byte what Python's Jinja2 renders (the
// committed goldens), and fail where Jinja2 raises. A second test regenerates the goldens
// live with /usr/bin/python3 when Jinja2 is installed, so new templates are checked too.
#include "engine/template/chat_template.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/template/golden_test_util.h"

namespace savoir::engine {
namespace {

namespace fs = std::filesystem;
using testing::CheckLanguageGolden;
using testing::CheckTemplateGolden;
using testing::SharedDir;
using testing::TemplateSourceDir;

fs::path TemplatesDir() { return SharedDir() / "chat-templates"; }
fs::path LocalTemplatesDir() { return TemplateSourceDir() / "testdata/templates"; }
fs::path GoldenDir() { return TemplateSourceDir() / "testdata/golden"; }

std::vector<fs::path> JinjaFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".jinja") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The real models' templates (../shared) and those written for these tests.
std::vector<fs::path> TemplateFiles() {
  std::vector<fs::path> files = JinjaFiles(TemplatesDir());
  for (const fs::path& local : JinjaFiles(LocalTemplatesDir())) {
    files.push_back(local);
  }
  return files;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += line + "\n";
  }
  return out;
}

TEST(ChatTemplateGolden, EveryTemplateHasAGoldenFile) {
  ASSERT_GE(JinjaFiles(TemplatesDir()).size(), 7u)
      << "chat templates expected in " << TemplatesDir();
  const std::vector<fs::path> templates = TemplateFiles();
  for (const fs::path& t : templates) {
    EXPECT_TRUE(fs::exists(GoldenDir() / (t.stem().string() + ".json")))
        << t.filename() << " has no golden file: run testdata/gen_golden.py";
  }
}

class ChatTemplateGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ChatTemplateGoldenTest, RendersLikeJinja2) {
  const fs::path golden = GoldenDir() / (GetParam() + ".json");
  const std::vector<std::string> failures = CheckTemplateGolden(golden, TemplatesDir());
  EXPECT_TRUE(failures.empty()) << failures.size() << " mismatches:\n" << Join(failures);
}

std::vector<std::string> GoldenStems() {
  std::vector<std::string> stems;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(GoldenDir(), ec)) {
    if (entry.path().extension() == ".json" && entry.path().stem() != "language_cases") {
      stems.push_back(entry.path().stem().string());
    }
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Templates, ChatTemplateGoldenTest, ::testing::ValuesIn(GoldenStems()),
                         TestName);

bool PythonJinjaAvailable() {
  return std::system("/usr/bin/python3 -c 'import jinja2' >/dev/null 2>&1") == 0;
}

// Re-runs the generator now, into a temporary folder, over whatever templates the shared folder
// holds, and checks the C++ renderer against that fresh output.
TEST(ChatTemplateGoldenLive, MatchesPythonJinja2Now) {
  if (!PythonJinjaAvailable()) {
    GTEST_SKIP() << "/usr/bin/python3 with jinja2 is not installed";
  }
  const fs::path out =
      fs::temp_directory_path() / ("savoir_template_golden_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const std::string command =
      "/usr/bin/python3 '" + (TemplateSourceDir() / "testdata/gen_golden.py").string() +
      "' --templates '" + TemplatesDir().string() + "' --out '" + out.string() + "' >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  size_t templates = 0;
  for (const fs::path& t : TemplateFiles()) {
    const std::vector<std::string> failures =
        CheckTemplateGolden(out / (t.stem().string() + ".json"), TemplatesDir());
    EXPECT_TRUE(failures.empty()) << t.filename() << ": " << failures.size() << " mismatches:\n"
                                  << Join(failures);
    ++templates;
  }
  EXPECT_EQ(templates, TemplateFiles().size());
  const std::vector<std::string> failures = CheckLanguageGolden(out / "language_cases.json");
  EXPECT_TRUE(failures.empty()) << failures.size() << " mismatches:\n" << Join(failures);
  fs::remove_all(out);
}

}  // namespace
}  // namespace savoir::engine
