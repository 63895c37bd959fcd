#include "engine/tokenizer/vocab.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "base/logging.h"

namespace savoir::engine {
namespace {

constexpr std::string_view kModelKey = "tokenizer.ggml.model";
constexpr std::string_view kPreKey = "tokenizer.ggml.pre";
constexpr std::string_view kTokensKey = "tokenizer.ggml.tokens";

uint32_t AttrOfType(int32_t type) {
  switch (static_cast<TokenType>(type)) {
    case TokenType::kNormal:
      return kAttrNormal;
    case TokenType::kUnknown:
      return kAttrUnknown;
    case TokenType::kControl:
      return kAttrControl;
    case TokenType::kUserDefined:
      return kAttrUserDefined;
    case TokenType::kUnused:
      return kAttrUnused;
    case TokenType::kByte:
      return kAttrByte;
    default:
      return kAttrUndefined;
  }
}

uint64_t Fnv1a(uint64_t hash, std::string_view bytes) {
  for (const char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}
constexpr uint64_t kFnvOffset = 0xCBF29CE484222325ULL;

bool ContainsAny(std::string_view text, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return text.find(p) != std::string_view::npos; });
}

// Token texts by which llama.cpp recognises special tokens a converter did not mark, for the
// id it fills in; the token is then treated as a control token.
struct TextRule {
  TokenId SpecialTokens::*field;
  std::vector<std::string_view> texts;
};

const std::vector<TextRule>& TextRules() {
  static const std::vector<TextRule> rules = {
      {&SpecialTokens::eot,
       {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<\uFF5Cend\u2581of\u2581sentence\uFF5C>",
        "<end_of_utterance>"}},
      {&SpecialTokens::eom, {"<|eom_id|>"}},
      {&SpecialTokens::fim_pre,
       {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\uFF5Cfim\u2581begin\uFF5C>", "<PRE>",
        "\u2581<PRE>", "<|code_prefix|>", "<|prefix|>"}},
      {&SpecialTokens::fim_suf,
       {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\uFF5Cfim\u2581hole\uFF5C>", "<SUF>",
        "\u2581<SUF>", "<|code_suffix|>", "<|suffix|>"}},
      {&SpecialTokens::fim_mid,
       {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\uFF5Cfim\u2581end\uFF5C>", "<MID>",
        "\u2581<MID>", "<|code_middle|>", "<|middle|>"}},
      {&SpecialTokens::fim_pad, {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}},
      {&SpecialTokens::fim_rep,
       {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}},
      {&SpecialTokens::fim_sep, {"<|file_sep|>"}},
  };
  return rules;
}

// Texts of tokens that end generation.
constexpr auto kEogTexts = std::to_array<std::string_view>({
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<\uFF5Cend\u2581of\u2581sentence\uFF5C>",
    "[e~[",
});

}  // namespace

size_t Vocab::MergeHash::operator()(std::string_view joined) const {
  return static_cast<size_t>(Fnv1a(kFnvOffset, joined));
}

size_t Vocab::MergeHash::operator()(const MergeKey& key) const {
  return static_cast<size_t>(Fnv1a(Fnv1a(Fnv1a(kFnvOffset, key.left), " "), key.right));
}

bool Vocab::MergeEq::operator()(const MergeKey& key, std::string_view joined) const {
  return joined.size() == key.left.size() + 1 + key.right.size() &&
         joined.substr(0, key.left.size()) == key.left && joined[key.left.size()] == ' ' &&
         joined.substr(key.left.size() + 1) == key.right;
}

TokenId Vocab::Find(std::string_view text) const {
  const auto it = ids_.find(text);
  return it == ids_.end() ? kNoToken : it->second;
}

int32_t Vocab::MergeRank(std::string_view left, std::string_view right) const {
  const auto it = merge_ranks_.find(MergeKey{left, right});
  return it == merge_ranks_.end() ? -1 : it->second;
}

