// Test support: small HTTP helpers over RawHttp for tests that talk to a real `savoir serve`.
#ifndef SAVOIR_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
#define SAVOIR_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_

#include <map>
#include <string>
#include <vector>

namespace savoir::testing {

struct HttpResult {
  int status = -1;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // de-chunked
};

// Splits a raw HTTP/1.1 response (as read until the connection closed) into its parts,
// decoding chunked transfer encoding.
HttpResult ParseHttpResponse(const std::string& raw);

// Sends a request with `Connection: close` and returns the parsed response.
HttpResult Request(int port, const std::string& method, const std::string& path,
                   const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {});

// The `data:` payloads of a Server-Sent Events body, in order.
std::vector<std::string> SseData(const std::string& body);

}  // namespace savoir::testing

#endif  // SAVOIR_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
