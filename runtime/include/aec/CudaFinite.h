#pragma once
/// The per-step NaN/Inf check of a cuda model's updated params and optimizer states, on the
/// device: one small hand-written PTX kernel (CudaFinite.cpp) raises a flag word when any value
/// of a list of buffers is not finite, so a step downloads one word instead of the whole state.
#include <aec/CudaDevice.h>

namespace aec::rt {

/// Loads (JIT-compiles) the check's kernel; call before any graph capture that enqueues it.
void prepareNonFiniteCheck(CudaDevice &device);
/// One entry of the check's table (device memory): a buffer of `count` floats.
struct NonFiniteCheckEntry {
  unsigned long long address, count;
};
/// Enqueues: the u32 at `flag` becomes 1 when any float of the `buffers` entries of the table
/// at `table` is NaN or +-Inf (it is never cleared here; the caller zeroes it per step).
/// `maxCount`: the largest entry's count (sizes the grid).
void enqueueNonFiniteCheck(CudaDevice &device, cu::DevicePtr table, unsigned buffers, size_t maxCount,
                           cu::DevicePtr flag);
/// The check's PTX text (for the test that assembles it with ptxas).
const char *nonFiniteCheckPtx();

} // namespace aec::rt
