// The table of pre-tokenizers: which patterns each `tokenizer.ggml.pre` name applies, as
// llama.cpp's llama-vocab.cpp assigns them. The patterns come from the models' own
// tokenizer.json files, with `(?i:...)` spelled out as character pairs the way llama.cpp
// adapted them. Non-ASCII characters are written as \x{...} so that no editor normalisation
// can change them.
#include <array>

#include "engine/tokenizer/pretokenizer.h"

namespace savoir::engine::tokenizer_internal {
namespace {

// GPT-2's pattern; also the last step of several older families.
constexpr std::string_view kGpt2 =
    R"re('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))re";

constexpr std::string_view kLlama3 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)re"
    R"re(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kJais2 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)re"
    R"re(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s{512}(?!\S)|\s{256}(?!\S)|)re"
    R"re(\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S)|\s{8}(?!\S)|\s{4}(?!\S)|)re"
    R"re(\s{1,2}(?!\S)|\s{1})re";

constexpr std::string_view kQwen2 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)re"
    R"re(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kQwen35 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?)re"
    R"re([\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

// Cased letters as DeepSeek-LLM lists them.
constexpr std::string_view kDeepseekLlmLetters =
    R"re(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293})re"
    R"re(\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A})re"
    R"re(\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556})re"
    R"re(\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF})re"
    R"re(\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D})re"
    R"re(\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D})re"
    R"re(\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4})re"
    R"re(\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4})re"
    R"re(\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124})re"
    R"re(\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F})re"
    R"re(\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4})re"
    R"re(\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F})re"
    R"re(\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17})re"
    R"re(\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3})re"
    R"re(\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF})re"
    R"re(\x{1E900}-\x{1E943}]+)re";

constexpr std::string_view kCjkDeepseek =
    R"re([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)re";
constexpr std::string_view kCjkKana =
    R"re([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)re";

constexpr std::string_view kDeepseekV3Main =
    R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|)re"
    R"re( ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kSpark25Main =
    R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|)re"
    R"re( ?[\p{P}\p{S}]+|[\r\n]|\s+(?!\S)|\s+)re";

constexpr std::string_view kYoutuCjk =
    R"re([\x{AC00}-\x{D7A3}\x{3131}-\x{318E}]+|[\x{FF01}\x{2026}\x{201C}\x{201D}\x{2018}\x{2019})re"
    R"re(\x{2014}\x{FF1A}\x{FF1B}\x{FF0C}\x{3001}-\x{303F}\x{FE30}-\x{FE4F}]+|[\x{3105}-\x{312F}]+|)re"
    R"re([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)re";

constexpr std::string_view kYoutuMain =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kTinyAyaMain =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kTekken =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|)re"
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|)re"
    R"re(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kGpt4o =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kGraniteEmbMulti =
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}\p{M}])([^a-z]))*((?=[\p{L}\p{M}])([^A-Z]))+)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re([^\r\n\p{L}\p{N}]?((?=[\p{L}\p{M}])([^a-z]))+((?=[\p{L}\p{M}])([^A-Z]))*)re"
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|)re"
    R"re(\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kBloom =
    R"re( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)re";

constexpr std::string_view kBailingMoe =
    R"re('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|)re"
    R"re( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)re";

constexpr std::string_view kSeedCoder =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)re"
    R"re(\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kUfakzeka =
    R"re([^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

constexpr std::string_view kExaoneMoe =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|)re"
    R"re([^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?|)re"
    R"re(\s*[\r\n]|\s+(?!\S)|\s+)re";

constexpr std::string_view kMiniCpm5 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|)re"
    R"re(\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

// Pattern lists, one per family.
struct Family {
  std::string_view name;
  std::vector<std::string_view> patterns;
};

