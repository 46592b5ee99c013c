#pragma once
/// The CUDA device a trainer runs a cuda model on: chosen once per process (--device N), its
/// primary context current on the main thread, one stream every launch and copy goes
/// through (so all work is ordered and one synchronize ends a call), and the first driver
/// error of the functions that cannot throw (the mgpu* entry points the generated code calls).
#include <aec/CudaDriver.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace aec::rt {

/// What `info` says about a device.
struct CudaDeviceInfo {
  int ordinal = 0;
  int count = 0; ///< devices the driver sees
  std::string name;
  int ccMajor = 0, ccMinor = 0;
  size_t totalBytes = 0;
  /// "device   0 of 1: NVIDIA H200, compute capability 9.0, 139.8 GiB"
  std::string describe() const;
};

class CudaDevice {
public:
  /// The device `open` takes (--device N); default 0. Call before the first open.
  static void select(int ordinal);
  /// The selected device, opened on the first call. Throws "no CUDA device found (<why>)"
  /// (no libcuda.so.1, cuInit's error, zero devices) or "--device N: ..." when out of range.
  static CudaDevice &open();
  /// The opened device or nullptr (the mgpu* entry points open on demand through open()).
  static CudaDevice *current();

  const cu::Driver &api() const { return *api_; }
  cu::Stream stream() const { return stream_; }
  const CudaDeviceInfo &info() const { return info_; }

  /// Throws "<what>: <driver error>" unless `r` is success.
  void check(cu::Result r, const std::string &what) const;
  /// Keeps the first failure of a function that cannot throw; throwRecorded() reports it.
  void record(cu::Result r, const std::string &what);
  /// Throws (and forgets) the first recorded error, if any.
  void throwRecorded();
  bool hasRecorded() const { return !recorded_.empty(); }

  cu::DevicePtr alloc(size_t bytes);
  void free(cu::DevicePtr p);
  /// Stream-ordered copies (the host side must stay valid until synchronize()).
  void upload(cu::DevicePtr dst, const void *src, size_t bytes);
  void download(void *dst, cu::DevicePtr src, size_t bytes);
  void copy(cu::DevicePtr dst, cu::DevicePtr src, size_t bytes);
  /// Waits for the stream, then throws a recorded error (a launch that failed in the call).
  void synchronize();

private:
  CudaDevice(const cu::Driver &api, const CudaDeviceInfo &info);
  const cu::Driver *api_;
  CudaDeviceInfo info_;
  cu::Context context_ = nullptr;
  cu::Stream stream_ = nullptr;
  std::string recorded_;
};

/// What `trainer info` prints on its `device` line for a cuda model: the selected device, or
/// "no CUDA device found (<why>)". Throws for an out-of-range --device.
std::string describeCudaDevice();

/// A device allocation, freed with its owner (move-only).
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  DeviceBuffer(CudaDevice &device, size_t bytes);
  DeviceBuffer(DeviceBuffer &&o) noexcept { *this = std::move(o); }
  DeviceBuffer &operator=(DeviceBuffer &&o) noexcept {
    std::swap(device_, o.device_);
    std::swap(ptr_, o.ptr_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();
  cu::DevicePtr ptr() const { return ptr_; }
  size_t bytes() const { return bytes_; }
  /// The pointer as the generated code's buffers take it.
  void *address() const { return reinterpret_cast<void *>(static_cast<uintptr_t>(ptr_)); }

private:
  CudaDevice *device_ = nullptr;
  cu::DevicePtr ptr_ = 0;
  size_t bytes_ = 0;
};

} // namespace aec::rt
