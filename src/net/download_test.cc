#include "net/download.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "net/sha256.h"
#include "net/testing/test_http_server.h"

namespace savoir::net {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string ModelBytes() {
  const char* env = std::getenv("SAVOIR_SHARED");
  const std::string shared = env != nullptr ? env : SAVOIR_SHARED_DIR;
  return ReadFile(shared + "/models/stories260K.gguf");
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

class DownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = ModelBytes();
    ASSERT_EQ(model_.size(), 1185376u);
    sha_ = Sha256Hex(model_);
    auto server = TestHttpServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    auto client = HttpClient::Create({.user_agent = "savoir/test"});
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *std::move(client);
    std::string tmpl = ::testing::TempDir() + "/download_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    dest_ = dir_ + "/model.gguf";
  }
  void TearDown() override { fs::remove_all(dir_); }

  DownloadOptions Options(const std::string& path) {
    DownloadOptions options;
    options.url = server_->Url(path);
    options.destination = dest_;
    options.first_backoff = std::chrono::milliseconds(1);
    options.on_notice = [this](std::string_view note) { notices_.emplace_back(note); };
    return options;
  }

  // The Range header of each GET request for `path`, "" where there was none.
  std::vector<std::string> Ranges(const std::string& path) {
    std::vector<std::string> ranges;
    for (const RecordedRequest& r : server_->RequestsFor(path)) {
      ranges.emplace_back(r.headers.Get("range").value_or(""));
    }
    return ranges;
  }

  std::string model_;
  std::string sha_;
  std::unique_ptr<TestHttpServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::string dir_;
  std::string dest_;
  std::vector<std::string> notices_;
};

TEST_F(DownloadTest, FullDownloadCheckedAgainstEtag) {
  server_->Serve("/m.gguf", TestResource::File(model_).WithHeader("ETag", Quoted(sha_)));
  DownloadProgress last;
  int reports = 0;
  DownloadOptions options = Options("/m.gguf");
  options.on_progress = [&](const DownloadProgress& p) {
    last = p;
    ++reports;
  };
  auto result = DownloadFile(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->path, dest_);
  EXPECT_EQ(result->size, static_cast<int64_t>(model_.size()));
  EXPECT_EQ(result->sha256, sha_);
  EXPECT_EQ(result->sha256_source, "etag");
  EXPECT_EQ(result->resumed_from, 0);
  EXPECT_EQ(result->requests, 1);
  EXPECT_EQ(ReadFile(dest_), model_);
  EXPECT_FALSE(fs::exists(PartialPath(dest_)));
  EXPECT_GE(reports, 1);
  EXPECT_TRUE(last.done);
  EXPECT_EQ(last.bytes, static_cast<int64_t>(model_.size()));
  EXPECT_EQ(last.total, static_cast<int64_t>(model_.size()));
  EXPECT_EQ(Ranges("/m.gguf"), std::vector<std::string>{""});
}

TEST_F(DownloadTest, ResumesWithRangeAfterTheConnectionDrops) {
  server_->Serve(
      "/m.gguf",
      TestResource::File(model_).WithHeader("ETag", Quoted(sha_)).DroppingFirst(1, 300000));
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Ranges("/m.gguf"), (std::vector<std::string>{"", "bytes=300000-"}));
  EXPECT_EQ(result->requests, 2);
  EXPECT_EQ(result->sha256_source, "etag");
  EXPECT_EQ(ReadFile(dest_), model_);
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_THAT(notices_[0], HasSubstr("retrying"));
}

TEST_F(DownloadTest, ProgressResetsTheFailureCount) {
  // Three drops in a row, each after 200000 more bytes, with only two attempts allowed in a
  // row without progress: every attempt makes progress, so the download completes.
  server_->Serve("/m.gguf", TestResource::File(model_).DroppingFirst(3, 200000));
  DownloadOptions options = Options("/m.gguf");
  options.max_attempts = 2;
  options.expected_sha256 = sha_;
  auto result = DownloadFile(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Ranges("/m.gguf"),
            (std::vector<std::string>{"", "bytes=200000-", "bytes=400000-", "bytes=600000-"}));
  EXPECT_EQ(result->sha256_source, "expected");
  EXPECT_EQ(ReadFile(dest_), model_);
}

