// aec-splats-to-fills and aec-copies-to-linalg (GpuKernelPasses.cpp): what the
// cuda pipeline rewrites so that no buffer lives in or is copied by host code.
// RUN: aec-mlir-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(aec-splats-to-fills,aec-copies-to-linalg))' \
// RUN:   | FileCheck %s

// A splat tensor constant becomes a fill (bufferized, a global in host memory no
// kernel could read).
// CHECK-LABEL: func.func @splat(
// CHECK:         %[[C:.*]] = arith.constant 1.500000e+00 : f32
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[C]] : f32) outs(%[[E]] : tensor<4x3xf32>)
// CHECK:         return %[[F]]
func.func @splat() -> tensor<4x3xf32> {
  %c = arith.constant dense<1.5> : tensor<4x3xf32>
  return %c : tensor<4x3xf32>
}

// -----

// A copy becomes linalg.copy (a kernel later), not a host memcpy.
// CHECK-LABEL: func.func @copy(
// CHECK:         linalg.copy ins(%{{.*}} : memref<5xf32>) outs(%{{.*}} : memref<5xf32>)
// CHECK-NOT:     memref.copy
func.func @copy(%a: memref<5xf32>, %b: memref<5xf32>) {
  memref.copy %a, %b : memref<5xf32> to memref<5xf32>
  return
}

