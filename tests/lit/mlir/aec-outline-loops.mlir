// RUN: aec-mlir-opt %s --split-input-file --aec-outline-loops | FileCheck %s

// Two layers' identical loop nests on different places of the arena: one function,
// called twice with each layer's buffers. The strided subview the loop reads is
// recomputed inside (the function takes the plain buffer); constants are cloned in,
// so loop bounds stay known. The third loop differs (another bound): its own function.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:    %[[ARG:.*]]: memref<4x8xf32>, %[[ARENA:.*]]: memref<256xi8>
// CHECK:         %[[V0:.*]] = memref.view %[[ARENA]][%{{.*}}][] : memref<256xi8> to memref<4x4xf32>
// CHECK:         call @step_loop(%[[ARG]], %[[V0]]) : (memref<4x8xf32>, memref<4x4xf32>) -> ()
// CHECK:         %[[V1:.*]] = memref.view %[[ARENA]][%{{.*}}][] : memref<256xi8> to memref<4x4xf32>
// CHECK:         call @step_loop(%[[ARG]], %[[V1]])
// CHECK:         call @step_loop_0(%[[ARG]], %[[V1]])
// CHECK-NOT:     scf.for
// CHECK:         return
// CHECK:       func.func private @step_loop(%[[A:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x4xf32>)
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>, no_inline}
// CHECK:         %[[SUB:.*]] = memref.subview %[[A]][0, 4] [4, 4] [1, 1]
// CHECK:         scf.for
// CHECK:           memref.load %[[SUB]]
// CHECK:           memref.store %{{.*}}, %[[OUT]]
// CHECK:         return
// CHECK:       func.func private @step_loop_0(
// CHECK:         %[[C3:.*]] = arith.constant 3 : index
// CHECK:         scf.for %{{.*}} = %{{.*}} to %[[C3]]
// CHECK-NOT:   func.func private
func.func @step(%a: memref<4x8xf32>, %arena: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %right = memref.subview %a[0, 4] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 4>>
  %first = memref.view %arena[%c0][] : memref<256xi8> to memref<4x4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %right[%i, %c0] : memref<4x4xf32, strided<[8, 1], offset: 4>>
    memref.store %x, %first[%i, %c0] : memref<4x4xf32>
  }
  %second = memref.view %arena[%c64][] : memref<256xi8> to memref<4x4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %right[%i, %c0] : memref<4x4xf32, strided<[8, 1], offset: 4>>
    memref.store %x, %second[%i, %c0] : memref<4x4xf32>
  }
  scf.for %i = %c0 to %c3 step %c1 {
    %x = memref.load %right[%i, %c0] : memref<4x4xf32, strided<[8, 1], offset: 4>>
    memref.store %x, %second[%i, %c0] : memref<4x4xf32>
  }
  return
}

// -----

// A loop that needs a strided buffer the function cannot recompute (an argument) stays
// where it is: the bare-pointer calling convention passes identity layouts only.
// CHECK-LABEL: func.func @strided_argument(
// CHECK:         scf.for
// CHECK-NOT:   func.func private
func.func @strided_argument(%a: memref<4x4xf32, strided<[8, 1]>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %f, %a[%i, %c0] : memref<4x4xf32, strided<[8, 1]>>
  }
  return
}