const std::vector<Family>& Families() {
  static const std::vector<Family> families = {
      {"default",
       {R"re([\p{P}\$\+<=>\^~\|]+)re", kGpt2, R"re(\p{N}+)re", R"re([0-9][0-9][0-9])re"}},
      {"gpt2", {kGpt2}},
      {"llama3", {kLlama3}},
      {"jais2", {kJais2}},
      {"deepseek-llm",
       {R"re([\r\n])re", kDeepseekLlmLetters,
        R"re(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)re",
        R"re(\s+$)re", kCjkDeepseek, R"re(\p{N}+)re"}},
      {"deepseek-v3", {R"re(\p{N}{1,3})re", kCjkKana, kDeepseekV3Main}},
      {"spark2_5", {R"re(\p{N}{1,3})re", kCjkKana, kSpark25Main, R"re(\p{N})re"}},
      {"youtu", {kYoutuCjk, kYoutuMain}},
      {"deepseek-coder",
       {R"re([\r\n])re", R"re(\s?\p{L}+)re", R"re(\s?\p{P}+)re", kCjkDeepseek, R"re(\p{N})re"}},
      {"falcon", {R"re([\p{P}\$\+<=>\^~\|`]+)re", kGpt2, R"re([0-9][0-9][0-9])re"}},
      {"starcoder", {R"re(\p{N})re", kGpt2}},
      {"qwen2", {kQwen2}},
      {"qwen35", {kQwen35}},
      {"bloom", {kBloom}},
      {"viking", {kBloom, R"re(\p{N})re"}},
      {"tekken", {kTekken}},
      {"chameleon",
       {R"re(<sentinel:[0-9]+>)re", R"re((IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z)re",
        R"re(([\t\n]|    |  ))re", R"re(\p{N})re", R"re([\p{P}!-/:-@\[-`{-~])re", kGpt2}},
      {"gpt-4o", {kGpt4o}},
      {"granite-embed-multi", {kGraniteEmbMulti}},
      {"tiny_aya", {R"re(\d{1,3}(?=(?:\d{3})*\b))re", kTinyAyaMain}},
      {"superbpe", {R"re(\p{N}+)re", R"re((?=(\d{3})+(?!\d)))re"}},
      {"bailingmoe", {kBailingMoe}},
      {"seed-coder", {kSeedCoder}},
      {"ufakzeka", {kUfakzeka}},
      {"laguna", {R"re([^\n]+|[\n]+)re", kQwen2}},
      {"exaone-moe", {kExaoneMoe}},
      {"minicpm5", {R"re(\p{N}{1,3})re", kMiniCpm5}},
  };
  return families;
}

enum Flags : uint8_t {
  kIgnoreMerges = 1,
  kKeepSpaces = 2,  // clean_spaces = false
  kAddBos = 4,
  kNoBos = 8,
  kAddSep = 16,
};

struct NameEntry {
  std::string_view name;
  std::string_view family;
  uint8_t flags;
};

