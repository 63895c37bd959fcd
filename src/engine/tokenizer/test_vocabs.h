// Small hand-built vocabularies for the tokenizer tests (test-only code).
#ifndef SAVOIR_ENGINE_TOKENIZER_TEST_VOCABS_H_
#define SAVOIR_ENGINE_TOKENIZER_TEST_VOCABS_H_

#include <memory>
#include <string>

#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/vocab.h"

namespace savoir::engine::testing {

// SentencePiece: 0 <unk>, 1 <s>, 2 </s>, 3..258 <0x00>..<0xFF>, then
// 259 "▁" 260 "a" 261 "b" 262 "c" 263 "▁a" 264 "ab" 265 "bc" 266 "▁ab" 267 "abc" 268 "aa"
// 269 "<|user|>" (user-defined) 270 "<|end|>" (control).
VocabSpec SmallSpmSpec();
inline constexpr TokenId kSpmByte0 = 3;

// Byte-level BPE: ids 0..255 are the 256 byte characters in byte order, then 256 "he",
// 257 "ll", 258 "hell", 259 "hello", 260 "Ġw", 261 "or", 262 "Ġwor", 263 "Ġworl", 264 "Ġworld",
// 265 "el", 266 "Ġabc", 267 "<|endoftext|>" (control), 268 "<|user|>" (user-defined).
// Merges in rank order: "h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l",
// "Ġworl d", "e l".
VocabSpec SmallBpeSpec(const std::string& pre = "gpt-2");

// WordPiece: 0 [PAD] 1 [UNK] 2 [CLS] 3 [SEP] 4 [MASK] 5 ▁hello 6 ▁world 7 ▁un 8 aff 9 able
// 10 ▁, 11 ▁! 12 ▁cafe 13 ▁中 14 ▁a 15 b.
VocabSpec SmallWordPieceSpec();

// Builds a tokenizer, failing the calling test on error.
std::unique_ptr<Tokenizer> MakeTokenizer(VocabSpec spec);

// Path of the shared test data folder (SAVOIR_SHARED or the compiled-in default).
std::string SharedDir();

}  // namespace savoir::engine::testing

#endif  // SAVOIR_ENGINE_TOKENIZER_TEST_VOCABS_H_