StatusOr<Vocab> Vocab::Create(VocabSpec spec) {
  Vocab vocab;
  SAVOIR_RETURN_IF_ERROR(vocab.SetModel(spec));
  SAVOIR_RETURN_IF_ERROR(vocab.SetTokens(spec));
  SAVOIR_RETURN_IF_ERROR(vocab.SetMerges(spec));
  SAVOIR_RETURN_IF_ERROR(vocab.SetSpecialIds(spec));
  vocab.DetectSpecialByText();
  vocab.BuildSpecialOrder();
  vocab.ApplyModelAttributes(spec);
  return vocab;
}

Status Vocab::SetModel(const VocabSpec& spec) {
  model_ = spec.model;
  pre_ = spec.pre.value_or("");
  if (model_.empty()) return InvalidArgumentError("{}: missing", kModelKey);
  if (model_ == "no_vocab" || model_ == "none") {
    return FailedPreconditionError("{} is '{}': the model has no vocabulary", kModelKey, model_);
  }
  if (model_ == "llama") {
    type_ = VocabType::kSpm;
    special_.bos = 1;
    special_.eos = 2;
    special_.unk = 0;
    add_space_prefix_ = true;
    add_bos_ = true;
  } else if (model_ == "bert") {
    type_ = VocabType::kWordPiece;
    special_.bos = 101;
    special_.unk = 100;
    special_.sep = 102;
    special_.pad = 0;
    special_.mask = 103;
    clean_spaces_ = true;
    add_bos_ = true;
    add_sep_ = true;
  } else if (model_ == "gpt2") {
    type_ = VocabType::kBpe;
    if (!spec.pre.has_value() || spec.pre->empty()) {
      LogWarn("vocabulary has no pre-tokenizer type; using 'default', quality will suffer",
              {{"key", kPreKey}});
    }
    auto config = tokenizer_internal::LookupPreTokenizer(pre_);
    if (!config.ok()) return config.status().WithContext(kPreKey);
    pre_config_ = std::move(config).value();
    special_.bos = 11;
    special_.eos = 11;
    if (pre_config_.clear_bos) special_.bos = kNoToken;
    clean_spaces_ = pre_config_.clean_spaces;
    add_bos_ = pre_config_.add_bos;
    add_sep_ = pre_config_.add_sep;
  } else if (model_ == "t5" || model_ == "rwkv" || model_ == "plamo2" || model_ == "gemma4") {
    return UnimplementedError("{}: tokenizer '{}' is not supported", kModelKey, model_);
  } else {
    return InvalidArgumentError("{}: unknown tokenizer '{}'", kModelKey, model_);
  }
  if (spec.add_space_prefix) add_space_prefix_ = *spec.add_space_prefix;
  if (spec.remove_extra_whitespaces) remove_extra_whitespaces_ = *spec.remove_extra_whitespaces;
  return OkStatus();
}

Status Vocab::SetTokens(VocabSpec& spec) {
  const size_t n = spec.tokens.size();
  if (n == 0) return InvalidArgumentError("{}: missing or empty", kTokensKey);
  if (n > static_cast<size_t>(INT32_MAX)) return InvalidArgumentError("{}: too many", kTokensKey);
  if (!spec.scores.empty() && spec.scores.size() < n) {
    return InvalidArgumentError("tokenizer.ggml.scores: {} values for {} tokens",
                                spec.scores.size(), n);
  }
  if (!spec.token_types.empty() && spec.token_types.size() < n) {
    return InvalidArgumentError("tokenizer.ggml.token_type: {} values for {} tokens",
                                spec.token_types.size(), n);
  }
  texts_.resize(n);
  scores_.assign(n, 0.0f);
  attrs_.assign(n, kAttrNormal);
  ids_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string text = std::move(spec.tokens[i]);
    if (text.empty()) text = fmt::format("[EMPTY_{}]", i);
    const auto [it, inserted] = ids_.emplace(text, static_cast<int32_t>(i));
    if (!inserted) {
      return InvalidArgumentError("{}: duplicate token '{}' at ids {} and {}", kTokensKey, text,
                                  it->second, i);
    }
    max_token_length_ = std::max(max_token_length_, static_cast<int32_t>(text.size()));
    texts_[i] = std::move(text);
    if (!spec.scores.empty()) scores_[i] = spec.scores[i];
    if (!spec.token_types.empty()) attrs_[i] = AttrOfType(spec.token_types[i]);
  }
  return OkStatus();
}

