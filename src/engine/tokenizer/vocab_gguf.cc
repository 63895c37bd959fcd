// Reading a VocabSpec from the tokenizer keys of a GGUF file.
#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/vocab.h"

namespace savoir::engine {
namespace {

StatusOr<std::optional<uint32_t>> OptionalU32(const GgufFile& gguf, std::string_view key) {
  if (!gguf.HasKey(key)) return std::optional<uint32_t>();
  SAVOIR_ASSIGN_OR_RETURN(const uint32_t value, gguf.GetU32(key));
  return std::optional<uint32_t>(value);
}

StatusOr<std::optional<bool>> OptionalBool(const GgufFile& gguf, std::string_view key) {
  if (!gguf.HasKey(key)) return std::optional<bool>();
  SAVOIR_ASSIGN_OR_RETURN(const bool value, gguf.GetBool(key));
  return std::optional<bool>(value);
}

StatusOr<std::vector<std::string>> StringArray(const GgufFile& gguf, std::string_view key) {
  SAVOIR_ASSIGN_OR_RETURN(const std::vector<std::string_view> views, gguf.GetStringArray(key));
  return std::vector<std::string>(views.begin(), views.end());
}

// Scores are f32 in current files; llama.cpp also takes i32.
StatusOr<std::vector<float>> Scores(const GgufFile& gguf, std::string_view key) {
  const GgufValue* value = gguf.FindValue(key);
  if (value == nullptr) return std::vector<float>();
  if (value->type() == GgufValueType::kArray && value->array_type() == GgufValueType::kI32) {
    SAVOIR_ASSIGN_OR_RETURN(const std::vector<int32_t> ints, gguf.GetI32Array(key));
    return std::vector<float>(ints.begin(), ints.end());
  }
  return gguf.GetF32Array(key);
}

StatusOr<VocabSpec> ReadSpec(const GgufFile& gguf) {
  VocabSpec spec;
  SAVOIR_ASSIGN_OR_RETURN(const std::string_view model, gguf.GetString("tokenizer.ggml.model"));
  spec.model = std::string(model);
  if (spec.model == "no_vocab" || spec.model == "none") return spec;
  if (gguf.HasKey("tokenizer.ggml.pre")) {
    SAVOIR_ASSIGN_OR_RETURN(const std::string_view pre, gguf.GetString("tokenizer.ggml.pre"));
    spec.pre = std::string(pre);
  }
  SAVOIR_ASSIGN_OR_RETURN(spec.tokens, StringArray(gguf, "tokenizer.ggml.tokens"));
  SAVOIR_ASSIGN_OR_RETURN(spec.scores, Scores(gguf, "tokenizer.ggml.scores"));
  if (gguf.HasKey("tokenizer.ggml.token_type")) {
    SAVOIR_ASSIGN_OR_RETURN(spec.token_types, gguf.GetI32Array("tokenizer.ggml.token_type"));
  }
  if (spec.model == "gpt2" && gguf.HasKey("tokenizer.ggml.merges")) {
    SAVOIR_ASSIGN_OR_RETURN(spec.merges, StringArray(gguf, "tokenizer.ggml.merges"));
  }
  const struct {
    std::string_view key;
    std::optional<uint32_t>& field;
  } ids[] = {
      {"tokenizer.ggml.bos_token_id", spec.bos_id},
      {"tokenizer.ggml.eos_token_id", spec.eos_id},
      {"tokenizer.ggml.eot_token_id", spec.eot_id},
      {"tokenizer.ggml.eom_token_id", spec.eom_id},
      {"tokenizer.ggml.unknown_token_id", spec.unk_id},
      {"tokenizer.ggml.seperator_token_id", spec.sep_id},
      {"tokenizer.ggml.padding_token_id", spec.pad_id},
      {"tokenizer.ggml.cls_token_id", spec.cls_id},
      {"tokenizer.ggml.mask_token_id", spec.mask_id},
  };
  for (const auto& id : ids) {
    SAVOIR_ASSIGN_OR_RETURN(id.field, OptionalU32(gguf, id.key));
  }
  const struct {
    std::string_view key;
    std::optional<bool>& field;
  } flags[] = {
      {"tokenizer.ggml.add_bos_token", spec.add_bos},
      {"tokenizer.ggml.add_eos_token", spec.add_eos},
      {"tokenizer.ggml.add_sep_token", spec.add_sep},
      {"tokenizer.ggml.add_space_prefix", spec.add_space_prefix},
      {"tokenizer.ggml.remove_extra_whitespaces", spec.remove_extra_whitespaces},
      {"tokenizer.ggml.normalizer.lowercase", spec.lowercase},
      {"tokenizer.ggml.normalizer.strip_accents", spec.strip_accents},
  };
  for (const auto& flag : flags) {
    SAVOIR_ASSIGN_OR_RETURN(flag.field, OptionalBool(gguf, flag.key));
  }
  SAVOIR_ASSIGN_OR_RETURN(const std::string_view name, gguf.GetStringOr("general.name", ""));
  spec.model_name = std::string(name);
  spec.architecture = std::string(gguf.architecture());
  return spec;
}

}  // namespace

StatusOr<Vocab> Vocab::FromGguf(const GgufFile& gguf) {
  auto spec = ReadSpec(gguf);
  if (!spec.ok()) return spec.status();
  auto vocab = Create(std::move(spec).value());
  if (!vocab.ok()) return vocab.status().WithContext(gguf.name());
  return vocab;
}

}  // namespace savoir::engine
