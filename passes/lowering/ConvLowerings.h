#pragma once
/// Emitters of the direct convolution ops (ir/ops/Conv.cpp), shared with the
/// emitter table of OpLowerings.cpp. MLIR-including: passes/lowering only.
#include "passes/lowering/MLIRLowering.h"

#include <array>
#include <cstdint>

namespace aec::lowering {

/// The window attributes of a convolution node: per spatial dim, the stride and the
/// padding before the first pixel.
struct ConvWindow {
  std::array<int64_t, 2> stride, low;
  explicit ConvWindow(const Node &n);
};

/// A zero-filled tensor of `type` (tensor.empty + linalg.fill).
mlir::Value zeroTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type);

/// conv2d: x [B, H, W, C] (*) k [kh, kw, C, F] -> [B, Ho, Wo, F].
mlir::Value emitConv2d(EmitContext &c);
/// conv2d_transpose (conv2d's adjoint w.r.t. x): y [B, Ho, Wo, F], k -> [B, H,
/// W, C].
mlir::Value emitConv2dTranspose(EmitContext &c);
/// conv2d_kernel_grad (conv2d's adjoint w.r.t. k): x, y -> [kh, kw, C, F].
mlir::Value emitConv2dKernelGrad(EmitContext &c);

/// The same three in gather form, each one linalg.generic (ConvGatherLowerings.cpp):
/// what the GPU runs, one thread per result element.
mlir::Value emitConv2dGather(EmitContext &c);
mlir::Value emitConv2dTransposeGather(EmitContext &c);
mlir::Value emitConv2dKernelGradGather(EmitContext &c);

} // namespace aec::lowering
