#include "server/request_reader.h"

#include <algorithm>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>

#include "server/error_response.h"

namespace savoir::server {
namespace http = boost::beast::http;
using boost::beast::error_code;

namespace {

// Reserving the whole announced Content-Length up front would let a client make the server
// allocate the route's limit per connection before sending anything; grow as bytes arrive.
constexpr size_t kMaxBodyReserve = 1 << 20;

ProtocolError MakeError(int http_status, std::string code, Status status) {
  return ProtocolError{http_status, std::move(status), std::move(code)};
}

ProtocolError FromParserError(const error_code& ec) {
  if (ec == http::error::header_limit) {
    return MakeError(431, "request_header_fields_too_large",
                     ResourceExhaustedError("request header fields too large"));
  }
  if (ec == http::error::body_limit) {
    return MakeError(413, "request_too_large", ResourceExhaustedError("request body too large"));
  }
  return MakeError(400, "malformed_request",
                   InvalidArgumentError("malformed request: {}", ec.message()));
}

}  // namespace

// Collects the request straight into an HttpRequest while Beast does the framing.
class RequestReader::Parser : public http::basic_parser<true> {
 public:
  HttpRequest request;

 private:
  void on_request_impl(http::verb /*method*/, boost::beast::string_view method_string,
                       boost::beast::string_view target, int version, error_code& /*ec*/) override {
    request.method.assign(method_string.data(), method_string.size());
    request.target.assign(target.data(), target.size());
    request.version = version;
  }
  void on_response_impl(int /*status*/, boost::beast::string_view /*reason*/, int /*version*/,
                        error_code& ec) override {
    ec = http::error::bad_version;  // never called: this is a request parser
  }
  void on_field_impl(http::field /*name*/, boost::beast::string_view name,
                     boost::beast::string_view value, error_code& /*ec*/) override {
    if (is_header_done()) return;  // chunked trailer fields are not exposed
    request.headers.Add(std::string(name.data(), name.size()),
                        std::string(value.data(), value.size()));
  }
  void on_header_impl(error_code& /*ec*/) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& /*ec*/) override {
    if (content_length) {
      request.body.reserve(
          static_cast<size_t>(std::min<uint64_t>(*content_length, kMaxBodyReserve)));
    }
  }
  size_t on_body_impl(boost::beast::string_view body, error_code& /*ec*/) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t /*size*/, boost::beast::string_view /*extensions*/,
                            error_code& /*ec*/) override {}
  size_t on_chunk_body_impl(std::uint64_t /*remain*/, boost::beast::string_view body,
                            error_code& /*ec*/) override {
    request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code& /*ec*/) override {}
};

HttpResponse ProtocolErrorResponse(const ProtocolError& error) {
  ErrorOptions options;
  options.http_status = error.http_status;
  options.code = error.code;
  return ErrorResponse(error.status, options);
}

RequestReader::RequestReader(RequestLimits limits)
    : limits_(limits), parser_(std::make_unique<Parser>()) {
  uint64_t header_limit =
      std::min<uint64_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max());
  parser_->header_limit(static_cast<std::uint32_t>(std::max<uint64_t>(header_limit, 1)));
  // The route decides the body limit once the header is known (SetBodyLimit).
  // Not eager until then, so that no body byte is parsed before the limit is known.
  parser_->body_limit(boost::none);
  parser_->eager(false);
}

RequestReader::~RequestReader() = default;

bool RequestReader::received_any() const { return parser_->got_some(); }

bool RequestReader::header_done() const { return parser_->is_header_done(); }

bool RequestReader::body_pending() const {
  return parser_->is_header_done() && !parser_->is_done();
}

RequestReader::State RequestReader::Fail(ProtocolError error) {
  error_ = std::move(error);
  state_ = State::kFailed;
  return state_;
}

RequestReader::State RequestReader::Parse(std::string_view data, size_t* consumed) {
  while (state_ == State::kNeedMore || state_ == State::kHeadDone) {
    if (parser_->is_header_done() && !head_reported_) {
      head_reported_ = true;
      if (OnHeader() == State::kFailed) return state_;
      state_ = State::kHeadDone;
      return state_;
    }
    if (head_reported_ && !body_limit_set_ && !SetBodyLimit(limits_.max_body_bytes)) {
      return state_;
    }
    if (parser_->is_done()) {
      state_ = State::kComplete;
      return state_;
    }
    state_ = State::kNeedMore;
    if (data.empty()) return state_;
    bool header_done_before = parser_->is_header_done();
    error_code ec;
    size_t n = parser_->put(boost::asio::const_buffer(data.data(), data.size()), ec);
    *consumed += n;
    data.remove_prefix(n);
    if (ec == http::error::need_more) return state_;
    if (ec) return Fail(FromParserError(ec));
    bool progressed =
        n > 0 || parser_->is_done() || parser_->is_header_done() != header_done_before;
    if (!progressed) return state_;
  }
  return state_;
}

RequestReader::State RequestReader::OnHeader() {
  HttpRequest& request = parser_->request;
  head_.method = request.method;
  head_.target = request.target;
  head_.version = request.version;
  head_.keep_alive = parser_->keep_alive();
  if (boost::optional<std::uint64_t> length = parser_->content_length()) {
    head_.content_length = *length;
  }
  head_.chunked = parser_->chunked();
  if (std::optional<std::string_view> id = request.headers.Get("X-Request-Id")) {
    head_.incoming_request_id = std::string(*id);
  }
  if (request.version == 11 && request.headers.GetAll("Host").size() != 1) {
    return Fail(
        MakeError(400, "malformed_request",
                  InvalidArgumentError("an http/1.1 request needs exactly one host field")));
  }
  StatusOr<ParsedTarget> target = ParseTarget(request.target);
  if (!target.ok()) {
    return Fail(MakeError(400, "invalid_target", target.status()));
  }
  head_.parsed_target = std::move(target).value();
  if (std::optional<std::string_view> expect = request.headers.Get("Expect")) {
    if (!EqualsIgnoreCase(*expect, "100-continue")) {
      return Fail(
          MakeError(417, "expectation_failed", InvalidArgumentError("unsupported expectation")));
    }
    head_.expect_continue = request.version == 11;
  }
  return state_;
}

bool RequestReader::SetBodyLimit(size_t max_body_bytes) {
  body_limit_set_ = true;
  if (head_.content_length.has_value() && *head_.content_length > max_body_bytes) {
    Fail(MakeError(413, "request_too_large",
                   ResourceExhaustedError("request body of {} bytes exceeds the limit of {} bytes",
                                          *head_.content_length, max_body_bytes)));
    return false;
  }
  parser_->body_limit(static_cast<std::uint64_t>(max_body_bytes));
  parser_->eager(true);
  return true;
}

HttpRequest RequestReader::TakeRequest() {
  HttpRequest request = std::move(parser_->request);
  request.path = head_.parsed_target.path;
  request.query = head_.parsed_target.query;
  return request;
}

}  // namespace savoir::server
