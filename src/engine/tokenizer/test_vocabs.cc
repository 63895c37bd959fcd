#include "engine/tokenizer/test_vocabs.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "engine/tokenizer/unicode.h"

namespace savoir::engine::testing {

VocabSpec SmallSpmSpec() {
  VocabSpec spec;
  spec.model = "llama";
  const auto add = [&](std::string text, float score, TokenType type) {
    spec.tokens.push_back(std::move(text));
    spec.scores.push_back(score);
    spec.token_types.push_back(static_cast<int32_t>(type));
  };
  add("<unk>", 0, TokenType::kUnknown);
  add("<s>", 0, TokenType::kControl);
  add("</s>", 0, TokenType::kControl);
  for (int b = 0; b < 256; ++b) add(fmt::format("<0x{:02X}>", b), 0, TokenType::kByte);
  add("\u2581", -1.0f, TokenType::kNormal);
  add("a", -2.0f, TokenType::kNormal);
  add("b", -2.0f, TokenType::kNormal);
  add("c", -2.0f, TokenType::kNormal);
  add("\u2581a", -1.5f, TokenType::kNormal);
  add("ab", -0.5f, TokenType::kNormal);
  add("bc", -0.1f, TokenType::kNormal);
  add("\u2581ab", -0.2f, TokenType::kNormal);
  add("abc", -0.3f, TokenType::kNormal);
  add("aa", -1.0f, TokenType::kNormal);
  add("<|user|>", 0, TokenType::kUserDefined);
  add("<|end|>", 0, TokenType::kControl);
  return spec;
}

VocabSpec SmallBpeSpec(const std::string& pre) {
  VocabSpec spec;
  spec.model = "gpt2";
  spec.pre = pre;
  for (int b = 0; b < 256; ++b) {
    spec.tokens.push_back(tokenizer_internal::ByteToUnicode(static_cast<uint8_t>(b)));
  }
  for (const char* text : {"he", "ll", "hell", "hello", "\u0120w", "or", "\u0120wor", "\u0120worl",
                           "\u0120world", "el", "\u0120abc"}) {
    spec.tokens.emplace_back(text);
  }
  spec.tokens.emplace_back("<|endoftext|>");
  spec.tokens.emplace_back("<|user|>");
  spec.token_types.assign(spec.tokens.size(), static_cast<int32_t>(TokenType::kNormal));
  spec.token_types[267] = static_cast<int32_t>(TokenType::kControl);
  spec.token_types[268] = static_cast<int32_t>(TokenType::kUserDefined);
  spec.merges = {"h e", "l l",        "he ll",       "hell o",       "\u0120 w",
                 "o r", "\u0120w or", "\u0120wor l", "\u0120worl d", "e l"};
  spec.bos_id = 267;
  spec.eos_id = 267;
  return spec;
}

VocabSpec SmallWordPieceSpec() {
  VocabSpec spec;
  spec.model = "bert";
  spec.tokens = {"[PAD]",       "[UNK]",        "[CLS]",   "[SEP]", "[MASK]",  "\u2581hello",
                 "\u2581world", "\u2581un",     "aff",     "able",  "\u2581,", "\u2581!",
                 "\u2581cafe",  "\u2581\u4E2D", "\u2581a", "b"};
  spec.token_types.assign(spec.tokens.size(), static_cast<int32_t>(TokenType::kNormal));
  for (int i = 0; i < 5; ++i) spec.token_types[i] = static_cast<int32_t>(TokenType::kControl);
  spec.unk_id = 1;
  spec.cls_id = 2;
  spec.sep_id = 3;
  spec.pad_id = 0;
  spec.mask_id = 4;
  return spec;
}

std::unique_ptr<Tokenizer> MakeTokenizer(VocabSpec spec) {
  auto vocab = Vocab::Create(std::move(spec));
  EXPECT_TRUE(vocab.ok()) << vocab.status().ToString();
  if (!vocab.ok()) return nullptr;
  auto tokenizer = Tokenizer::FromVocab(std::move(vocab).value());
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  if (!tokenizer.ok()) return nullptr;
  return std::move(tokenizer).value();
}

std::string SharedDir() {
  const char* env = std::getenv("SAVOIR_SHARED");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(SAVOIR_SHARED_DIR);
}

}  // namespace savoir::engine::testing
