#include "server/static_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "server/router.h"
#include "server/testing/recording_responder.h"

namespace savoir::server {
namespace {

namespace fs = std::filesystem;
using testutil::RecordingResponder;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "savoir_static_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    root_ = base_ / "www";
    WriteFile(root_ / "index.html", "<html>index</html>");
    WriteFile(root_ / "assets" / "app.js", "console.log(1)");
    WriteFile(root_ / "assets" / "style.CSS", "body{}");
    WriteFile(root_ / "docs" / "index.html", "<html>docs</html>");
    WriteFile(base_ / "secret.txt", "secret");
    fs::create_directory_symlink(base_, root_ / "escape");
    router_.AddStatic("/ui/", root_);
  }
  void TearDown() override { fs::remove_all(base_); }

  HttpResponse Get(const std::string& target, const std::string& accept = "*/*") {
    HttpRequest request;
    request.method = "GET";
    request.target = target;
    request.path = target;
    request.headers.Add("Accept", accept);
    auto responder = std::make_shared<RecordingResponder>();
    router_.Dispatch(request, responder);
    EXPECT_TRUE(responder->response().has_value()) << target;
    return responder->response().value_or(HttpResponse{});
  }

  fs::path base_;
  fs::path root_;
  Router router_;
};

TEST(MimeTypeTest, ByExtension) {
  EXPECT_EQ(MimeTypeForPath("a/b/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeForPath("INDEX.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(MimeTypeForPath("x.svg"), "image/svg+xml");
  EXPECT_EQ(MimeTypeForPath("font.woff2"), "font/woff2");
  EXPECT_EQ(MimeTypeForPath("noext"), "application/octet-stream");
  EXPECT_EQ(MimeTypeForPath("dir.d/noext"), "application/octet-stream");
}

TEST_F(StaticFilesTest, ServesFilesWithTypes) {
  HttpResponse js = Get("/ui/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Get("/ui/assets/style.CSS").content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, IndexForPrefixAndDirectories) {
  for (const char* target : {"/ui", "/ui/", "/ui/index.html"}) {
    HttpResponse index = Get(target);
    EXPECT_EQ(index.status, 200) << target;
    EXPECT_EQ(index.body, "<html>index</html>") << target;
    EXPECT_EQ(index.headers.Get("Cache-Control"), "no-cache");
  }
  EXPECT_EQ(Get("/ui/docs").body, "<html>docs</html>");
}

TEST_F(StaticFilesTest, SpaFallbackOnlyForBrowserNavigation) {
  HttpResponse route = Get("/ui/chat/42", "text/html,application/xhtml+xml");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, "<html>index</html>");
  EXPECT_EQ(Get("/ui/chat/42", "application/json").status, 404);
  EXPECT_EQ(Get("/ui/assets/missing.js", "text/html").status, 404);
}

TEST_F(StaticFilesTest, NoTraversal) {
  EXPECT_EQ(Get("/ui/../secret.txt").status, 400);
  EXPECT_EQ(Get("/ui/%2e%2e/secret.txt").status, 400);
  HttpResponse encoded_slash = Get("/ui/..%2fsecret.txt");
  EXPECT_NE(encoded_slash.status, 200);
  EXPECT_EQ(encoded_slash.body.find("secret\""), std::string::npos);
  EXPECT_EQ(Get("/ui/escape/secret.txt").status, 404);
  EXPECT_EQ(Get("/ui/a%5c..%5csecret.txt").status, 400);
}

TEST_F(StaticFilesTest, ResolveStaticPathContract) {
  auto file = ResolveStaticPath(root_, "assets/app.js", "index.html");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, fs::canonical(root_ / "assets" / "app.js"));
  EXPECT_EQ(ResolveStaticPath(root_, "../secret.txt", "index.html").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveStaticPath(root_, "nope.txt", "index.html").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ResolveStaticPath(base_ / "missing", "", "index.html").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace savoir::server
