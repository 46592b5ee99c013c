#pragma once
/// Emitters of the window-forming data movement ops (pad, slice, concat),
/// shared with the emitter table of OpLowerings.cpp. MLIR-including:
/// passes/lowering only.
#include "passes/lowering/MLIRLowering.h"

namespace aec::lowering {

/// A copy of `x` that no linalg fusion or reshape propagation looks through
/// (the copy reads `x` with tensor.extract, so `x` is not an operand of any
/// linalg op). Keeps linalg.matmul a named, tileable op when reshapes sit next
/// to it.
mlir::Value fusionBarrier(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value x);

/// stablehlo.pad: edge and interior padding with a constant.
mlir::Value emitPad(EmitContext &c);
/// stablehlo.slice: start / limit / strides.
mlir::Value emitSlice(EmitContext &c);
/// Concatenation along `axis`.
mlir::Value emitConcat(EmitContext &c);

} // namespace aec::lowering
