#pragma once
/// Emitters of the window-forming data movement ops (pad, slice, concat),
/// shared with the emitter table of OpLowerings.cpp. MLIR-including:
/// passes/lowering only.
#include "passes/lowering/MLIRLowering.h"

namespace aec::lowering {

/// stablehlo.pad: edge and interior padding with a constant.
mlir::Value emitPad(EmitContext &c);
/// stablehlo.slice: start / limit / strides.
mlir::Value emitSlice(EmitContext &c);
/// Concatenation along `axis`.
mlir::Value emitConcat(EmitContext &c);

} // namespace aec::lowering
