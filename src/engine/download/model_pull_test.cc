#include "engine/download/model_pull.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "net/sha256.h"
#include "net/testing/test_http_server.h"

namespace savoir::engine {
namespace {

namespace fs = std::filesystem;
using net::TestResource;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kHf = "https://huggingface.co";

struct SourceCase {
  std::string spec;
  std::string url;
  std::string file_name;
  bool hugging_face;
};

TEST(ResolveModelSourceTest, Valid) {
  const std::vector<SourceCase> cases = {
      {"hf://owner/repo/file.gguf", "https://huggingface.co/owner/repo/resolve/main/file.gguf",
       "file.gguf", true},
      {"hf://TheOwner/Some-Model-GGUF/sub/dir/model.Q4_K_M.gguf",
       "https://huggingface.co/TheOwner/Some-Model-GGUF/resolve/main/sub/dir/model.Q4_K_M.gguf",
       "model.Q4_K_M.gguf", true},
      {"hf://owner/repo@v1.0/file.gguf", "https://huggingface.co/owner/repo/resolve/v1.0/file.gguf",
       "file.gguf", true},
      {"hf://owner/repo@refs%2Fpr%2F1/f.gguf",
       "https://huggingface.co/owner/repo/resolve/refs%2Fpr%2F1/f.gguf", "f.gguf", true},
      {"hf://owner/repo/a+b.gguf", "https://huggingface.co/owner/repo/resolve/main/a%2Bb.gguf",
       "a+b.gguf", true},
      {"https://huggingface.co/owner/repo/blob/main/f.gguf",
       "https://huggingface.co/owner/repo/resolve/main/f.gguf", "f.gguf", true},
      {"https://huggingface.co/owner/repo/resolve/main/f.gguf?download=true",
       "https://huggingface.co/owner/repo/resolve/main/f.gguf?download=true", "f.gguf", true},
      {"https://example.com/models/x%2Dy.gguf?v=1#top", "https://example.com/models/x%2Dy.gguf?v=1",
       "x-y.gguf", false},
      {"HTTP://example.com", "HTTP://example.com", "", false},
  };
  for (const SourceCase& c : cases) {
    auto source = ResolveModelSource(c.spec, kHf);
    ASSERT_TRUE(source.ok()) << c.spec << ": " << source.status().ToString();
    EXPECT_EQ(source->url, c.url) << c.spec;
    EXPECT_EQ(source->file_name, c.file_name) << c.spec;
    EXPECT_EQ(source->hugging_face, c.hugging_face) << c.spec;
  }
}

TEST(ResolveModelSourceTest, MirrorEndpoint) {
  auto source = ResolveModelSource("hf://o/r/f.gguf", "http://mirror.local:8000/hf/");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->url, "http://mirror.local:8000/hf/o/r/resolve/main/f.gguf");
  source = ResolveModelSource("http://mirror.local:8000/hf/o/r/blob/dev/f.gguf",
                              "http://mirror.local:8000/hf");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(source->url, "http://mirror.local:8000/hf/o/r/resolve/dev/f.gguf");
  EXPECT_TRUE(source->hugging_face);
}

TEST(ResolveModelSourceTest, Invalid) {
  for (const char* spec :
       {"hf://owner/file.gguf", "hf://owner/repo@/f.gguf", "hf://owner/repo//f.gguf",
        "hf://o/r/../f.gguf", "hf://o/r/f.gguf/", "hf://ow ner/repo/f.gguf", "hf://o!/r/f.gguf",
        "ftp://example.com/f.gguf", "model.gguf", "https://", "https:///f.gguf", ""}) {
    auto source = ResolveModelSource(spec, kHf);
    EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument) << spec;
  }
}

ModelSource Source(std::string url, std::string file_name) {
  ModelSource source;
  source.url = std::move(url);
  source.file_name = std::move(file_name);
  return source;
}

