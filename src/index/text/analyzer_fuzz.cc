// libFuzzer target: arbitrary bytes through every analysis path of the Analyzer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "index/text/analyzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto analyzer = std::move(savoir::index::Analyzer::Create()).value();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using savoir::index::Language;
  for (Language l : {Language::kFrench, Language::kEnglish, Language::kOther}) {
    for (const std::string& term : analyzer->Analyze(text, l)) {
      if (term.empty()) __builtin_trap();
    }
  }
  (void)analyzer->DetectLanguage(text);
  (void)analyzer->AnalyzeQuery(text, {});
  (void)savoir::index::FoldText(text);
  return 0;
}
