// RUN: aec-mlir-opt %s --split-input-file --aec-lower-vector | FileCheck %s

// The k loop of a bufferized matmul tile: the accumulator's read and write
// move out of the loop (it is carried in registers), and the contract becomes
// one FMA per row of the tile.
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#acc = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @k_loop
// CHECK:         %[[INIT:.*]] = vector.transfer_read %arg2
// CHECK:         %[[SUM:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]])
// CHECK-NOT:       vector.contract
// CHECK-NOT:       vector.transfer_write
// CHECK-COUNT-4:   vector.fma {{.*}} : vector<8xf32>
// CHECK:           scf.yield
// CHECK:         vector.transfer_write %[[SUM]], %arg2
func.func @k_loop(%a: memref<2x64xf32>, %b: memref<64x8xf32>, %c: memref<2x8xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c2 {
    %va = vector.transfer_read %a[%c0, %k], %f0 {in_bounds = [true, true]} : memref<2x64xf32>, vector<2x2xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x8xf32>, vector<2x8xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x8xf32>, vector<2x8xf32>
    %r = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"],
                          kind = #vector.kind<add>} %va, %vb, %vc : vector<2x2xf32>, vector<2x8xf32> into vector<2x8xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x8xf32>, memref<2x8xf32>
  }
  return
}

// -----

// Negative: a tile that moves with the loop (here the row block) is a new
// accumulator each iteration: its transfers stay in the loop (while the
// invariant read of the right operand moves out).
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#acc = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @moving_tile
// CHECK:         vector.transfer_read %arg1
// CHECK:         scf.for %[[I:.*]] =
// CHECK-NOT:       iter_args
// CHECK:           vector.transfer_read %arg2[%[[I]]
// CHECK:           vector.fma
// CHECK:           vector.transfer_write {{.*}}, %arg2[%[[I]]
func.func @moving_tile(%a: memref<8x2xf32>, %b: memref<2x8xf32>, %c: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c2 {
    %va = vector.transfer_read %a[%i, %c0], %f0 {in_bounds = [true, true]} : memref<8x2xf32>, vector<2x2xf32>
    %vb = vector.transfer_read %b[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x8xf32>, vector<2x8xf32>
    %vc = vector.transfer_read %c[%i, %c0], %f0 {in_bounds = [true, true]} : memref<8x8xf32>, vector<2x8xf32>
    %r = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"],
                          kind = #vector.kind<add>} %va, %vb, %vc : vector<2x2xf32>, vector<2x8xf32> into vector<2x8xf32>
    vector.transfer_write %r, %c[%i, %c0] {in_bounds = [true, true]} : vector<2x8xf32>, memref<8x8xf32>
  }
  return
}

// -----

// Negative: the accumulator is not hoisted when the loop also writes its
// buffer another way (hoisting would lose that store).
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#acc = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @aliased_store
// CHECK:         scf.for
// CHECK-NOT:       iter_args
// CHECK:           vector.transfer_read %arg2
// CHECK:           memref.store {{.*}}, %arg2
func.func @aliased_store(%a: memref<2x64xf32>, %b: memref<64x8xf32>, %c: memref<2x8xf32>, %x: f32) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c2 {
    %va = vector.transfer_read %a[%c0, %k], %f0 {in_bounds = [true, true]} : memref<2x64xf32>, vector<2x2xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x8xf32>, vector<2x8xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x8xf32>, vector<2x8xf32>
    %r = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"],
                          kind = #vector.kind<add>} %va, %vb, %vc : vector<2x2xf32>, vector<2x8xf32> into vector<2x8xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x8xf32>, memref<2x8xf32>
    memref.store %x, %c[%c0, %c0] : memref<2x8xf32>
  }
  return
}
