// Cases written with tfm ops take their linalg form from --convert-tfm-to-linalg.
// The target is pinned (an AVX-512 CPU: 16 f32 lanes, register block of at
// most 14 rows x 32 columns), whatever the host. CHECK, NOVEC and VEC8 test
// tiling on one thread (distribute=false); DIST tests the split of large ops
// into an scf.forall of chunks (the default); AVX2 the same target choice
// on an AVX2 CPU.
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-and-vectorize="distribute=false" | FileCheck %s
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-and-vectorize="distribute=false vectorize=false" | FileCheck %s --check-prefix=NOVEC
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-and-vectorize="distribute=false vector-size=8" | FileCheck %s --check-prefix=VEC8
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg --tfm-tile-and-vectorize | FileCheck %s --check-prefix=DIST
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver3" --convert-tfm-to-linalg --tfm-tile-and-vectorize="distribute=false" | FileCheck %s --check-prefix=AVX2
// RUN: not tfm-opt %s --split-input-file --convert-tfm-to-linalg --tfm-tile-and-vectorize="vector-size=-4" 2>&1 | FileCheck %s --check-prefix=NEGSIZE
// NEGSIZE: error: tfm-tile-and-vectorize: vector-size must be positive (or 0: the target's), got -4

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Tests that a 64x64x64 matmul gets the target's register block (rows: the
// largest divisor of 64 up to 14, 8; 32 columns) with an 8-deep K tile (M,
// N, K loops in that order) and becomes one vector.contract per tile:
// contract([M, K], [K, N]) -> [M, N] on the tile's operands, reading and
// writing the accumulator tile. On AVX2 (6 x 16 at most) the tile is 4 x 16.
// CHECK-DAG:   #[[$MK:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[$KN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG:   #[[$MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @tile_matmul_64
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG:     %[[C32:.+]] = arith.constant 32 : index
// CHECK-DAG:     %[[C64:.+]] = arith.constant 64 : index
// CHECK:         scf.for %[[M:[a-z0-9_]+]] = %[[C0]] to %[[C64]] step %[[C8]]
// CHECK:           scf.for %[[N:[a-z0-9_]+]] = %[[C0]] to %[[C64]] step %[[C32]]
// CHECK:             scf.for %[[K:[a-z0-9_]+]] = %[[C0]] to %[[C64]] step %[[C8]]
// CHECK:               %[[A:.+]] = vector.transfer_read %{{.+}}[%[[M]], %[[K]]]{{.*}} : tensor<64x64xf32>, vector<8x8xf32>
// CHECK:               %[[B:.+]] = vector.transfer_read %{{.+}}[%[[K]], %[[N]]]{{.*}} : tensor<64x64xf32>, vector<8x32xf32>
// CHECK:               %[[ACC:.+]] = vector.transfer_read %{{.+}}[%[[M]], %[[N]]]{{.*}} : tensor<64x64xf32>, vector<8x32xf32>
// CHECK:               %[[R:.+]] = vector.contract
// CHECK-SAME:            indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]]
// CHECK-SAME:            iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>
// CHECK-SAME:            %[[A]], %[[B]], %[[ACC]] : vector<8x8xf32>, vector<8x32xf32> into vector<8x32xf32>
// CHECK:               vector.transfer_write %[[R]], %{{.+}}[%[[M]], %[[N]]]{{.*}} : vector<8x32xf32>, tensor<64x64xf32>
// NOVEC-LABEL: func.func @tile_matmul_64
// NOVEC:         scf.for {{.+}} step %c8
// NOVEC:           scf.for {{.+}} step %c32
// NOVEC:             scf.for {{.+}} step %c8
// NOVEC:               linalg.generic
// NOVEC-SAME:            ins(%{{.+}}, %{{.+}} : tensor<8x8xf32>, tensor<8x32xf32>) outs(%{{.+}} : tensor<8x32xf32>)
// NOVEC-NOT:     vector.
// VEC8-LABEL:  func.func @tile_matmul_64
// VEC8:          vector.contract {{.+}} : vector<8x8xf32>, vector<8x16xf32> into vector<8x16xf32>
// AVX2-LABEL:  func.func @tile_matmul_64
// AVX2:          vector.contract {{.+}} : vector<4x8xf32>, vector<8x16xf32> into vector<4x16xf32>
// With distribution, M (the only parallel loop a matmul splits, in multiples
// of the 8-row register block) becomes an scf.forall; each chunk tiles N and K
// as above on its own [8, 64] slice of the result.
// DIST-LABEL:  func.func @tile_matmul_64
// DIST:          %[[R:.+]] = scf.forall (%[[M:.+]]) = (0) to (64) step (8) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<64x64xf32>)
// DIST:            tensor.extract_slice %[[OUT]][%[[M]], 0] [8, 64] [1, 1]
// DIST:            scf.for {{.+}} step %c32
// DIST:              scf.for {{.+}} step %c8
// DIST:                vector.contract {{.+}} : vector<8x8xf32>, vector<8x32xf32> into vector<8x32xf32>
// DIST:            scf.forall.in_parallel
// DIST-NEXT:         tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%[[M]], 0] [8, 64] [1, 1] : tensor<8x64xf32> into tensor<64x64xf32>
// DIST:          return %[[R]]
func.func @tile_matmul_64(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>

// Tests that a matmul whose loops fit in one tile (6 rows, 16 columns, K 4)
// is not tiled at all, only vectorized.
// Tests that an op below ~64K iterations is not split into tasks.
// DIST-LABEL:  func.func @tile_matmul_small
// DIST-NOT:      scf.forall (
// CHECK-LABEL: func.func @tile_matmul_small
// CHECK-NOT:     scf.for
// CHECK:         vector.contract {{.+}} : vector<6x4xf32>, vector<4x16xf32> into vector<6x16xf32>
// CHECK-NOT:     linalg.generic
func.func @tile_matmul_small(%a: tensor<6x4xf32>, %b: tensor<4x16xf32>, %c: tensor<6x16xf32>) -> tensor<6x16xf32> {
  %0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<6x4xf32>, tensor<4x16xf32>) outs(%c : tensor<6x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x16xf32>
  return %0 : tensor<6x16xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// Tests that an elementwise op tiles its outer loop by 1 and its inner loop
// by four vectors (64 of 128 lanes), and vectorizes each tile; the
// broadcast operand is read as a 1-D vector and broadcast.
// CHECK-LABEL: func.func @tile_elementwise_bias
// CHECK-SAME:    (%[[X:.+]]: tensor<4x128xf32>, %[[B:.+]]: tensor<128xf32>
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C64:.+]] = arith.constant 64 : index
// CHECK:         scf.for %[[I:[a-z0-9_]+]] = %{{.+}} to %{{.+}} step %[[C1]]
// CHECK:           scf.for %[[J:[a-z0-9_]+]] = %{{.+}} to %{{.+}} step %[[C64]]
// CHECK:             %[[VX:.+]] = vector.transfer_read %[[X]][%[[I]], %[[J]]]{{.*}} : tensor<4x128xf32>, vector<1x64xf32>
// CHECK:             %[[VB:.+]] = vector.transfer_read %[[B]][%[[J]]]{{.*}} : tensor<128xf32>, vector<64xf32>
// CHECK:             %[[BB:.+]] = vector.broadcast %[[VB]] : vector<64xf32> to vector<1x64xf32>
// CHECK:             %[[S:.+]] = arith.addf %[[VX]], %[[BB]] : vector<1x64xf32>
// CHECK:             vector.transfer_write %[[S]], %{{.+}}[%[[I]], %[[J]]]{{.*}} : vector<1x64xf32>, tensor<4x128xf32>
// NOVEC-LABEL: func.func @tile_elementwise_bias
// NOVEC:         scf.for
// NOVEC:           scf.for
// NOVEC:             linalg.generic {{.*}} ins(%{{.+}}, %{{.+}} : tensor<1x64xf32>, tensor<64xf32>)
// NOVEC-NOT:     vector.
// VEC8-LABEL:  func.func @tile_elementwise_bias
// VEC8:          arith.addf {{.+}} : vector<1x32xf32>
func.func @tile_elementwise_bias(%x: tensor<4x128xf32>, %b: tensor<128xf32>, %init: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x128xf32>, tensor<128xf32>) outs(%init : tensor<4x128xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  } -> tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}

