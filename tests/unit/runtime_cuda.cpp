/// The CUDA device runtime against the host-memory fake libcuda.so.1 (tests/cuda): the mgpu*
/// entry points generated code calls, the graph cache, the device NaN check, device state.
/// Tagged [.cuda]: ctest runs them as `unit.cuda`, with the fake on LD_LIBRARY_PATH.
#include <aec/CudaFinite.h>
#include <aec/CudaGraph.h>
#include <aec/CudaModel.h>
#include <aec/Weights.h>

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

extern "C" {
void *mgpuModuleLoadJIT(void *ptx, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void *mgpuStreamCreate();
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuLaunchKernel(void *fn, intptr_t gx, intptr_t gy, intptr_t gz, intptr_t bx, intptr_t by, intptr_t bz,
                      int32_t smem, void *stream, void **params, void **extra, size_t paramCount);
void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream);
}

namespace aec::rt {
namespace {

char kPtx[] = "// a module of test kernels\n.visible .entry fake_add_one_to(\n.visible .entry fake_add_one(\n";

/// What MLIR's gpu-to-llvm emits for one launch: dst[i] = src[i] + 1 on n floats.
void launchAddOneTo(void *dst, void *src, unsigned long long n) {
  void *module = mgpuModuleLoadJIT(kPtx, 2);
  void *fn = mgpuModuleGetFunction(module, "fake_add_one_to");
  void *stream = mgpuStreamCreate();
  void *params[] = {&dst, &src, &n};
  mgpuLaunchKernel(fn, 1, 1, 1, 128, 1, 1, 0, stream, params, nullptr, 3);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
}

int64_t liveAllocations() {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
  REQUIRE(lib);
  auto fn = reinterpret_cast<int64_t (*)()>(dlsym(lib, "fakeCudaLiveAllocations"));
  REQUIRE(fn); // the fake, not a real driver
  return fn();
}

std::vector<float> download(CudaDevice &d, const DeviceBuffer &b) {
  std::vector<float> v(b.bytes() / sizeof(float));
  d.download(v.data(), b.ptr(), b.bytes());
  d.synchronize();
  return v;
}

/// A cuda model whose train_step is device code (fake kernels, enqueued through the mgpu*
/// entry points as generated code does): w' = w + 1, s' = s + 1, loss = 1.
const char *kGpuDescriptor = R"(aec-model 1
name gpu
target cuda
batch 2
shape input 1
shape output 1
shape code 1
param w 4 zeros
state s 4
function train_step
workspace 64
arg x data 2,1
arg w param 4
arg s state 4
arg t hyper -
result loss loss -
result w param 4
result s state 4
end
)";

/// buffers: x, w, s, t | loss, w', s' | workspace (all device pointers).
extern "C" void gpuTrainStep(void **buf) {
  launchAddOneTo(buf[5], buf[1], 4);
  launchAddOneTo(buf[6], buf[2], 4);
  mgpuMemset32(buf[4], 0x3f800000u, 1, mgpuStreamCreate()); // 1.0f
}

} // namespace

TEST_CASE("cuda: a device step is replayed as graphs, its state stays on the device", "[.cuda]") {
  Model model;
  model.desc = ModelDescriptor::parse(kGpuDescriptor);
  model.entries["train_step"] = gpuTrainStep;
  ModelState host = initModelState(model.desc, 0);
  DeviceTraining training(model, host);
  Array x({2, 1});
  BatchSource src{&x, nullptr, nullptr};
  for (int t = 1; t <= 5; ++t) {
    CHECK(training.step(src, {0, 1}, {{"t", static_cast<float>(t)}}, true) == 1.0f);
    CHECK(training.stateFinite());
  }
  CHECK(host.params[0].data == std::vector<float>(4, 0.0f)); // not read back yet
  training.syncHost();
  CHECK(host.params[0].data == std::vector<float>(4, 5.0f));
  CHECK(host.states[0].data == std::vector<float>(4, 5.0f));
  const CudaGraphCache &graphs = training.stepCall().graphs();
  if (CudaGraphCache::enabledByEnvironment()) {
    CHECK(graphs.graphs() == 2); // the two pointer sets of the double-buffered state
    CHECK(graphs.graphLaunches() == 4);
  } else {
    CHECK(graphs.graphs() == 0);
  }
  // An Inf in the state: the device check flags the step, which is undone by a swap.
  host.params[0].data[2] = std::numeric_limits<float>::infinity();
  training.hostChanged();
  training.step(src, {0}, {{"t", 6.0f}}, true);
  CHECK_FALSE(training.stateFinite());
  training.undoStep();
  training.syncHost();
  CHECK(host.params[0].data == std::vector<float>{5.0f, 5.0f, std::numeric_limits<float>::infinity(), 5.0f});
  CHECK(host.states[0].data == std::vector<float>(4, 5.0f));
  training.step(src, {0}, {{"t", 6.0f}}, false); // unchecked: no flag
  CHECK(training.stateFinite());
}

TEST_CASE("cuda: the fake device is found and described", "[.cuda]") {
  CudaDevice &d = CudaDevice::open();
  CHECK(d.info().describe() == "0 of 1: Fake GPU, compute capability 9.0, 80.0 GiB");
  CHECK(describeCudaDevice() == d.info().describe());
  CHECK(&CudaDevice::open() == &d); // once per process
}

