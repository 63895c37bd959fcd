#include "base/status.h"

#include <memory>

#include <gtest/gtest.h>

namespace savoir {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, FactoriesFormatMessage) {
  Status s = NotFoundError("model '{}' not found in {}", "qwen", "/models");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "model 'qwen' not found in /models");
  EXPECT_EQ(s.ToString(), "NOT_FOUND: model 'qwen' not found in /models");
}

TEST(StatusTest, WithContextPrefixesErrorsOnly) {
  EXPECT_EQ(InvalidArgumentError("bad").WithContext("file.gguf").message(), "file.gguf: bad");
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("{} is odd", x);
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  SAVOIR_ASSIGN_OR_RETURN(int half, Half(x));
  SAVOIR_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int x) {
  SAVOIR_RETURN_IF_ERROR(Half(x).status());
  return OkStatus();
}

TEST(StatusOrTest, ValueAndErrorPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  StatusOr<int> odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "3 is odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Half(3).value_or(-1), -1);
}

TEST(StatusOrTest, HoldsMoveOnlyTypes) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(7);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 7);
}

TEST(StatusCodeTest, NamesAreCanonical) {
  EXPECT_EQ(StatusCodeName(StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(StatusCode::kUnauthenticated), "UNAUTHENTICATED");
}

}  // namespace
}  // namespace savoir
