// RUN: aec-mlir-opt %s --split-input-file --aec-tile-convs | FileCheck %s

// One tap of a direct conv2d (ConvLowerings.cpp): [B, h, w, P] x [P, Q] over dims
// (b, h, w, q, p), tiled by aec.tile [1, 1, 8, 32, 16]: loops over b, h, w, q and the
// reduction p innermost; the unit dims b, h dropped, so each tile is one 2-D
// vector.contract [8 x 16] x [16 x 32].
// CHECK-LABEL: func.func @conv_tap
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             scf.for {{.*}} step %[[C8]]
// CHECK:               scf.for {{.*}} step %[[C32]]
// CHECK:                 scf.for {{.*}} step %[[C16]]
// CHECK:                   vector.contract {{.*}} vector<8x16xf32>, vector<16x32xf32> into vector<8x32xf32>
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     aec.tile
#lhs = affine_map<(b, h, w, q, p) -> (b, h, w, p)>
#rhs = affine_map<(b, h, w, q, p) -> (p, q)>
#acc = affine_map<(b, h, w, q, p) -> (b, h, w, q)>
func.func @conv_tap(%x: tensor<2x6x16x32xf32>, %k: tensor<32x64xf32>, %y: tensor<2x6x16x64xf32>) -> tensor<2x6x16x64xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #acc],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %k : tensor<2x6x16x32xf32>, tensor<32x64xf32>) outs(%y : tensor<2x6x16x64xf32>)
      attrs = {aec.tile = array<i64: 1, 1, 8, 32, 16>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %m fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<2x6x16x64xf32>
  return %r : tensor<2x6x16x64xf32>
}

// -----

// One tap of a kernel gradient: [B, h, w, C]^T x [B, h, w, F] -> [C, F] over dims
// (c, f, b, h, w), the reductions innermost; each tile contracts over the pixel dim w
// with the image rows as they are in memory (lhs [w, c]).
// CHECK-LABEL: func.func @kernel_grad_tap
// CHECK:         vector.contract {{.*}} vector<4x8xf32>, vector<4x16xf32> into vector<8x16xf32>
// CHECK-NOT:     linalg.generic
#x = affine_map<(c, f, b, h, w) -> (b, h, w, c)>
#g = affine_map<(c, f, b, h, w) -> (b, h, w, f)>
#k = affine_map<(c, f, b, h, w) -> (c, f)>
func.func @kernel_grad_tap(%x: tensor<2x3x4x8xf32>, %g: tensor<2x3x4x16xf32>, %k: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#x, #g, #k],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %g : tensor<2x3x4x8xf32>, tensor<2x3x4x16xf32>) outs(%k : tensor<8x16xf32>)
      attrs = {aec.tile = array<i64: 8, 16, 1, 1, 4>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// Negative: a generic without aec.tile is left alone.
// CHECK-LABEL: func.func @untagged
// CHECK:         linalg.generic
// CHECK-NOT:     vector.contract
#id = affine_map<(i, j) -> (i, j)>
func.func @untagged(%a: tensor<8x16xf32>, %b: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x16xf32>) outs(%b : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}
