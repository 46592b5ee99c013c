/// The threads of a data-parallel step (aec/WorkerPool.h).
#include <aec/WorkerPool.h>

#include <algorithm>
#include <chrono>

namespace aec::rt {

WorkerPool::WorkerPool(int threads) : errors_(static_cast<size_t>(std::max(threads, 1))) {
  for (int t = 1; t < threads; ++t)
    workers_.emplace_back([this, t] { work(t); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    ++generation_;
  }
  start_.notify_all();
  for (std::thread &w : workers_)
    w.join();
}

template <class Pred> void WorkerPool::await(std::condition_variable &cv, Pred done) {
  // A sleeping thread wakes up tens of microseconds late, or a whole time slice on a busy
  // machine; the serial part of a step (reduction, update, the next batch's rows) is shorter
  // than this spin, so a worker catches the next step awake.
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(500);
  for (int spins = 0; !done(); ++spins) {
    if ((spins & 63) == 0 && std::chrono::steady_clock::now() >= until) {
      std::unique_lock<std::mutex> lock(mutex_);
      cv.wait(lock, done);
      return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
}

void WorkerPool::work(int t) {
  uint64_t seen = 0;
  while (true) {
    await(start_, [&] { return generation_.load() != seen; });
    seen = generation_.load();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_)
        return;
    }
    try {
      call_(job_, t);
    } catch (...) {
      errors_[t] = std::current_exception();
    }
    // Taking the lock before notifying: the caller checks running_ under it, so the wake-up
    // cannot fall between its check and its wait.
    if (running_.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_.notify_one();
    }
  }
}

void WorkerPool::runErased(void *job, void (*call)(void *, int)) {
  job_ = job;
  call_ = call;
  running_ = static_cast<int>(workers_.size());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
  }
  start_.notify_all();
  try {
    call(job, 0);
  } catch (...) {
    errors_[0] = std::current_exception();
  }
  await(finished_, [&] { return running_.load() == 0; });
  for (std::exception_ptr &e : errors_)
    if (e) {
      std::exception_ptr first = e;
      for (std::exception_ptr &other : errors_)
        other = nullptr;
      std::rethrow_exception(first);
    }
}

} // namespace aec::rt
