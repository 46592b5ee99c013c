#pragma once
/// The few CUDA driver API types, constants and functions the device runtime uses, declared
/// here with the values of the public driver API (cuda.h, CUDA 12/13) so that building aec
/// needs no CUDA toolkit and a trainer needs no libcuda until it runs a cuda model: the
/// functions are looked up with dlopen("libcuda.so.1") / dlsym on first use.
#include <cstddef>
#include <cstdint>
#include <string>

namespace aec::rt::cu {

using Result = int;                    ///< CUresult
using Device = int;                    ///< CUdevice
using DevicePtr = unsigned long long;  ///< CUdeviceptr
using Context = struct CUctx_st *;     ///< CUcontext
using Stream = struct CUstream_st *;   ///< CUstream
using Module = struct CUmod_st *;      ///< CUmodule
using Function = struct CUfunc_st *;   ///< CUfunction
using Graph = struct CUgraph_st *;     ///< CUgraph
using GraphExec = struct CUgraphExec_st *; ///< CUgraphExec

constexpr Result Success = 0;                   ///< CUDA_SUCCESS
constexpr Result ErrorNoDevice = 100;           ///< CUDA_ERROR_NO_DEVICE
constexpr int AttrComputeCapabilityMajor = 75;  ///< CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int AttrComputeCapabilityMinor = 76;  ///< CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
constexpr int FuncAttrMaxDynamicSharedBytes = 8; ///< CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
constexpr int JitErrorLogBuffer = 5;            ///< CU_JIT_ERROR_LOG_BUFFER
constexpr int JitErrorLogBufferSizeBytes = 6;   ///< CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
constexpr int JitOptimizationLevel = 7;         ///< CU_JIT_OPTIMIZATION_LEVEL
constexpr unsigned StreamNonBlocking = 1;       ///< CU_STREAM_NON_BLOCKING
constexpr int CaptureModeRelaxed = 2;           ///< CU_STREAM_CAPTURE_MODE_RELAXED
constexpr unsigned MemAttachGlobal = 1;         ///< CU_MEM_ATTACH_GLOBAL

/// Entry points of libcuda.so.1, by the symbol names the library exports (the `_v2` ones
/// are what cuda.h maps the plain names to).
struct Driver {
  Result (*init)(unsigned flags);                                    // cuInit
  Result (*getErrorName)(Result, const char **);                     // cuGetErrorName
  Result (*getErrorString)(Result, const char **);                   // cuGetErrorString
  Result (*deviceGetCount)(int *);                                   // cuDeviceGetCount
  Result (*deviceGet)(Device *, int ordinal);                        // cuDeviceGet
  Result (*deviceGetName)(char *, int len, Device);                  // cuDeviceGetName
  Result (*deviceTotalMem)(size_t *, Device);                        // cuDeviceTotalMem_v2
  Result (*deviceGetAttribute)(int *, int attr, Device);             // cuDeviceGetAttribute
  Result (*primaryCtxRetain)(Context *, Device);                     // cuDevicePrimaryCtxRetain
  Result (*ctxSetCurrent)(Context);                                  // cuCtxSetCurrent
  Result (*streamCreate)(Stream *, unsigned flags);                  // cuStreamCreate
  Result (*streamSynchronize)(Stream);                               // cuStreamSynchronize
  Result (*memAlloc)(DevicePtr *, size_t);                           // cuMemAlloc_v2
  Result (*memAllocManaged)(DevicePtr *, size_t, unsigned flags);    // cuMemAllocManaged
  Result (*memFree)(DevicePtr);                                      // cuMemFree_v2
  Result (*memcpyHtoDAsync)(DevicePtr, const void *, size_t, Stream); // cuMemcpyHtoDAsync_v2
  Result (*memcpyDtoHAsync)(void *, DevicePtr, size_t, Stream);      // cuMemcpyDtoHAsync_v2
  Result (*memcpyDtoDAsync)(DevicePtr, DevicePtr, size_t, Stream);   // cuMemcpyDtoDAsync_v2
  Result (*memcpyAsync)(DevicePtr, DevicePtr, size_t, Stream);       // cuMemcpyAsync (unified addresses)
  Result (*memsetD32Async)(DevicePtr, unsigned, size_t, Stream);     // cuMemsetD32Async
  Result (*moduleLoadDataEx)(Module *, const void *, unsigned n, int *options, void **values); // cuModuleLoadDataEx
  Result (*moduleLoadData)(Module *, const void *);                  // cuModuleLoadData
  Result (*moduleUnload)(Module);                                    // cuModuleUnload
  Result (*moduleGetFunction)(Function *, Module, const char *);     // cuModuleGetFunction
  Result (*funcSetAttribute)(Function, int attr, int value);         // cuFuncSetAttribute
  Result (*launchKernel)(Function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                         unsigned bz, unsigned smem, Stream, void **params, void **extra); // cuLaunchKernel
  Result (*streamBeginCapture)(Stream, int mode);                    // cuStreamBeginCapture_v2
  Result (*streamEndCapture)(Stream, Graph *);                       // cuStreamEndCapture
  Result (*graphInstantiate)(GraphExec *, Graph, unsigned long long flags); // cuGraphInstantiateWithFlags
  Result (*graphLaunch)(GraphExec, Stream);                          // cuGraphLaunch
  Result (*graphExecDestroy)(GraphExec);                             // cuGraphExecDestroy
  Result (*graphDestroy)(Graph);                                     // cuGraphDestroy
};

/// libcuda.so.1's functions, opened and cuInit'ed on the first call; nullptr when there is
/// no driver, with `why` (when given) set to the reason: dlopen's message, a missing symbol,
/// or cuInit's error (its name and text, e.g. "CUDA_ERROR_NO_DEVICE: no CUDA-capable device
/// is detected"). The answer is computed once per process.
const Driver *driver(std::string *why = nullptr);

/// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)" for `r`, through the driver's own names.
std::string errorText(Result r);

} // namespace aec::rt::cu
