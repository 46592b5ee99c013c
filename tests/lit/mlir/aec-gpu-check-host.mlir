// Host code that would read a device buffer is an error that names the op and the
// function (aec's lowering never makes one: this guards the guarantee).
// RUN: aec-mlir-opt %s --aec-gpu-check-host --verify-diagnostics
func.func @host(%a: memref<8xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{aec-gpu-check-host: host code would touch device memory: 'memref.load' in function 'host'}}
  %v = memref.load %a[%c0] : memref<8xf32>
  memref.store %v, %s[] : memref<f32>
  return
}
