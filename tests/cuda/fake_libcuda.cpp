/// A fake libcuda.so.1 for tests on machines without a GPU: the driver API functions the
/// runtime uses (runtime/include/aec/CudaDriver.h), over HOST memory. A "device pointer" is a
/// host address, so a cuda model compiled with AEC_TEST_CUDA_ON_HOST=1 (CPU code behind the
/// device ABI) trains through the whole device runtime: allocations, uploads, downloads,
/// pointer swaps. Tests put it on LD_LIBRARY_PATH; nothing else links it.
///
/// One device, "Fake GPU", compute capability 9.0. Streams run work at once, except while
/// capturing, when they record it; a graph replays the recording, so graph caching is tested
/// for real. Kernels: the runtime's own NaN check (aec_flag_nonfinite) and two test kernels
/// (fake_add_one, fake_add_one_to), run on the host; any other launch fails.
///
/// Knobs (environment): FAKE_CUDA_DEVICES=N (default 1), FAKE_CUDA_INIT_ERROR=code (cuInit
/// returns it), FAKE_CUDA_LOG=file (appends one line per open, cuInit, allocation, copy,
/// launch, capture and graph launch: what the tests count).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

using Result = int;
using DevicePtr = unsigned long long;
using Op = std::function<void()>;

constexpr Result Success = 0, InvalidValue = 1, NotInitialized = 3, NoDevice = 100, InvalidDevice = 101,
                 NotFound = 500, CaptureUnsupported = 900;

std::mutex mutex;
bool initialized = false;

void log(const std::string &line) {
  const char *path = std::getenv("FAKE_CUDA_LOG");
  if (!path || !*path)
    return;
  if (FILE *f = std::fopen(path, "a")) {
    std::fprintf(f, "%s\n", line.c_str());
    std::fclose(f);
  }
}

__attribute__((constructor)) void opened() { log("open"); }

int deviceCount() {
  const char *n = std::getenv("FAKE_CUDA_DEVICES");
  return n ? std::atoi(n) : 1;
}

struct Stream {
  bool capturing = false;
  std::vector<Op> ops;
};
struct Graph {
  std::vector<Op> ops;
};
struct Module {
  std::string image;
};
struct Function {
  std::string name;
};

/// Runs `op` now, or records it when `stream` captures.
Result enqueue(void *stream, Op op) {
  auto *s = static_cast<Stream *>(stream);
  if (s && s->capturing)
    s->ops.push_back(std::move(op));
  else
    op();
  return Success;
}

void *host(DevicePtr p) { return reinterpret_cast<void *>(static_cast<uintptr_t>(p)); }

/// The grid's y extent of the launch being bound (the NaN check reads one buffer per row).
thread_local unsigned launchGridY = 1;

/// The host version of a kernel, bound to its arguments (read now, as a launch copies them).
using Kernel = std::function<Op(void **params)>;
const std::map<std::string, Kernel> &kernels() {
  static const std::map<std::string, Kernel> k = {
      // The runtime's NaN check (runtime/src/CudaFinite.cpp): flag = 1 when a float of the
      // buffers listed in the table ({u64 address, u64 count} each) is NaN or +-Inf. The table
      // is read when the kernel runs, as on a GPU (the launch copies only its address).
      {"aec_flag_nonfinite",
       [](void **p) -> Op {
         const auto *table = static_cast<const unsigned long long *>(host(*static_cast<DevicePtr *>(p[0])));
         auto *flag = static_cast<uint32_t *>(host(*static_cast<DevicePtr *>(p[1])));
         const unsigned rows = launchGridY;
         return [=] {
           for (unsigned y = 0; y < rows; ++y) {
             const auto *x = static_cast<const float *>(host(table[2 * y]));
             for (unsigned long long i = 0; i < table[2 * y + 1]; ++i)
               if (!std::isfinite(x[i]))
                 *flag = 1;
           }
         };
       }},
      // fake_add_one(float *x, u64 n): x[i] += 1.
      {"fake_add_one",
       [](void **p) -> Op {
         auto *x = *static_cast<float **>(p[0]);
         const unsigned long long n = *static_cast<unsigned long long *>(p[1]);
         return [=] {
           for (unsigned long long i = 0; i < n; ++i)
             x[i] += 1.0f;
         };
       }},
      // fake_add_one_to(float *dst, const float *src, u64 n): dst[i] = src[i] + 1.
      {"fake_add_one_to",
       [](void **p) -> Op {
         auto *dst = *static_cast<float **>(p[0]);
         const auto *src = *static_cast<const float **>(p[1]);
         const unsigned long long n = *static_cast<unsigned long long *>(p[2]);
         return [=] {
           for (unsigned long long i = 0; i < n; ++i)
             dst[i] = src[i] + 1.0f;
         };
       }},
  };
  return k;
}

