#include "base/thread_pool.h"

#include <algorithm>
#include <cassert>
#include <chrono>

namespace savoir {
namespace {

// How long an idle thread polls before it sleeps. Decode runs back-to-back loops a few tens of
// microseconds apart; polling across that gap saves a futex wake-up (several microseconds each)
// per loop, while an idle pool still goes to sleep almost at once.
constexpr auto kSpinTime = std::chrono::microseconds(100);
// Polls between two reads of the clock.
constexpr int kPollsPerClockRead = 64;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) : num_threads_(std::max(1, num_threads)) {
  workers_.reserve(static_cast<size_t>(num_threads_ - 1));
  for (int i = 1; i < num_threads_; ++i) {
    workers_.emplace_back([this, i] { WorkerLoop(i); });
  }
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  generation_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

namespace {

constexpr uint64_t kFieldMask = (uint64_t{1} << 20) - 1;

uint64_t ClaimWord(uint32_t generation, int64_t n_tasks) {
  return (static_cast<uint64_t>(generation & 0xFFFFFF) << 40) |
         (static_cast<uint64_t>(n_tasks) << 20);
}

}  // namespace

void ThreadPool::DrainTasks(uint32_t generation, int thread_index) {
  uint64_t word = claim_.load(std::memory_order_acquire);
  for (;;) {
    if ((word >> 40) != (generation & 0xFFFFFF)) return;  // that job is over
    const uint64_t next = word & kFieldMask;
    if (next >= ((word >> 20) & kFieldMask)) return;  // every task is taken
    if (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acquire,
                                      std::memory_order_acquire)) {
      continue;  // `word` was reloaded
    }
    job_call_(job_ctx_, static_cast<int64_t>(next), thread_index);
    pending_.fetch_sub(1, std::memory_order_release);
    word = claim_.load(std::memory_order_acquire);
  }
}

void ThreadPool::Run(int64_t n_tasks, void* ctx, Trampoline call) {
  if (n_tasks <= 0) return;
  assert(n_tasks < kMaxTasks);
  if (workers_.empty() || n_tasks == 1) {
    for (int64_t task = 0; task < n_tasks; ++task) call(ctx, task, 0);
    return;
  }
  job_ctx_ = ctx;
  job_call_ = call;
  pending_.store(n_tasks, std::memory_order_relaxed);
  const uint32_t generation = generation_.load(std::memory_order_relaxed) + 1;
  claim_.store(ClaimWord(generation, n_tasks), std::memory_order_release);
  // seq_cst pairs with the sleepers_ increment in WorkerLoop: either the worker sees the new
  // generation before it sleeps, or this thread sees it sleeping and wakes it.
  generation_.store(generation, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();

  DrainTasks(generation, 0);

  int polls = 0;
  while (pending_.load(std::memory_order_acquire) != 0) {
    // Another thread is finishing a task; it may have been preempted on a busy machine, so
    // after a short spin give the core away rather than burn it.
    if (++polls < 4096) {
      CpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::WorkerLoop(int thread_index) {
  uint32_t seen = 0;
  for (;;) {
    uint32_t current = generation_.load(std::memory_order_acquire);
    auto spin_start = std::chrono::steady_clock::now();
    int polls = 0;
    while (current == seen) {
      CpuRelax();
      if (++polls % kPollsPerClockRead == 0 &&
          std::chrono::steady_clock::now() - spin_start > kSpinTime) {
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        generation_.wait(seen, std::memory_order_seq_cst);
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        spin_start = std::chrono::steady_clock::now();
      }
      current = generation_.load(std::memory_order_acquire);
    }
    seen = current;
    if (stop_.load(std::memory_order_relaxed)) return;
    DrainTasks(current, thread_index);
  }
}

}  // namespace savoir
