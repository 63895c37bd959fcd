#include "server/headers.h"

#include <gtest/gtest.h>

namespace savoir::server {
namespace {

TEST(HeadersTest, GetIsCaseInsensitiveAndReturnsFirst) {
  Headers headers;
  headers.Add("Content-Type", "text/plain");
  headers.Add("set-cookie", "a=1");
  headers.Add("Set-Cookie", "b=2");
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  EXPECT_EQ(headers.Get("SET-COOKIE"), "a=1");
  EXPECT_EQ(headers.GetAll("Set-Cookie"), (std::vector<std::string_view>{"a=1", "b=2"}));
  EXPECT_FALSE(headers.Get("Missing").has_value());
  EXPECT_TRUE(headers.Has("CONTENT-type"));
}

TEST(HeadersTest, SetReplacesAllInPlace) {
  Headers headers{{"A", "1"}, {"B", "2"}, {"a", "3"}};
  headers.Set("a", "9");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers.begin()->first, "a");
  EXPECT_EQ(headers.begin()->second, "9");
  EXPECT_EQ(headers.GetAll("A").size(), 1u);
  headers.Set("C", "new");
  EXPECT_EQ(headers.Get("c"), "new");
}

TEST(HeadersTest, RemoveCountsRemoved) {
  Headers headers{{"X", "1"}, {"x", "2"}, {"Y", "3"}};
  EXPECT_EQ(headers.Remove("X"), 2u);
  EXPECT_EQ(headers.Remove("X"), 0u);
  EXPECT_EQ(headers.size(), 1u);
}

TEST(HeadersTest, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
}

}  // namespace
}  // namespace savoir::server
