// RUN: tfm-opt %s --split-input-file --tfm-lower-vectors | FileCheck %s

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Tests that a 4x16x2 vector.contract on memrefs becomes a chain of
// vector.fma on 16-lane rows: one per (row, k), each broadcasting one lhs
// element and accumulating into its row; the 2-D transfers become one
// vector.load / vector.store per row.
// CHECK-LABEL: func.func @lower_contract_to_fma
// CHECK-SAME:    (%[[A:.+]]: memref<4x2xf32>, %[[B:.+]]: memref<2x16xf32>, %[[C:.+]]: memref<4x16xf32>)
// CHECK-NOT:     vector.contract
// CHECK-NOT:     vector.transfer_read
// CHECK-DAG:     %[[A0:.+]] = vector.load %[[A]][%[[I0:[a-z0-9_]+]], %{{.+}}] : memref<4x2xf32>, vector<2xf32>
// CHECK-DAG:     %[[B0:.+]] = vector.load %[[B]][%[[I0]], %{{.+}}] : memref<2x16xf32>, vector<16xf32>
// CHECK-DAG:     %[[B1:.+]] = vector.load %[[B]][%[[I1:[a-z0-9_]+]], %{{.+}}] : memref<2x16xf32>, vector<16xf32>
// CHECK-DAG:     %[[C0:.+]] = vector.load %[[C]][%[[I0]], %{{.+}}] : memref<4x16xf32>, vector<16xf32>
// CHECK:         %[[E00:.+]] = vector.extract %[[A0]][0] : f32 from vector<2xf32>
// CHECK:         %[[S00:.+]] = vector.splat %[[E00]] : vector<16xf32>
// CHECK:         %[[F00:.+]] = vector.fma %[[S00]], %[[B0]], %[[C0]] : vector<16xf32>
// CHECK:         %[[E01:.+]] = vector.extract %[[A0]][1] : f32 from vector<2xf32>
// CHECK:         %[[S01:.+]] = vector.splat %[[E01]] : vector<16xf32>
// CHECK:         %[[F01:.+]] = vector.fma %[[S01]], %[[B1]], %[[F00]] : vector<16xf32>
// CHECK:         vector.store %[[F01]], %[[C]][%[[I0]], %{{.+}}] : memref<4x16xf32>, vector<16xf32>
// CHECK-COUNT-3: vector.store %{{.+}} : memref<4x16xf32>, vector<16xf32>
// CHECK-NOT:     vector.transfer_write
func.func @lower_contract_to_fma(%a: memref<4x2xf32>, %b: memref<2x16xf32>, %c: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %va = vector.transfer_read %a[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<4x2xf32>, vector<4x2xf32>
  %vb = vector.transfer_read %b[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x16xf32>, vector<2x16xf32>
  %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<4x16xf32>, vector<4x16xf32>
  %r = vector.contract {indexing_maps = [#lhs, #rhs, #out],
                        iterator_types = ["parallel", "parallel", "reduction"],
                        kind = #vector.kind<add>} %va, %vb, %vc
      : vector<4x2xf32>, vector<2x16xf32> into vector<4x16xf32>
  vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<4x16xf32>, memref<4x16xf32>
  return
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Tests that the accumulator of a K loop is hoisted: loaded before the loop,
// carried through it as an iter_arg (in registers), and stored after it.
// CHECK-LABEL: func.func @lower_contract_hoist_accumulator
// CHECK-SAME:    (%[[A:.+]]: memref<2x64xf32>, %[[B:.+]]: memref<64x16xf32>, %[[C:.+]]: memref<2x16xf32>)
// CHECK-COUNT-2: vector.load %[[C]]
// CHECK:         %[[R:[a-z0-9_]+]] = scf.for {{.+}} iter_args(%[[ACC:[a-z0-9_]+]] = %{{.+}}) -> (vector<2x16xf32>)
// CHECK-NOT:       vector.load %[[C]]
// CHECK-NOT:       vector.store
// CHECK:           %[[ROW0:.+]] = vector.extract %[[ACC]][0] : vector<16xf32> from vector<2x16xf32>
// CHECK:           vector.fma %{{.+}}, %{{.+}}, %[[ROW0]] : vector<16xf32>
// CHECK:           %[[ROW1:.+]] = vector.extract %[[ACC]][1] : vector<16xf32> from vector<2x16xf32>
// CHECK:           vector.fma %{{.+}}, %{{.+}}, %[[ROW1]] : vector<16xf32>
// CHECK:           scf.yield %{{.+}} : vector<2x16xf32>
// CHECK:         %[[OUT0:.+]] = vector.extract %[[R]][0]
// CHECK:         vector.store %[[OUT0]], %[[C]]
// CHECK:         %[[OUT1:.+]] = vector.extract %[[R]][1]
// CHECK:         vector.store %[[OUT1]], %[[C]]
func.func @lower_contract_hoist_accumulator(%a: memref<2x64xf32>, %b: memref<64x16xf32>, %c: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c8 {
    %va = vector.transfer_read %a[%c0, %k], %f0 {in_bounds = [true, true]} : memref<2x64xf32>, vector<2x8xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x16xf32>, vector<8x16xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x16xf32>, vector<2x16xf32>
    %r = vector.contract {indexing_maps = [#lhs, #rhs, #out],
                          iterator_types = ["parallel", "parallel", "reduction"],
                          kind = #vector.kind<add>} %va, %vb, %vc
        : vector<2x8xf32>, vector<8x16xf32> into vector<2x16xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x16xf32>, memref<2x16xf32>
  }
  return
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Tests that an accumulator read through a subview (a micro-kernel's tile
// of C, as tfm-tile-matmuls and bufferization leave it) is hoisted too: the
// subview folds into the transfers' indices, and the read and write then
// index C with one value each.
// CHECK-LABEL: func.func @lower_contract_hoist_through_subview
// CHECK-SAME:    (%{{.+}}: memref<2x64xf32>, %{{.+}}: memref<64x16xf32>, %[[C:.+]]: memref<8x64xf32>, %[[R:.+]]: index, %[[Q:.+]]: index)
// CHECK-NOT:     memref.subview
// CHECK:         vector.load %[[C]]
// CHECK:         scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<2x16xf32>)
// CHECK-NOT:       vector.load %[[C]]
// CHECK-NOT:       vector.store {{.+}} %[[C]]
// CHECK:           scf.yield
// CHECK:         vector.store {{.+}}, %[[C]]
func.func @lower_contract_hoist_through_subview(%a: memref<2x64xf32>, %b: memref<64x16xf32>, %cc: memref<8x64xf32>,
                                                 %r: index, %q: index) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %f0 = arith.constant 0.0 : f32
  %c = memref.subview %cc[%r, %q] [2, 16] [1, 1] : memref<8x64xf32> to memref<2x16xf32, strided<[64, 1], offset: ?>>
  scf.for %k = %c0 to %c64 step %c8 {
    %va = vector.transfer_read %a[%c0, %k], %f0 {in_bounds = [true, true]} : memref<2x64xf32>, vector<2x8xf32>
    %vb = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<64x16xf32>, vector<8x16xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x16xf32, strided<[64, 1], offset: ?>>, vector<2x16xf32>
    %res = vector.contract {indexing_maps = [#lhs, #rhs, #out],
                            iterator_types = ["parallel", "parallel", "reduction"],
                            kind = #vector.kind<add>} %va, %vb, %vc
        : vector<2x8xf32>, vector<8x16xf32> into vector<2x16xf32>
    vector.transfer_write %res, %c[%c0, %c0] {in_bounds = [true, true]} : vector<2x16xf32>, memref<2x16xf32, strided<[64, 1], offset: ?>>
  }
  return
}

// -----

// Tests that a multi_reduction along the inner dimension becomes one 1-D
// vector.reduction per row, seeded with that row's accumulator.
// CHECK-LABEL: func.func @lower_multi_reduction_inner
// CHECK-NOT:     vector.multi_reduction
// CHECK:         %[[ACC:.+]] = vector.load %{{.+}} : memref<4xf32>, vector<4xf32>
// CHECK:         %[[A0:.+]] = vector.extract %[[ACC]][0] : f32 from vector<4xf32>
// CHECK:         vector.reduction <maximumf>, %{{.+}}, %[[A0]] : vector<16xf32> into f32
// CHECK-COUNT-3: vector.reduction <maximumf>, %{{.+}}, %{{.+}} : vector<16xf32> into f32
// CHECK-NOT:     vector.multi_reduction
// CHECK:         vector.store %{{.+}} : memref<4xf32>, vector<4xf32>
func.func @lower_multi_reduction_inner(%x: memref<4x16xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %v = vector.transfer_read %x[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<4x16xf32>, vector<4x16xf32>
  %acc = vector.transfer_read %y[%c0], %f0 {in_bounds = [true]} : memref<4xf32>, vector<4xf32>
  %r = vector.multi_reduction <maximumf>, %v, %acc [1] : vector<4x16xf32> to vector<4xf32>
  vector.transfer_write %r, %y[%c0] {in_bounds = [true]} : vector<4xf32>, memref<4xf32>
  return
}

// -----

// Tests that a transfer_read with a broadcasting permutation map (a bias row
// read for every row of a tile) becomes one 1-D load reused for every row.
// CHECK-LABEL: func.func @lower_transfer_broadcast
// CHECK-SAME:    (%[[B:.+]]: memref<64xf32>, %[[X:.+]]: memref<2x64xf32>)
// CHECK-NOT:     vector.transfer_read
// CHECK:         %[[ROW:.+]] = vector.load %[[B]][%{{.+}}] : memref<64xf32>, vector<64xf32>
// CHECK-COUNT-2: vector.store %[[ROW]], %[[X]]
func.func @lower_transfer_broadcast(%b: memref<64xf32>, %x: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %v = vector.transfer_read %b[%c0], %f0 {in_bounds = [true, true], permutation_map = affine_map<(d0) -> (0, d0)>} : memref<64xf32>, vector<2x64xf32>
  vector.transfer_write %v, %x[%c0, %c0] {in_bounds = [true, true]} : vector<2x64xf32>, memref<2x64xf32>
  return
}
