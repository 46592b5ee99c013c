// RUN: aec-mlir-opt %s --split-input-file --aec-tile-matmuls | FileCheck %s
// RUN: aec-mlir-opt %s --split-input-file \
// RUN:   --aec-tile-matmuls="min-macs=1024 max-rows=4 max-cols=8 max-k=4" \
// RUN:   | FileCheck %s --check-prefix=OPTS

// A large matmul becomes 8x32 register tiles with a k step of 16, each tile
// one vector.contract on static vectors.
// CHECK-LABEL: func.func @large
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK:         scf.for {{.*}} step %[[C8]]
// CHECK:           scf.for {{.*}} step %[[C32]]
// CHECK:             scf.for {{.*}} step %[[C16]]
// CHECK:               vector.contract {{.*}} vector<8x16xf32>, vector<16x32xf32> into vector<8x32xf32>
// CHECK-NOT:     linalg.matmul
// OPTS-LABEL: func.func @large
// OPTS:          vector.contract {{.*}} vector<4x4xf32>, vector<4x8xf32> into vector<4x8xf32>
func.func @large(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// At exactly min-macs (64x32x32 = 65536 multiply-adds) a matmul is tiled.
// CHECK-LABEL: func.func @at_threshold
// CHECK:         vector.contract
// CHECK-NOT:     linalg.matmul
func.func @at_threshold(%a: tensor<64x32xf32>, %b: tensor<32x32xf32>, %c: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x32xf32>) outs(%c : tensor<64x32xf32>) -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}

// -----

// Negative: below min-macs (64x32x31) a matmul stays a loop nest; with
// min-macs=1024 it is tiled.
// CHECK-LABEL: func.func @below_threshold
// CHECK:         linalg.matmul
// CHECK-NOT:     vector.contract
// OPTS-LABEL: func.func @below_threshold
// OPTS:          vector.contract
func.func @below_threshold(%a: tensor<64x31xf32>, %b: tensor<31x32xf32>, %c: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x31xf32>, tensor<31x32xf32>) outs(%c : tensor<64x32xf32>) -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}

// -----

// Negative: fewer than 4 output columns make no SIMD vector: left alone
// however large.
// CHECK-LABEL: func.func @narrow
// CHECK:         linalg.matmul
// CHECK-NOT:     vector.contract
func.func @narrow(%a: tensor<4096x64xf32>, %b: tensor<64x2xf32>, %c: tensor<4096x2xf32>) -> tensor<4096x2xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<4096x64xf32>, tensor<64x2xf32>) outs(%c : tensor<4096x2xf32>) -> tensor<4096x2xf32>
  return %r : tensor<4096x2xf32>
}

// -----

// 4 to 7 columns: 4-lane tiles, twice as tall.
// CHECK-LABEL: func.func @four_lanes
// CHECK:         vector.contract {{.*}} vector<16x16xf32>, vector<16x4xf32> into vector<16x4xf32>
func.func @four_lanes(%a: tensor<256x128xf32>, %b: tensor<128x4xf32>, %c: tensor<256x4xf32>) -> tensor<256x4xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<256x128xf32>, tensor<128x4xf32>) outs(%c : tensor<256x4xf32>) -> tensor<256x4xf32>
  return %r : tensor<256x4xf32>
}

// -----

// Sizes that the preferred tiles do not divide get the largest dividing tile
// (50 columns: 25; k = 30: 15), so every tile is static: no partial tiles
// (affine.min) and no masks.
// CHECK-LABEL: func.func @not_divisible
// CHECK-NOT:     affine.min
// CHECK-NOT:     vector.mask
// CHECK:         vector.contract {{.*}} vector<8x15xf32>, vector<15x25xf32> into vector<8x25xf32>
func.func @not_divisible(%a: tensor<48x30xf32>, %b: tensor<30x50xf32>, %c: tensor<48x50xf32>) -> tensor<48x50xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<48x30xf32>, tensor<30x50xf32>) outs(%c : tensor<48x50xf32>) -> tensor<48x50xf32>
  return %r : tensor<48x50xf32>
}

// -----

// Negative: only named linalg.matmul ops are tiled; a matmul written as a
// linalg.generic or a batch matmul is left alone.
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @not_named_matmul
// CHECK:         linalg.generic
// CHECK:         linalg.batch_matmul
// CHECK-NOT:     vector.contract
func.func @not_named_matmul(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x64xf32>,
                            %ba: tensor<4x64x64xf32>, %bb: tensor<4x64x64xf32>, %bc: tensor<4x64x64xf32>)
    -> (tensor<64x64xf32>, tensor<4x64x64xf32>) {
  %r = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %br = linalg.batch_matmul ins(%ba, %bb : tensor<4x64x64xf32>, tensor<4x64x64xf32>) outs(%bc : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  return %r, %br : tensor<64x64xf32>, tensor<4x64x64xf32>
}

// -----

// Negative: dynamic shapes (aec never makes them) are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK:         linalg.matmul
// CHECK-NOT:     vector.contract
func.func @dynamic(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%c : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}
