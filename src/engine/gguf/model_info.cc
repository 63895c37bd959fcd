#include "engine/gguf/model_info.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

namespace savoir::engine {
namespace {

// A hyper-parameter stored as an integer, or (per-layer models) as an array of integers, of
// which the largest is taken.
std::optional<uint64_t> ReadCount(const GgufFile& file, const std::string& key) {
  const GgufValue* v = file.FindValue(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_integer()) return v->AsU64();
  if (v->type() != GgufValueType::kArray || GgufScalarSize(v->array_type()) == 0) {
    return std::nullopt;
  }
  std::optional<uint64_t> best;
  for (uint64_t i = 0; i < v->array_size(); ++i) {
    const GgufValue e = v->ArrayElement(i);
    if (!e.is_integer()) return std::nullopt;
    const std::optional<uint64_t> x = e.AsU64();
    if (x.has_value() && (!best.has_value() || *x > *best)) best = x;
  }
  return best;
}

std::optional<uint64_t> VocabSize(const GgufFile& file, const std::string& arch) {
  if (auto n = ReadCount(file, arch + ".vocab_size")) return n;
  const GgufValue* tokens = file.FindValue("tokenizer.ggml.tokens");
  if (tokens != nullptr && tokens->type() == GgufValueType::kArray) return tokens->array_size();
  const GgufTensor* embd = file.FindTensor("token_embd.weight");
  if (embd != nullptr && embd->n_dims == 2) return static_cast<uint64_t>(embd->dims[1]);
  return std::nullopt;
}

// The way llama.cpp guesses a file type when general.file_type is absent: the most common type
// among the matrices (1-D tensors such as norms stay F32 in every file type).
std::string GuessFileType(const GgufFile& file) {
  std::map<TensorType, size_t> counts;
  bool all_f32 = true;
  for (const GgufTensor& t : file.tensors()) {
    if (t.n_dims >= 2) ++counts[t.type];
    all_f32 = all_f32 && t.type == TensorType::kF32;
  }
  if (file.tensors().empty()) return "";
  if (all_f32) return "all F32 (guessed)";
  if (counts.empty()) {
    for (const GgufTensor& t : file.tensors()) ++counts[t.type];
  }
  auto best = std::max_element(counts.begin(), counts.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return fmt::format("mostly {} (guessed)", TensorTypeName(best->first));
}

void AddTensorStats(const GgufFile& file, ModelInfo& info) {
  std::map<TensorType, TensorTypeCount> by_type;
  for (const GgufTensor& t : file.tensors()) {
    TensorTypeCount& c = by_type[t.type];
    c.type = t.type;
    ++c.tensors;
    c.elements += t.n_elements;
    c.bytes += t.size_bytes;
    info.n_params += t.n_elements;
    info.tensor_bytes += t.size_bytes;
  }
  for (const auto& [type, count] : by_type) info.type_counts.push_back(count);
  std::stable_sort(
      info.type_counts.begin(), info.type_counts.end(),
      [](const TensorTypeCount& a, const TensorTypeCount& b) { return a.tensors > b.tensors; });
  info.n_tensors = file.tensors().size();
}

std::string OrDash(const std::optional<uint64_t>& v) {
  return v.has_value() ? std::to_string(*v) : "-";
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

std::string FileTypeName(uint32_t file_type) {
  switch (file_type) {
    case 0:
      return "all F32";
    case 1:
      return "mostly F16";
    case 2:
      return "mostly Q4_0";
    case 3:
      return "mostly Q4_1";
    case 4:
      return "mostly Q4_1, some F16";
    case 7:
      return "mostly Q8_0";
    case 8:
      return "mostly Q5_0";
    case 9:
      return "mostly Q5_1";
    case 10:
      return "mostly Q2_K";
    case 11:
      return "mostly Q3_K_S";
    case 12:
      return "mostly Q3_K_M";
    case 13:
      return "mostly Q3_K_L";
    case 14:
      return "mostly Q4_K_S";
    case 15:
      return "mostly Q4_K_M";
    case 16:
      return "mostly Q5_K_S";
    case 17:
      return "mostly Q5_K_M";
    case 18:
      return "mostly Q6_K";
    case 32:
      return "mostly BF16";
    default:
      return fmt::format("unknown ({})", file_type);
  }
}

std::string HumanCount(int64_t n) {
  constexpr std::string_view kUnits[] = {"K", "M", "B", "T"};
  if (n < 1000) return std::to_string(n);
  double x = static_cast<double>(n);
  size_t unit = 0;
  x /= 1000;
  while (x >= 1000 && unit + 1 < std::size(kUnits)) {
    x /= 1000;
    ++unit;
  }
  return fmt::format("{:.2f} {}", x, kUnits[unit]);
}

std::string HumanBytes(uint64_t n) {
  constexpr std::string_view kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (n < 1024) return fmt::format("{} bytes", n);
  double x = static_cast<double>(n) / 1024;
  size_t unit = 0;
  while (x >= 1024 && unit + 1 < std::size(kUnits)) {
    x /= 1024;
    ++unit;
  }
  return fmt::format("{:.2f} {}", x, kUnits[unit]);
}

ModelInfo DescribeModel(const GgufFile& file) {
  ModelInfo info;
  info.path = file.name();
  info.gguf_version = file.version();
  info.file_size = file.file_size();
  info.architecture = std::string(file.architecture());
  info.name = std::string(file.GetStringOr("general.name", "").value_or(""));
  AddTensorStats(file, info);
  const GgufValue* ftype = file.FindValue("general.file_type");
  if (ftype != nullptr && ftype->is_integer() && ftype->AsU64().has_value() &&
      *ftype->AsU64() <= UINT32_MAX) {
    info.file_type = FileTypeName(static_cast<uint32_t>(*ftype->AsU64()));
  } else {
    info.file_type = GuessFileType(file);
  }
  const std::string& a = info.architecture;
  info.context_length = ReadCount(file, a + ".context_length");
  info.embedding_length = ReadCount(file, a + ".embedding_length");
  info.feed_forward_length = ReadCount(file, a + ".feed_forward_length");
  info.n_layers = ReadCount(file, a + ".block_count");
  info.n_heads = ReadCount(file, a + ".attention.head_count");
  info.n_kv_heads = ReadCount(file, a + ".attention.head_count_kv");
  info.vocab_size = VocabSize(file, a);
  info.tokenizer_model = std::string(file.GetStringOr("tokenizer.ggml.model", "").value_or(""));
  info.has_chat_template = file.HasKey("tokenizer.chat_template");
  return info;
}

std::string FormatModelInfo(const ModelInfo& info) {
  std::vector<std::string> types;
  for (const TensorTypeCount& c : info.type_counts) {
    types.push_back(fmt::format("{}: {} tensors", TensorTypeName(c.type), c.tensors));
  }
  std::string bpw = "-";
  if (info.n_params > 0) {
    bpw = fmt::format(
        "{:.2f}", static_cast<double>(info.tensor_bytes) * 8 / static_cast<double>(info.n_params));
  }
  std::string out;
  const auto line = [&out](std::string_view label, const std::string& value) {
    out += fmt::format("{:<22}{}\n", fmt::format("{}:", label), value);
  };
  line("file", info.path);
  line("format", fmt::format("GGUF v{}", info.gguf_version));
  line("file size", fmt::format("{} ({} bytes)", HumanBytes(info.file_size), info.file_size));
  line("architecture", OrDash(info.architecture));
  line("name", OrDash(info.name));
  line("parameters", fmt::format("{} ({})", HumanCount(info.n_params), info.n_params));
  line("file type", OrDash(info.file_type));
  line("bits per weight", bpw);
  line("tensors",
       fmt::format("{}{}{}", info.n_tensors, types.empty() ? "" : " - ", fmt::join(types, ", ")));
  line("context length", OrDash(info.context_length));
  line("embedding length", OrDash(info.embedding_length));
  line("feed forward length", OrDash(info.feed_forward_length));
  line("layers", OrDash(info.n_layers));
  line("attention heads", OrDash(info.n_heads));
  line("kv heads", OrDash(info.n_kv_heads));
  line("vocab size", OrDash(info.vocab_size));
  line("tokenizer", OrDash(info.tokenizer_model));
  line("chat template", info.has_chat_template ? "yes" : "no");
  return out;
}

std::string ModelInfoToJson(const ModelInfo& info, int indent) {
  using json = nlohmann::ordered_json;
  const auto opt = [](const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); };
  const auto str = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json types = json::object();
  for (const TensorTypeCount& c : info.type_counts) {
    types[std::string(TensorTypeName(c.type))] = {
        {"tensors", c.tensors}, {"elements", c.elements}, {"bytes", c.bytes}};
  }
  const json j = {
      {"path", info.path},
      {"gguf_version", info.gguf_version},
      {"file_size", info.file_size},
      {"architecture", str(info.architecture)},
      {"name", str(info.name)},
      {"parameters", info.n_params},
      {"tensor_count", info.n_tensors},
      {"tensor_types", types},
      {"file_type", str(info.file_type)},
      {"context_length", opt(info.context_length)},
      {"embedding_length", opt(info.embedding_length)},
      {"feed_forward_length", opt(info.feed_forward_length)},
      {"layers", opt(info.n_layers)},
      {"attention_heads", opt(info.n_heads)},
      {"kv_heads", opt(info.n_kv_heads)},
      {"vocab_size", opt(info.vocab_size)},
      {"tokenizer_model", str(info.tokenizer_model)},
      {"chat_template", info.has_chat_template},
  };
  // The replace handler makes dump() total: invalid UTF-8 from a file never throws.
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace savoir::engine
