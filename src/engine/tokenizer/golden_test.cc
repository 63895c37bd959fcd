// Golden tests against llama.cpp: for every ggml-vocab-*.gguf in ../shared/tokenizer, the
// cases of its .inp file must tokenize (add_special = false, parse_special = false) to the
// ids of its .out file. Vocabularies dropped into the folder are picked up automatically.
// Also checks that lossless tokenizers round-trip each case, through Detokenize and through
// IncrementalDecoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/incremental_decoder.h"
#include "engine/tokenizer/test_vocabs.h"
#include "engine/tokenizer/tokenizer.h"

namespace savoir::engine {
namespace {

constexpr std::string_view kSeparator = "\n__ggml_vocab_test__\n";

std::vector<std::string> FindVocabFiles() {
  std::vector<std::string> files;
  const std::filesystem::path dir = std::filesystem::path(testing::SharedDir()) / "tokenizer";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ggml-vocab-", 0) == 0 && entry.path().extension() == ".gguf") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The cases of an .inp file: each case is followed by the separator.
std::vector<std::string> ReadCases(const std::string& path) {
  const std::string text = ReadFile(path);
  std::vector<std::string> cases;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find(kSeparator, start);
    if (end == std::string::npos) {
      cases.push_back(text.substr(start));
      break;
    }
    cases.push_back(text.substr(start, end - start));
    start = end + kSeparator.size();
  }
  return cases;
}

std::vector<std::vector<TokenId>> ReadExpected(const std::string& path) {
  std::vector<std::vector<TokenId>> expected;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<TokenId> ids;
    TokenId id = 0;
    while (fields >> id) ids.push_back(id);
    expected.push_back(std::move(ids));
  }
  return expected;
}

std::string Escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Join(const std::vector<TokenId>& ids) {
  std::string out;
  for (const TokenId id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto gguf = GgufFile::Open(GetParam());
    ASSERT_TRUE(gguf.ok()) << gguf.status().ToString();
    gguf_ = std::move(gguf).value();
    auto tokenizer = Tokenizer::FromGguf(*gguf_);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
    tokenizer_ = std::move(tokenizer).value();
    cases_ = ReadCases(GetParam() + ".inp");
    expected_ = ReadExpected(GetParam() + ".out");
  }
  bool Lossless() const { return tokenizer_->vocab().type() != VocabType::kWordPiece; }

  std::unique_ptr<GgufFile> gguf_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::vector<std::string> cases_;
  std::vector<std::vector<TokenId>> expected_;
};

TEST_P(GoldenTest, MatchesLlamaCpp) {
  ASSERT_FALSE(cases_.empty());
  ASSERT_EQ(cases_.size(), expected_.size()) << "case count of .inp and .out differ";
  int mismatches = 0;
  for (size_t i = 0; i < cases_.size(); ++i) {
    const std::vector<TokenId> got = tokenizer_->Tokenize(cases_[i]);
    if (got == expected_[i]) continue;
    ++mismatches;
    ADD_FAILURE() << "case " << i << " '" << Escape(cases_[i])
                  << "'\n  expected: " << Join(expected_[i]) << "\n  got:      " << Join(got);
  }
  EXPECT_EQ(mismatches, 0);
}

TEST_P(GoldenTest, RoundTrips) {
  if (!Lossless()) GTEST_SKIP() << "WordPiece loses case, accents and spaces";
  for (size_t i = 0; i < cases_.size(); ++i) {
    const std::vector<TokenId> ids = tokenizer_->Tokenize(cases_[i]);
    EXPECT_EQ(tokenizer_->Detokenize(ids, {.clean_up_spaces = false}), cases_[i])
        << "case " << i << " '" << Escape(cases_[i]) << "'";
  }
}

TEST_P(GoldenTest, IncrementalDecodingMatches) {
  if (!Lossless()) GTEST_SKIP() << "WordPiece loses case, accents and spaces";
  for (size_t i = 0; i < cases_.size(); ++i) {
    IncrementalDecoder decoder(tokenizer_.get(), {.strip_leading_space = true});
    std::string streamed;
    for (const TokenId id : tokenizer_->Tokenize(cases_[i])) streamed += decoder.Push(id);
    streamed += decoder.Finish();
    EXPECT_EQ(streamed, cases_[i]) << "case " << i << " '" << Escape(cases_[i]) << "'";
  }
}

TEST_P(GoldenTest, WholeFileTokenizesLikeItsCases) {
  // All cases joined by spaces: a longer input through the same code paths (no crash, and
  // with add_special the BOS/CLS comes first).
  std::string all;
  for (const std::string& c : cases_) all += c + " ";
  const std::vector<TokenId> ids = tokenizer_->Tokenize(all, {.add_special = true});
  ASSERT_FALSE(ids.empty());
  if (tokenizer_->vocab().add_bos() || tokenizer_->vocab().type() == VocabType::kWordPiece) {
    EXPECT_EQ(ids.front(), tokenizer_->bos());
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  name = name.substr(std::string("ggml-vocab-").size());
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, GoldenTest, ::testing::ValuesIn(FindVocabFiles()), TestName);

TEST(GoldenFilesTest, SharedFolderHasVocabularies) {
  EXPECT_FALSE(FindVocabFiles().empty())
      << "no ggml-vocab-*.gguf under " << testing::SharedDir() << "/tokenizer";
}

}  // namespace
}  // namespace savoir::engine