TEST_F(DownloadTest, ResumesAPartialFileFromAnEarlierRun) {
  WriteFile(PartialPath(dest_), std::string_view(model_).substr(0, 500000));
  server_->Serve("/m.gguf", TestResource::File(model_).WithHeader("ETag", Quoted(sha_)));
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->resumed_from, 500000);
  // The checksum covers the bytes found on disk, hashed before the rest arrived.
  EXPECT_EQ(result->sha256, sha_);
  EXPECT_EQ(Ranges("/m.gguf"), std::vector<std::string>{"bytes=500000-"});
  EXPECT_EQ(ReadFile(dest_), model_);
}

TEST_F(DownloadTest, RestartsFromZeroWhenTheServerIgnoresRange) {
  // Garbage in the .part: the download is only right if it was really discarded.
  WriteFile(PartialPath(dest_), std::string(500000, 'x'));
  server_->Serve("/m.gguf", TestResource::File(model_).IgnoringRange());
  DownloadOptions options = Options("/m.gguf");
  options.expected_sha256 = sha_;
  auto result = DownloadFile(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Ranges("/m.gguf"), std::vector<std::string>{"bytes=500000-"});
  EXPECT_EQ(result->requests, 1);
  EXPECT_EQ(ReadFile(dest_), model_);
  ASSERT_EQ(notices_.size(), 2u);
  EXPECT_THAT(notices_[1], HasSubstr("ignored the range request"));
}

TEST_F(DownloadTest, RestartsWithoutRangeWhenContentRangeDoesNotMatch) {
  WriteFile(PartialPath(dest_), std::string_view(model_).substr(0, 500000));
  server_->Serve("/m.gguf", TestResource::File(model_).WithWrongContentRange());
  DownloadOptions options = Options("/m.gguf");
  options.expected_sha256 = sha_;
  auto result = DownloadFile(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Ranges("/m.gguf"), (std::vector<std::string>{"bytes=500000-", ""}));
  EXPECT_EQ(ReadFile(dest_), model_);
}

TEST_F(DownloadTest, CompletePartialFileIsInstalledAfter416) {
  WriteFile(PartialPath(dest_), model_);
  server_->Serve("/m.gguf", TestResource::File(model_).WithHeader("ETag", Quoted(sha_)));
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Ranges("/m.gguf"), std::vector<std::string>{"bytes=1185376-"});
  EXPECT_EQ(result->sha256, sha_);
  EXPECT_EQ(ReadFile(dest_), model_);
}

TEST_F(DownloadTest, ChecksumMismatchInstallsNothingAndDeletesThePart) {
  server_->Serve("/m.gguf", TestResource::File(model_));
  DownloadOptions options = Options("/m.gguf");
  options.expected_sha256 = std::string(64, 'a');
  auto result = DownloadFile(*client_, options);
  EXPECT_EQ(result.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("checksum mismatch"));
  EXPECT_THAT(result.status().message(), HasSubstr(sha_));
  EXPECT_FALSE(fs::exists(dest_));
  EXPECT_FALSE(fs::exists(PartialPath(dest_)));
}

