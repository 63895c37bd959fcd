#include "server/uri.h"

#include <gtest/gtest.h>

namespace savoir::server {
namespace {

TEST(UriTest, PercentDecode) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_FALSE(PercentDecode("%", false).ok());
  EXPECT_FALSE(PercentDecode("%2", false).ok());
  EXPECT_FALSE(PercentDecode("%zz", false).ok());
  EXPECT_FALSE(PercentDecode("a%00b", false).ok());
}

TEST(UriTest, PercentEncodeRoundTrips) {
  std::string text = "a b/c?d=e&f+g~\xc3\xa9";
  std::string encoded = PercentEncode(text);
  EXPECT_EQ(encoded, "a%20b%2Fc%3Fd%3De%26f%2Bg~%C3%A9");
  EXPECT_EQ(*PercentDecode(encoded, false), text);
}

TEST(UriTest, ParseQuery) {
  auto query = ParseQuery("a=1&b=x+y&c&d=%26&a=2&&e=");
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->at("a"), "1");  // the first wins
  EXPECT_EQ(query->at("b"), "x y");
  EXPECT_EQ(query->at("c"), "");
  EXPECT_EQ(query->at("d"), "&");
  EXPECT_EQ(query->at("e"), "");
  EXPECT_EQ(query->size(), 5u);
  EXPECT_FALSE(ParseQuery("a=%zz").ok());
}

TEST(UriTest, SplitPathSegments) {
  EXPECT_EQ(SplitPathSegments("/a//b/"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(SplitPathSegments("/").empty());
  EXPECT_EQ(SplitPathSegments("/x%2Fy"), (std::vector<std::string_view>{"x%2Fy"}));
}

TEST(UriTest, ParseTargetForms) {
  auto origin = ParseTarget("/v1/docs/a%20b?limit=5&q=hello+world");
  ASSERT_TRUE(origin.ok());
  EXPECT_EQ(origin->raw_path, "/v1/docs/a%20b");
  EXPECT_EQ(origin->path, "/v1/docs/a b");
  EXPECT_EQ(origin->query.at("q"), "hello world");
  EXPECT_EQ(origin->query.at("limit"), "5");

  auto absolute = ParseTarget("http://example.com:8080/v1/models?x=1");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->path, "/v1/models");
  EXPECT_EQ(absolute->query.at("x"), "1");
  EXPECT_EQ(ParseTarget("http://example.com")->path, "/");

  EXPECT_EQ(ParseTarget("*")->path, "*");
}

TEST(UriTest, ParseTargetRejects) {
  for (const char* bad : {"", "v1/models", "example.com:443", "/a/../b", "/a/./b", "/%2e%2e/x",
                          "/a/%2E", "/a%zz", "/q?x=%", "ht tp://x/", "://x/"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseTarget(bad).ok());
  }
}

}  // namespace
}  // namespace savoir::server
