// Test helpers: loading the golden files written by testdata/gen_golden.py and comparing
// ChatTemplate's results with them.
#ifndef SAVOIR_ENGINE_TEMPLATE_GOLDEN_TEST_UTIL_H_
#define SAVOIR_ENGINE_TEMPLATE_GOLDEN_TEST_UTIL_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/template/chat_template.h"

namespace savoir::engine::testing {

// ../shared (SAVOIR_SHARED or the compiled-in default) and this component's source folder.
std::filesystem::path SharedDir();
std::filesystem::path TemplateSourceDir();

StatusOr<std::string> ReadFile(const std::filesystem::path& path);
StatusOr<nlohmann::ordered_json> ReadJson(const std::filesystem::path& path);

// The fixed clock of gen_golden.py (2024-07-26 14:05:09).
ChatRenderOptions GoldenRenderOptions();

// Compares one result with its golden entry ({"output": ...} or {"error": ..., "error_type":
// ..., "stage": ...}); returns an empty string on a match, else what differs.
// `parse_status` is the status of parsing the template (results are then ignored on error).
std::string CompareResult(const Status& parse_status, const StatusOr<std::string>& result,
                          const nlohmann::ordered_json& golden);

// Renders every case of one template golden file (<stem>.json) and returns the mismatches. The
// template is read from `templates_dir`, or from testdata/templates when the golden says so.
std::vector<std::string> CheckTemplateGolden(const std::filesystem::path& golden_file,
                                             const std::filesystem::path& templates_dir);

// Renders every case of `cases_file` (default testdata/language_cases.json) against
// `golden_file` and returns the mismatches.
std::vector<std::string> CheckLanguageGolden(const std::filesystem::path& golden_file,
                                             const std::filesystem::path& cases_file = {});

}  // namespace savoir::engine::testing

#endif  // SAVOIR_ENGINE_TEMPLATE_GOLDEN_TEST_UTIL_H_
