#include "server/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "server/testing/recording_responder.h"

namespace savoir::server {
namespace {

using testutil::RecordingResponder;

// A handler answering "<name> <params...>" so tests can see which route ran.
Handler Named(std::string name) {
  return [name](HttpRequest& request, std::shared_ptr<Responder> responder) {
    std::string text = name;
    for (const auto& [key, value] : request.path_params) text += " " + key + "=" + value;
    responder->Send(HttpResponse::Text(200, text));
  };
}

HttpResponse Call(const Router& router, std::string method, std::string target) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.path = request.target;
  auto responder = std::make_shared<RecordingResponder>();
  router.Dispatch(request, responder);
  EXPECT_TRUE(responder->response().has_value());
  return responder->response().value_or(HttpResponse{});
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/v1/models", Named("models"));
    router_.Add("GET", "/api/documents/{id}", Named("doc"));
    router_.Add("DELETE", "/api/documents/{id}", Named("delete"));
    router_.Add("GET", "/api/documents/search", Named("search"));
    router_.Add("GET", "/api/documents/{id}/chunks/{n}", Named("chunk"));
    router_.Add("GET", "/files/{rest...}", Named("files"));
    router_.Add("POST", "/upload", Named("upload"), {.max_body_bytes = 100});
  }
  Router router_;
};

TEST_F(RouterTest, LiteralRoute) {
  EXPECT_EQ(Call(router_, "GET", "/v1/models").body, "models");
  EXPECT_EQ(Call(router_, "GET", "/v1/models/").body, "models");
  EXPECT_EQ(Call(router_, "GET", "/v1/models?x=1").body, "models");
}

TEST_F(RouterTest, PathParamsAreDecoded) {
  EXPECT_EQ(Call(router_, "GET", "/api/documents/a%20b%2Fc").body, "doc id=a b/c");
  EXPECT_EQ(Call(router_, "GET", "/api/documents/7/chunks/3").body, "chunk id=7 n=3");
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  EXPECT_EQ(Call(router_, "GET", "/api/documents/search").body, "search");
  EXPECT_EQ(Call(router_, "DELETE", "/api/documents/search").body, "delete id=search");
}

TEST_F(RouterTest, RestParameter) {
  EXPECT_EQ(Call(router_, "GET", "/files/a/b/c.txt").body, "files rest=a/b/c.txt");
  EXPECT_EQ(Call(router_, "GET", "/files").body, "files rest=");
}

TEST_F(RouterTest, NotFoundIsJson404) {
  HttpResponse response = Call(router_, "GET", "/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["type"], "not_found_error");
  EXPECT_EQ(Call(router_, "GET", "/api/documents/1/chunks").status, 404);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  HttpResponse response = Call(router_, "POST", "/api/documents/1");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.Get("Allow"), "DELETE, GET, HEAD");
  EXPECT_EQ(Call(router_, "GET", "/upload").headers.Get("Allow"), "POST");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  EXPECT_EQ(Call(router_, "HEAD", "/v1/models").body, "models");
  router_.Add("HEAD", "/v1/models", Named("head"));
  EXPECT_EQ(Call(router_, "HEAD", "/v1/models").body, "head");
}

TEST_F(RouterTest, MatchReportsRouteBodyLimit) {
  EXPECT_EQ(router_.Match("POST", "/upload").max_body_bytes(), 100u);
  EXPECT_FALSE(router_.Match("GET", "/v1/models").max_body_bytes().has_value());
  EXPECT_EQ(router_.Match("GET", "/none").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(RouterTest, LaterAddReplaces) {
  router_.Add("GET", "/v1/models", Named("models2"));
  EXPECT_EQ(Call(router_, "GET", "/v1/models").body, "models2");
}

TEST_F(RouterTest, ThrowingHandlerGives500) {
  router_.Add("GET", "/throw", [](HttpRequest&, std::shared_ptr<Responder>) {
    throw std::runtime_error("secret internal detail");
  });
  HttpResponse response = Call(router_, "GET", "/throw");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

TEST_F(RouterTest, BadTargetIs400) { EXPECT_EQ(Call(router_, "GET", "/a/../b").status, 400); }

}  // namespace
}  // namespace savoir::server
