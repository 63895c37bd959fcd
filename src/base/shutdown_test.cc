#include "base/shutdown.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace savoir {
namespace {

TEST(ShutdownSignalsTest, DeliversSigtermOnce) {
  std::atomic<int> received{0};
  std::atomic<int> calls{0};
  auto watcher = ShutdownSignals::Start([&](int sig) {
    received = sig;
    ++calls;
  });
  ASSERT_TRUE(watcher.ok());
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  for (int i = 0; i < 200 && calls == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(received, SIGTERM);
  EXPECT_EQ(calls, 1);
}

TEST(ShutdownSignalsTest, DestroyWithoutSignalReturnsPromptly) {
  auto start = std::chrono::steady_clock::now();
  {
    auto watcher = ShutdownSignals::Start([](int) { FAIL() << "no signal was sent"; });
    ASSERT_TRUE(watcher.ok());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace savoir
