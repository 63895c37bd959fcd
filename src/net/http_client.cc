#include "net/http_client.h"

#include <curl/curl.h>

#include <string>
#include <utility>

namespace savoir::net {
namespace {

// What one Stream() call accumulates; the curl callbacks receive it as their user pointer.
struct Transfer {
  const HttpStreamHandler* handler = nullptr;
  HttpResponse response;
  HttpResponseHead current;  // the response whose header lines are arriving
  bool head_delivered = false;
  Status callback_status;

  Status DeliverHead() {
    head_delivered = true;
    response.head = current;
    if (handler->on_head) return handler->on_head(response);
    return OkStatus();
  }
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  // Each response of a redirect chain starts with its own status line.
  if (std::optional<int> status = ParseStatusLine(line)) {
    if (transfer->current.status != 0) {
      transfer->response.intermediate.push_back(std::move(transfer->current));
    }
    transfer->current = HttpResponseHead{.status = *status, .headers = {}};
  } else if (auto field = ParseHeaderLine(line)) {
    transfer->current.headers.Add(field->first, field->second);
  }
  return size * count;
}

size_t OnWrite(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  if (!transfer->head_delivered) {
    transfer->callback_status = transfer->DeliverHead();
    if (!transfer->callback_status.ok()) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  if (transfer->handler->on_body) {
    transfer->callback_status = transfer->handler->on_body(std::string_view(data, size * count));
    if (!transfer->callback_status.ok()) return 0;
  }
  return size * count;
}

Status CurlError(CURLcode code, const std::string& url, const char* detail) {
  const std::string what =
      (detail != nullptr && detail[0] != '\0') ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return UnavailableError("cannot resolve host of {}: {}", url, what);
    case CURLE_COULDNT_RESOLVE_PROXY:
      return UnavailableError("cannot resolve proxy for {}: {}", url, what);
    case CURLE_COULDNT_CONNECT:
      return UnavailableError("cannot connect to {}: {}", url, what);
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError("timed out: {}: {}", url, what);
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
      return UnavailableError("connection to {} failed: {}", url, what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgumentError("bad url '{}': {}", url, what);
    case CURLE_TOO_MANY_REDIRECTS:
      return FailedPreconditionError("too many redirects from {}", url);
    case CURLE_OUT_OF_MEMORY:
      return ResourceExhaustedError("out of memory fetching {}", url);
    default:
      return FailedPreconditionError("cannot fetch {}: {}", url, what);
  }
}

// Options that change per request.
Status SetRequestOptions(CURL* curl, const HttpRequest& request, curl_slist* headers,
                         const std::string& range) {
  CURLcode rc = curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (rc == CURLE_OK) {
    rc = curl_easy_setopt(curl, CURLOPT_RANGE, range.empty() ? nullptr : range.c_str());
  }
  if (rc != CURLE_OK) return CurlError(rc, request.url, nullptr);
  return OkStatus();
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  bool global_initialised = false;

  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
    // libcurl (>= 7.84, Debian 12 has 7.88) reference-counts global init and cleanup
    // thread-safely, so each client takes and releases its own reference.
    if (global_initialised) curl_global_cleanup();
  }
};

HttpClient::HttpClient(const HttpClientOptions& options, std::unique_ptr<Handle> handle)
    : options_(options), handle_(std::move(handle)) {}

HttpClient::~HttpClient() = default;

StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(const HttpClientOptions& options) {
  auto handle = std::make_unique<Handle>();
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return InternalError("cannot initialise libcurl");
  }
  handle->global_initialised = true;
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) return InternalError("cannot create a libcurl handle");
  CURL* curl = handle->curl;
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, option, value);
  };
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM-based DNS timeouts in a threaded program
  set(CURLOPT_ERRORBUFFER, handle->error);
  set(CURLOPT_USERAGENT, options.user_agent.c_str());
  set(CURLOPT_FOLLOWLOCATION, 1L);
  set(CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_bytes_per_s));
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_HEADERFUNCTION, &OnHeader);
  set(CURLOPT_WRITEFUNCTION, &OnWrite);
  if (rc != CURLE_OK) return InternalError("cannot configure libcurl: {}", curl_easy_strerror(rc));
  return std::unique_ptr<HttpClient>(new HttpClient(options, std::move(handle)));
}

StatusOr<HttpResponse> HttpClient::Stream(const HttpRequest& request,
                                          const HttpStreamHandler& handler) {
  CURL* curl = handle_->curl;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers.entries()) {
    const std::string line = name + ": " + value;
    curl_slist* grown = curl_slist_append(headers, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(headers);
      return ResourceExhaustedError("out of memory building request headers");
    }
    headers = grown;
  }
  const std::string range =
      request.range_start >= 0 ? std::to_string(request.range_start) + "-" : std::string();
  Transfer transfer;
  transfer.handler = &handler;
  handle_->error[0] = '\0';
  Status status = SetRequestOptions(curl, request, headers, range);
  CURLcode rc = CURLE_OK;
  if (status.ok()) {
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    rc = curl_easy_perform(curl);
  }
  // Nothing may keep pointing at this call's objects once it returns.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_RANGE, nullptr);
  curl_slist_free_all(headers);
  if (!status.ok()) return status;
  if (!transfer.callback_status.ok()) return transfer.callback_status;
  if (rc != CURLE_OK) return CurlError(rc, request.url, handle_->error);
  char* effective = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK &&
      effective != nullptr) {
    transfer.response.url = effective;
  } else {
    transfer.response.url = request.url;
  }
  if (!transfer.head_delivered) SAVOIR_RETURN_IF_ERROR(transfer.DeliverHead());
  return std::move(transfer.response);
}

StatusOr<HttpResponse> HttpClient::Get(const HttpRequest& request, size_t max_body_bytes) {
  std::string body;
  HttpStreamHandler handler;
  handler.on_body = [&](std::string_view piece) -> Status {
    if (body.size() + piece.size() > max_body_bytes) {
      return ResourceExhaustedError("response from {} is larger than {} bytes", request.url,
                                    max_body_bytes);
    }
    body.append(piece);
    return OkStatus();
  };
  SAVOIR_ASSIGN_OR_RETURN(HttpResponse response, Stream(request, handler));
  response.body = std::move(body);
  return response;
}

bool IsTransient(const Status& status) {
  return status.code() == StatusCode::kUnavailable ||
         status.code() == StatusCode::kDeadlineExceeded;
}

}  // namespace savoir::net
