#include "engine/convert/quant_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace savoir::engine::convert {
namespace {

struct QuantTypeInfo {
  QuantType type;
  std::string_view name;
  uint32_t ftype;  // llama_ftype
  TensorType tensor_type;
};

constexpr std::array<QuantTypeInfo, 15> kQuantTypes = {{
    {QuantType::kF32, "F32", 0, TensorType::kF32},
    {QuantType::kF16, "F16", 1, TensorType::kF16},
    {QuantType::kBF16, "BF16", 32, TensorType::kBF16},
    {QuantType::kQ8_0, "Q8_0", 7, TensorType::kQ8_0},
    {QuantType::kQ4_0, "Q4_0", 2, TensorType::kQ4_0},
    {QuantType::kQ4_1, "Q4_1", 3, TensorType::kQ4_1},
    {QuantType::kQ5_0, "Q5_0", 8, TensorType::kQ5_0},
    {QuantType::kQ5_1, "Q5_1", 9, TensorType::kQ5_1},
    {QuantType::kQ4_K, "Q4_K", 14, TensorType::kQ4_K},
    {QuantType::kQ5_K, "Q5_K", 16, TensorType::kQ5_K},
    {QuantType::kQ6_K, "Q6_K", 18, TensorType::kQ6_K},
    {QuantType::kQ4_K_S, "Q4_K_S", 14, TensorType::kQ4_K},
    {QuantType::kQ4_K_M, "Q4_K_M", 15, TensorType::kQ4_K},
    {QuantType::kQ5_K_S, "Q5_K_S", 16, TensorType::kQ5_K},
    {QuantType::kQ5_K_M, "Q5_K_M", 17, TensorType::kQ5_K},
}};

const QuantTypeInfo& Info(QuantType type) {
  for (const QuantTypeInfo& i : kQuantTypes) {
    if (i.type == type) return i;
  }
  return kQuantTypes[0];
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

enum class Category { kOutput, kTokenEmbd, kAttnV, kFfnDown, kOther };

Category CategoryOf(std::string_view name) {
  if (name == "output.weight") return Category::kOutput;
  if (name == "token_embd.weight") return Category::kTokenEmbd;
  if (name.find("attn_v.weight") != std::string_view::npos ||
      name.find("attn_qkv.weight") != std::string_view::npos ||
      name.find("attn_kv_b.weight") != std::string_view::npos) {
    return Category::kAttnV;
  }
  if (name.find("ffn_down") != std::string_view::npos) return Category::kFfnDown;
  return Category::kOther;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool AllowsQuantization(const TensorDesc& t) {
  if (t.n_dims < 2 || !EndsWith(t.name, "weight")) return false;
  if (t.name.find("_norm.weight") != std::string_view::npos) return false;
  return t.name != "position_embd.weight" && t.name != "token_types.weight";
}

bool IsBlockQuantized(TensorType type) {
  return type != TensorType::kF32 && type != TensorType::kF16 && type != TensorType::kBF16;
}

// llama.cpp's choice of the layers that get more bits in the _M mixes.
bool UseMoreBits(int64_t i, int64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

struct Counters {
  int64_t n_attn_v = 0;
  int64_t n_ffn_down = 0;
  int64_t i_attn_v = 0;
  int64_t i_ffn_down = 0;
  bool tied = true;
  bool is_70b = false;
};

// The mix's choice for one quantizable tensor, before the row-length fallback.
TensorType MixType(QuantType q, Category cat, const TensorDesc& t, Counters& c) {
  const TensorType base = DefaultTensorType(q);
  if (cat == Category::kOutput || (c.tied && cat == Category::kTokenEmbd)) {
    if (t.row_length % static_cast<int64_t>(BlockSize(base)) != 0) return TensorType::kQ8_0;
    return base == TensorType::kQ8_0 ? base : TensorType::kQ6_K;
  }
  TensorType type = base;
  const bool m_mix = q == QuantType::kQ4_K_M || q == QuantType::kQ5_K_M;
  if (cat == Category::kAttnV) {
    if (m_mix && UseMoreBits(c.i_attn_v, c.n_attn_v)) {
      type = TensorType::kQ6_K;
    } else if (q == QuantType::kQ4_K_S && c.i_attn_v < 4) {
      type = TensorType::kQ5_K;
    }
    if (c.is_70b && type == TensorType::kQ4_K) type = TensorType::kQ5_K;
    ++c.i_attn_v;
  } else if (cat == Category::kFfnDown) {
    if (m_mix && UseMoreBits(c.i_ffn_down, c.n_ffn_down)) {
      type = TensorType::kQ6_K;
    } else if (q == QuantType::kQ4_K_S && c.i_ffn_down < c.n_ffn_down / 8) {
      type = TensorType::kQ5_K;
    }
    ++c.i_ffn_down;
  }
  return type;
}

PlannedType Fallback(TensorType type, int64_t row_length) {
  auto fits = [row_length](TensorType t) {
    return row_length % static_cast<int64_t>(BlockSize(t)) == 0;
  };
  if (fits(type)) return {type, false};
  TensorType next = TensorType::kF16;
  if (type == TensorType::kQ4_K) next = TensorType::kQ5_0;
  if (type == TensorType::kQ5_K) next = TensorType::kQ5_1;
  if (type == TensorType::kQ6_K) next = TensorType::kQ8_0;
  return {fits(next) ? next : TensorType::kF16, true};
}

bool IsPure(QuantType q) { return q == QuantType::kQ4_K || q == QuantType::kQ5_K; }

int LayerOf(std::string_view name) {
  if (name.substr(0, 4) != "blk.") return -1;
  int layer = -1;
  const char* begin = name.data() + 4;
  auto [end, ec] = std::from_chars(begin, name.data() + name.size(), layer);
  if (ec != std::errc() || end == name.data() + name.size() || *end != '.') return -1;
  return layer;
}

}  // namespace

StatusOr<QuantType> ParseQuantType(std::string_view name) {
  for (const QuantTypeInfo& i : kQuantTypes) {
    if (EqualsIgnoreCase(name, i.name)) return i.type;
  }
  return InvalidArgumentError("unknown quantization type '{}' (expected one of {})", name,
                              QuantTypeNames());
}

std::string_view QuantTypeName(QuantType type) { return Info(type).name; }

std::string QuantTypeNames() {
  std::string out;
  for (const QuantTypeInfo& i : kQuantTypes) {
    if (!out.empty()) out += ", ";
    out += i.name;
  }
  return out;
}

uint32_t LlamaFileType(QuantType type) { return Info(type).ftype; }

TensorType DefaultTensorType(QuantType type) { return Info(type).tensor_type; }

bool TensorOrderLess(std::string_view a, std::string_view b) {
  const int la = LayerOf(a);
  const int lb = LayerOf(b);
  if (la != lb) return la < lb;
  return a < b;
}

std::vector<PlannedType> PlanTensorTypes(QuantType q, const ModelFacts& facts,
                                         std::span<const TensorDesc> tensors) {
  Counters c;
  int64_t ffn_down_tensors = 0;
  for (const TensorDesc& t : tensors) {
    const Category cat = CategoryOf(t.name);
    if (cat == Category::kAttnV) ++c.n_attn_v;
    if (cat == Category::kFfnDown) ++ffn_down_tensors;
    if (cat == Category::kOutput) c.tied = false;
  }
  c.n_ffn_down = facts.n_layer > 0 ? facts.n_layer : ffn_down_tensors;
  c.is_70b = facts.arch == "llama" && facts.n_layer == 80 && facts.n_head != facts.n_head_kv;

  const TensorType base = DefaultTensorType(q);
  std::vector<PlannedType> out;
  out.reserve(tensors.size());
  for (const TensorDesc& t : tensors) {
    if (!AllowsQuantization(t)) {
      const bool widen =
          t.n_dims == 1 && (t.type == TensorType::kF16 || t.type == TensorType::kBF16);
      out.push_back({widen ? TensorType::kF32 : t.type, false});
      continue;
    }
    TensorType type = base;
    if (IsBlockQuantized(base) && !IsPure(q)) type = MixType(q, CategoryOf(t.name), t, c);
    out.push_back(Fallback(type, t.row_length));
  }
  return out;
}

}  // namespace savoir::engine::convert
