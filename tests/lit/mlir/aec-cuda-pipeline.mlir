// The whole cuda pipeline on one elementwise function of 37x5 (185 threads, one
// block, guarded): the host function launches one kernel of a gpu.binary that
// holds PTX for sm_90, in which tanh is a polynomial and sqrt one instruction
// (no libdevice call: no CUDA toolkit is needed).
// RUN: aec-mlir-opt %s --aec-cuda-pipeline | FileCheck %s --implicit-check-not=__nv_
// CHECK:       module attributes {aec.target = "cuda", gpu.container_module}
// CHECK:         llvm.func @step(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr
// CHECK:           gpu.launch_func  @[[MOD:.*]]::@[[KERNEL:[a-z_0-9]+]] blocks in
// CHECK:         gpu.binary @[[MOD]]  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">
// CHECK-SAME:      .target sm_90
// CHECK-SAME:      .visible .entry [[KERNEL]](
// CHECK-SAME:      sqrt.rn.f32
// CHECK-NOT:   gpu.module
// RUN: aec-mlir-opt %s --aec-cuda-pipeline | FileCheck %s --check-prefix=TANH
// TANH:         gpu.binary
// TANH-SAME:      fma.rn.f32
module attributes {aec.target = "cuda"} {
  func.func @step(%x: tensor<37x5xf32>) -> tensor<37x5xf32> {
    %e = tensor.empty() : tensor<37x5xf32>
    %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<37x5xf32>) outs(%e : tensor<37x5xf32>) {
    ^bb0(%a: f32, %o: f32):
      %t = math.tanh %a : f32
      %s = math.sqrt %t : f32
      linalg.yield %s : f32
    } -> tensor<37x5xf32>
    return %y : tensor<37x5xf32>
  }
}
