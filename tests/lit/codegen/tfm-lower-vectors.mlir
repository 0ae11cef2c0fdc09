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

// -----

#x = affine_map<(r, d) -> (r, d)>
#row = affine_map<(r, d) -> (r)>
#col = affine_map<(r, d) -> (d)>

// Tests that a row's dot product (a norm's sum of dy * gamma: no parallel
// dimension of more than one element) is a product and one horizontal
// reduction, not 64 one-lane outer products.
// CHECK-LABEL: func.func @row_dot_product
// CHECK-NOT:     vector.contract
// CHECK-NOT:     vector.outerproduct
// CHECK:         %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} : vector<1x64xf32>
// CHECK:         %[[P0:.+]] = vector.extract %[[P]][0] : vector<64xf32> from vector<1x64xf32>
// CHECK:         vector.reduction <add>, %[[P0]], %{{.+}} : vector<64xf32> into f32
// CHECK-NOT:     vector.extract %{{.+}}[{{[0-9]+}}] : f32 from vector<64xf32>
// CHECK:         return
func.func @row_dot_product(%x: memref<1x64xf32>, %g: memref<64xf32>, %s: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %vx = vector.transfer_read %x[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<1x64xf32>, vector<1x64xf32>
  %vg = vector.transfer_read %g[%c0], %f0 {in_bounds = [true]} : memref<64xf32>, vector<64xf32>
  %vs = vector.transfer_read %s[%c0], %f0 {in_bounds = [true]} : memref<1xf32>, vector<1xf32>
  %r = vector.contract {indexing_maps = [#x, #col, #row], iterator_types = ["parallel", "reduction"],
                        kind = #vector.kind<add>} %vx, %vg, %vs
      : vector<1x64xf32>, vector<64xf32> into vector<1xf32>
  vector.transfer_write %r, %s[%c0] {in_bounds = [true]} : vector<1xf32>, memref<1xf32>
  return
}

// -----

#x = affine_map<(r, d) -> (r, d)>
#col = affine_map<(r, d) -> (d)>

// Tests that a contraction over a unit dimension whose parallel dimension
// both operands share (one row of a norm's parameter gradient, sum over
// rows of dy * xhat) is one multiply and one add on 64 lanes, not one
// outer product per lane.
// CHECK-LABEL: func.func @column_sum_over_one_row
// CHECK-SAME:    (%[[X:.+]]: memref<1x64xf32>, %[[Y:.+]]: memref<1x64xf32>, %[[S:.+]]: memref<64xf32>)
// CHECK-NOT:     vector.contract
// CHECK:         %[[ACC:.+]] = vector.load %[[S]][%{{.+}}] : memref<64xf32>, vector<64xf32>
// CHECK:         %[[P:.+]] = arith.mulf %{{.+}}, %{{.+}} : vector<1x64xf32>
// CHECK:         %[[P0:.+]] = vector.extract %[[P]][0] : vector<64xf32> from vector<1x64xf32>
// CHECK:         %[[R:.+]] = arith.addf %[[ACC]], %[[P0]] : vector<64xf32>
// CHECK:         vector.store %[[R]], %[[S]]
// CHECK-NOT:     vector.reduction
func.func @column_sum_over_one_row(%x: memref<1x64xf32>, %y: memref<1x64xf32>, %s: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %vx = vector.transfer_read %x[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<1x64xf32>, vector<1x64xf32>
  %vy = vector.transfer_read %y[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<1x64xf32>, vector<1x64xf32>
  %vs = vector.transfer_read %s[%c0], %f0 {in_bounds = [true]} : memref<64xf32>, vector<64xf32>
  %r = vector.contract {indexing_maps = [#x, #x, #col], iterator_types = ["reduction", "parallel"],
                        kind = #vector.kind<add>} %vx, %vy, %vs
      : vector<1x64xf32>, vector<1x64xf32> into vector<64xf32>
  vector.transfer_write %r, %s[%c0] {in_bounds = [true]} : vector<64xf32>, memref<64xf32>
  return
}

// -----

// Tests that a row's statistic read along its row -- broadcast to [16 x 1],
// scaled by a splat, transposed to [1 x 16], the form the vectorizer gives
// -- is one splat and one multiply on 16 lanes: no lane is moved on its
// own (no extract or insert of single elements).
// CHECK-LABEL: func.func @row_statistic_along_row
// CHECK-SAME:    (%[[S:.+]]: memref<1xf32>,
// CHECK-DAG:     %[[K:.+]] = arith.constant dense<2.000000e+00> : vector<16xf32>
// CHECK-DAG:     %[[E:.+]] = memref.load %[[S]]
// CHECK:         %[[B:.+]] = vector.splat %[[E]] : vector<16xf32>
// CHECK:         %[[M:.+]] = arith.mulf %[[B]], %[[K]] : vector<16xf32>
// CHECK:         arith.subf %{{.+}}, %[[M]] : vector<16xf32>
// CHECK-NOT:     vector.transpose
// CHECK-NOT:     vector.insert
// CHECK-NOT:     vector.extract
// CHECK:         return
func.func @row_statistic_along_row(%s: memref<1xf32>, %x: memref<1x16xf32>, %o: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %k = arith.constant dense<2.0> : vector<16x1xf32>
  %vs = vector.transfer_read %s[%c0], %f0 {in_bounds = [true]} : memref<1xf32>, vector<1xf32>
  %b = vector.broadcast %vs : vector<1xf32> to vector<16x1xf32>
  %m = arith.mulf %b, %k : vector<16x1xf32>
  %t = vector.transpose %m, [1, 0] : vector<16x1xf32> to vector<1x16xf32>
  %vx = vector.transfer_read %x[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<1x16xf32>, vector<1x16xf32>
  %r = arith.subf %vx, %t : vector<1x16xf32>
  vector.transfer_write %r, %o[%c0, %c0] {in_bounds = [true, true]} : vector<1x16xf32>, memref<1x16xf32>
  return
}
