/// The functions the generated host code of a cuda model calls (MLIR 19's gpu-to-llvm ABI,
/// named as mlir/lib/ExecutionEngine/CudaRuntimeWrappers.cpp names them), over the driver
/// opened at run time. MLIR emits, per launch, load module / get function / create stream /
/// launch / synchronize / destroy stream / unload module; here a module is loaded once per
/// PTX image and kept, a function looked up once, the stream is the device's one stream, and
/// synchronize / destroy / unload do nothing: every launch is ordered on that stream and the
/// runtime synchronizes once after an entry point returns (CudaDevice::synchronize), which is
/// also what lets a whole step be captured as one CUDA graph.
///
/// These return void, as MLIR declares them: a driver error is recorded (the first one, with
/// what was being done) and thrown by the runtime after the entry point returns.
#include <aec/CudaDevice.h>

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace aec::rt {
namespace {

/// The device, opened on demand (the runtime opens it before any entry point runs).
CudaDevice *device() {
  if (CudaDevice *d = CudaDevice::current())
    return d;
  try {
    return &CudaDevice::open();
  } catch (const std::exception &) {
    return nullptr; // the runtime reports no device before any call could get here
  }
}

struct Caches {
  std::mutex mutex;
  std::map<const void *, cu::Module> modules;                      ///< by PTX image address
  std::map<std::pair<cu::Module, std::string>, cu::Function> functions;
};

Caches &caches() {
  static Caches c;
  return c;
}

cu::DevicePtr devicePtr(const void *p) { return static_cast<cu::DevicePtr>(reinterpret_cast<uintptr_t>(p)); }

/// The module of the image at `data`, loaded by `load` the first time (nullptr on an
/// error, which `load` records on the device).
template <typename Load> void *cachedModule(const void *data, Load load) {
  CudaDevice *d = device();
  if (!d)
    return nullptr;
  Caches &c = caches();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (auto it = c.modules.find(data); it != c.modules.end())
    return it->second;
  cu::Module m = nullptr;
  if (load(*d, m) != cu::Success)
    return nullptr;
  c.modules[data] = m;
  return m;
}

} // namespace
} // namespace aec::rt

using aec::rt::CudaDevice;
namespace cu = aec::rt::cu;

extern "C" {

/// Loads PTX text (NUL-terminated), JIT-compiled by the driver, once per image.
void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return aec::rt::cachedModule(data, [&](CudaDevice &d, cu::Module &m) {
    char log[4096] = {0};
    int options[] = {cu::JitErrorLogBuffer, cu::JitErrorLogBufferSizeBytes, cu::JitOptimizationLevel};
    void *values[] = {log, reinterpret_cast<void *>(sizeof(log) - 1),
                      reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
    const cu::Result r = d.api().moduleLoadDataEx(&m, data, 3, options, values);
    d.record(r, log[0] ? fmt::format("JIT-compiling the PTX of the step's kernels ({})", log)
                       : std::string("JIT-compiling the PTX of the step's kernels"));
    return r;
  });
}

/// Loads a cubin / fatbin image once.
void *mgpuModuleLoad(void *data, size_t /*bytes*/) {
  return aec::rt::cachedModule(data, [&](CudaDevice &d, cu::Module &m) {
    const cu::Result r = d.api().moduleLoadData(&m, data);
    d.record(r, "loading the step's kernel image (cuModuleLoadData)");
    return r;
  });
}

/// Kept until the process exits: the next step launches the same kernels.
void mgpuModuleUnload(void * /*module*/) {}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CudaDevice *d = aec::rt::device();
  if (!d || !module)
    return nullptr;
  auto &c = aec::rt::caches();
  std::lock_guard<std::mutex> lock(c.mutex);
  const auto key = std::make_pair(static_cast<cu::Module>(module), std::string(name));
  if (auto it = c.functions.find(key); it != c.functions.end())
    return it->second;
  cu::Function f = nullptr;
  const cu::Result r = d->api().moduleGetFunction(&f, key.first, name);
  d->record(r, fmt::format("looking up kernel '{}'", name));
  if (r != cu::Success)
    return nullptr;
  c.functions[key] = f;
  return f;
}

void *mgpuStreamCreate() {
  CudaDevice *d = aec::rt::device();
  return d ? d->stream() : nullptr;
}

void mgpuStreamDestroy(void * /*stream*/) {}

/// Nothing to wait for here: the runtime synchronizes once after the entry point returns (and
/// during a graph capture a synchronize would end the capture).
void mgpuStreamSynchronize(void * /*stream*/) {}

void mgpuLaunchKernel(void *function, intptr_t gx, intptr_t gy, intptr_t gz, intptr_t bx, intptr_t by, intptr_t bz,
                      int32_t smem, void *stream, void **params, void **extra, size_t /*paramsCount*/) {
  CudaDevice *d = aec::rt::device();
  if (!d || !function) // the failed load or lookup is recorded already
    return;
  auto fn = static_cast<cu::Function>(function);
  // Above 48 KiB of dynamic shared memory a kernel must opt in (as MLIR's wrapper does).
  if (smem > 48 * 1024)
    d->record(d->api().funcSetAttribute(fn, cu::FuncAttrMaxDynamicSharedBytes, smem),
              fmt::format("allowing {} bytes of shared memory", smem));
  d->record(d->api().launchKernel(fn, static_cast<unsigned>(gx), static_cast<unsigned>(gy), static_cast<unsigned>(gz),
                                  static_cast<unsigned>(bx), static_cast<unsigned>(by), static_cast<unsigned>(bz),
                                  static_cast<unsigned>(smem), static_cast<cu::Stream>(stream), params, extra),
            fmt::format("launching a kernel on grid {}x{}x{}, block {}x{}x{}", gx, gy, gz, bx, by, bz));
}

void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/, bool hostShared) {
  CudaDevice *d = aec::rt::device();
  if (!d)
    return nullptr;
  cu::DevicePtr p = 0;
  const size_t n = bytes ? bytes : 4;
  d->record(hostShared ? d->api().memAllocManaged(&p, n, cu::MemAttachGlobal) : d->api().memAlloc(&p, n),
            fmt::format("allocating {} bytes for the generated code", bytes));
  return reinterpret_cast<void *>(static_cast<uintptr_t>(p));
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (CudaDevice *d = aec::rt::device(); d && ptr)
    d->record(d->api().memFree(aec::rt::devicePtr(ptr)), "freeing memory of the generated code");
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (CudaDevice *d = aec::rt::device())
    d->record(d->api().memcpyAsync(aec::rt::devicePtr(dst), aec::rt::devicePtr(src), bytes,
                                       static_cast<cu::Stream>(stream)),
              fmt::format("copying {} bytes for the generated code", bytes));
}

void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  if (CudaDevice *d = aec::rt::device())
    d->record(d->api().memsetD32Async(aec::rt::devicePtr(dst), value, count, static_cast<cu::Stream>(stream)),
              fmt::format("setting {} words on the device", count));
}

/// Events order work between streams; here every stream is the device's one stream, which
/// orders everything already, so an event is a token and waiting on it is free. (Generated
/// code that uses async gpu ops creates, records, waits on and destroys them.)
void *mgpuEventCreate() {
  static int token;
  return &token;
}
void mgpuEventDestroy(void * /*event*/) {}
void mgpuEventSynchronize(void * /*event*/) {}
void mgpuEventRecord(void * /*event*/, void * /*stream*/) {}
void mgpuStreamWaitEvent(void * /*stream*/, void * /*event*/) {}

} // extern "C"
