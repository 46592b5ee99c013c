// aec-gpu-serial-kernels and aec-gpu-map-loops (GpuKernelPasses.cpp): every
// buffer access in a parallel nest, each nest a 1-D grid of 256-thread blocks.
// RUN: aec-mlir-opt %s --split-input-file \
// RUN:   --pass-pipeline='builtin.module(func.func(aec-gpu-serial-kernels,aec-gpu-map-loops))' \
// RUN:   | FileCheck %s

// The serial code between two parallel nests (a full reduction and the store of
// its scalar) moves into one one-thread nest; the constants the host still needs
// stay outside. Every nest is then flattened to 1-D blocks of threads.
// A nest of known trip count below 256 is one block of that many threads, with
// no guard.
// CHECK-LABEL: func.func @serial(
// CHECK:         %[[EIGHT:.*]] = arith.muli %c1, %c8
// CHECK:         scf.parallel (%{{.*}}) = (%c0) to (%c8) step (%[[EIGHT]]) {
// CHECK:           scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[EIGHT]]) step
// CHECK-NOT:         scf.if
// CHECK:             memref.store
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK:         %[[ONE:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%[[ONE]]) {
// CHECK:           scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[ONE]]) step
// CHECK:             scf.for
// CHECK:               memref.load
// CHECK:             memref.store %{{.*}}, %{{.*}}[] : memref<f32>
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NEXT:    return
func.func @serial(%a: memref<8xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %a[%i] : memref<8xf32>
    scf.reduce
  }
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %a[%i] : memref<8xf32>
    %n = arith.addf %acc, %v : f32
    scf.yield %n : f32
  }
  memref.store %sum, %s[] : memref<f32>
  return
}

// -----

// A 10x30 nest: one dim of 300 iterations in blocks of 256 threads, each thread
// guarded (300 is no multiple of 256) and recovering (i, j) by div/rem; the
// parallel loop under the reduction loop runs serially in its thread.
// CHECK-LABEL: func.func @map(
// CHECK:         %[[N0:.*]] = arith.muli %{{.*}}, %c10
// CHECK:         %[[N:.*]] = arith.muli %[[N0]], %c30
// CHECK:         %[[T:.*]] = arith.muli %{{.*}}, %c256
// CHECK:         scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[N]]) step (%[[T]]) {
// CHECK:           scf.parallel (%[[TH:.*]]) = (%{{.*}}) to (%[[T]]) step
// CHECK:             %[[IDX:.*]] = arith.addi %[[TH]], %[[B]]
// CHECK:             %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[N]]
// CHECK:             scf.if
// CHECK:               %[[J:.*]] = arith.remsi %[[IDX]], %c30
// CHECK:               %[[I:.*]] = arith.divsi %[[IDX]], %c30
// CHECK:               scf.for
// CHECK-NEXT:            scf.for %[[L:.*]] = %c0 to %c4 step %c1 {
// CHECK-NEXT:              memref.load %{{.*}}[%[[I]], %[[J]], %[[L]]]
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @map(%a: memref<10x30xf32>, %b: memref<10x30x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c10 = arith.constant 10 : index
  %c30 = arith.constant 30 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c10, %c30) step (%c1, %c1) {
    scf.for %k = %c0 to %c4 step %c1 {
      scf.parallel (%l) = (%c0) to (%c4) step (%c1) {
        %v = memref.load %b[%i, %j, %l] : memref<10x30x4xf32>
        memref.store %v, %a[%i, %j] : memref<10x30xf32>
        scf.reduce
      }
    }
    scf.reduce
  }
  return
}

