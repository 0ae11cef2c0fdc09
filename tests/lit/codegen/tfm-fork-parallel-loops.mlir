// RUN: tfm-opt %s --split-input-file --allow-unregistered-dialect --tfm-fork-parallel-loops --canonicalize | FileCheck %s
// RUN: tfm-opt %s --split-input-file --allow-unregistered-dialect --tfm-fork-parallel-loops="threads=false" --canonicalize | FileCheck %s --check-prefix=SERIAL --implicit-check-not=omp.

// Tests that a 2-D parallel loop becomes one OpenMP region in which each
// thread runs the block [t N / n, (t + 1) N / n) of the 4 x 6 = 24
// linearized iterations, delinearized row-major, without a work-sharing
// loop; that an iteration's stack buffer is allocated once per thread,
// before its loop; and that threads=false runs the iterations serially.
// CHECK-LABEL: func.func @fork_parallel_loops_2d
// CHECK:         omp.parallel {
// CHECK:           %[[T:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK:           %[[N:.+]] = arith.index_cast %{{.+}} : i32 to index
// CHECK:           %[[TN:.+]] = arith.muli %[[T]], %[[C24:.+]] : index
// CHECK:           %[[LO:.+]] = arith.divsi %[[TN]], %[[N]] : index
// CHECK:           %[[HI:.+]] = arith.divsi %{{.+}}, %[[N]] : index
// CHECK:           %[[BUF:.+]] = memref.alloca() : memref<16xf32>
// CHECK:           scf.for %[[I:.+]] = %[[LO]] to %[[HI]] step %c1
// CHECK:             %[[J:.+]] = arith.remsi %[[I]], %c6
// CHECK:             %[[R:.+]] = arith.divsi %[[I]], %c6
// CHECK:             "test.use"(%{{.+}}, %{{.+}}, %[[BUF]])
// CHECK:           omp.terminator
// CHECK-NOT:     omp.wsloop
// CHECK-DAG:   func.func private @omp_get_thread_num() -> i32
// CHECK-DAG:   func.func private @omp_get_num_threads() -> i32
// SERIAL-LABEL: func.func @fork_parallel_loops_2d
// SERIAL:         memref.alloca() : memref<16xf32>
// SERIAL:         scf.for %{{.+}} = %c0 to %c24 step %c1
// SERIAL-NOT:     omp_get_thread_num
func.func @fork_parallel_loops_2d() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c6) step (%c1, %c1) {
    memref.alloca_scope {
      %buf = memref.alloca() : memref<16xf32>
      "test.use"(%i, %j, %buf) : (index, index, memref<16xf32>) -> ()
    }
    scf.reduce
  }
  return
}

// -----

// Tests that a loop nested in another runs serially on its thread.
// CHECK-LABEL: func.func @fork_parallel_loops_nested
// CHECK:         omp.parallel {
// CHECK:           scf.for
// CHECK:             scf.for %{{.+}} = %c0{{.*}} to %c3{{.*}} step %c1
// CHECK-NOT:         omp.parallel
func.func @fork_parallel_loops_nested() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.parallel (%i) = (%c0) to (%c3) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c3) step (%c1) {
      "test.use"(%i, %j) : (index, index) -> ()
      scf.reduce
    }
    scf.reduce
  }
  return
}
