// aec-gpu-merge-kernels and aec-gpu-libdevice (GpuKernelPasses.cpp).
// RUN: aec-mlir-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline='builtin.module(aec-gpu-merge-kernels,gpu.module(aec-gpu-libdevice))' \
// RUN:   | FileCheck %s

// One kernel module; @k1's kernel equals @k0's and is dropped, its launch
// pointing at @k0's; @k2's differs and is kept under a fresh name.
// CHECK-LABEL: func.func @launches(
// CHECK:         gpu.launch_func  @k0::@f
// CHECK:         gpu.launch_func  @k0::@f
// CHECK:         gpu.launch_func  @k0::@[[OTHER:f_[0-9]+]]
// CHECK:       gpu.module @k0 {
// CHECK:         gpu.func @f(
// CHECK:           arith.constant 1.0
// CHECK:         gpu.func @[[OTHER]](
// CHECK:           arith.constant 2.0
// CHECK-NOT:   gpu.module
module attributes {gpu.container_module} {
  func.func @launches(%a: memref<256xf32>, %b: memref<256xf32>) {
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    gpu.launch_func @k0::@f blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) args(%a : memref<256xf32>)
    gpu.launch_func @k1::@f blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) args(%b : memref<256xf32>)
    gpu.launch_func @k2::@f blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) args(%b : memref<256xf32>)
    return
  }
  gpu.module @k0 {
    gpu.func @f(%x: memref<256xf32>) kernel {
      %t = gpu.thread_id x
      %one = arith.constant 1.0 : f32
      memref.store %one, %x[%t] : memref<256xf32>
      gpu.return
    }
  }
  gpu.module @k1 {
    gpu.func @f(%x: memref<256xf32>) kernel {
      %t = gpu.thread_id x
      %one = arith.constant 1.0 : f32
      memref.store %one, %x[%t] : memref<256xf32>
      gpu.return
    }
  }
  gpu.module @k2 {
    gpu.func @f(%x: memref<256xf32>) kernel {
      %t = gpu.thread_id x
      %two = arith.constant 2.0 : f32
      memref.store %two, %x[%t] : memref<256xf32>
      gpu.return
    }
  }
}

// -----

// libdevice's functions that convert-gpu-to-nvvm calls, defined by intrinsics.
// CHECK:       gpu.module @kernels {
// CHECK:         llvm.func internal @__nv_sqrtf(%[[X:.*]]: f32) -> f32 {
// CHECK-NEXT:      %[[R:.*]] = llvm.intr.sqrt(%[[X]])
// CHECK-NEXT:      llvm.return %[[R]]
// CHECK:         llvm.func internal @__nv_fmaf(
// CHECK-NEXT:      llvm.intr.fma
gpu.module @kernels {
  llvm.func @__nv_sqrtf(f32) -> f32
  llvm.func @__nv_fmaf(f32, f32, f32) -> f32
  llvm.func @k(%x: f32) -> f32 {
    %s = llvm.call @__nv_sqrtf(%x) : (f32) -> f32
    %f = llvm.call @__nv_fmaf(%s, %x, %x) : (f32, f32, f32) -> f32
    llvm.return %f : f32
  }
}

// -----

// Any other one would need the toolkit's libdevice: an error that names it.
gpu.module @kernels {
  // expected-error @below {{aec-gpu-libdevice: '__nv_sinf' would need libdevice (a CUDA toolkit file)}}
  llvm.func @__nv_sinf(f32) -> f32
}
