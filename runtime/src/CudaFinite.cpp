/// The device-side NaN/Inf check (CudaFinite.h).
#include <aec/CudaFinite.h>

#include <algorithm>
#include <stdexcept>

namespace aec::rt {
namespace {

/// aec_flag_nonfinite(table, flag): block row y checks buffer y of the table, {u64 address,
/// u64 count} per buffer, in a grid-stride loop along x; a thread that saw an exponent of all
/// ones (NaN, +-Inf) stores 1 to *flag (a racy store of one value: no atomic needed). One
/// launch checks a whole state. PTX ISA 7.0 for sm_75, which the driver JIT-compiles for any
/// newer GPU; assembled with ptxas for sm_90 by tests/unit/runtime_cuda.cpp.
const char kPtx[] = R"PTX(.version 7.0
.target sm_75
.address_size 64

.visible .entry aec_flag_nonfinite(.param .u64 table, .param .u64 flag)
{
  .reg .pred %q<3>;
  .reg .b32 %r<9>;
  .reg .b64 %d<12>;
  ld.param.u64 %d9, [table];
  ld.param.u64 %d3, [flag];
  cvta.to.global.u64 %d9, %d9;
  cvta.to.global.u64 %d3, %d3;
  mov.u32 %r8, %ctaid.y;
  mul.wide.u32 %d10, %r8, 16;
  add.u64 %d10, %d9, %d10;
  ld.global.u64 %d1, [%d10];
  ld.global.u64 %d2, [%d10+8];
  cvta.to.global.u64 %d1, %d1;
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %nctaid.x;
  mul.wide.u32 %d4, %r1, %r2;
  cvt.u64.u32 %d5, %r3;
  add.u64 %d4, %d4, %d5;
  mul.wide.u32 %d6, %r4, %r2;
  mov.u32 %r6, 0;
LOOP:
  setp.ge.u64 %q1, %d4, %d2;
  @%q1 bra DONE;
  shl.b64 %d7, %d4, 2;
  add.u64 %d8, %d1, %d7;
  ld.global.u32 %r5, [%d8];
  and.b32 %r5, %r5, 2139095040;
  setp.eq.u32 %q2, %r5, 2139095040;
  selp.u32 %r7, 1, 0, %q2;
  or.b32 %r6, %r6, %r7;
  add.u64 %d4, %d4, %d6;
  bra LOOP;
DONE:
  setp.eq.u32 %q1, %r6, 0;
  @%q1 bra END;
  st.global.u32 [%d3], 1;
END:
  ret;
}
)PTX";

cu::Function &kernel() {
  static cu::Function f = nullptr;
  return f;
}

} // namespace

const char *nonFiniteCheckPtx() { return kPtx; }

void prepareNonFiniteCheck(CudaDevice &device) {
  if (kernel())
    return;
  cu::Module module = nullptr;
  device.check(device.api().moduleLoadData(&module, kPtx), "loading the NaN check's PTX");
  device.check(device.api().moduleGetFunction(&kernel(), module, "aec_flag_nonfinite"),
               "looking up the NaN check's kernel");
}

void enqueueNonFiniteCheck(CudaDevice &device, cu::DevicePtr table, unsigned buffers, size_t maxCount,
                           cu::DevicePtr flag) {
  if (!kernel())
    throw std::logic_error("enqueueNonFiniteCheck before prepareNonFiniteCheck");
  if (buffers == 0 || maxCount == 0)
    return;
  // Blocks along x for the largest buffer (a grid-stride loop: 64 blocks of 256 keep a GPU's
  // memory busy for any size), one row of blocks per buffer.
  constexpr size_t Block = 256, MaxBlocks = 64;
  const unsigned grid = static_cast<unsigned>(std::min(MaxBlocks, (maxCount + Block - 1) / Block));
  void *params[] = {&table, &flag};
  device.record(device.api().launchKernel(kernel(), grid, buffers, 1, Block, 1, 1, 0, device.stream(), params, nullptr),
                "launching the NaN check");
}

} // namespace aec::rt