// -----

// Tests that an inner loop of 6, which no vector size divides, becomes one
// vector of 6 lanes.
// CHECK-LABEL: func.func @tile_elementwise_odd_width
// CHECK:         scf.for
// CHECK:           vector.transfer_read {{.+}} : tensor<6x6xf32>, vector<1x6xf32>
// CHECK:           arith.maximumf {{.+}} : vector<1x6xf32>
func.func @tile_elementwise_odd_width(%x: tensor<6x6xf32>) -> tensor<6x6xf32> {
  %0 = tfm.relu %x : tensor<6x6xf32>
  return %0 : tensor<6x6xf32>
}

// -----

// Tests that the softmax reductions (from --convert-tfm-to-linalg) become
// vector.multi_reduction over 64-lane tiles and that exp stays a math op on
// vectors.
// CHECK-LABEL: func.func @tile_softmax_reductions
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             vector.multi_reduction <maximumf>, %{{.+}}, %{{.+}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             math.exp %{{.+}} : vector<1x64xf32>
// CHECK:             vector.multi_reduction <add>, %{{.+}}, %{{.+}} [1] : vector<1x64xf32> to vector<1xf32>
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             math.exp %{{.+}} : vector<1x64xf32>
// CHECK:             arith.divf %{{.+}}, %{{.+}} : vector<1x64xf32>
func.func @tile_softmax_reductions(%x: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %0 = tfm.softmax %x {axis = -1 : i64} : tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}

// -----

// Tests that the clamped tensor.extract of an embedding becomes a
// vector.gather over one table row.
// CHECK-LABEL: func.func @tile_embedding_gather
// CHECK:         scf.for
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           vector.gather {{.+}} : tensor<32x16xf32>, vector<1x1x16xindex>, vector<1x1x16xi1>, vector<1x1x16xf32> into vector<1x1x16xf32>
// CHECK-NOT:     tensor.extract %
func.func @tile_embedding_gather(%t: tensor<32x16xf32>, %ids: tensor<1x6xi32>) -> tensor<1x6x16xf32> {
  %0 = tfm.embedding %t, %ids : (tensor<32x16xf32>, tensor<1x6xi32>) -> tensor<1x6x16xf32>
  return %0 : tensor<1x6x16xf32>
}

// -----

// Tests that linalg.transpose tiles its outer loops and moves one contiguous
// row of 4 per tile.
// CHECK-LABEL: func.func @tile_transpose_heads
// CHECK:         scf.for %[[H:[a-z0-9_]+]] =
// CHECK:           scf.for %[[T:[a-z0-9_]+]] =
// CHECK:             %[[V:.+]] = vector.transfer_read %{{.+}}[%{{.+}}, %[[T]], %[[H]], %{{.+}}]{{.*}} : tensor<1x6x2x4xf32>, vector<1x1x1x4xf32>
// CHECK:             %[[P:.+]] = vector.transpose %[[V]], [0, 2, 1, 3] : vector<1x1x1x4xf32> to vector<1x1x1x4xf32>
// CHECK:             vector.transfer_write %[[P]], %{{.+}}[%{{.+}}, %[[H]], %[[T]], %{{.+}}]{{.*}} : vector<1x1x1x4xf32>, tensor<1x2x6x4xf32>
func.func @tile_transpose_heads(%x: tensor<1x6x2x4xf32>) -> tensor<1x2x6x4xf32> {
  %0 = tfm.transpose %x, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x2x6x4xf32>
  return %0 : tensor<1x2x6x4xf32>
}

// -----

// Tests that a causal mask (linalg.index in its body) tiles like any
// elementwise op, and that each tile compares the key and query indices
// offset by the tile's loop indices (4 queries, 128 keys: j <= i + 124).
// CHECK-LABEL: func.func @tile_mask_causal
// CHECK-DAG:     %[[OFF:.+]] = arith.constant dense<124> : vector<1x64xindex>
// CHECK:         scf.for %[[I:[a-z0-9_]+]] =
// CHECK:           scf.for %[[J:[a-z0-9_]+]] =
// CHECK:             %[[V:.+]] = vector.transfer_read %{{.+}}[%[[I]], %[[J]]]{{.*}} : tensor<4x128xf32>, vector<1x64xf32>
// CHECK:             vector.broadcast %[[J]] : index to vector<64xindex>
// CHECK:             %[[QI:.+]] = vector.broadcast %[[I]] : index to vector<1x64xindex>
// CHECK:             %[[LAST:.+]] = arith.addi %[[QI]], %[[OFF]] : vector<1x64xindex>
// CHECK:             %[[OK:.+]] = arith.cmpi sle, %{{.+}}, %[[LAST]] : vector<1x64xindex>
// CHECK:             arith.select %[[OK]], %[[V]], %{{.+}} : vector<1x64xi1>, vector<1x64xf32>
// NOVEC-DAG:   #[[$PLUS:.+]] = affine_map<(d0, d1) -> (d0 + d1)>
// NOVEC-LABEL: func.func @tile_mask_causal
// NOVEC:         scf.for %[[I:[a-z0-9_]+]] =
// NOVEC:           scf.for %[[J:[a-z0-9_]+]] =
// NOVEC:             linalg.generic {{.*}} ins(%{{.+}} : tensor<1x64xf32>)
// NOVEC:               %[[TJ:.+]] = linalg.index 1 : index
// NOVEC:               %[[KJ:.+]] = affine.apply #[[$PLUS]](%[[TJ]], %[[J]])
// NOVEC:               %[[TI:.+]] = linalg.index 0 : index
// NOVEC:               %[[QI:.+]] = affine.apply #[[$PLUS]](%[[TI]], %[[I]])
// NOVEC:               %[[LAST:.+]] = arith.addi %[[QI]], %{{.+}} : index
// NOVEC:               arith.cmpi sle, %[[KJ]], %[[LAST]] : index
func.func @tile_mask_causal(%s: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %0 = tfm.mask %s {causal} : (tensor<4x128xf32>) -> tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}

// -----

// Tests that an op on buffers is left alone.
// CHECK-LABEL: func.func @negative_tile_memref_op
// CHECK-NOT:     scf.for
// CHECK:         linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<64x64xf32>)
func.func @negative_tile_memref_op(%m: memref<64x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%m : memref<64x64xf32>)
  return
}