Status Vocab::SetMerges(const VocabSpec& spec) {
  if (type_ != VocabType::kBpe) return OkStatus();
  if (spec.merges.empty()) {
    return InvalidArgumentError("tokenizer.ggml.merges: missing (required by the gpt2 tokenizer)");
  }
  merge_ranks_.reserve(spec.merges.size());
  for (size_t i = 0; i < spec.merges.size(); ++i) {
    const std::string& line = spec.merges[i];
    // As llama.cpp: the first space after the first character separates the two halves.
    if (line.size() < 2 || line.find(' ', 1) == std::string::npos) continue;
    merge_ranks_.emplace(line, static_cast<int32_t>(i));
  }
  return OkStatus();
}

Status Vocab::SetSpecialIds(const VocabSpec& spec) {
  const struct {
    std::string_view key;
    const std::optional<uint32_t>& value;
    TokenId& id;
  } fields[] = {
      {"tokenizer.ggml.bos_token_id", spec.bos_id, special_.bos},
      {"tokenizer.ggml.eos_token_id", spec.eos_id, special_.eos},
      {"tokenizer.ggml.eot_token_id", spec.eot_id, special_.eot},
      {"tokenizer.ggml.eom_token_id", spec.eom_id, special_.eom},
      {"tokenizer.ggml.unknown_token_id", spec.unk_id, special_.unk},
      {"tokenizer.ggml.seperator_token_id", spec.sep_id, special_.sep},
      {"tokenizer.ggml.padding_token_id", spec.pad_id, special_.pad},
      {"tokenizer.ggml.cls_token_id", spec.cls_id, special_.cls},
      {"tokenizer.ggml.mask_token_id", spec.mask_id, special_.mask},
  };
  for (const auto& field : fields) {
    if (field.id != kNoToken && !Contains(field.id)) field.id = kNoToken;
    // Converters write 0xFFFFFFFF (-1) for "no such token": keep the default without noise.
    if (!field.value.has_value() || *field.value == UINT32_MAX) continue;
    if (*field.value >= static_cast<uint32_t>(size())) {
      LogWarn("special token id out of range; keeping the default",
              {{"key", field.key}, {"id", static_cast<int64_t>(*field.value)}});
      continue;
    }
    field.id = static_cast<TokenId>(*field.value);
  }
  // BERT conversions name the classifier token; it is what WordPiece puts first.
  if (type_ == VocabType::kWordPiece && spec.cls_id.has_value() && !spec.bos_id.has_value() &&
      special_.cls != kNoToken) {
    special_.bos = special_.cls;
  }
  if (spec.add_bos) add_bos_ = *spec.add_bos;
  if (spec.add_eos) add_eos_ = *spec.add_eos;
  if (spec.add_sep) add_sep_ = *spec.add_sep;
  if (add_bos_ && special_.bos == kNoToken) {
    return InvalidArgumentError(
        "tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
  }
  if (add_eos_ && special_.eos == kNoToken) {
    return InvalidArgumentError(
        "tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");
  }
  if (add_sep_ && special_.sep == kNoToken) {
    return InvalidArgumentError(
        "tokenizer.ggml.add_sep_token is true, but tokenizer.ggml.seperator_token_id is not set");
  }
  lowercase_ = spec.lowercase.value_or(true);
  strip_accents_ = spec.strip_accents.value_or(lowercase_);
  return OkStatus();
}

void Vocab::DetectSpecialByText() {
  for (const TextRule& rule : TextRules()) {
    TokenId& id = special_.*rule.field;
    if (id != kNoToken) continue;
    for (TokenId t = 0; t < size() && id == kNoToken; ++t) {
      if (std::find(rule.texts.begin(), rule.texts.end(), texts_[t]) != rule.texts.end()) {
        id = t;
        attrs_[t] |= kAttrControl;
      }
    }
  }
  for (TokenId t = 0; t < size(); ++t) {
    if ((attrs_[t] & kAttrControl) && texts_[t].find("unused") != std::string::npos) {
      attrs_[t] |= kAttrUnused;
    }
  }
  for (const TokenId id : {special_.fim_pad, special_.fim_rep, special_.fim_sep}) {
    if (id != kNoToken) eog_.insert(id);
  }
  for (TokenId t = 0; t < size(); ++t) {
    const std::string& text = texts_[t];
    if (std::find(kEogTexts.begin(), kEogTexts.end(), text) != kEogTexts.end()) {
      eog_.insert(t);
      attrs_[t] |= kAttrControl;
    } else if (text == "<|channel|>" || text == "<|message|>" || text == "<|start|>" ||
               text == "<|constrain|>") {
      attrs_[t] = kAttrUserDefined;  // gpt-oss renders these
    }
  }
  for (const TokenId id : {special_.eos, special_.eot, special_.eom}) {
    if (id != kNoToken) eog_.insert(id);
  }
  // o200k_harmony and solar-open: "<|end|>" separates messages and does not end generation;
  // gemma4: "</s>" is ordinary text.
  const auto eog_with = [&](std::string_view text) {
    const TokenId id = Find(text);
    return id != kNoToken && eog_.count(id) > 0 ? id : kNoToken;
  };
  const TokenId end = eog_with("<|end|>");
  const bool has_call = eog_with("<|call|>") != kNoToken || eog_with("<|calls|>") != kNoToken;
  if (end != kNoToken && has_call &&
      (eog_with("<|return|>") != kNoToken || eog_with("<|flush|>") != kNoToken)) {
    eog_.erase(end);
    attrs_[end] = kAttrUserDefined;
  }
  const TokenId eos_s = eog_with("</s>");
  if (eos_s != kNoToken && eog_with("<|tool_response>") != kNoToken) {
    eog_.erase(eos_s);
    attrs_[eos_s] = kAttrNormal;
  }
}

void Vocab::BuildSpecialOrder() {
  for (TokenId t = 0; t < size(); ++t) {
    if (attrs_[t] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) special_order_.push_back(t);
  }
  std::stable_sort(special_order_.begin(), special_order_.end(),
                   [&](TokenId a, TokenId b) { return texts_[a].size() > texts_[b].size(); });
}

void Vocab::ApplyModelAttributes(const VocabSpec& spec) {
  std::string name = spec.model_name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto set_attr = [&](std::string_view text, uint32_t attr, bool on) {
    const TokenId id = Find(text);
    if (id == kNoToken) return;
    attrs_[id] = on ? (attrs_[id] | attr) : (attrs_[id] & ~attr);
  };
  if (ContainsAny(pre_, {"jina-v2-de", "jina-v2-es", "jina-v2-code"}) ||
      ContainsAny(spec.architecture, {"nomic-bert-moe", "jina-bert-v3"})) {
    set_attr("<mask>", kAttrLstrip, true);
  } else if (ContainsAny(name, {"phi-3", "phi3"})) {
    for (const TokenId id : special_order_) attrs_[id] |= kAttrRstrip;
    set_attr("</s>", kAttrRstrip, true);
    for (const std::string_view text : {"<unk>", "<s>", "<|endoftext|>"}) {
      set_attr(text, kAttrRstrip, false);
    }
  } else if (ContainsAny(name, {"modern-bert"})) {
    set_attr("[MASK]", kAttrLstrip, true);
  }
}

}  // namespace savoir::engine
