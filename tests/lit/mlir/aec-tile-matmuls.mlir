// RUN: aec-mlir-opt %s --split-input-file --aec-tile-matmuls | FileCheck %s
// RUN: aec-mlir-opt %s --split-input-file \
// RUN:   --aec-tile-matmuls="min-macs=1024 max-rows=4 max-cols=8 max-k=4" \
// RUN:   | FileCheck %s --check-prefix=OPTS

// A large matmul becomes 8x32 register tiles with a k step of 8, each tile
// one vector.contract on static vectors.
// CHECK-LABEL: func.func @large
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK:         scf.for {{.*}} step %[[C8]]
// CHECK:           scf.for {{.*}} step %[[C32]]
// CHECK:             scf.for {{.*}} step %[[C8]]
// CHECK:               vector.contract {{.*}} vector<8x8xf32>, vector<8x32xf32> into vector<8x32xf32>
// CHECK-NOT:     linalg.matmul
// OPTS-LABEL: func.func @large
// OPTS:          vector.contract {{.*}} vector<4x4xf32>, vector<4x8xf32> into vector<4x8xf32>
func.func @large(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// Every matmul is vectorized by default, however small (a scalar loop nest
// keeps its accumulator in memory); min-macs keeps small ones as loops.
// CHECK-LABEL: func.func @small
// CHECK:         vector.contract {{.*}} vector<16x4xf32>, vector<4x2xf32> into vector<16x2xf32>
// CHECK-NOT:     linalg.matmul
// OPTS-LABEL: func.func @small
// OPTS:          linalg.matmul
// OPTS-NOT:      vector.contract
func.func @small(%a: tensor<32x4xf32>, %b: tensor<4x2xf32>, %c: tensor<32x2xf32>) -> tensor<32x2xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<32x4xf32>, tensor<4x2xf32>) outs(%c : tensor<32x2xf32>) -> tensor<32x2xf32>
  return %r : tensor<32x2xf32>
}

// -----

// Columns that no power-of-two tile divides split into blocks, each its own
// matmul on column slices of B and C: 50 = 32 + 16 + 2. Every vector is a power
// of two wide (a 25-wide one is assembled lane by lane), every tile static: no
// partial tiles (affine.min), no masks. Narrower blocks get twice the rows; k = 30
// takes the largest divisor up to 8.
// CHECK-LABEL: func.func @not_divisible
// CHECK-NOT:     affine.min
// CHECK-NOT:     vector.mask
// CHECK:         tensor.extract_slice %{{.*}}[0, 0] [30, 32] [1, 1]
// CHECK:         vector.contract {{.*}} vector<8x6xf32>, vector<6x32xf32> into vector<8x32xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0] [48, 32] [1, 1]
// CHECK:         tensor.extract_slice %{{.*}}[0, 32] [30, 16] [1, 1]
// CHECK:         vector.contract {{.*}} vector<16x6xf32>, vector<6x16xf32> into vector<16x16xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 32] [48, 16] [1, 1]
// CHECK:         tensor.extract_slice %{{.*}}[0, 48] [30, 2] [1, 1]
// CHECK:         vector.contract {{.*}} vector<16x6xf32>, vector<6x2xf32> into vector<16x2xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 48] [48, 2] [1, 1]
// CHECK-NOT:     linalg.matmul
// OPTS-LABEL: func.func @not_divisible
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
