// ThreadPool: a fixed set of compute threads for data-parallel loops.
//
// The inference engine splits each matrix product across cores many times per decoded token
// (a decode step lasts ~10 ms and holds hundreds of such loops), so threads are created once,
// when the pool is built, and reused for every ParallelFor. Between loops the workers spin for a
// short while (a few tens of microseconds) and then sleep on a futex-backed atomic wait, so a
// loop that follows closely on the previous one starts without a system call, and an idle pool
// costs no CPU.
//
// The thread that calls ParallelFor takes part in the work as thread index 0; a pool of N
// threads therefore starts N - 1 workers.
//
// Thread safety: ParallelFor may be called from one thread at a time (it is not reentrant and
// must not be called from inside a task). Construction and destruction happen on one thread.
#ifndef SAVOIR_BASE_THREAD_POOL_H_
#define SAVOIR_BASE_THREAD_POOL_H_

#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace savoir {

class ThreadPool {
 public:
  // Starts `num_threads - 1` workers; `num_threads` is clamped to at least 1.
  explicit ThreadPool(int num_threads);
  // Stops and joins the workers. No ParallelFor may be running.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  static constexpr int64_t kMaxTasks = int64_t{1} << 20;

  // Threads that run tasks, the caller included.
  int num_threads() const { return num_threads_; }

  // Calls fn(task_index, thread_index) once for every task_index in [0, n_tasks), spread over
  // the pool's threads (thread_index in [0, num_threads())), and returns when all calls have
  // returned. Tasks are handed out dynamically in increasing order; a thread may run several, and
  // the caller runs them all itself if the workers are slow to wake (a busy machine), rather than
  // wait for them. `fn` must not throw and must not call ParallelFor. n_tasks <= 0 returns at
  // once; n_tasks must be below kMaxTasks.
  template <typename Fn>
  void ParallelFor(int64_t n_tasks, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    Run(n_tasks, const_cast<void*>(static_cast<const void*>(&fn)),
        [](void* ctx, int64_t task, int thread) { (*static_cast<F*>(ctx))(task, thread); });
  }

 private:
  using Trampoline = void (*)(void* ctx, int64_t task, int thread);

  void Run(int64_t n_tasks, void* ctx, Trampoline call);
  void WorkerLoop(int thread_index);
  // Claims and runs tasks of job `generation` until none are left.
  void DrainTasks(uint32_t generation, int thread_index);

  const int num_threads_;
  std::vector<std::thread> workers_;

  // The current job. Written by the caller before it publishes the job in `claim_` (release);
  // a thread reads them only after claiming a task of that job (acquire), and the caller does
  // not rewrite them before every claimed task has finished.
  void* job_ctx_ = nullptr;
  Trampoline job_call_ = nullptr;

  // Bumped once per ParallelFor (and at destruction); idle workers wait for it to change.
  alignas(64) std::atomic<uint32_t> generation_{0};
  // The claim word: job generation (low 24 bits) << 40 | task count << 20 | next task index.
  // Claiming is a compare-and-swap on the whole word, so a worker that wakes late can never
  // claim a task of a job that has ended or of a later job than the one it checked.
  alignas(64) std::atomic<uint64_t> claim_{0};
  // Tasks of the current job not finished yet; the caller returns when it reaches 0.
  alignas(64) std::atomic<int64_t> pending_{0};
  // Workers blocked in generation_.wait(); the caller only issues a wake-up when this is > 0.
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace savoir

#endif  // SAVOIR_BASE_THREAD_POOL_H_
