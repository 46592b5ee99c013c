/// One CUDA graph per pointer set of a step (aec/CudaGraph.h).
#include <aec/CudaGraph.h>

#include <cstdlib>
#include <string>

namespace aec::rt {

CudaGraphCache::CudaGraphCache(CudaDevice &device) : device_(device), enabled_(enabledByEnvironment()) {}

CudaGraphCache::~CudaGraphCache() {
  for (auto &[key, exec] : graphs_)
    device_.record(device_.api().graphExecDestroy(exec), "cuGraphExecDestroy");
}

bool CudaGraphCache::enabledByEnvironment() {
  const char *v = std::getenv("AEC_CUDA_GRAPHS");
  return !(v && std::string(v) == "0");
}

void CudaGraphCache::run(const std::vector<void *> &key, const std::function<void()> &enqueue) {
  if (!enabled_ || !warm_) {
    warm_ = true;
    enqueue();
    return;
  }
  auto it = graphs_.find(key);
  if (it == graphs_.end()) {
    const cu::Driver &api = device_.api();
    // Relaxed: the capture need not stop other threads' (or libraries') driver calls.
    device_.check(api.streamBeginCapture(device_.stream(), cu::CaptureModeRelaxed), "cuStreamBeginCapture");
    try {
      enqueue();
    } catch (...) { // leave the stream usable: end the capture, drop what it recorded
      cu::Graph partial = nullptr;
      if (api.streamEndCapture(device_.stream(), &partial) == cu::Success && partial)
        api.graphDestroy(partial);
      throw;
    }
    cu::Graph graph = nullptr;
    cu::Result r = api.streamEndCapture(device_.stream(), &graph);
    cu::GraphExec exec = nullptr;
    if (r == cu::Success && !device_.hasRecorded())
      r = api.graphInstantiate(&exec, graph, 0);
    if (graph)
      device_.record(api.graphDestroy(graph), "cuGraphDestroy");
    if (r != cu::Success || device_.hasRecorded() || !exec) {
      // Nothing ran during the capture: run the step eagerly, and from now on without graphs.
      try {
        device_.throwRecorded();
        device_.check(r, "capturing the step as a CUDA graph");
      } catch (const std::exception &e) {
        fallback_ = e.what();
      }
      enabled_ = false;
      enqueue();
      return;
    }
    it = graphs_.emplace(key, exec).first;
  }
  device_.check(device_.api().graphLaunch(it->second, device_.stream()), "cuGraphLaunch");
  ++launches_;
}

} // namespace aec::rt
