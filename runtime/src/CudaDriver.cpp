/// libcuda.so.1 opened at run time (aec/CudaDriver.h): a trainer of a cpu model never opens it.
#include <aec/CudaDriver.h>

#include <fmt/format.h>

#include <dlfcn.h>

#include <mutex>

namespace aec::rt::cu {
namespace {

struct Loaded {
  Driver api{};
  bool ok = false;
  std::string why;
};

/// Looks every entry point up; the first missing one is the reason the driver is unusable
/// (a libcuda older than CUDA 11.4 lacks cuGraphInstantiateWithFlags).
bool bind(void *lib, Driver &d, std::string &why) {
  bool ok = true;
  auto sym = [&](auto &fn, const char *name) {
    void *p = dlsym(lib, name);
    if (!p && ok) {
      why = fmt::format("libcuda.so.1 has no '{}' (driver too old?)", name);
      ok = false;
    }
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
  };
  sym(d.init, "cuInit");
  sym(d.getErrorName, "cuGetErrorName");
  sym(d.getErrorString, "cuGetErrorString");
  sym(d.deviceGetCount, "cuDeviceGetCount");
  sym(d.deviceGet, "cuDeviceGet");
  sym(d.deviceGetName, "cuDeviceGetName");
  sym(d.deviceTotalMem, "cuDeviceTotalMem_v2");
  sym(d.deviceGetAttribute, "cuDeviceGetAttribute");
  sym(d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
  sym(d.ctxSetCurrent, "cuCtxSetCurrent");
  sym(d.streamCreate, "cuStreamCreate");
  sym(d.streamSynchronize, "cuStreamSynchronize");
  sym(d.memAlloc, "cuMemAlloc_v2");
  sym(d.memAllocManaged, "cuMemAllocManaged");
  sym(d.memFree, "cuMemFree_v2");
  sym(d.memcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
  sym(d.memcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
  sym(d.memcpyDtoDAsync, "cuMemcpyDtoDAsync_v2");
  sym(d.memcpyAsync, "cuMemcpyAsync");
  sym(d.memsetD32Async, "cuMemsetD32Async");
  sym(d.moduleLoadDataEx, "cuModuleLoadDataEx");
  sym(d.moduleLoadData, "cuModuleLoadData");
  sym(d.moduleUnload, "cuModuleUnload");
  sym(d.moduleGetFunction, "cuModuleGetFunction");
  sym(d.funcSetAttribute, "cuFuncSetAttribute");
  sym(d.launchKernel, "cuLaunchKernel");
  sym(d.streamBeginCapture, "cuStreamBeginCapture_v2");
  sym(d.streamEndCapture, "cuStreamEndCapture");
  sym(d.graphInstantiate, "cuGraphInstantiateWithFlags");
  sym(d.graphLaunch, "cuGraphLaunch");
  sym(d.graphExecDestroy, "cuGraphExecDestroy");
  sym(d.graphDestroy, "cuGraphDestroy");
  return ok;
}

/// The driver's own name and text of `r` (not through loaded(): cuInit's error is named
/// while loaded() is still being computed).
std::string describe(const Driver &d, Result r) {
  const char *name = nullptr, *text = nullptr;
  if (d.getErrorName)
    d.getErrorName(r, &name);
  if (d.getErrorString)
    d.getErrorString(r, &text);
  if (!name)
    return fmt::format("CUDA error {}", r);
  return text ? fmt::format("{} ({})", name, text) : std::string(name);
}

const Loaded &loaded() {
  static Loaded l;
  static std::once_flag once;
  std::call_once(once, [] {
    // Never closed: kernels and modules stay valid until the process exits.
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *e = dlerror();
      l.why = e ? e : "cannot open libcuda.so.1";
      return;
    }
    if (!bind(lib, l.api, l.why))
      return;
    if (Result r = l.api.init(0); r != Success) {
      l.why = fmt::format("cuInit failed: {}", describe(l.api, r));
      return;
    }
    l.ok = true;
  });
  return l;
}

} // namespace

const Driver *driver(std::string *why) {
  const Loaded &l = loaded();
  if (why)
    *why = l.why;
  return l.ok ? &l.api : nullptr;
}

std::string errorText(Result r) { return describe(loaded().api, r); }

} // namespace aec::rt::cu