struct ErrorInfo {
  const char *name, *text;
};
const std::map<Result, ErrorInfo> &errors() {
  static const std::map<Result, ErrorInfo> e = {
      {Success, {"CUDA_SUCCESS", "no error"}},
      {InvalidValue, {"CUDA_ERROR_INVALID_VALUE", "invalid argument"}},
      {NotInitialized, {"CUDA_ERROR_NOT_INITIALIZED", "initialization error"}},
      {NoDevice, {"CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"}},
      {InvalidDevice, {"CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"}},
      {NotFound, {"CUDA_ERROR_NOT_FOUND", "named symbol not found"}},
      {CaptureUnsupported, {"CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", "operation not permitted when stream is capturing"}},
      {999, {"CUDA_ERROR_UNKNOWN", "unknown error"}},
  };
  return e;
}

int64_t liveAllocations = 0;

} // namespace

extern "C" {

/// For tests: allocations not yet freed.
int64_t fakeCudaLiveAllocations() { return liveAllocations; }

Result cuInit(unsigned) {
  log("cuInit");
  if (const char *e = std::getenv("FAKE_CUDA_INIT_ERROR"); e && *e)
    return std::atoi(e);
  initialized = true;
  return Success;
}

Result cuGetErrorName(Result r, const char **name) {
  auto it = errors().find(r);
  if (it == errors().end())
    return InvalidValue;
  *name = it->second.name;
  return Success;
}

Result cuGetErrorString(Result r, const char **text) {
  auto it = errors().find(r);
  if (it == errors().end())
    return InvalidValue;
  *text = it->second.text;
  return Success;
}

Result cuDeviceGetCount(int *n) {
  if (!initialized)
    return NotInitialized;
  *n = deviceCount();
  return Success;
}

Result cuDeviceGet(int *dev, int ordinal) {
  if (ordinal < 0 || ordinal >= deviceCount())
    return InvalidDevice;
  *dev = ordinal;
  return Success;
}

Result cuDeviceGetName(char *name, int len, int) {
  std::snprintf(name, static_cast<size_t>(len), "Fake GPU");
  return Success;
}

Result cuDeviceTotalMem_v2(size_t *bytes, int) {
  *bytes = size_t{80} << 30;
  return Success;
}

Result cuDeviceGetAttribute(int *value, int attr, int) {
  if (attr == 75)
    *value = 9; // compute capability major
  else if (attr == 76)
    *value = 0; // minor
  else
    return InvalidValue;
  return Success;
}

Result cuDevicePrimaryCtxRetain(void **ctx, int) {
  static int context;
  *ctx = &context;
  return Success;
}

Result cuCtxSetCurrent(void *) { return Success; }

Result cuStreamCreate(void **stream, unsigned) {
  *stream = new Stream;
  return Success;
}

Result cuStreamSynchronize(void *stream) {
  if (stream && static_cast<Stream *>(stream)->capturing)
    return CaptureUnsupported;
  return Success;
}

Result cuMemAlloc_v2(DevicePtr *p, size_t bytes) {
  if (bytes == 0)
    return InvalidValue;
  void *m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!m)
    return 2; // CUDA_ERROR_OUT_OF_MEMORY
  // Garbage, as device memory is: code that reads before writing shows up in the results.
  std::memset(m, 0xA5, bytes);
  *p = reinterpret_cast<uintptr_t>(m);
  std::lock_guard<std::mutex> lock(mutex);
  ++liveAllocations;
  log("alloc " + std::to_string(bytes));
  return Success;
}

