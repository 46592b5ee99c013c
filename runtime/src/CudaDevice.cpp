/// The process's CUDA device (aec/CudaDevice.h).
#include <aec/CudaDevice.h>

#include <fmt/format.h>

#include <memory>
#include <stdexcept>

namespace aec::rt {
namespace {

int &selectedOrdinal() {
  static int ordinal = 0;
  return ordinal;
}

std::unique_ptr<CudaDevice> &openedDevice() {
  static std::unique_ptr<CudaDevice> device;
  return device;
}

/// The selected device's properties, or throws why there is none.
CudaDeviceInfo queryDevice(const cu::Driver &d, int ordinal) {
  CudaDeviceInfo info;
  info.ordinal = ordinal;
  auto check = [&](cu::Result r, const char *what) {
    if (r != cu::Success)
      throw std::runtime_error(fmt::format("no CUDA device found ({}: {})", what, cu::errorText(r)));
  };
  check(d.deviceGetCount(&info.count), "cuDeviceGetCount");
  if (info.count == 0)
    throw std::runtime_error("no CUDA device found (the driver reports 0 devices)");
  if (ordinal < 0 || ordinal >= info.count)
    throw std::runtime_error(fmt::format("--device {}: this machine has {} CUDA device{} (--device 0{})", ordinal,
                                         info.count, info.count == 1 ? "" : "s",
                                         info.count == 1 ? "" : fmt::format(" to {}", info.count - 1)));
  cu::Device dev = 0;
  check(d.deviceGet(&dev, ordinal), "cuDeviceGet");
  char name[256] = {0};
  check(d.deviceGetName(name, sizeof(name) - 1, dev), "cuDeviceGetName");
  info.name = name;
  check(d.deviceGetAttribute(&info.ccMajor, cu::AttrComputeCapabilityMajor, dev), "cuDeviceGetAttribute");
  check(d.deviceGetAttribute(&info.ccMinor, cu::AttrComputeCapabilityMinor, dev), "cuDeviceGetAttribute");
  check(d.deviceTotalMem(&info.totalBytes, dev), "cuDeviceTotalMem");
  return info;
}

const cu::Driver &requireDriver() {
  std::string why;
  const cu::Driver *d = cu::driver(&why);
  if (!d)
    throw std::runtime_error(fmt::format("no CUDA device found ({})", why));
  return *d;
}

} // namespace

std::string CudaDeviceInfo::describe() const {
  return fmt::format("{} of {}: {}, compute capability {}.{}, {:.1f} GiB", ordinal, count, name, ccMajor, ccMinor,
                     static_cast<double>(totalBytes) / (1024.0 * 1024.0 * 1024.0));
}

void CudaDevice::select(int ordinal) { selectedOrdinal() = ordinal; }

CudaDevice *CudaDevice::current() { return openedDevice().get(); }

CudaDevice &CudaDevice::open() {
  auto &device = openedDevice();
  if (!device) {
    const cu::Driver &d = requireDriver();
    device.reset(new CudaDevice(d, queryDevice(d, selectedOrdinal())));
  }
  return *device;
}

CudaDevice::CudaDevice(const cu::Driver &api, const CudaDeviceInfo &info) : api_(&api), info_(info) {
  cu::Device dev = 0;
  check(api.deviceGet(&dev, info.ordinal), "cuDeviceGet");
  // The primary context: the one other libraries in the process (and the driver's tools) share.
  check(api.primaryCtxRetain(&context_, dev), "cuDevicePrimaryCtxRetain");
  check(api.ctxSetCurrent(context_), "cuCtxSetCurrent");
  check(api.streamCreate(&stream_, cu::StreamNonBlocking), "cuStreamCreate");
}

std::string describeCudaDevice() {
  try {
    return CudaDevice::open().info().describe();
  } catch (const std::runtime_error &e) {
    if (std::string(e.what()).rfind("--device", 0) == 0)
      throw;
    return e.what();
  }
}

void CudaDevice::check(cu::Result r, const std::string &what) const {
  if (r != cu::Success)
    throw std::runtime_error(fmt::format("CUDA: {}: {}", what, cu::errorText(r)));
}

void CudaDevice::record(cu::Result r, const std::string &what) {
  if (r != cu::Success && recorded_.empty())
    recorded_ = fmt::format("CUDA: {}: {}", what, cu::errorText(r));
}

void CudaDevice::throwRecorded() {
  if (recorded_.empty())
    return;
  std::string e;
  std::swap(e, recorded_);
  throw std::runtime_error(e);
}

cu::DevicePtr CudaDevice::alloc(size_t bytes) {
  cu::DevicePtr p = 0;
  // cuMemAlloc refuses 0 bytes; a 0-byte buffer (an empty workspace) still gets an address.
  check(api_->memAlloc(&p, std::max<size_t>(bytes, 4)), fmt::format("cuMemAlloc of {} bytes", bytes));
  return p;
}

void CudaDevice::free(cu::DevicePtr p) {
  if (p)
    record(api_->memFree(p), "cuMemFree");
}

void CudaDevice::upload(cu::DevicePtr dst, const void *src, size_t bytes) {
  if (bytes)
    check(api_->memcpyHtoDAsync(dst, src, bytes, stream_), fmt::format("copying {} bytes to the device", bytes));
}

void CudaDevice::download(void *dst, cu::DevicePtr src, size_t bytes) {
  if (bytes)
    check(api_->memcpyDtoHAsync(dst, src, bytes, stream_), fmt::format("copying {} bytes from the device", bytes));
}

void CudaDevice::copy(cu::DevicePtr dst, cu::DevicePtr src, size_t bytes) {
  if (bytes)
    check(api_->memcpyDtoDAsync(dst, src, bytes, stream_), fmt::format("copying {} bytes on the device", bytes));
}

void CudaDevice::synchronize() {
  // A kernel's fault surfaces here, at the first synchronizing call after it.
  record(api_->streamSynchronize(stream_), "running the step's kernels (cuStreamSynchronize)");
  throwRecorded();
}

DeviceBuffer::DeviceBuffer(CudaDevice &device, size_t bytes)
    : device_(&device), ptr_(device.alloc(bytes)), bytes_(bytes) {}

DeviceBuffer::~DeviceBuffer() {
  if (device_)
    device_->free(ptr_);
}

} // namespace aec::rt
