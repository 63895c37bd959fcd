#include "server/request_id.h"

#include <gtest/gtest.h>

#include <set>

namespace savoir::server {
namespace {

TEST(RequestIdTest, Validation) {
  EXPECT_TRUE(IsValidRequestId("abc-123_DEF.4:5"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("new\nline"));
  EXPECT_FALSE(IsValidRequestId("quote\""));
}

TEST(RequestIdTest, GeneratedIdsAreUniqueHex) {
  RequestIdGenerator generator(42);
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = generator.Next();
    ASSERT_EQ(id.size(), 16u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    ASSERT_TRUE(seen.insert(id).second) << "duplicate " << id;
  }
}

TEST(RequestIdTest, ChooseKeepsValidIncoming) {
  RequestIdGenerator generator(7);
  EXPECT_EQ(generator.Choose("client-id-1"), "client-id-1");
  EXPECT_EQ(generator.Choose("bad id").size(), 16u);
  EXPECT_EQ(generator.Choose(std::nullopt).size(), 16u);
}

}  // namespace
}  // namespace savoir::server