Result cuMemAllocManaged(DevicePtr *p, size_t bytes, unsigned) { return cuMemAlloc_v2(p, bytes); }

Result cuMemFree_v2(DevicePtr p) {
  std::free(host(p));
  std::lock_guard<std::mutex> lock(mutex);
  --liveAllocations;
  return Success;
}

Result cuMemcpyHtoDAsync_v2(DevicePtr dst, const void *src, size_t bytes, void *stream) {
  if (stream && static_cast<Stream *>(stream)->capturing)
    return CaptureUnsupported; // pageable host memory cannot be captured
  log("htod " + std::to_string(bytes));
  std::memcpy(host(dst), src, bytes);
  return Success;
}

Result cuMemcpyDtoHAsync_v2(void *dst, DevicePtr src, size_t bytes, void *stream) {
  if (stream && static_cast<Stream *>(stream)->capturing)
    return CaptureUnsupported;
  log("dtoh " + std::to_string(bytes));
  std::memcpy(dst, host(src), bytes);
  return Success;
}

Result cuMemcpyDtoDAsync_v2(DevicePtr dst, DevicePtr src, size_t bytes, void *stream) {
  return enqueue(stream, [=] { std::memmove(host(dst), host(src), bytes); });
}

Result cuMemcpyAsync(DevicePtr dst, DevicePtr src, size_t bytes, void *stream) {
  return cuMemcpyDtoDAsync_v2(dst, src, bytes, stream);
}

Result cuMemsetD32Async(DevicePtr dst, unsigned value, size_t count, void *stream) {
  return enqueue(stream, [=] {
    auto *p = static_cast<unsigned *>(host(dst));
    for (size_t i = 0; i < count; ++i)
      p[i] = value;
  });
}

Result cuModuleLoadData(void **module, const void *image) {
  log("module_load");
  *module = new Module{static_cast<const char *>(image)};
  return Success;
}

Result cuModuleLoadDataEx(void **module, const void *image, unsigned, int *, void **) {
  return cuModuleLoadData(module, image);
}

Result cuModuleUnload(void *module) {
  delete static_cast<Module *>(module);
  return Success;
}

/// A function the module's image declares (`.entry <name>`) and the fake can run.
Result cuModuleGetFunction(void **function, void *module, const char *name) {
  const std::string &image = static_cast<Module *>(module)->image;
  if (image.find(std::string(".entry ") + name) == std::string::npos || !kernels().count(name))
    return NotFound;
  *function = new Function{name};
  return Success;
}

Result cuFuncSetAttribute(void *, int, int) { return Success; }

Result cuLaunchKernel(void *function, unsigned, unsigned gy, unsigned, unsigned, unsigned, unsigned, unsigned,
                      void *stream, void **params, void **) {
  const std::string &name = static_cast<Function *>(function)->name;
  auto it = kernels().find(name);
  if (it == kernels().end())
    return InvalidValue;
  log("launch " + name);
  launchGridY = gy;
  return enqueue(stream, it->second(params));
}

Result cuStreamBeginCapture_v2(void *stream, int) {
  auto *s = static_cast<Stream *>(stream);
  if (s->capturing)
    return InvalidValue;
  log("capture");
  s->capturing = true;
  s->ops.clear();
  return Success;
}

Result cuStreamEndCapture(void *stream, void **graph) {
  auto *s = static_cast<Stream *>(stream);
  if (!s->capturing)
    return InvalidValue;
  s->capturing = false;
  *graph = new Graph{std::move(s->ops)};
  s->ops.clear();
  return Success;
}

Result cuGraphInstantiateWithFlags(void **exec, void *graph, unsigned long long) {
  *exec = new Graph(*static_cast<Graph *>(graph));
  return Success;
}

Result cuGraphLaunch(void *exec, void *stream) {
  log("graph_launch");
  for (const Op &op : static_cast<Graph *>(exec)->ops)
    enqueue(stream, op);
  return Success;
}

Result cuGraphExecDestroy(void *exec) {
  delete static_cast<Graph *>(exec);
  return Success;
}

Result cuGraphDestroy(void *graph) {
  delete static_cast<Graph *>(graph);
  return Success;
}

} // extern "C"
