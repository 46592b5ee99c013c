#pragma once
/// Replaying a step as one CUDA graph. A cuda model's entry point only enqueues work on the
/// device's stream (aec/CudaDevice.h), so its launches can be recorded by stream capture once
/// and replayed with one cuGraphLaunch: small models are launch-bound, and this turns tens of
/// launches per step into one. A graph bakes in the buffer pointers it was captured with; the
/// trainer's params and states are double-buffered, so a step alternates between two pointer
/// sets: one graph per set, found by the set.
#include <aec/CudaDevice.h>

#include <functional>
#include <map>
#include <vector>

namespace aec::rt {

class CudaGraphCache {
public:
  explicit CudaGraphCache(CudaDevice &device);
  ~CudaGraphCache();
  CudaGraphCache(const CudaGraphCache &) = delete;
  CudaGraphCache &operator=(const CudaGraphCache &) = delete;

  /// Runs `enqueue` (which only enqueues work on the device's stream) for the buffers `key`.
  /// The first run of the cache is eager (it loads and JIT-compiles the modules, which must
  /// not happen inside a capture); later runs capture a graph for each new key and launch it,
  /// or launch the key's graph. A failed capture (an operation the driver cannot capture)
  /// turns graphs off for this cache, with the reason in fallbackReason(), and runs eagerly.
  void run(const std::vector<void *> &key, const std::function<void()> &enqueue);

  /// Graphs on unless AEC_CUDA_GRAPHS=0.
  static bool enabledByEnvironment();
  size_t graphs() const { return graphs_.size(); }
  int64_t graphLaunches() const { return launches_; }
  const std::string &fallbackReason() const { return fallback_; }

private:
  CudaDevice &device_;
  bool enabled_;
  bool warm_ = false;
  std::map<std::vector<void *>, cu::GraphExec> graphs_;
  int64_t launches_ = 0;
  std::string fallback_;
};

} // namespace aec::rt
