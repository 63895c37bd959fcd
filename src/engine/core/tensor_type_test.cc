#include "engine/core/tensor_type.h"

#include <gtest/gtest.h>

namespace savoir::engine {
namespace {

TEST(TensorTypeTest, BlockLayoutsMatchGgml) {
  EXPECT_EQ(BlockSize(TensorType::kQ8_0), 32u);
  EXPECT_EQ(BlockBytes(TensorType::kQ8_0), 34u);
  EXPECT_EQ(BlockBytes(TensorType::kQ4_K), 144u);
  EXPECT_EQ(BlockBytes(TensorType::kQ6_K), 210u);
  EXPECT_EQ(RowBytes(TensorType::kQ4_0, 64), 36u);
  EXPECT_EQ(RowBytes(TensorType::kF16, 10), 20u);
}

TEST(TensorTypeTest, NamesRoundTrip) {
  EXPECT_EQ(TensorTypeName(TensorType::kBF16), "BF16");
  EXPECT_EQ(ParseTensorType("q4_k"), TensorType::kQ4_K);
  EXPECT_EQ(ParseTensorType("nope"), std::nullopt);
  EXPECT_FALSE(IsKnownTensorType(4));  // removed Q4_2
  EXPECT_TRUE(IsComputeTensorType(TensorType::kQ5_1));
  EXPECT_FALSE(IsComputeTensorType(TensorType::kQ2_K));
}

}  // namespace
}  // namespace savoir::engine
