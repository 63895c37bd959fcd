// Vocabulary of a language model's tokenizer, as stored under `tokenizer.ggml.*` in a GGUF
// file: token texts, scores, types, BPE merges, special token ids and the flags that steer
// tokenization.
//
// A Vocab is built from a VocabSpec (the raw key values; FromGguf reads them from a file),
// checked, and completed the way llama.cpp completes it: default special ids per model,
// pre-tokenizer options, control attributes of end-of-turn and fill-in-the-middle tokens
// recognised by their text, and the per-model strip attributes llama.cpp applies.
//
// Thread safety: a Vocab is immutable after creation; any number of threads may read it.
#ifndef SAVOIR_ENGINE_TOKENIZER_VOCAB_H_
#define SAVOIR_ENGINE_TOKENIZER_VOCAB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "engine/tokenizer/pretokenizer.h"

namespace savoir::engine {

class GgufFile;

using TokenId = int32_t;
inline constexpr TokenId kNoToken = -1;

// Which tokenization algorithm a vocabulary uses (`tokenizer.ggml.model`).
enum class VocabType {
  kSpm,        // "llama": SentencePiece BPE by scores, byte fallback
  kBpe,        // "gpt2": byte-level BPE by merge ranks with a regex pre-tokenizer
  kWordPiece,  // "bert": BERT basic tokenization + greedy longest match
};

// GGUF `tokenizer.ggml.token_type` values.
enum class TokenType : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

// Token attributes, a bit set (llama.cpp's llama_token_attr).
enum TokenAttr : uint32_t {
  kAttrUndefined = 0,
  kAttrUnknown = 1 << 0,
  kAttrUnused = 1 << 1,
  kAttrNormal = 1 << 2,
  kAttrControl = 1 << 3,
  kAttrUserDefined = 1 << 4,
  kAttrByte = 1 << 5,
  kAttrLstrip = 1 << 7,  // spaces before the token's text are dropped when it is parsed
  kAttrRstrip = 1 << 8,  // spaces after it are dropped
};

// The raw content of a vocabulary, key by key. Optional fields are absent keys.
struct VocabSpec {
  std::string model;                 // tokenizer.ggml.model: "llama", "gpt2" or "bert"
  std::optional<std::string> pre;    // tokenizer.ggml.pre
  std::vector<std::string> tokens;   // tokenizer.ggml.tokens
  std::vector<float> scores;         // tokenizer.ggml.scores (empty: all 0)
  std::vector<int32_t> token_types;  // tokenizer.ggml.token_type (empty: all normal)
  std::vector<std::string> merges;   // tokenizer.ggml.merges, "left right", rank = index
  std::optional<uint32_t> bos_id, eos_id, eot_id, eom_id, unk_id, sep_id, pad_id, cls_id, mask_id;
  std::optional<bool> add_bos, add_eos, add_sep, add_space_prefix, remove_extra_whitespaces;
  std::optional<bool> lowercase, strip_accents;  // tokenizer.ggml.normalizer.* (BERT)
  std::string model_name;    // general.name (some models get token attributes by name)
  std::string architecture;  // general.architecture
};

// Special token ids; kNoToken when the vocabulary has none.
struct SpecialTokens {
  TokenId bos = kNoToken;
  TokenId eos = kNoToken;
  TokenId eot = kNoToken;
  TokenId eom = kNoToken;
  TokenId unk = kNoToken;
  TokenId sep = kNoToken;
  TokenId pad = kNoToken;
  TokenId cls = kNoToken;
  TokenId mask = kNoToken;
  TokenId fim_pre = kNoToken;
  TokenId fim_suf = kNoToken;
  TokenId fim_mid = kNoToken;
  TokenId fim_pad = kNoToken;
  TokenId fim_rep = kNoToken;
  TokenId fim_sep = kNoToken;
};

class Vocab {
 public:
  // Checks and completes `spec`. Errors (InvalidArgument, or Unimplemented for a known but
  // unsupported model such as "t5" or "no_vocab") name the offending key.
  static StatusOr<Vocab> Create(VocabSpec spec);

