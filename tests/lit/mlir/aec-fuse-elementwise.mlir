// RUN: aec-mlir-opt %s --split-input-file --aec-fuse-elementwise | FileCheck %s

// A chain of elementwise generics becomes one loop nest.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @chain
// CHECK:         linalg.generic
// CHECK:           arith.addf
// CHECK-NEXT:      math.exp
// CHECK-NOT:     linalg.generic
func.func @chain(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %t : tensor<4x8xf32>
}

// -----

// A reshape folds into and out of generics (here: the generic is expanded to
// the collapsed operand's shape).
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @reshape_into_generic
// CHECK-NOT:     tensor.collapse_shape %arg0
// CHECK:         linalg.generic {{.*}} ins(%arg0 : tensor<2x4x8xf32>)
func.func @reshape_into_generic(%a: tensor<2x4x8xf32>) -> tensor<8x8xf32> {
  %c = tensor.collapse_shape %a [[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<8x8xf32>
  return %t : tensor<8x8xf32>
}

// -----

// Negative: an expensive producer (exp) with two users is not duplicated
// into both (as upstream).
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @two_users
// CHECK-COUNT-3: linalg.generic
func.func @two_users(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.log %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %u = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.sqrt %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %t, %u : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A cheap producer (a bias broadcast, a relu mask: a copy or up to two adds,
// multiplies, compares or selects) is recomputed in every user when all of
// them can fuse it: it disappears, and each user reads its operands instead.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @cheap_two_users
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT:     linalg.generic
func.func @cheap_two_users(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %bb = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %bb : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.addf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %u = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %bb : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %r = arith.mulf %x, %y : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %t, %u : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A sum is a generic reduction, so the square before it fuses in; an
// expensive producer (exp) stays out of a broadcasting consumer (an upsample
// would compute it once per copy).
#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>
#up = affine_map<(d0, d1, d2) -> (d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @square_into_sum
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK-LABEL: func.func @exp_not_into_broadcast
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-NOT:       math.exp
// CHECK:         return
func.func @square_into_sum(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = arith.mulf %x, %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %z = tensor.empty() : tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%sq : tensor<4x8xf32>) outs(%z : tensor<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %acc, %x : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %sum : tensor<4xf32>
}
func.func @exp_not_into_broadcast(%a: tensor<4x8xf32>) -> tensor<4x8x2xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %r = math.exp %x : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  %e3 = tensor.empty() : tensor<4x8x2xf32>
  %u = linalg.generic {indexing_maps = [#up, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<4x8xf32>) outs(%e3 : tensor<4x8x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<4x8x2xf32>
  return %u : tensor<4x8x2xf32>
}

// -----

// Negative: an elementwise producer is not fused into a named matmul, which
// must stay linalg.matmul for aec-tile-matmuls.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @generic_into_matmul
// CHECK:         %[[EXP:.*]] = linalg.generic
// CHECK:         linalg.matmul ins(%[[EXP]], %arg1
func.func @generic_into_matmul(%a: tensor<8x8xf32>, %b: tensor<8x16xf32>, %init: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<8x8xf32>
  %m = linalg.matmul ins(%r, %b : tensor<8x8xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %m : tensor<8x16xf32>
}

// -----

// Negative: a reshape does not fold into a named matmul.
// CHECK-LABEL: func.func @collapse_into_matmul
// CHECK:         %[[C:.*]] = tensor.collapse_shape %arg0
// CHECK:         linalg.matmul ins(%[[C]], %arg1
func.func @collapse_into_matmul(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>, %init: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %c = tensor.collapse_shape %a [[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
  %m = linalg.matmul ins(%c, %b : tensor<8x8xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %m : tensor<8x16xf32>
}

// -----

// Negative: nor out of one. (Upstream's linalg-fuse-elementwise-ops turns this
// matmul into a rank-3 linalg.generic, which aec-tile-matmuls would not see.)
// CHECK-LABEL: func.func @expand_matmul_result
// CHECK:         %[[M:.*]] = linalg.matmul
// CHECK:         tensor.expand_shape %[[M]]
// CHECK-NOT:     linalg.generic
func.func @expand_matmul_result(%a: tensor<8x8xf32>, %b: tensor<8x16xf32>, %init: tensor<8x16xf32>) -> tensor<2x4x16xf32> {
  %m = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %e = tensor.expand_shape %m [[0, 1], [2]] output_shape [2, 4, 16] : tensor<8x16xf32> into tensor<2x4x16xf32>
  return %e : tensor<2x4x16xf32>
}

// -----

// Negative: a copy into a window of a bigger tensor (the im2col patch matrix)
// keeps its reshaped source. (Upstream folds the reshape through the copy,
// which becomes an identity generic that canonicalization erases; a bare
// insert_slice then bufferizes to a strided memref.copy that trainers cannot
// link.)
// CHECK-LABEL: func.func @collapse_into_copy
// CHECK:         %[[C:.*]] = tensor.collapse_shape %arg0
// CHECK:         linalg.copy ins(%[[C]]
func.func @collapse_into_copy(%a: tensor<2x4x8xf32>, %init: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %c = tensor.collapse_shape %a [[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
  %w = tensor.extract_slice %init[8, 0] [8, 8] [1, 1] : tensor<16x8xf32> to tensor<8x8xf32>
  %m = linalg.copy ins(%c : tensor<8x8xf32>) outs(%w : tensor<8x8xf32>) -> tensor<8x8xf32>
  %r = tensor.insert_slice %m into %init[8, 0] [8, 8] [1, 1] : tensor<8x8xf32> into tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}

// -----

// Negative: a named transpose stays named with its reshaped operand.
// (Upstream makes it a rank-3 linalg.generic.)
// CHECK-LABEL: func.func @collapse_into_transpose
// CHECK:         %[[C:.*]] = tensor.collapse_shape %arg0
// CHECK:         linalg.transpose ins(%[[C]]
// CHECK-NOT:     linalg.generic
func.func @collapse_into_transpose(%a: tensor<2x4x8xf32>, %init: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %c = tensor.collapse_shape %a [[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
  %m = linalg.transpose ins(%c : tensor<8x8xf32>) outs(%init : tensor<8x8xf32>) permutation = [1, 0]
  return %m : tensor<8x8xf32>
}
