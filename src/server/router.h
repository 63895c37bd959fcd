// Request routing: method + path pattern → handler.
//
// Patterns are absolute paths whose segments are literals, "{name}" (one segment, exposed in
// HttpRequest::path_params percent-decoded) or, as the last segment only, "{name...}" (the
// rest of the path, zero or more segments, joined by '/'). A trailing slash and repeated
// slashes in request paths are ignored. When several patterns match, the one whose segments
// are most literal from left to right wins ("/docs/search" beats "/docs/{id}", which beats
// "/docs/{rest...}"); for the same method and pattern the later Add replaces the earlier one.
//
// Dispatch answers 404 (not_found_error) for a path no route matches, 405 with an Allow field
// for a path matched only under other methods, and routes HEAD to the GET handler unless a
// HEAD route exists (the server drops the body). A handler that throws is answered with 500
// and logged: exceptions never leave Dispatch.
//
// Thread safety: Add/AddStatic and Match/Dispatch may be called concurrently from any thread
// (guarded by a reader/writer lock; handlers run outside it). Routes are normally all added
// before HttpServer::Start.
#ifndef SAVOIR_SERVER_ROUTER_H_
#define SAVOIR_SERVER_ROUTER_H_

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"
#include "server/static_files.h"

namespace savoir::server {

struct RouteOptions {
  // Overrides ServerOptions::max_body_bytes for this route (e.g. larger for uploads).
  std::optional<size_t> max_body_bytes = std::nullopt;
  // Overrides ServerOptions::read_timeout for the body of this route's requests (counted from
  // the end of the head), e.g. longer for large uploads.
  std::optional<std::chrono::milliseconds> read_timeout = std::nullopt;
};

struct Route;

// The result of Match.
struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  std::shared_ptr<const Route> route;              // set for kFound
  std::map<std::string, std::string> path_params;  // set for kFound
  std::string allow;                               // for kMethodNotAllowed, e.g. "GET, HEAD"
  // The route's body limit and body read timeout, if it sets them.
  std::optional<size_t> max_body_bytes() const;
  std::optional<std::chrono::milliseconds> read_timeout() const;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` (upper-case, e.g. "GET") and `pattern` (see above). An
  // invalid pattern is a programmer error: it asserts in debug builds and is logged and
  // ignored otherwise.
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  // Serves the files under `directory` at GET/HEAD `prefix` (e.g. "/" or "/ui"), as described
  // in static_files.h. `prefix` itself serves index.html.
  void AddStatic(std::string prefix, std::filesystem::path directory, StaticOptions options = {});

  // Finds the route for `method` and the still percent-encoded `raw_path`.
  RouteMatch Match(std::string_view method, std::string_view raw_path) const;

  // Matches `request` (by method and the path part of request.target), sets path_params and
  // runs the handler, or answers 404/405. Never throws.
  void Dispatch(HttpRequest& request, std::shared_ptr<Responder> responder) const;

  // Runs the matched route's handler (or answers 404/405 for the other kinds). Never throws.
  void Invoke(const RouteMatch& match, HttpRequest& request,
              std::shared_ptr<Responder> responder) const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<const Route>> routes_;  // guarded by mu_
};

}  // namespace savoir::server

#endif  // SAVOIR_SERVER_ROUTER_H_