TEST_CASE("cuda: mgpu entry points cache modules and functions, errors are recorded", "[.cuda]") {
  CudaDevice &d = CudaDevice::open();
  void *m = mgpuModuleLoadJIT(kPtx, 2);
  REQUIRE(m);
  CHECK(mgpuModuleLoadJIT(kPtx, 2) == m); // loaded once per image
  void *f = mgpuModuleGetFunction(m, "fake_add_one");
  CHECK(f);
  CHECK(mgpuModuleGetFunction(m, "fake_add_one") == f);
  CHECK(mgpuStreamCreate() == static_cast<void *>(d.stream()));
  CHECK_FALSE(d.hasRecorded());
  CHECK(mgpuModuleGetFunction(m, "no_such_kernel") == nullptr);
  REQUIRE(d.hasRecorded());
  CHECK_THROWS_WITH(d.synchronize(),
                    "CUDA: looking up kernel 'no_such_kernel': CUDA_ERROR_NOT_FOUND (named symbol not found)");
  CHECK_FALSE(d.hasRecorded()); // thrown once
  d.synchronize();
}

TEST_CASE("cuda: a step alternating two pointer sets is replayed as two graphs", "[.cuda]") {
  CudaDevice &d = CudaDevice::open();
  const int64_t before = liveAllocations();
  {
    const unsigned long long n = 1000;
    DeviceBuffer a(d, n * sizeof(float)), b(d, n * sizeof(float));
    std::vector<float> zeros(n, 0.0f);
    d.upload(a.ptr(), zeros.data(), n * sizeof(float));
    CudaGraphCache graphs(d);
    // Double-buffering as the trainer does it: read `a`, write `b`, swap.
    for (int step = 0; step < 7; ++step) {
      std::vector<void *> key{a.address(), b.address()};
      graphs.run(key, [&] { launchAddOneTo(b.address(), a.address(), n); });
      d.synchronize();
      std::swap(a, b);
      const std::vector<float> v = download(d, a);
      INFO("step " << step);
      CHECK(v.front() == static_cast<float>(step + 1));
      CHECK(v.back() == static_cast<float>(step + 1));
    }
    if (CudaGraphCache::enabledByEnvironment()) {
      CHECK(graphs.graphs() == 2);
      CHECK(graphs.graphLaunches() == 6); // the first step runs eagerly (it loads the modules)
    } else {
      CHECK(graphs.graphs() == 0);
    }
    CHECK(graphs.fallbackReason().empty());
  }
  CHECK(liveAllocations() == before);
}

TEST_CASE("cuda: a step the driver cannot capture falls back to eager launches", "[.cuda]") {
  CudaDevice &d = CudaDevice::open();
  if (!CudaGraphCache::enabledByEnvironment())
    return;
  const unsigned long long n = 10;
  DeviceBuffer x(d, n * sizeof(float));
  std::vector<float> zeros(n, 0.0f);
  d.upload(x.ptr(), zeros.data(), n * sizeof(float));
  CudaGraphCache graphs(d);
  auto step = [&] {
    launchAddOneTo(x.address(), x.address(), n);
    // A synchronize inside the step: not capturable.
    d.record(d.api().streamSynchronize(d.stream()), "synchronizing inside the step");
  };
  graphs.run({x.address()}, step);
  graphs.run({x.address()}, step);
  graphs.run({x.address()}, step);
  d.synchronize();
  CHECK(download(d, x)[3] == 3.0f); // each step ran exactly once
  CHECK(graphs.graphs() == 0);
  CHECK(graphs.fallbackReason() == "CUDA: synchronizing inside the step: CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED "
                                   "(operation not permitted when stream is capturing)");
}

TEST_CASE("cuda: the device NaN check flags NaN and Inf only", "[.cuda]") {
  CudaDevice &d = CudaDevice::open();
  prepareNonFiniteCheck(d);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const float big = std::numeric_limits<float>::max(), tiny = std::numeric_limits<float>::denorm_min();
  for (const auto &[values, expected] : std::vector<std::pair<std::vector<float>, uint32_t>>{
           {{0.0f, -0.0f, 1.0f, big, -big, tiny}, 0}, {{1.0f, nan}, 1}, {{-inf, 2.0f}, 1}, {{inf}, 1}}) {
    // The values in the second of two buffers, after a finite one: each table row is read.
    const std::vector<float> ones(300, 1.0f);
    DeviceBuffer first(d, ones.size() * sizeof(float)), x(d, values.size() * sizeof(float)),
        table(d, 2 * sizeof(NonFiniteCheckEntry)), flag(d, sizeof(uint32_t));
    const NonFiniteCheckEntry entries[] = {{first.ptr(), ones.size()}, {x.ptr(), values.size()}};
    const uint32_t zero = 0;
    d.upload(flag.ptr(), &zero, sizeof(zero));
    d.upload(first.ptr(), ones.data(), ones.size() * sizeof(float));
    d.upload(x.ptr(), values.data(), values.size() * sizeof(float));
    d.upload(table.ptr(), entries, sizeof(entries));
    enqueueNonFiniteCheck(d, table.ptr(), 2, ones.size(), flag.ptr());
    uint32_t got = 7;
    d.download(&got, flag.ptr(), sizeof(got));
    d.synchronize();
    CHECK(got == expected);
  }
}

TEST_CASE("cuda: the NaN check's PTX assembles for sm_90", "[.cuda]") {
  const std::string ptxas = "/usr/local/cuda/bin/ptxas";
  if (!std::filesystem::exists(ptxas)) {
    WARN("skipped: no " << ptxas << " on this machine");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path();
  const std::string ptx = (dir / "aec_nonfinite_check.ptx").string(), cubin = (dir / "aec_nonfinite_check.cubin").string();
  std::ofstream(ptx) << nonFiniteCheckPtx();
  CHECK(std::system((ptxas + " --gpu-name sm_90 " + ptx + " -o " + cubin).c_str()) == 0);
  CHECK(std::filesystem::file_size(cubin) > 0);
  std::filesystem::remove(ptx);
  std::filesystem::remove(cubin);
}

} // namespace aec::rt
