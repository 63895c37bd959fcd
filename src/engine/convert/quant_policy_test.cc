#include "engine/convert/quant_policy.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace savoir::engine::convert {
namespace {

// The tensors of a llama-shaped model with `layers` layers (names owned by the returned vector).
struct Model {
  std::vector<std::string> names;
  std::vector<TensorDesc> descs;
};

Model LlamaLike(int layers, int64_t width, bool tied) {
  Model m;
  auto add = [&m](std::string name, int dims, int64_t row) {
    m.names.push_back(std::move(name));
    m.descs.push_back({{}, dims, row, TensorType::kF32});
  };
  add("token_embd.weight", 2, width);
  add("output_norm.weight", 1, width);
  if (!tied) add("output.weight", 2, width);
  for (int i = 0; i < layers; ++i) {
    for (const char* w : {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up"}) {
      add(fmt::format("blk.{}.{}.weight", i, w), 2, width);
    }
    add(fmt::format("blk.{}.ffn_down.weight", i), 2, 4 * width);
    add(fmt::format("blk.{}.attn_norm.weight", i), 1, width);
    add(fmt::format("blk.{}.ffn_norm.weight", i), 1, width);
  }
  std::vector<size_t> order(m.names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&m](size_t a, size_t b) { return TensorOrderLess(m.names[a], m.names[b]); });
  Model sorted;
  for (size_t i : order) {
    sorted.names.push_back(m.names[i]);
    sorted.descs.push_back(m.descs[i]);
  }
  for (size_t i = 0; i < sorted.names.size(); ++i) sorted.descs[i].name = sorted.names[i];
  return sorted;
}

std::map<std::string, TensorType> Plan(QuantType q, const Model& m, int layers) {
  const std::vector<PlannedType> plan = PlanTensorTypes(q, {"llama", layers, 9, 3}, m.descs);
  std::map<std::string, TensorType> out;
  for (size_t i = 0; i < plan.size(); ++i) out[m.names[i]] = plan[i].type;
  return out;
}

TEST(QuantPolicyTest, ParsesNamesAndMapsToLlamaFileTypes) {
  EXPECT_EQ(ParseQuantType("q4_k_m").value_or(QuantType::kF32), QuantType::kQ4_K_M);
  EXPECT_EQ(ParseQuantType("BF16").value_or(QuantType::kF32), QuantType::kBF16);
  EXPECT_EQ(ParseQuantType("q3_k").status().code(), StatusCode::kInvalidArgument);
  // llama.h's llama_ftype values.
  EXPECT_EQ(LlamaFileType(QuantType::kF32), 0u);
  EXPECT_EQ(LlamaFileType(QuantType::kF16), 1u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ4_0), 2u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ4_1), 3u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ8_0), 7u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ5_0), 8u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ5_1), 9u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ4_K_S), 14u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ4_K_M), 15u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ5_K_S), 16u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ5_K_M), 17u);
  EXPECT_EQ(LlamaFileType(QuantType::kQ6_K), 18u);
  EXPECT_EQ(LlamaFileType(QuantType::kBF16), 32u);
  for (std::string_view name : {"F32", "Q4_K", "Q5_K_M", "Q6_K"}) {
    EXPECT_EQ(QuantTypeName(ParseQuantType(name).value_or(QuantType::kF32)), name);
  }
}

TEST(QuantPolicyTest, OrdersTensorsByLayerThenName) {
  EXPECT_TRUE(TensorOrderLess("token_embd.weight", "blk.0.attn_q.weight"));
  EXPECT_TRUE(TensorOrderLess("blk.2.ffn_up.weight", "blk.10.attn_k.weight"));
  EXPECT_TRUE(TensorOrderLess("blk.3.attn_k.weight", "blk.3.attn_q.weight"));
  EXPECT_FALSE(TensorOrderLess("blk.3.attn_q.weight", "blk.3.attn_q.weight"));
}

// Q4_K_M on a 30-layer model (SmolLM2's depth): llama.cpp's use_more_bits picks the first and
// last eighth (layers 0-2 and 26-29) and every third layer from 5, for attn_v and ffn_down.
TEST(QuantPolicyTest, Q4KMGivesQ6KToTheLayersLlamaCppPicks) {
  const Model m = LlamaLike(30, 256, /*tied=*/true);
  const auto plan = Plan(QuantType::kQ4_K_M, m, 30);
  const std::set<int> more = {0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 27, 28, 29};
  for (int i = 0; i < 30; ++i) {
    const TensorType want = more.count(i) ? TensorType::kQ6_K : TensorType::kQ4_K;
    EXPECT_EQ(plan.at(fmt::format("blk.{}.attn_v.weight", i)), want) << i;
    EXPECT_EQ(plan.at(fmt::format("blk.{}.ffn_down.weight", i)), want) << i;
    EXPECT_EQ(plan.at(fmt::format("blk.{}.attn_q.weight", i)), TensorType::kQ4_K);
    EXPECT_EQ(plan.at(fmt::format("blk.{}.attn_norm.weight", i)), TensorType::kF32);
  }
  // Tied embeddings: token_embd is also the output projection, so it gets Q6_K.
  EXPECT_EQ(plan.at("token_embd.weight"), TensorType::kQ6_K);
  EXPECT_EQ(plan.at("output_norm.weight"), TensorType::kF32);
  EXPECT_EQ(Plan(QuantType::kQ5_K_M, m, 30).at("blk.4.attn_v.weight"), TensorType::kQ5_K);
  EXPECT_EQ(Plan(QuantType::kQ5_K_M, m, 30).at("blk.5.ffn_down.weight"), TensorType::kQ6_K);
}

