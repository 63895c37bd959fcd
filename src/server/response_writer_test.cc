#include "server/response_writer.h"

#include <gtest/gtest.h>

namespace savoir::server {
namespace {

ResponseFraming Framing(int version, bool head, bool keep_alive, std::string_view id = "") {
  return ResponseFraming{version, head, keep_alive, id};
}

TEST(ResponseWriterTest, CompleteResponse) {
  HttpResponse response = HttpResponse::Text(200, "hello");
  response.headers.Add("X-Custom", "1");
  std::string out = SerializeResponse(response, Framing(11, false, true, "abc"));
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "X-Custom: 1\r\n"
            "X-Request-Id: abc\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "hello");
}

TEST(ResponseWriterTest, HeadKeepsLengthDropsBody) {
  HttpResponse response = HttpResponse::Text(200, "hello");
  std::string out = SerializeResponse(response, Framing(11, true, true, "r"));
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(ResponseWriterTest, ConnectionFieldFollowsKeepAliveAndVersion) {
  HttpResponse response = HttpResponse::Text(200, "");
  EXPECT_NE(SerializeResponse(response, Framing(11, false, false)).find("Connection: close\r\n"),
            std::string::npos);
  EXPECT_NE(
      SerializeResponse(response, Framing(10, false, true)).find("Connection: keep-alive\r\n"),
      std::string::npos);
  EXPECT_EQ(SerializeResponse(response, {}).find("Connection:"), std::string::npos);
}

TEST(ResponseWriterTest, DropsFramingAndInjectedFields) {
  HttpResponse response = HttpResponse::Text(200, "x");
  response.headers.Add("Content-Length", "999");
  response.headers.Add("Transfer-Encoding", "chunked");
  response.headers.Add("X-Request-Id", "spoofed");
  response.headers.Add("X-Evil", "a\r\nSet-Cookie: owned=1");
  response.headers.Add("Bad Name", "v");
  response.headers.Add("X-Fine", "ok");
  std::string out = SerializeResponse(response, Framing(11, false, true, "real"));
  EXPECT_EQ(out.find("999"), std::string::npos);
  EXPECT_EQ(out.find("chunked"), std::string::npos);
  EXPECT_EQ(out.find("spoofed"), std::string::npos);
  EXPECT_EQ(out.find("owned"), std::string::npos);
  EXPECT_EQ(out.find("Bad Name"), std::string::npos);
  EXPECT_NE(out.find("X-Fine: ok\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Request-Id: real\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, NoBodyStatusesAndInvalidStatus) {
  HttpResponse no_content = HttpResponse::Text(204, "ignored");
  std::string out = SerializeResponse(no_content, {});
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\n\r\n");
  HttpResponse weird = HttpResponse::Text(42, "x");
  EXPECT_EQ(SerializeResponse(weird, {}).substr(0, 12), "HTTP/1.1 500");
}

TEST(ResponseWriterTest, EventStreamHead) {
  std::string out =
      SerializeStreamHead(200, "text/event-stream", {}, Framing(11, false, true, "s"));
  EXPECT_NE(out.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(out.find("Cache-Control: no-cache\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Accel-Buffering: no\r\n"), std::string::npos);
  EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);

  std::string custom =
      SerializeStreamHead(200, "text/event-stream", {{"Cache-Control", "no-store"}}, {});
  EXPECT_NE(custom.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_EQ(custom.find("no-cache"), std::string::npos);
}

TEST(ResponseWriterTest, Http10StreamIsDelimitedByClose) {
  std::string out = SerializeStreamHead(200, "text/plain", {}, Framing(10, false, true));
  EXPECT_EQ(out.find("chunked"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, Chunks) {
  EXPECT_EQ(EncodeChunk("hello"), "5\r\nhello\r\n");
  EXPECT_EQ(EncodeChunk(std::string(26, 'x')).substr(0, 4), "1a\r\n");
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
}

}  // namespace
}  // namespace savoir::server
