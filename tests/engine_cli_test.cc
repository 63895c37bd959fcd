// The engine's commands as a user runs them: `savoir tokenize`, `generate`, `model info`,
// `model synth`, `model quantize`, `embed`, `bench`, and their one-line errors on bad input.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/subprocess.h"

namespace savoir::testing {
namespace {

using ::testing::HasSubstr;

std::string Stories() { return SharedDir() + "/models/stories260K.gguf"; }

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// The golden file's "greedy_ids:" line.
std::string GoldenGreedyIds() {
  std::ifstream in(SharedDir() + "/models/stories260K.golden.txt");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("greedy_ids: ", 0) == 0) return line.substr(12);
  }
  return "";
}

TEST(EngineCliTest, GenerateIdsMatchLlamaCppGreedyOutput) {
  auto r = RunCommand({SavoirBinary(), "generate", "-m", Stories(), "-p", "Once upon a time", "-n", "100",
                "--temp", "0", "--ids", "-t", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, GoldenGreedyIds() + "\n");
}

TEST(EngineCliTest, GenerateStreamsText) {
  auto r = RunCommand({SavoirBinary(), "generate", "-m", Stories(), "-p", "Once upon a time", "-n", "20",
                "--temp", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Once upon a time", 0), 0u) << r.out;
  EXPECT_GT(r.out.size(), std::string("Once upon a time").size() + 10);
}

TEST(EngineCliTest, TokenizeMatchesLlamaCppOnSharedVocabularies) {
  for (const auto& entry : std::filesystem::directory_iterator(SharedDir() + "/tokenizer")) {
    if (entry.path().extension() != ".gguf") continue;
    std::ifstream inp(entry.path().string() + ".inp");
    std::ifstream out(entry.path().string() + ".out");
    std::stringstream inps;
    inps << inp.rdbuf();
    std::string all = inps.str();
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::string first_case = all.substr(0, all.find(sep));
    std::string line;
    std::getline(out, line);
    // .out lines are ids separated by spaces (with a leading one); compare the ids.
    std::istringstream ids(line);
    std::string expected;
    for (std::string id; ids >> id;) expected += (expected.empty() ? "" : " ") + id;
    std::string file = MakeTempDir("tokenize") + "/case.txt";
    std::ofstream(file) << first_case;
    auto r = RunCommand({SavoirBinary(), "tokenize", "-m", entry.path().string(), "--file", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected + "\n") << entry.path();
  }
}

TEST(EngineCliTest, TokenizeSpecialAddsBos) {
  auto plain = RunCommand({SavoirBinary(), "tokenize", "-m", Stories(), "Once upon a time"});
  auto special = RunCommand({SavoirBinary(), "tokenize", "-m", Stories(), "--special", "Once upon a time"});
  ASSERT_EQ(plain.exit_code, 0);
  EXPECT_EQ(plain.out, "403 407 261 378\n");
  EXPECT_EQ(special.out, "1 403 407 261 378\n");
}

TEST(EngineCliTest, ModelInfoDescribesTheFile) {
  auto r = RunCommand({SavoirBinary(), "model", "info", Stories(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["architecture"], "llama");
  EXPECT_EQ(j["context_length"], 2048);
}

TEST(EngineCliTest, SynthQuantizeEmbedAndBench) {
  const std::string dir = MakeTempDir("engine_cli");
  const std::string bert = dir + "/tiny-bert.gguf";
  auto synth = RunCommand({SavoirBinary(), "model", "synth", "--like", "tiny-bert", "--type", "F32",
                    "--vocab", SharedDir() + "/tokenizer/ggml-vocab-bert-bge.gguf", "-o", bert});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  auto embed = RunCommand({SavoirBinary(), "embed", "-m", bert, "hello world", "bonjour"});
  ASSERT_EQ(embed.exit_code, 0) << embed.err;
  std::istringstream lines(embed.out);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    auto v = nlohmann::json::parse(line);
    double norm = 0;
    for (double x : v) norm += x * x;
    EXPECT_NEAR(norm, 1.0, 1e-4);
  }
  EXPECT_EQ(n, 2);

  const std::string q8 = dir + "/stories-q8_0.gguf";
  auto quant = RunCommand({SavoirBinary(), "model", "quantize", Stories(), q8, "Q8_0"});
  ASSERT_EQ(quant.exit_code, 0) << quant.err;
  auto info = RunCommand({SavoirBinary(), "model", "info", q8, "--json"});
  EXPECT_THAT(info.out, HasSubstr("Q8_0"));
  auto bench = RunCommand({SavoirBinary(), "bench", "-m", q8, "-p", "16", "-n", "8", "-r", "1", "--json"});
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  auto b = nlohmann::json::parse(bench.out);
  EXPECT_GT(b["pp_tps"].get<double>(), 0);
  EXPECT_GT(b["tg_tps"].get<double>(), 0);
}

TEST(EngineCliTest, BadInputGivesOneLineAndNonZeroExit) {
  const std::string dir = MakeTempDir("engine_bad");
  const std::string text_file = dir + "/notes.txt";
  std::ofstream(text_file) << "this is not a model";
  const std::string truncated = dir + "/truncated.gguf";
  {
    std::ifstream in(Stories(), std::ios::binary);
    std::vector<char> bytes(4096);
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(truncated, std::ios::binary).write(bytes.data(), in.gcount());
  }
  std::string long_prompt;
  for (int i = 0; i < 1200; ++i) long_prompt += "Once upon a time ";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"generate", "-m", dir + "/missing.gguf", "-p", "x"}, "not found"},
      {{"generate", "-m", dir, "-p", "x"}, "directory"},
      {{"generate", "-m", text_file, "-p", "x"}, "not a gguf file"},
      {{"model", "info", truncated}, "truncated"},
      {{"generate", "-m", SharedDir() + "/tokenizer/ggml-vocab-bert-bge.gguf", "-p", "x"}, ""},
      {{"generate", "-m", Stories(), "-p", long_prompt, "-n", "5"}, "context"},
      {{"embed", "-m", Stories(), "x"}, "not an encoder"},
  };
  for (const auto& [args, fragment] : cases) {
    std::vector<std::string> argv = {SavoirBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = RunCommand(argv);
    EXPECT_NE(r.exit_code, 0) << args[0] << " " << args[2];
    EXPECT_EQ(r.term_signal, 0);
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr(fragment)) << r.err;
  }
}

}  // namespace
}  // namespace savoir::testing
