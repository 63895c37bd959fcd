#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace savoir {
namespace {

TEST(ThreadPoolTest, RunsEveryTaskExactlyOnce) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.num_threads(), threads);
    for (int64_t n : {0, 1, 2, 7, 100, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      pool.ParallelFor(n, [&](int64_t task, int thread) {
        ASSERT_GE(thread, 0);
        ASSERT_LT(thread, threads);
        hits[static_cast<size_t>(task)].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(hits[static_cast<size_t>(i)].load(), 1) << i;
    }
  }
}

TEST(ThreadPoolTest, ClampsThreadCountToOne) {
  ThreadPool pool(0);
  EXPECT_EQ(pool.num_threads(), 1);
  int sum = 0;
  pool.ParallelFor(10, [&](int64_t task, int thread) {
    EXPECT_EQ(thread, 0);
    sum += static_cast<int>(task);
  });
  EXPECT_EQ(sum, 45);
}

TEST(ThreadPoolTest, UsesSeveralThreadsWhenTasksBlock) {
  // Each task waits until two distinct threads have entered; this only finishes if the pool
  // really runs tasks concurrently.
  ThreadPool pool(2);
  std::atomic<int> entered{0};
  std::vector<int> thread_of(2, -1);
  pool.ParallelFor(2, [&](int64_t task, int thread) {
    thread_of[static_cast<size_t>(task)] = thread;
    entered.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (entered.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  });
  EXPECT_EQ(entered.load(), 2);
  EXPECT_NE(thread_of[0], thread_of[1]);
}

TEST(ThreadPoolTest, ManyBackToBackLoopsAndSleepingWorkers) {
  ThreadPool pool(3);
  std::atomic<int64_t> total{0};
  for (int round = 0; round < 2000; ++round) {
    pool.ParallelFor(5, [&](int64_t task, int) { total.fetch_add(task + 1); });
    if (round % 500 == 0) {
      // Long enough for the workers to stop spinning and sleep; the next loop must wake them.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  EXPECT_EQ(total.load(), 2000 * 15);
}

TEST(ThreadPoolTest, LateWorkersNeverRunTasksOfAnotherJob) {
  // Thousands of short jobs with their own state: a worker that wakes up late for one job must
  // not claim a task of it once it has ended, nor run a later job's task with stale state.
  ThreadPool pool(4);
  for (int job = 0; job < 5000; ++job) {
    const int64_t n = 1 + job % 9;
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    const int tag = job;
    std::atomic<int> wrong_tag{0};
    pool.ParallelFor(n, [&hits, &wrong_tag, tag, job](int64_t task, int) {
      if (tag != job) wrong_tag.fetch_add(1);
      hits[static_cast<size_t>(task)].fetch_add(1);
    });
    ASSERT_EQ(wrong_tag.load(), 0);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << job;
    if (job % 1000 == 999) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(ThreadPoolTest, ResultsAreVisibleToTheCaller) {
  ThreadPool pool(4);
  std::vector<int64_t> out(4096, 0);
  for (int round = 1; round <= 50; ++round) {
    pool.ParallelFor(static_cast<int64_t>(out.size()),
                     [&](int64_t task, int) { out[static_cast<size_t>(task)] = task * round; });
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_EQ(out[i], static_cast<int64_t>(i) * round);
    }
  }
}

}  // namespace
}  // namespace savoir