// -----

// Tests that an op on dynamically shaped tensors is left alone.
// CHECK-LABEL: func.func @negative_tile_dynamic_shape
// CHECK-NOT:     scf.for
// CHECK:         linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?x64xf32>)
func.func @negative_tile_dynamic_shape(%t: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.fill ins(%zero : f32) outs(%t : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

#shifted = affine_map<(d0, d1) -> (d0, d1 + 1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Tests that a generic reading its input at a shifted index (d1 + 1) is left
// whole: tiling would slice the input like the output, and the vectorizer
// cannot read it either. It stays one generic on the full tensors, without
// loops or vectors.
// CHECK-DAG:   #[[$SHIFTED:.+]] = affine_map<(d0, d1) -> (d0, d1 + 1)>
// CHECK-LABEL: func.func @negative_tile_shifted_map
// CHECK-SAME:    (%[[X:.+]]: tensor<4x129xf32>, %[[INIT:.+]]: tensor<4x128xf32>)
// CHECK-NOT:     scf.for
// CHECK-NOT:     vector.
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$SHIFTED]], #{{[a-z0-9_]+}}]
// CHECK-SAME:      ins(%[[X]] : tensor<4x129xf32>) outs(%[[INIT]] : tensor<4x128xf32>)
// CHECK-NOT:     scf.for
// CHECK-NOT:     vector.
// CHECK:         return %[[R]]
// NOVEC-LABEL: func.func @negative_tile_shifted_map
// NOVEC-NOT:     scf.for
// NOVEC:         linalg.generic {{.*}} ins(%{{.+}} : tensor<4x129xf32>) outs(%{{.+}} : tensor<4x128xf32>)
func.func @negative_tile_shifted_map(%x: tensor<4x129xf32>, %init: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %0 = linalg.generic {indexing_maps = [#shifted, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x129xf32>) outs(%init : tensor<4x128xf32>) {
  ^bb0(%u: f32, %o: f32):
    linalg.yield %u : f32
  } -> tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}

// -----

#wrapped = affine_map<(d0, d1) -> (d0, d1 mod 64)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Tests that a generic reading its input with a mod (a row repeated twice)
// is left whole too.
// CHECK-DAG:   #[[$WRAPPED:.+]] = affine_map<(d0, d1) -> (d0, d1 mod 64)>
// CHECK-LABEL: func.func @negative_tile_mod_map
// CHECK-SAME:    (%[[X:.+]]: tensor<4x64xf32>, %[[INIT:.+]]: tensor<4x128xf32>)
// CHECK-NOT:     scf.for
// CHECK-NOT:     vector.
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$WRAPPED]], #{{[a-z0-9_]+}}]
// CHECK-SAME:      ins(%[[X]] : tensor<4x64xf32>) outs(%[[INIT]] : tensor<4x128xf32>)
// CHECK-NOT:     scf.for
// CHECK-NOT:     vector.
// CHECK:         return %[[R]]
func.func @negative_tile_mod_map(%x: tensor<4x64xf32>, %init: tensor<4x128xf32>) -> tensor<4x128xf32> {
  %0 = linalg.generic {indexing_maps = [#wrapped, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%init : tensor<4x128xf32>) {
  ^bb0(%u: f32, %o: f32):
    linalg.yield %u : f32
  } -> tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}

// -----

// Tests that a large elementwise op splits its leading parallel loop into 16
// chunks (256 rows, 16 each) and keeps the innermost loop for vectors (four
// 16-lane vectors per step, as without distribution).
// DIST-LABEL:  func.func @distribute_elementwise
// DIST:          scf.forall (%[[I:.+]]) = (0) to (256) step (16) shared_outs(%[[OUT:.+]] = %{{.+}}) -> (tensor<256x512xf32>)
// DIST:            scf.for {{.+}} to %c16 step %c1
// DIST:              scf.for {{.+}} to %c512 step %c64
// DIST:                arith.maximumf {{.+}} : vector<1x64xf32>
// DIST:            tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%[[I]], 0] [16, 512] [1, 1]
func.func @distribute_elementwise(%x: tensor<256x512xf32>) -> tensor<256x512xf32> {
  %0 = tfm.relu %x : tensor<256x512xf32>
  return %0 : tensor<256x512xf32>
}

// -----

// Tests that an op already inside an scf.forall is not split again.
// DIST-LABEL:  func.func @distribute_nested
// DIST-COUNT-1:  scf.forall (
// DIST-NOT:      scf.forall (
#id = affine_map<(i, j) -> (i, j)>
func.func @distribute_nested(%x: tensor<4x256x512xf32>, %init: tensor<4x256x512xf32>) -> tensor<4x256x512xf32> {
  %r = scf.forall (%b) in (4) shared_outs(%o = %init) -> (tensor<4x256x512xf32>) {
    %in = tensor.extract_slice %x[%b, 0, 0] [1, 256, 512] [1, 1, 1] : tensor<4x256x512xf32> to tensor<256x512xf32>
    %out = tensor.extract_slice %o[%b, 0, 0] [1, 256, 512] [1, 1, 1] : tensor<4x256x512xf32> to tensor<256x512xf32>
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%in : tensor<256x512xf32>) outs(%out : tensor<256x512xf32>) {
    ^bb0(%a: f32, %c: f32):
      %e = math.exp %a : f32
      linalg.yield %e : f32
    } -> tensor<256x512xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %y into %o[%b, 0, 0] [1, 256, 512] [1, 1, 1] : tensor<256x512xf32> into tensor<4x256x512xf32>
    }
  }
  return %r : tensor<4x256x512xf32>
}