TEST(QuantPolicyTest, OutputGetsQ6KAndUntiedEmbeddingKeepsTheDefault) {
  const Model m = LlamaLike(4, 256, /*tied=*/false);
  for (QuantType q : {QuantType::kQ4_0, QuantType::kQ5_1, QuantType::kQ4_K_S}) {
    const auto plan = Plan(q, m, 4);
    EXPECT_EQ(plan.at("output.weight"), TensorType::kQ6_K) << QuantTypeName(q);
    EXPECT_EQ(plan.at("token_embd.weight"), DefaultTensorType(q)) << QuantTypeName(q);
  }
  EXPECT_EQ(Plan(QuantType::kQ8_0, m, 4).at("output.weight"), TensorType::kQ8_0);
  EXPECT_EQ(Plan(QuantType::kF16, m, 4).at("output.weight"), TensorType::kF16);
  // Pure types make no exceptions.
  EXPECT_EQ(Plan(QuantType::kQ4_K, m, 4).at("output.weight"), TensorType::kQ4_K);
  EXPECT_EQ(Plan(QuantType::kQ4_K, m, 4).at("blk.0.attn_v.weight"), TensorType::kQ4_K);
}

TEST(QuantPolicyTest, Q4KSGivesQ5KToEarlyAttnVAndFfnDown) {
  const Model m = LlamaLike(16, 256, true);
  const auto plan = Plan(QuantType::kQ4_K_S, m, 16);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(plan.at(fmt::format("blk.{}.attn_v.weight", i)),
              i < 4 ? TensorType::kQ5_K : TensorType::kQ4_K);
    EXPECT_EQ(plan.at(fmt::format("blk.{}.ffn_down.weight", i)),
              i < 2 ? TensorType::kQ5_K : TensorType::kQ4_K);
  }
}

TEST(QuantPolicyTest, RowsThatDoNotFitFallBack) {
  auto one = [](QuantType q, int64_t row, std::string_view name = "blk.0.attn_q.weight") {
    const TensorDesc d{name, 2, row, TensorType::kF32};
    return PlanTensorTypes(q, {"llama", 1, 1, 1}, std::span(&d, 1))[0];
  };
  EXPECT_EQ(one(QuantType::kQ4_K, 64).type, TensorType::kQ5_0);
  EXPECT_TRUE(one(QuantType::kQ4_K, 64).fallback);
  EXPECT_EQ(one(QuantType::kQ5_K, 64).type, TensorType::kQ5_1);
  EXPECT_EQ(one(QuantType::kQ6_K, 96).type, TensorType::kQ8_0);
  EXPECT_EQ(one(QuantType::kQ4_K, 172).type, TensorType::kF16);
  EXPECT_EQ(one(QuantType::kQ8_0, 172).type, TensorType::kF16);
  EXPECT_EQ(one(QuantType::kQ4_K, 256).type, TensorType::kQ4_K);
  EXPECT_FALSE(one(QuantType::kQ4_K, 256).fallback);
  // The output projection whose rows do not fit the default type's blocks gets Q8_0 directly.
  EXPECT_EQ(one(QuantType::kQ4_K_M, 64, "output.weight").type, TensorType::kQ8_0);
  EXPECT_FALSE(one(QuantType::kQ4_K_M, 64, "output.weight").fallback);
  // Q4_0 output: Q6_K is chosen first, then falls back to Q8_0 on a 64-wide row.
  EXPECT_EQ(one(QuantType::kQ4_0, 64, "output.weight").type, TensorType::kQ8_0);
  EXPECT_TRUE(one(QuantType::kQ4_0, 64, "output.weight").fallback);
}

TEST(QuantPolicyTest, NonWeightsKeepTheirTypeAndVectorsBecomeF32) {
  const std::vector<TensorDesc> d = {
      {"position_embd.weight", 2, 256, TensorType::kF16},
      {"token_types.weight", 2, 256, TensorType::kF32},
      {"blk.0.attn_q.bias", 1, 256, TensorType::kF16},
      {"blk.0.attn_output_norm.weight", 1, 256, TensorType::kBF16},
      {"rope_freqs.weight", 1, 32, TensorType::kF32},
      {"blk.0.attn_q.weight", 2, 256, TensorType::kF16},
  };
  const auto plan = PlanTensorTypes(QuantType::kQ8_0, {"bert", 1, 4, 4}, d);
  EXPECT_EQ(plan[0].type, TensorType::kF16);
  EXPECT_EQ(plan[1].type, TensorType::kF32);
  EXPECT_EQ(plan[2].type, TensorType::kF32);
  EXPECT_EQ(plan[3].type, TensorType::kF32);
  EXPECT_EQ(plan[4].type, TensorType::kF32);
  EXPECT_EQ(plan[5].type, TensorType::kQ8_0);
}

}  // namespace
}  // namespace savoir::engine::convert