constexpr auto kNames = std::to_array<NameEntry>({
    {"default", "default", 0},
    {"minicpm5", "minicpm5", kIgnoreMerges},
    {"llama3", "llama3", kIgnoreMerges | kAddBos},
    {"llama-v3", "llama3", kIgnoreMerges | kAddBos},
    {"llama-bpe", "llama3", kIgnoreMerges | kAddBos},
    {"falcon3", "llama3", kIgnoreMerges | kAddBos},
    {"falcon-h1", "llama3", kIgnoreMerges | kAddBos},
    {"pixtral", "llama3", kIgnoreMerges | kAddBos},
    {"midm-2.0", "llama3", kIgnoreMerges | kAddBos},
    {"lfm2", "llama3", kIgnoreMerges | kAddBos},
    {"jina-v5-nano", "llama3", kIgnoreMerges | kAddBos},
    {"deepseek-llm", "deepseek-llm", kKeepSpaces},
    {"deepseek-coder", "deepseek-coder", kKeepSpaces},
    {"deepseek-v3", "deepseek-v3", kKeepSpaces},
    {"hunyuan-dense", "deepseek-v3", kKeepSpaces},
    {"joyai-llm", "deepseek-v3", kKeepSpaces},
    {"hy_v4", "deepseek-v3", kKeepSpaces},
    {"spark2_5", "spark2_5", kKeepSpaces},
    {"youtu", "youtu", kKeepSpaces | kIgnoreMerges},
    {"falcon", "falcon", 0},
    {"mpt", "gpt2", 0},
    {"starcoder", "starcoder", 0},
    {"gpt-2", "gpt2", 0},
    {"phi-2", "gpt2", 0},
    {"jina-es", "gpt2", 0},
    {"jina-de", "gpt2", 0},
    {"gigachat", "gpt2", 0},
    {"jina-v2-es", "gpt2", 0},
    {"jina-v2-de", "gpt2", 0},
    {"a.x-4.0", "gpt2", 0},
    {"mellum", "gpt2", 0},
    {"modern-bert", "gpt2", 0},
    {"exaone4", "gpt2", 0},
    {"jais-2", "jais2", 0},
    {"jina-v1-en", "gpt2", kAddSep},
    {"jina-v2-code", "gpt2", kAddSep},
    {"roberta-bpe", "gpt2", kAddSep},
    {"refact", "starcoder", 0},
    {"command-r", "starcoder", kKeepSpaces},
    {"qwen2", "qwen2", kKeepSpaces},
    {"deepseek-r1-qwen", "qwen2", kKeepSpaces},
    {"kormo", "qwen2", kKeepSpaces},
    {"f2llmv2", "qwen2", kKeepSpaces},
    {"megrez", "qwen2", 0},
    {"qwen35", "qwen35", kKeepSpaces},
    {"stablelm2", "qwen2", 0},
    {"olmo", "gpt2", 0},
    {"dbrx", "llama3", 0},
    {"smaug-bpe", "llama3", 0},
    {"poro-chat", "bloom", kKeepSpaces},
    {"glm4", "llama3", kNoBos},
    {"chatglm-bpe", "llama3", kNoBos},
    {"viking", "viking", kKeepSpaces},
    {"jais", "gpt2", 0},
    {"tekken", "tekken", kKeepSpaces | kIgnoreMerges | kAddBos},
    {"smollm", "starcoder", kKeepSpaces},
    {"codeshell", "starcoder", 0},
    {"bloom", "bloom", 0},
    {"gpt3-finnish", "bloom", 0},
    {"exaone", "starcoder", 0},
    {"exaone-moe", "exaone-moe", 0},
    {"chameleon", "chameleon", kAddBos | kKeepSpaces},
    {"minerva-7b", "starcoder", 0},
    {"gpt-4o", "gpt-4o", kKeepSpaces},
    {"llama4", "gpt-4o", kKeepSpaces},
    {"kanana2", "gpt-4o", kKeepSpaces},
    {"talkie", "gpt-4o", kKeepSpaces},
    {"minimax-m2", "gpt-4o", kKeepSpaces},
    {"granite-embed-multi-97m", "granite-embed-multi", kKeepSpaces | kIgnoreMerges},
    {"tiny_aya", "tiny_aya", kKeepSpaces},
    {"cohere2moe", "tiny_aya", kKeepSpaces},
    {"superbpe", "superbpe", kKeepSpaces},
    {"trillion", "gpt2", kKeepSpaces},
    {"granite-docling", "gpt2", kKeepSpaces},
    {"bailingmoe", "bailingmoe", kKeepSpaces},
    {"bailingmoe2", "bailingmoe", kKeepSpaces},
    {"llada-moe", "bailingmoe", kKeepSpaces},
    {"seed-coder", "seed-coder", kKeepSpaces},
    {"hunyuan", "qwen2", kKeepSpaces},
    {"ufakzeka", "ufakzeka", kKeepSpaces},
    {"grok-2", "qwen2", kKeepSpaces},
    {"laguna", "laguna", kKeepSpaces},
    {"solar-open", "qwen2", kKeepSpaces},
    {"mellum2", "starcoder", 0},
});

}  // namespace

StatusOr<PreTokenizerConfig> LookupPreTokenizer(std::string_view name) {
  const std::string_view key = name.empty() ? "default" : name;
  for (const NameEntry& entry : kNames) {
    if (entry.name != key) continue;
    for (const Family& family : Families()) {
      if (family.name != entry.family) continue;
      PreTokenizerConfig config;
      config.family = family.name;
      config.patterns = family.patterns;
      config.ignore_merges = (entry.flags & kIgnoreMerges) != 0;
      config.clean_spaces = (entry.flags & kKeepSpaces) == 0;
      config.add_bos = (entry.flags & kAddBos) != 0;
      config.clear_bos = (entry.flags & kNoBos) != 0;
      config.add_sep = (entry.flags & kAddSep) != 0;
      return config;
    }
  }
  return NotFoundError("unknown pre-tokenizer '{}'", name);
}

std::vector<std::string_view> SupportedPreTokenizers() {
  std::vector<std::string_view> names;
  for (const NameEntry& entry : kNames) names.push_back(entry.name);
  return names;
}

}  // namespace savoir::engine::tokenizer_internal