TEST(ModelFileNameTest, NamesAndTheirChecks) {
  const ModelSource source = Source("u", "stories260K.gguf");
  EXPECT_EQ(ModelFileName(source, "").value(), "stories260K.gguf");
  EXPECT_EQ(ModelFileName(source, "tiny").value(), "tiny.gguf");
  EXPECT_EQ(ModelFileName(source, "tiny.gguf").value(), "tiny.gguf");
  EXPECT_EQ(ModelFileName(Source("u", "model.bin"), "").value(), "model.bin.gguf");
  for (const char* bad : {"../x", "a/b", ".hidden", "a b", "x~"}) {
    EXPECT_EQ(ModelFileName(source, bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ModelFileName(Source("https://example.com/", ""), "").status().code(),
            StatusCode::kInvalidArgument);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PullModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* env = std::getenv("SAVOIR_SHARED");
    model_ = ReadFile(std::string(env != nullptr ? env : SAVOIR_SHARED_DIR) +
                      "/models/stories260K.gguf");
    ASSERT_EQ(model_.size(), 1185376u);
    sha_ = net::Sha256Hex(model_);
    auto server = net::TestHttpServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    auto client = net::HttpClient::Create({.user_agent = "savoir/test"});
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *std::move(client);
    std::string tmpl = ::testing::TempDir() + "/model_pull_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // Hugging Face as this server: a resolve URL redirects (to another host name, as the real
    // one redirects to its CDN) and announces the LFS file's SHA-256 in X-Linked-Etag.
    const std::string cdn = "http://localhost:" + std::to_string(server_->port());
    server_->Serve(
        "/owner/repo/resolve/main/stories260K.gguf",
        TestResource::Redirect(cdn + "/cdn/blob1").WithHeader("X-Linked-Etag", "\"" + sha_ + "\""));
    server_->Serve("/cdn/blob1", TestResource::File(model_));
  }
  void TearDown() override { fs::remove_all(dir_); }

  PullOptions Options(const std::string& source) {
    PullOptions options;
    options.source = source;
    options.models_dir = dir_ + "/models";
    options.hf_endpoint = server_->Url("");
    options.first_backoff = std::chrono::milliseconds(1);
    options.on_notice = [](std::string_view) {};
    return options;
  }

  std::set<std::string> ModelsDirEntries() {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_ + "/models")) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  std::string model_;
  std::string sha_;
  std::unique_ptr<net::TestHttpServer> server_;
  std::unique_ptr<net::HttpClient> client_;
  std::string dir_;
};

TEST_F(PullModelTest, PullsFromHuggingFaceWithTokenAndChecksum) {
  PullOptions options = Options("hf://owner/repo/stories260K.gguf");
  options.hf_token = "hf_secret";
  auto result = PullModel(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->path, dir_ + "/models/stories260K.gguf");
  EXPECT_EQ(result->url, server_->Url("/owner/repo/resolve/main/stories260K.gguf"));
  EXPECT_EQ(result->download.sha256, sha_);
  EXPECT_EQ(result->download.sha256_source, "x-linked-etag");
  EXPECT_EQ(ReadFile(result->path), model_);
  EXPECT_TRUE(GgufFile::Open(result->path).ok());
  EXPECT_EQ(ModelsDirEntries(), std::set<std::string>{"stories260K.gguf"});
  // The token goes to Hugging Face, not to the CDN it redirects to.
  auto resolve = server_->RequestsFor("/owner/repo/resolve/main/stories260K.gguf");
  ASSERT_EQ(resolve.size(), 1u);
  EXPECT_EQ(resolve[0].headers.Get("authorization"), "Bearer hf_secret");
  auto cdn = server_->RequestsFor("/cdn/blob1");
  ASSERT_EQ(cdn.size(), 1u);
  EXPECT_EQ(cdn[0].headers.Get("authorization"), std::nullopt);
}

