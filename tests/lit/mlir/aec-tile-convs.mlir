// RUN: aec-mlir-opt %s --split-input-file --aec-tile-convs | FileCheck %s

// One register tile of a direct conv2d's tap (ConvLowerings.cpp): 8 output
// pixels, [1, 1, 8, P] x [P, Q] over dims (b, h, w, q, p), tiled by aec.tile
// [0, 0, 0, 32, 4]: loops over q and the reduction p innermost, the unit dims
// b, h dropped, so each tile is one 2-D vector.contract [8 x 4] x [4 x 32]. The
// accumulator tile is read before the reduction loop, carried through it as a
// vector and written once after it (hoisted out of the loop): no load and store
// of the accumulator per reduction step.
// CHECK-LABEL: func.func @conv_tap
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK:         scf.for {{.*}} step %[[C32]]
// CHECK:           %[[INIT:.*]] = vector.transfer_read {{.*}} vector<8x32xf32>
// CHECK:           %[[SUM:.*]] = scf.for {{.*}} step %[[C4]] iter_args(%[[ACC:.*]] = %[[INIT]]) -> (vector<8x32xf32>)
// CHECK-NOT:         vector.transfer_write
// CHECK:             %[[NEXT:.*]] = vector.contract {{.*}} %[[ACC]] : vector<8x4xf32>, vector<4x32xf32> into vector<8x32xf32>
// CHECK-NEXT:        scf.yield %[[NEXT]]
// CHECK:           vector.transfer_write %[[SUM]]
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     aec.tile
#lhs = affine_map<(b, h, w, q, p) -> (b, h, w, p)>
#rhs = affine_map<(b, h, w, q, p) -> (p, q)>
#acc = affine_map<(b, h, w, q, p) -> (b, h, w, q)>
func.func @conv_tap(%x: tensor<1x1x8x32xf32>, %k: tensor<32x64xf32>, %y: tensor<1x1x8x64xf32>) -> tensor<1x1x8x64xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #acc],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %k : tensor<1x1x8x32xf32>, tensor<32x64xf32>) outs(%y : tensor<1x1x8x64xf32>)
      attrs = {aec.tile = array<i64: 0, 0, 0, 32, 4>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b fastmath<contract> : f32
    %s = arith.addf %c, %m fastmath<contract> : f32
    linalg.yield %s : f32
  } -> tensor<1x1x8x64xf32>
  return %r : tensor<1x1x8x64xf32>
}

// -----

// One tap of a kernel gradient: [B, h, w, C]^T x [B, h, w, F] -> [C, F] over dims
// (c, f, b, h, w), the tap's pixel range dynamic (h, w: ?), the reductions
// innermost with tiles of one pixel. The [8 x 16] accumulator stays a vector
// through all three reduction loops: read once before them, written once after.
// CHECK-LABEL: func.func @kernel_grad_tap
// CHECK:         %[[INIT:.*]] = vector.transfer_read {{.*}} vector<8x16xf32>
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]]) -> (vector<8x16xf32>)
// CHECK:           scf.for {{.*}} -> (vector<8x16xf32>)
// CHECK:             scf.for {{.*}} -> (vector<8x16xf32>)
// CHECK-NOT:           vector.transfer_write
// CHECK:               arith.mulf {{.*}} : vector<8x16xf32>
// CHECK:         vector.transfer_write
// CHECK-NOT:     linalg.generic
#x = affine_map<(c, f, b, h, w) -> (b, h, w, c)>
#g = affine_map<(c, f, b, h, w) -> (b, h, w, f)>
#k = affine_map<(c, f, b, h, w) -> (c, f)>
func.func @kernel_grad_tap(%x: tensor<2x?x?x8xf32>, %g: tensor<2x?x?x16xf32>, %k: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %r = linalg.generic {indexing_maps = [#x, #g, #k],
                       iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %g : tensor<2x?x?x8xf32>, tensor<2x?x?x16xf32>) outs(%k : tensor<8x16xf32>)
      attrs = {aec.tile = array<i64: 8, 16, 1, 1, 1>} {
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
