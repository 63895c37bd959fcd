#include "net/http_headers.h"

#include <gtest/gtest.h>

namespace savoir::net {
namespace {

TEST(HttpHeadersTest, StatusLines) {
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 206 Partial Content\r\n"), 206);
  EXPECT_EQ(ParseStatusLine("HTTP/2 200\r\n"), 200);
  EXPECT_EQ(ParseStatusLine("HTTP/1.0 404"), 404);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 20 OK"), std::nullopt);
  EXPECT_EQ(ParseStatusLine("HTTP/1.1 2000 OK"), std::nullopt);
  EXPECT_EQ(ParseStatusLine("Content-Length: 5"), std::nullopt);
  EXPECT_EQ(ParseStatusLine("\r\n"), std::nullopt);
}

TEST(HttpHeadersTest, HeaderLines) {
  auto field = ParseHeaderLine("X-Linked-Etag:  \"abc\" \r\n");
  ASSERT_TRUE(field.has_value());
  EXPECT_EQ(field->first, "x-linked-etag");
  EXPECT_EQ(field->second, "\"abc\"");
  EXPECT_FALSE(ParseHeaderLine("no colon here\r\n").has_value());
  EXPECT_FALSE(ParseHeaderLine(": empty name").has_value());
  EXPECT_FALSE(ParseHeaderLine("bad name: x").has_value());

  HttpHeaders headers;
  headers.Add("ETag", "\"1\"");
  headers.Add("etag", "\"2\"");
  EXPECT_EQ(headers.Get("ETAG"), "\"1\"");
  EXPECT_EQ(headers.Get("location"), std::nullopt);
}

TEST(HttpHeadersTest, ContentLength) {
  EXPECT_EQ(ParseContentLength(" 1185376 "), 1185376);
  EXPECT_EQ(ParseContentLength("0"), 0);
  EXPECT_EQ(ParseContentLength("-1"), std::nullopt);
  EXPECT_EQ(ParseContentLength("12x"), std::nullopt);
  EXPECT_EQ(ParseContentLength("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseContentLength(""), std::nullopt);
}

TEST(HttpHeadersTest, ContentRange) {
  auto range = ParseContentRange("bytes 100-199/1000");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, 100);
  EXPECT_EQ(range->last, 199);
  EXPECT_EQ(range->total, 1000);

  range = ParseContentRange("bytes 0-99/*");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->total, -1);

  range = ParseContentRange("bytes */1000");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->first, -1);
  EXPECT_EQ(range->total, 1000);

  EXPECT_FALSE(ParseContentRange("bytes */*").has_value());
  EXPECT_FALSE(ParseContentRange("bytes 200-100/1000").has_value());
  EXPECT_FALSE(ParseContentRange("bytes 0-1000/1000").has_value());
  EXPECT_FALSE(ParseContentRange("items 0-9/10").has_value());
  EXPECT_FALSE(ParseContentRange("bytes 0-9").has_value());
  EXPECT_FALSE(ParseContentRange("bytes -9/10").has_value());
}

TEST(HttpHeadersTest, Sha256FromEtag) {
  const std::string hex = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
  EXPECT_EQ(Sha256FromEtag("\"" + hex + "\""), hex);
  EXPECT_EQ(Sha256FromEtag(hex), hex);
  EXPECT_EQ(Sha256FromEtag("\"270CBA1BD5109F42D03350F60406024560464DB173C0E387D91F0426D3BD256D\""),
            hex);
  EXPECT_EQ(Sha256FromEtag("W/\"" + hex + "\""), "");
  EXPECT_EQ(Sha256FromEtag("\"5f2a-1234\""), "");
  EXPECT_EQ(Sha256FromEtag("\"" + hex.substr(1) + "\""), "");
}

}  // namespace
}  // namespace savoir::net
