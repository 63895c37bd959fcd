#include "server/router.h"

#include <algorithm>
#include <cassert>
#include <exception>
#include <mutex>
#include <set>

#include "base/logging.h"
#include "server/error_response.h"
#include "server/uri.h"

namespace savoir::server {

struct Route {
  enum class SegmentKind { kLiteral = 0, kParam = 1, kRest = 2 };
  struct Segment {
    SegmentKind kind;
    std::string text;  // the literal, or the parameter name
  };
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;
  RouteOptions options;
};

namespace {

using Segments = std::vector<Route::Segment>;

StatusOr<Segments> ParsePattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgumentError("route pattern '{}' must start with '/'", pattern);
  }
  Segments segments;
  std::vector<std::string_view> parts = SplitPathSegments(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (part.front() != '{' && part.find_first_of("{}") == std::string_view::npos) {
      segments.push_back({Route::SegmentKind::kLiteral, std::string(part)});
      continue;
    }
    if (part.size() < 3 || part.front() != '{' || part.back() != '}') {
      return InvalidArgumentError("route pattern '{}': bad segment '{}'", pattern, part);
    }
    std::string_view name = part.substr(1, part.size() - 2);
    bool rest = name.size() > 3 && name.substr(name.size() - 3) == "...";
    if (rest) name.remove_suffix(3);
    if (name.empty() || name.find_first_of("{}./") != std::string_view::npos ||
        (rest && i + 1 != parts.size())) {
      return InvalidArgumentError("route pattern '{}': bad segment '{}'", pattern, part);
    }
    segments.push_back(
        {rest ? Route::SegmentKind::kRest : Route::SegmentKind::kParam, std::string(name)});
  }
  return segments;
}

// Matches decoded path segments against a route; fills `params` and the route's `rank` (one
// entry per segment, lower is more specific).
bool MatchSegments(const Route& route, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params, std::vector<int>& rank) {
  size_t i = 0;
  for (const Route::Segment& segment : route.segments) {
    rank.push_back(static_cast<int>(segment.kind));
    if (segment.kind == Route::SegmentKind::kRest) {
      std::string rest;
      for (size_t j = i; j < path.size(); ++j) rest += (j > i ? "/" : "") + path[j];
      params[segment.text] = std::move(rest);
      return true;
    }
    if (i >= path.size()) return false;
    if (segment.kind == Route::SegmentKind::kLiteral && segment.text != path[i]) return false;
    if (segment.kind == Route::SegmentKind::kParam) params[segment.text] = path[i];
    ++i;
  }
  return i == path.size();
}

std::string AllowedMethods(const std::set<std::string>& methods) {
  std::set<std::string> all = methods;
  if (all.count("GET") > 0) all.insert("HEAD");
  std::string allow;
  for (const std::string& method : all) allow += (allow.empty() ? "" : ", ") + method;
  return allow;
}

}  // namespace

std::optional<size_t> RouteMatch::max_body_bytes() const {
  return route ? route->options.max_body_bytes : std::nullopt;
}

std::optional<std::chrono::milliseconds> RouteMatch::read_timeout() const {
  return route ? route->options.read_timeout : std::nullopt;
}

Router::Router() = default;
Router::~Router() = default;

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  StatusOr<Segments> segments = ParsePattern(pattern);
  if (!segments.ok()) {
    LogError("invalid route ignored", {{"error", segments.status().message()}});
    assert(false && "invalid route pattern");
    return;
  }
  auto route =
      std::make_shared<Route>(Route{std::move(method), std::move(pattern),
                                    std::move(segments).value(), std::move(handler), options});
  std::unique_lock lock(mu_);
  auto same = std::find_if(routes_.begin(), routes_.end(), [&](const auto& r) {
    return r->method == route->method && r->pattern == route->pattern;
  });
  if (same != routes_.end()) {
    *same = std::move(route);
  } else {
    routes_.push_back(std::move(route));
  }
}

void Router::AddStatic(std::string prefix, std::filesystem::path directory, StaticOptions options) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  Add("GET", prefix + "/{path...}", MakeStaticHandler(std::move(directory), std::move(options)));
}

RouteMatch Router::Match(std::string_view method, std::string_view raw_path) const {
  RouteMatch result;
  std::vector<std::string> path;
  for (std::string_view segment : SplitPathSegments(raw_path)) {
    StatusOr<std::string> decoded = PercentDecode(segment, false);
    if (!decoded.ok()) return result;
    path.push_back(std::move(decoded).value());
  }
  std::string_view wanted[2] = {method, method == "HEAD" ? "GET" : ""};
  std::set<std::string> methods;
  std::shared_lock lock(mu_);
  for (std::string_view want : wanted) {
    std::vector<int> best_rank;
    for (const auto& route : routes_) {
      std::map<std::string, std::string> params;
      std::vector<int> rank;
      if (!MatchSegments(*route, path, params, rank)) continue;
      methods.insert(route->method);
      if (want.empty() || route->method != want) continue;
      if (result.route != nullptr && !(rank < best_rank)) continue;
      result = {RouteMatch::Kind::kFound, route, std::move(params), ""};
      best_rank = std::move(rank);
    }
    if (result.route != nullptr) return result;
  }
  if (!methods.empty()) {
    result.kind = RouteMatch::Kind::kMethodNotAllowed;
    result.allow = AllowedMethods(methods);
  }
  return result;
}

void Router::Dispatch(HttpRequest& request, std::shared_ptr<Responder> responder) const {
  StatusOr<ParsedTarget> target = ParseTarget(request.target);
  if (!target.ok()) {
    responder->Send(ErrorResponse(target.status()));
    return;
  }
  Invoke(Match(request.method, target->raw_path), request, std::move(responder));
}

void Router::Invoke(const RouteMatch& match, HttpRequest& request,
                    std::shared_ptr<Responder> responder) const {
  if (match.kind == RouteMatch::Kind::kNotFound) {
    responder->Send(ErrorResponse(NotFoundError("no route for {}", request.path)));
    return;
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    ErrorOptions options;
    options.http_status = 405;
    options.code = "method_not_allowed";
    HttpResponse response = ErrorResponse(
        InvalidArgumentError("method {} not allowed for {}", request.method, request.path),
        options);
    response.headers.Set("Allow", match.allow);
    responder->Send(std::move(response));
    return;
  }
  request.path_params = match.path_params;
  try {
    match.route->handler(request, responder);
  } catch (const std::exception& e) {
    LogError("handler threw", {{"error", e.what()},
                               {"method", request.method},
                               {"path", request.path},
                               {"request_id", request.request_id}});
    responder->Send(ErrorResponse(InternalError("internal error")));
  } catch (...) {
    LogError("handler threw", {{"error", "unknown exception"},
                               {"method", request.method},
                               {"path", request.path},
                               {"request_id", request.request_id}});
    responder->Send(ErrorResponse(InternalError("internal error")));
  }
}

}  // namespace savoir::server