TEST_F(PullModelTest, TokenIsNotSentToOtherHosts) {
  PullOptions options = Options(server_->Url("/cdn/blob1"));
  options.hf_endpoint = std::string(kHf);
  options.hf_token = "hf_secret";
  options.name = "tiny";
  auto result = PullModel(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->path, dir_ + "/models/tiny.gguf");
  EXPECT_EQ(server_->RequestsFor("/cdn/blob1").at(0).headers.Get("authorization"), std::nullopt);
}

TEST_F(PullModelTest, ResumesAfterADroppedConnection) {
  server_->Serve("/cdn/blob1", TestResource::File(model_).DroppingFirst(1, 400000));
  auto result = PullModel(*client_, Options("hf://owner/repo/stories260K.gguf"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto cdn = server_->RequestsFor("/cdn/blob1");
  ASSERT_EQ(cdn.size(), 2u);
  EXPECT_EQ(cdn[1].headers.Get("range"), "bytes=400000-");
  EXPECT_EQ(ReadFile(result->path), model_);
}

TEST_F(PullModelTest, RejectsAPayloadThatIsNotGguf) {
  server_->Serve("/page.gguf", TestResource::File("<!DOCTYPE html><html>sign in</html>"));
  auto result = PullModel(*client_, Options(server_->Url("/page.gguf")));
  EXPECT_EQ(result.status(),
            InvalidArgumentError("not a GGUF file: {} (it starts with '<!DOCTYPE html><')",
                                 server_->Url("/page.gguf")));
  EXPECT_TRUE(ModelsDirEntries().empty());
}

TEST_F(PullModelTest, RejectsATruncatedGguf) {
  server_->Serve("/cut.gguf", TestResource::File(model_.substr(0, 600000)));
  auto result = PullModel(*client_, Options(server_->Url("/cut.gguf")));
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(),
              HasSubstr("not a GGUF file: " + server_->Url("/cut.gguf")));
  EXPECT_TRUE(ModelsDirEntries().empty());
}

TEST_F(PullModelTest, ChecksumMismatchInstallsNothing) {
  PullOptions options = Options("hf://owner/repo/stories260K.gguf");
  options.sha256 = std::string(64, '0');
  auto result = PullModel(*client_, options);
  EXPECT_EQ(result.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("checksum mismatch"));
  EXPECT_TRUE(ModelsDirEntries().empty());
}

TEST_F(PullModelTest, NotFoundAndAccessErrors) {
  auto result = PullModel(*client_, Options("hf://owner/repo/missing.gguf"));
  EXPECT_EQ(result.status(),
            NotFoundError("not found: {}", server_->Url("/owner/repo/resolve/main/missing.gguf")));

  server_->Serve("/owner/gated/resolve/main/m.gguf", TestResource::Reply(403, "gated"));
  result = PullModel(*client_, Options("hf://owner/gated/m.gguf"));
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(result.status().message(), HasSubstr("set HF_TOKEN"));

  PullOptions with_token = Options("hf://owner/gated/m.gguf");
  with_token.hf_token = "hf_wrong";
  result = PullModel(*client_, with_token);
  EXPECT_THAT(result.status().message(), HasSubstr("HF_TOKEN was refused"));

  // Not Hugging Face: no advice about its tokens.
  PullOptions elsewhere = Options(server_->Url("/owner/gated/resolve/main/m.gguf"));
  elsewhere.hf_endpoint = std::string(kHf);
  result = PullModel(*client_, elsewhere);
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(result.status().message(), Not(HasSubstr("HF_TOKEN")));
}

TEST_F(PullModelTest, ExistingModelNeedsForce) {
  ASSERT_TRUE(PullModel(*client_, Options("hf://owner/repo/stories260K.gguf")).ok());
  auto again = PullModel(*client_, Options("hf://owner/repo/stories260K.gguf"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  PullOptions force = Options("hf://owner/repo/stories260K.gguf");
  force.force = true;
  auto forced = PullModel(*client_, force);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(ReadFile(forced->path), model_);
}

}  // namespace
}  // namespace savoir::engine