  // Reads the tokenizer keys of `gguf` and calls Create. Errors name the key.
  static StatusOr<Vocab> FromGguf(const GgufFile& gguf);

  VocabType type() const { return type_; }
  const std::string& model() const { return model_; }
  // The pre-tokenizer name as given (empty when absent) and its configuration (BPE only).
  const std::string& pre() const { return pre_; }
  const tokenizer_internal::PreTokenizerConfig& pre_tokenizer() const { return pre_config_; }

  int32_t size() const { return static_cast<int32_t>(texts_.size()); }
  bool Contains(TokenId id) const { return id >= 0 && id < size(); }
  // Text, score and attributes of a token; `id` must satisfy Contains(id).
  const std::string& Text(TokenId id) const { return texts_[id]; }
  float Score(TokenId id) const { return scores_[id]; }
  uint32_t Attr(TokenId id) const { return attrs_[id]; }

  // The id of the token whose text is `text`, or kNoToken.
  TokenId Find(std::string_view text) const;
  // Rank of the BPE merge of `left` and `right` (lower merges first), or -1.
  int32_t MergeRank(std::string_view left, std::string_view right) const;
  // Length in bytes of the longest token text.
  int32_t max_token_length() const { return max_token_length_; }

  const SpecialTokens& special() const { return special_; }
  // Whether generating `id` ends the turn (EOS, EOT, EOM and their look-alikes).
  bool IsEog(TokenId id) const { return eog_.count(id) > 0; }
  // Control, user-defined and unknown tokens, longest text first: the texts that
  // special-token parsing looks for.
  const std::vector<TokenId>& special_token_order() const { return special_order_; }

  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  bool add_sep() const { return add_sep_; }
  bool add_space_prefix() const { return add_space_prefix_; }
  bool remove_extra_whitespaces() const { return remove_extra_whitespaces_; }
  bool clean_spaces() const { return clean_spaces_; }
  bool ignore_merges() const { return pre_config_.ignore_merges; }
  bool lowercase() const { return lowercase_; }
  bool strip_accents() const { return strip_accents_; }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using TextMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;
  // A merge is stored as "left right"; lookups hash the two halves without joining them.
  struct MergeKey {
    std::string_view left;
    std::string_view right;
  };
  struct MergeHash {
    using is_transparent = void;
    size_t operator()(std::string_view joined) const;
    size_t operator()(const MergeKey& key) const;
  };
  struct MergeEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
    bool operator()(const MergeKey& key, std::string_view joined) const;
    bool operator()(std::string_view joined, const MergeKey& key) const {
      return (*this)(key, joined);
    }
  };
  using MergeMap = std::unordered_map<std::string, int32_t, MergeHash, MergeEq>;

  Vocab() = default;
  Status SetModel(const VocabSpec& spec);
  Status SetTokens(VocabSpec& spec);
  Status SetMerges(const VocabSpec& spec);
  Status SetSpecialIds(const VocabSpec& spec);
  void DetectSpecialByText();
  void ApplyModelAttributes(const VocabSpec& spec);
  void BuildSpecialOrder();

  VocabType type_ = VocabType::kSpm;
  std::string model_;
  std::string pre_;
  tokenizer_internal::PreTokenizerConfig pre_config_;

  std::vector<std::string> texts_;
  std::vector<float> scores_;
  std::vector<uint32_t> attrs_;
  TextMap ids_;
  MergeMap merge_ranks_;
  int32_t max_token_length_ = 0;

  SpecialTokens special_;
  std::unordered_set<TokenId> eog_;
  std::vector<TokenId> special_order_;

  bool add_bos_ = false;
  bool add_eos_ = false;
  bool add_sep_ = false;
  bool add_space_prefix_ = false;
  bool remove_extra_whitespaces_ = false;
  bool clean_spaces_ = false;
  bool lowercase_ = true;
  bool strip_accents_ = true;
};

}  // namespace savoir::engine

#endif  // SAVOIR_ENGINE_TOKENIZER_VOCAB_H_
