#pragma once
/// A fixed set of threads that run one job together: the fork-join of a data-parallel
/// training step (one per step, not one per kernel, so its few microseconds of hand-over
/// are paid once per batch).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace aec::rt {

class WorkerPool {
public:
  /// `threads` >= 1 participants: the caller and threads - 1 workers.
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  /// Runs job(t) for every t in [0, size()), t = 0 on the calling thread, and returns when
  /// all have finished. The first exception of any participant is rethrown here. No heap
  /// allocation (a step makes none): the job is passed by address, not as a std::function.
  template <class Job> void run(Job &job) {
    runErased(&job, [](void *j, int t) { (*static_cast<Job *>(j))(t); });
  }

private:
  void runErased(void *job, void (*call)(void *, int));
  void work(int t);
  /// Waits until `done()` holds: a short spin (a step's hand-over is microseconds), then
  /// the condition variable.
  template <class Pred> void await(std::condition_variable &cv, Pred done);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, finished_;
  void *job_ = nullptr;
  void (*call_)(void *, int) = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> running_{0};
  bool stop_ = false;
  std::vector<std::exception_ptr> errors_;
};

} // namespace aec::rt
