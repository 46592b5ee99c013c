// RUN: aec-mlir-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(aec-plan-arena))' | FileCheck %s

// %a dies (last read by the copy into %b) before %c is allocated: %c reuses
// %a's bytes at offset 0; %b, live beside both, gets its own. Sizes are
// rounded up to 64 bytes: 16 floats = 64 bytes, 20 floats = 128.
// The arena is the workspace, a new last argument (the runtime allocates it
// once): no alloc is left.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME:    %[[ARENA:[a-z0-9]+]]: memref<192xi8> {llvm.align = 64 : i64, llvm.noalias})
// CHECK-SAME:    aec.arena_bytes = 192 : i64
// CHECK-SAME:    aec.live_bytes_bound = 192 : i64
// CHECK-SAME:    aec.unplanned_allocs = 0 : i64
// CHECK-NOT:     memref.alloc
// CHECK:         memref.view %[[ARENA]][%c128{{.*}}][] : memref<192xi8> to memref<16xf32>
// CHECK:         memref.view %[[ARENA]][%c0{{.*}}][] : memref<192xi8> to memref<20xf32>
// CHECK:         memref.view %[[ARENA]][%c128{{.*}}][] : memref<192xi8> to memref<16xf32>
func.func @reuse(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<20xf32>
  %sb = memref.subview %b[0] [16] [1] : memref<20xf32> to memref<16xf32, strided<[1]>>
  memref.copy %a, %sb : memref<16xf32> to memref<16xf32, strided<[1]>>
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %sb, %c : memref<16xf32, strided<[1]>> to memref<16xf32>
  memref.copy %c, %out : memref<16xf32> to memref<16xf32>
  return
}

// -----

// A use inside a loop keeps the buffer alive for the whole loop: %a is read in
// the loop after %b is allocated, so they must not share.
// CHECK-LABEL: func.func @loop_use
// CHECK-SAME:    aec.arena_bytes = 128 : i64
// CHECK:         memref.view %{{.*}}[%c{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK:         memref.view %{{.*}}[%c{{.*}}][] : memref<128xi8> to memref<16xf32>
func.func @loop_use(%in: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %v = memref.load %a[%i] : memref<16xf32>
    memref.store %v, %b[%i] : memref<16xf32>
  }
  memref.copy %b, %out : memref<16xf32> to memref<16xf32>
  return
}

// -----

// Left alone and counted: a dynamically sized buffer and one that escapes
// through the return. The workspace argument is still there, empty, so that
// every function has the same entry ABI.
// CHECK-LABEL: func.func @left_alone
// CHECK-SAME:    memref<0xi8> {llvm.align = 64 : i64, llvm.noalias}
// CHECK-SAME:    aec.arena_bytes = 0 : i64
// CHECK-SAME:    aec.unplanned_allocs = 2 : i64
// CHECK:         memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         memref.alloc() : memref<8xf32>
// CHECK-NOT:     memref.view
func.func @left_alone(%n: index) -> memref<8xf32> {
  %d = memref.alloc(%n) : memref<?xf32>
  %e = memref.alloc() : memref<8xf32>
  memref.dealloc %d : memref<?xf32>
  return %e : memref<8xf32>
}

// -----

// Buffers allocated inside a loop body (a scan's step) are planned too: %t lives
// within one iteration and its place is reused by every iteration; %s, whose
// last use comes before %u is allocated, shares its bytes with %u. %y is
// yielded into the next iteration, so it is left to the deallocation pipeline.
// CHECK-LABEL: func.func @loop_body
// CHECK-SAME:    aec.arena_bytes = 128 : i64
// CHECK:         scf.for
// CHECK:           memref.view %{{.*}}[%c0{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK:           memref.view %{{.*}}[%c64{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK:           memref.view %{{.*}}[%c64{{.*}}][] : memref<128xi8> to memref<16xf32>
// CHECK:           memref.alloc() : memref<16xf32>
// CHECK:           scf.yield
func.func @loop_body(%in: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %in) -> (memref<16xf32>) {
    %t = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
    memref.copy %acc, %t : memref<16xf32> to memref<16xf32>
    %s = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
    memref.copy %t, %s : memref<16xf32> to memref<16xf32>
    memref.copy %s, %out : memref<16xf32> to memref<16xf32>
    %u = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
    memref.copy %t, %u : memref<16xf32> to memref<16xf32>
    memref.copy %u, %out : memref<16xf32> to memref<16xf32>
    %y = memref.alloc() : memref<16xf32>
    memref.copy %t, %y : memref<16xf32> to memref<16xf32>
    scf.yield %y : memref<16xf32>
  }
  return
}

// -----

// A single intermediate goes to the workspace too: no function keeps a malloc.
// CHECK-LABEL: func.func @single
// CHECK-SAME:    %[[WS:[a-z0-9]+]]: memref<64xi8>
// CHECK-NOT:     memref.alloc
// CHECK:         memref.view %[[WS]]
func.func @single(%in: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  memref.copy %a, %out : memref<16xf32> to memref<16xf32>
  return
}