TEST_F(DownloadTest, ChecksumFromEtagIsEnforcedUnlessDisabled) {
  const std::string wrong(64, 'b');
  server_->Serve("/m.gguf", TestResource::File(model_).WithHeader("ETag", Quoted(wrong)));
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  EXPECT_EQ(result.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(result.status().message(), HasSubstr("(etag)"));
  EXPECT_FALSE(fs::exists(dest_));

  DownloadOptions options = Options("/m.gguf");
  options.sha256_from_etag = false;
  result = DownloadFile(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->sha256_source, "");
}

TEST_F(DownloadTest, FollowsRedirectAndUsesXLinkedEtag) {
  server_->Serve("/resolve/m.gguf",
                 TestResource::Redirect("/cdn/blob").WithHeader("X-Linked-Etag", Quoted(sha_)));
  server_->Serve("/cdn/blob", TestResource::File(model_).WithHeader("ETag", "\"not-a-sha\""));
  auto result = DownloadFile(*client_, Options("/resolve/m.gguf"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->sha256_source, "x-linked-etag");
  EXPECT_EQ(ReadFile(dest_), model_);
}

TEST_F(DownloadTest, HttpErrorsAreNamed) {
  auto result = DownloadFile(*client_, Options("/missing.gguf"));
  EXPECT_EQ(result.status(), NotFoundError("not found: {}", server_->Url("/missing.gguf")));
  EXPECT_FALSE(fs::exists(PartialPath(dest_)));

  server_->Serve("/gated", TestResource::Reply(403, "forbidden"));
  result = DownloadFile(*client_, Options("/gated"));
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  server_->Serve("/private", TestResource::Reply(401, "unauthorized"));
  result = DownloadFile(*client_, Options("/private"));
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(DownloadTest, TransientErrorsAreRetriedThenGivenUp) {
  server_->Serve("/m.gguf", TestResource::File(model_).FailingFirst(2, 503));
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->requests, 3);
  EXPECT_EQ(ReadFile(dest_), model_);

  fs::remove(dest_);
  server_->Serve("/m.gguf", TestResource::File(model_).FailingFirst(100, 500));
  DownloadOptions options = Options("/m.gguf");
  options.max_attempts = 3;
  result = DownloadFile(*client_, options);
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("HTTP 500"));
  EXPECT_THAT(result.status().message(), HasSubstr("gave up after 3 attempts"));
  EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(DownloadTest, NotEnoughDiskSpaceIsReportedBeforeWriting) {
  // A petabyte does not fit in the test's temporary directory.
  server_->Serve("/huge.gguf", TestResource::File(model_).AnnouncingLength(int64_t{1} << 50));
  auto result = DownloadFile(*client_, Options("/huge.gguf"));
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(result.status().message(), HasSubstr("disk full: " + dest_ + " needs"));
  EXPECT_TRUE(notices_.empty());  // not retried
  EXPECT_FALSE(fs::exists(dest_));
  EXPECT_FALSE(fs::exists(PartialPath(dest_)));
}

TEST_F(DownloadTest, UnreachableServerFailsAtOnce) {
  DownloadOptions options = Options("/m.gguf");
  server_.reset();  // nothing listens on that port any more
  auto result = DownloadFile(*client_, options);
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(), HasSubstr("cannot connect to " + options.url));
  EXPECT_TRUE(notices_.empty());  // no retries
  EXPECT_FALSE(fs::exists(PartialPath(dest_)));
}

TEST_F(DownloadTest, FailedVerificationInstallsNothing) {
  server_->Serve("/m.gguf", TestResource::File(model_));
  DownloadOptions options = Options("/m.gguf");
  std::string verified;
  options.verify = [&](const std::string& path) {
    verified = ReadFile(path);
    return InvalidArgumentError("{}: not what we wanted", path);
  };
  auto result = DownloadFile(*client_, options);
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(verified, model_);  // verify saw the complete file
  EXPECT_FALSE(fs::exists(dest_));
  EXPECT_FALSE(fs::exists(PartialPath(dest_)));
}

TEST_F(DownloadTest, ExistingDestinationIsKeptUnlessReplacing) {
  WriteFile(dest_, "old");
  server_->Serve("/m.gguf", TestResource::File(model_));
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  EXPECT_EQ(result.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(dest_), "old");
  EXPECT_TRUE(server_->requests().empty());

  DownloadOptions options = Options("/m.gguf");
  options.replace_existing = true;
  result = DownloadFile(*client_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(ReadFile(dest_), model_);
}

TEST_F(DownloadTest, AnotherProcessDownloadingTheSameFileIsRefused) {
  const int fd = ::open(PartialPath(dest_).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  server_->Serve("/m.gguf", TestResource::File(model_));
  // flock locks belong to open file descriptions, so a second open() in this process
  // conflicts just like another process would.
  auto result = DownloadFile(*client_, Options("/m.gguf"));
  ::close(fd);
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("another process"));
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(DownloadTest, BadOptions) {
  DownloadOptions options = Options("/m.gguf");
  options.expected_sha256 = "abc";
  EXPECT_EQ(DownloadFile(*client_, options).status().code(), StatusCode::kInvalidArgument);
  options = Options("/m.gguf");
  options.destination = dir_ + "/no/such/dir/m.gguf";
  EXPECT_EQ(DownloadFile(*client_, options).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace savoir::net
