#include "base/dir_lock.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace savoir {
namespace {

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("savoir_dir_lock_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(DirectoryLockTest, CreatesDirectoryAndExcludesSecondHolder) {
  std::string dir = TempDir("excl") + "/nested/data";
  auto first = DirectoryLock::Acquire(dir);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  auto second = DirectoryLock::Acquire(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use by another savoir process (pid " +
                                           std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  first->reset();
  EXPECT_TRUE(DirectoryLock::Acquire(dir).ok());
}

TEST(DirectoryLockTest, RejectsAFile) {
  std::string dir = TempDir("file");
  std::filesystem::create_directories(dir);
  std::string file = dir + "/plain";
  FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto lock = DirectoryLock::Acquire(file);
  EXPECT_FALSE(lock.ok());
}

}  // namespace
}  // namespace savoir
