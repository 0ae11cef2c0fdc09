// The attention tiles come from the target (pinned: Zen 4, 32 x 64) unless
// given (TILED, AVX2 for Zen 3's 36 x 64).
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg | FileCheck %s
// RUN: tfm-opt %s --convert-tfm-to-linalg --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// RUN: tfm-opt %s --split-input-file --convert-tfm-to-linalg="flash-query-tile=64 flash-key-tile=128" | FileCheck %s --check-prefix=TILED
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver3" --convert-tfm-to-linalg | FileCheck %s --check-prefix=AVX2
// RUN: not tfm-opt %s --split-input-file --convert-tfm-to-linalg="flash-query-tile=-1" 2>&1 | FileCheck %s --check-prefix=BADQ
// RUN: not tfm-opt %s --split-input-file --convert-tfm-to-linalg="flash-key-tile=-8" 2>&1 | FileCheck %s --check-prefix=BADK
// RUN: tfm-opt %s --split-input-file --tfm-set-target="cpu=znver4" --convert-tfm-to-linalg | FileCheck %s --check-prefix=NOSCORE

// Tests that the flash attention tile sizes must be positive (0: the
// target's).
// BADQ: error: convert-tfm-to-linalg: flash-query-tile and flash-key-tile must be positive (or 0: the target's), got -1 and 0
// BADK: error: convert-tfm-to-linalg: flash-query-tile and flash-key-tile must be positive (or 0: the target's), got 0 and -8

// Tests that a batched matmul against a 2-D weight (a linear layer) folds
// the batch into the rows: collapse [2, 6, 4] to [12, 4], fill(0) and a
// generic with loops [m, n, k], then expand [12, 5] back to [2, 6, 5].
// CHECK-DAG:   #[[$LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[$RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG:   #[[$OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_batch_weight
// CHECK-SAME:    (%[[A:.+]]: tensor<2x6x4xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK:         %[[ROWS:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x6x4xf32> into tensor<12x4xf32>
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[EMPTY:.+]] = tensor.empty() : tensor<12x5xf32>
// CHECK:         %[[FILL:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<12x5xf32>)
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[ROWS]], %[[B]] : tensor<12x4xf32>, tensor<4x5xf32>) outs(%[[FILL]] : tensor<12x5xf32>)
// CHECK:         ^bb0(%[[L:.+]]: f32, %[[RR:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:           %[[P:.+]] = arith.mulf %[[L]], %[[RR]] : f32
// CHECK:           %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:           linalg.yield %[[S]] : f32
// CHECK:         %[[OUTV:.+]] = tensor.expand_shape %[[R]] {{\[}}[0, 1], [2]] output_shape [2, 6, 5] : tensor<12x5xf32> into tensor<2x6x5xf32>
// CHECK:         return %[[OUTV]]
// The lowered ops keep the location of the tfm op.
// LOC-LABEL:   func.func @matmul_batch_weight
// LOC:           linalg.fill {{.*}} loc("{{.*}}convert-tfm-to-linalg.mlir":[[# @LINE + 4]]:8)
// LOC:           arith.mulf {{.*}} loc("{{.*}}convert-tfm-to-linalg.mlir":[[# @LINE + 3]]:8)
// LOC:           } -> tensor<12x5xf32> loc("{{.*}}convert-tfm-to-linalg.mlir":[[# @LINE + 2]]:8)
func.func @matmul_batch_weight(%a: tensor<2x6x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x6x5xf32> {
  %0 = tfm.matmul %a, %b : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// -----

// Tests that an operand with transpose_a or transpose_b is first transposed
// in memory (a linalg.transpose of its two inner dimensions) and then read
// with the plain maps, and that a size-1 batch dimension facing a larger one
// reads index 0.
// CHECK-DAG:   #[[$LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-DAG:   #[[$RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG:   #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_transposed_broadcast
// CHECK-SAME:    (%[[A:.+]]: tensor<1x4x6xf32>, %[[B:.+]]: tensor<3x5x4xf32>)
// CHECK:         %[[AT:.+]] = linalg.transpose ins(%[[A]] : tensor<1x4x6xf32>) outs(%{{.+}} : tensor<1x6x4xf32>) permutation = [0, 2, 1]
// CHECK:         %[[BT:.+]] = linalg.transpose ins(%[[B]] : tensor<3x5x4xf32>) outs(%{{.+}} : tensor<3x4x5xf32>) permutation = [0, 2, 1]
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[AT]], %[[BT]] : tensor<1x6x4xf32>, tensor<3x4x5xf32>) outs(%{{.+}} : tensor<3x6x5xf32>)
func.func @matmul_transposed_broadcast(%a: tensor<1x4x6xf32>, %b: tensor<3x5x4xf32>) -> tensor<3x6x5xf32> {
  %0 = tfm.matmul %a, %b {transpose_a, transpose_b} : (tensor<1x4x6xf32>, tensor<3x5x4xf32>) -> tensor<3x6x5xf32>
  return %0 : tensor<3x6x5xf32>
}

// -----

// Tests that a size-1 batch dimension facing a size-1 result dimension keeps
// its loop, and that K of QK^T is transposed to [.., D, Tk] first.
// CHECK-DAG:   #[[$Q:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG:   #[[$K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-LABEL: func.func @matmul_qk_transposed
// CHECK-SAME:    (%[[Q:.+]]: tensor<1x2x6x3xf32>, %[[K:.+]]: tensor<1x2x6x3xf32>)
// CHECK:         %[[KT:.+]] = linalg.transpose ins(%[[K]] : tensor<1x2x6x3xf32>) outs(%{{.+}} : tensor<1x2x3x6xf32>) permutation = [0, 1, 3, 2]
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$Q]], #[[$K]], #{{[a-z0-9_]+}}]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[Q]], %[[KT]] : tensor<1x2x6x3xf32>, tensor<1x2x3x6xf32>)
func.func @matmul_qk_transposed(%q: tensor<1x2x6x3xf32>, %k: tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32> {
  %0 = tfm.matmul %q, %k {transpose_b} : (tensor<1x2x6x3xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that add broadcasts through its indexing maps: a size-1 dimension
// reads index 0 and a missing leading dimension is dropped from the map.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$COL:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @add_broadcast_size1
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6x8xf32>, %[[C:.+]]: tensor<6x1xf32>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<2x6x8xf32>
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$COL]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[C]] : tensor<2x6x8xf32>, tensor<6x1xf32>) outs(%[[E]] : tensor<2x6x8xf32>)
// CHECK:           arith.addf
func.func @add_broadcast_size1(%x: tensor<2x6x8xf32>, %c: tensor<6x1xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.add %x, %c : (tensor<2x6x8xf32>, tensor<6x1xf32>) -> tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that a rank-0 operand of mul is read with an empty map.
// CHECK-DAG:   #[[$SCALAR:.+]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @mul_broadcast_scalar
// CHECK-SAME:    (%[[S:.+]]: tensor<f32>, %[[X:.+]]: tensor<2x6x8xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$SCALAR]], #[[$ID]], #[[$ID]]]
// CHECK-SAME:      ins(%[[S]], %[[X]] : tensor<f32>, tensor<2x6x8xf32>)
// CHECK:         ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[M:.+]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK:           linalg.yield %[[M]]
func.func @mul_broadcast_scalar(%s: tensor<f32>, %x: tensor<2x6x8xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.mul %s, %x : (tensor<f32>, tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that scale multiplies by its factor as a constant and relu takes the
// maximum with 0.
// CHECK-LABEL: func.func @scale_relu_elementwise
// CHECK:         %[[F:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:         %[[SC:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:           arith.mulf %[[IN]], %[[F]] : f32
// CHECK:         %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[SC]] : tensor<6x8xf32>)
// CHECK:         ^bb0(%[[IN2:.+]]: f32, %{{.+}}: f32):
// CHECK:           arith.maximumf %[[IN2]], %[[Z]] : f32
func.func @scale_relu_elementwise(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.scale %x {factor = 0.5 : f32} : tensor<6x8xf32>
  %1 = tfm.relu %0 : tensor<6x8xf32>
  return %1 : tensor<6x8xf32>
}

// -----

// Tests that softmax along the last axis is a max reduction from -inf, a sum
// of exp(x - m) from 0, and an elementwise exp(x - m) / sum, where m is the
// max or 0 when the max is -inf (a row of only -inf), and that such a row
// (sum 0) gives 0, not NaN.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @softmax_last_axis
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6x8xf32>)
// CHECK:         %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAXINIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<2x6xf32>)
// CHECK:         %[[MAX:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<2x6x8xf32>) outs(%[[MAXINIT]] : tensor<2x6xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[SUMINIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x6xf32>)
// CHECK:         %[[SUM:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[MAX]] : tensor<2x6x8xf32>, tensor<2x6xf32>) outs(%[[SUMINIT]] : tensor<2x6xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[M:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:           %[[NI:.+]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[NOKEY:.+]] = arith.cmpf oeq, %[[M]], %[[NI]] : f32
// CHECK:           %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[SAFE:.+]] = arith.select %[[NOKEY]], %[[Z]], %[[M]] : f32
// CHECK:           %[[D:.+]] = arith.subf %[[IN]], %[[SAFE]] : f32
// CHECK:           %[[E:.+]] = math.exp %[[D]] : f32
// CHECK:           arith.addf %[[ACC]], %[[E]] : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<2x6xf32>)
// CHECK:         ^bb0(%[[IN2:.+]]: f32, %[[M2:.+]]: f32, %[[S2:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[NI2:.+]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[NOKEY2:.+]] = arith.cmpf oeq, %[[M2]], %[[NI2]] : f32
// CHECK:           %[[Z2:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[SAFE2:.+]] = arith.select %[[NOKEY2]], %[[Z2]], %[[M2]] : f32
// CHECK:           %[[D2:.+]] = arith.subf %[[IN2]], %[[SAFE2]] : f32
// CHECK:           %[[E2:.+]] = math.exp %[[D2]] : f32
// CHECK:           %[[Z3:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[EMPTY:.+]] = arith.cmpf oeq, %[[S2]], %[[Z3]] : f32
// CHECK:           %[[Q:.+]] = arith.divf %[[E2]], %[[S2]] : f32
// CHECK:           %[[R:.+]] = arith.select %[[EMPTY]], %[[Z3]], %[[Q]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK:         return %[[Y]]
func.func @softmax_last_axis(%x: tensor<2x6x8xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.softmax %x {axis = -1 : i64} : tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that softmax along a middle axis reduces that axis.
// CHECK-DAG:   #[[$RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @softmax_middle_axis
// CHECK:         linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x8xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#{{[a-z0-9_]+}}, #[[$RED]]]
// CHECK-SAME:      iterator_types = ["parallel", "reduction", "parallel"]
func.func @softmax_middle_axis(%x: tensor<2x6x8xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.softmax %x {axis = 1 : i64} : tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that layer_norm is a sum, a sum of squared deviations, and a
// normalization reading gamma and beta along the last axis, with 1/D and
// epsilon as constants.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[$LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm_last_axis
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6x8xf32>, %[[G:.+]]: tensor<8xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK-DAG:     %[[INVD:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG:     %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// CHECK:         %[[SUM:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<2x6x8xf32>)
// CHECK:         %[[SQ:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[SUM]] : tensor<2x6x8xf32>, tensor<2x6xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]], #[[$LAST]], #[[$LAST]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[SUM]], %[[SQ]], %[[G]], %[[B]] :
// CHECK:           arith.mulf %{{.+}}, %[[INVD]]
// CHECK:           %[[V:.+]] = arith.addf %{{.+}}, %[[EPS]] : f32
// CHECK:           math.sqrt %[[V]] : f32
func.func @layer_norm_last_axis(%x: tensor<2x6x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32}
      : (tensor<2x6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that gelu without approximation is one elementwise generic computing
// 0.5 x (1 + erf(x / sqrt(2))), with no tanh.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gelu_erf
// CHECK-SAME:    (%[[X:.+]]: tensor<6x8xf32>)
// CHECK-DAG:     %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[RSQRT2:.+]] = arith.constant 0.707106769 : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]] : tensor<6x8xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[S:.+]] = arith.mulf %[[IN]], %[[RSQRT2]] : f32
// CHECK:           %[[E:.+]] = math.erf %[[S]] : f32
// CHECK:           %[[H:.+]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK:           %[[P:.+]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK:           %[[R:.+]] = arith.mulf %[[H]], %[[P]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK-NOT:     math.tanh
// CHECK:         return %[[Y]]
func.func @gelu_erf(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.gelu %x : tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that gelu with approximate = "tanh" computes
// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), with no erf.
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-DAG:     %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[K:.+]] = arith.constant 0.797884583 : f32
// CHECK-DAG:     %[[C:.+]] = arith.constant 4.471500e-02 : f32
// CHECK-NOT:     math.erf
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[X2:.+]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK:           %[[X3:.+]] = arith.mulf %[[X2]], %[[IN]] : f32
// CHECK:           %[[CX3:.+]] = arith.mulf %[[C]], %[[X3]] : f32
// CHECK:           %[[INNER:.+]] = arith.addf %[[IN]], %[[CX3]] : f32
// CHECK:           %[[ARG:.+]] = arith.mulf %[[K]], %[[INNER]] : f32
// CHECK:           %[[T:.+]] = math.tanh %[[ARG]] : f32
// CHECK:           %[[H:.+]] = arith.mulf %[[HALF]], %[[IN]] : f32
// CHECK:           %[[P:.+]] = arith.addf %[[ONE]], %[[T]] : f32
// CHECK:           %[[R:.+]] = arith.mulf %[[H]], %[[P]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK-NOT:     math.erf
func.func @gelu_tanh(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.gelu %x {approximate = "tanh"} : tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that sigmoid is one elementwise generic computing 1 / (1 + exp(-x)),
// and silu one computing x times that, each with no select (exp(-x) = +inf
// gives 0).
// CHECK-LABEL: func.func @sigmoid_silu
// CHECK-SAME:    (%[[X:.+]]: tensor<6x8xf32>)
// CHECK:         %[[S:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<6x8xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[NEG:.+]] = arith.negf %[[IN]] : f32
// CHECK:           %[[E:.+]] = math.exp %[[NEG]] : f32
// CHECK:           %[[D:.+]] = arith.addf %[[ONE:.+]], %[[E]] : f32
// CHECK:           %[[R:.+]] = arith.divf %[[ONE]], %[[D]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<6x8xf32>)
// CHECK:         ^bb0(%[[IN2:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[NEG2:.+]] = arith.negf %[[IN2]] : f32
// CHECK:           %[[E2:.+]] = math.exp %[[NEG2]] : f32
// CHECK:           %[[D2:.+]] = arith.addf %{{.+}}, %[[E2]] : f32
// CHECK:           %[[S2:.+]] = arith.divf %{{.+}}, %[[D2]] : f32
// CHECK:           %[[R2:.+]] = arith.mulf %[[IN2]], %[[S2]] : f32
// CHECK:           linalg.yield %[[R2]] : f32
// CHECK-NOT:     arith.select
// CHECK:         return %[[S]], %[[Y]]
func.func @sigmoid_silu(%x: tensor<6x8xf32>) -> (tensor<6x8xf32>, tensor<6x8xf32>) {
  %0 = tfm.sigmoid %x : tensor<6x8xf32>
  %1 = tfm.silu %x : tensor<6x8xf32>
  return %0, %1 : tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// Tests that silu_grad is one elementwise generic over x and dy computing
// dy s (1 + x (1 - s)), and sigmoid_grad dy s (1 - s), s = sigmoid(x).
// CHECK-LABEL: func.func @sigmoid_silu_grads
// CHECK-SAME:    (%[[X:.+]]: tensor<6x8xf32>, %[[DY:.+]]: tensor<6x8xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[DY]] : tensor<6x8xf32>, tensor<6x8xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[G:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[S:.+]] = arith.divf
// CHECK:           %[[OMS:.+]] = arith.subf %{{.+}}, %[[S]] : f32
// CHECK:           %[[D:.+]] = arith.mulf %[[S]], %[[OMS]] : f32
// CHECK:           %[[R:.+]] = arith.mulf %[[G]], %[[D]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[DY]] : tensor<6x8xf32>, tensor<6x8xf32>)
// CHECK:         ^bb0(%[[IN2:.+]]: f32, %[[G2:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[S2:.+]] = arith.divf
// CHECK:           %[[OMS2:.+]] = arith.subf %[[ONE:.+]], %[[S2]] : f32
// CHECK:           %[[XO:.+]] = arith.mulf %[[IN2]], %[[OMS2]] : f32
// CHECK:           %[[P:.+]] = arith.addf %[[ONE]], %[[XO]] : f32
// CHECK:           %[[D2:.+]] = arith.mulf %[[S2]], %[[P]] : f32
// CHECK:           %[[R2:.+]] = arith.mulf %[[G2]], %[[D2]] : f32
// CHECK:           linalg.yield %[[R2]] : f32
func.func @sigmoid_silu_grads(%x: tensor<6x8xf32>, %dy: tensor<6x8xf32>)
    -> (tensor<6x8xf32>, tensor<6x8xf32>) {
  %0 = tfm.sigmoid_grad %x, %dy : tensor<6x8xf32>
  %1 = tfm.silu_grad %x, %dy : tensor<6x8xf32>
  return %0, %1 : tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// Tests that log_softmax has the two reductions of softmax (max from -inf,
// sum of exp(x - m) from 0, m the max or 0 when it is -inf) and then
// x - m - log(sum), with no division, and that a row of only -inf (sum 0)
// gives -inf.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @log_softmax_last_axis
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6x8xf32>)
// CHECK:         %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAXINIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<2x6xf32>)
// CHECK:         %[[MAX:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<2x6x8xf32>) outs(%[[MAXINIT]] : tensor<2x6xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[SUMINIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x6xf32>)
// CHECK:         %[[SUM:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[MAX]] : tensor<2x6x8xf32>, tensor<2x6xf32>) outs(%[[SUMINIT]] : tensor<2x6xf32>)
// CHECK:         ^bb0(%[[IN0:.+]]: f32, %[[M0:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:           %[[NI0:.+]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[NOKEY0:.+]] = arith.cmpf oeq, %[[M0]], %[[NI0]] : f32
// CHECK:           %[[Z0:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[SAFE0:.+]] = arith.select %[[NOKEY0]], %[[Z0]], %[[M0]] : f32
// CHECK:           %[[D0:.+]] = arith.subf %[[IN0]], %[[SAFE0]] : f32
// CHECK:           %[[E0:.+]] = math.exp %[[D0]] : f32
// CHECK:           arith.addf %[[ACC]], %[[E0]] : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]], #[[$RED]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<2x6xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[M:.+]]: f32, %[[S:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[NI:.+]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[NOKEY:.+]] = arith.cmpf oeq, %[[M]], %[[NI]] : f32
// CHECK:           %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[SAFE:.+]] = arith.select %[[NOKEY]], %[[Z]], %[[M]] : f32
// CHECK:           %[[SHIFTED:.+]] = arith.subf %[[IN]], %[[SAFE]] : f32
// CHECK:           %[[LOG:.+]] = math.log %[[S]] : f32
// CHECK:           %[[LS:.+]] = arith.subf %[[SHIFTED]], %[[LOG]] : f32
// CHECK:           %[[Z2:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[EMPTY:.+]] = arith.cmpf oeq, %[[S]], %[[Z2]] : f32
// CHECK:           %[[NI2:.+]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[R:.+]] = arith.select %[[EMPTY]], %[[NI2]], %[[LS]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK-NOT:     arith.divf
// CHECK:         return %[[Y]]
func.func @log_softmax_last_axis(%x: tensor<2x6x8xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.log_softmax %x {axis = -1 : i64} : tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that log_softmax along the first axis reduces that axis.
// CHECK-DAG:   #[[$RED:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @log_softmax_first_axis
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#{{[a-z0-9_]+}}, #[[$RED]]]
// CHECK-SAME:      iterator_types = ["reduction", "parallel"]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["reduction", "parallel"]
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:           math.log
func.func @log_softmax_first_axis(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.log_softmax %x {axis = 0 : i64} : tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that rms_norm is one reduction (the sum of squares, from 0) and a
// normalization x / sqrt(sum / D + eps) * gamma, with no mean subtracted.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[$LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @rms_norm_last_axis
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6x8xf32>, %[[G:.+]]: tensor<8xf32>)
// CHECK-DAG:     %[[INVD:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-DAG:     %[[EPS:.+]] = arith.constant 9.99999997E-7 : f32
// CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT:     linalg.generic
// CHECK:         %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x6xf32>)
// CHECK:         %[[SQ:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<2x6x8xf32>) outs(%[[INIT]] : tensor<2x6xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:           %[[X2:.+]] = arith.mulf %[[IN]], %[[IN]] : f32
// CHECK:           arith.addf %[[ACC]], %[[X2]] : f32
// CHECK-NOT:     iterator_types = [{{.*}}"reduction"
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$RED]], #[[$LAST]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[SQ]], %[[G]] : tensor<2x6x8xf32>, tensor<2x6xf32>, tensor<8xf32>)
// CHECK:         ^bb0(%[[XI:.+]]: f32, %[[S:.+]]: f32, %[[GI:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[MS:.+]] = arith.mulf %[[S]], %[[INVD]] : f32
// CHECK:           %[[V:.+]] = arith.addf %[[MS]], %[[EPS]] : f32
// CHECK:           %[[RMS:.+]] = math.sqrt %[[V]] : f32
// CHECK:           %[[INV:.+]] = arith.divf %[[ONE]], %[[RMS]] : f32
// CHECK:           %[[N:.+]] = arith.mulf %[[XI]], %[[INV]] : f32
// CHECK:           %[[R:.+]] = arith.mulf %[[N]], %[[GI]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[Y]]
func.func @rms_norm_last_axis(%x: tensor<2x6x8xf32>, %g: tensor<8xf32>) -> tensor<2x6x8xf32> {
  %0 = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32}
      : (tensor<2x6x8xf32>, tensor<8xf32>) -> tensor<2x6x8xf32>
  return %0 : tensor<2x6x8xf32>
}

// -----

// Tests that a causal mask with 4 queries and 6 keys is one parallel generic
// that keeps key j for query i when j <= i + 2 (Tk - Tq) and otherwise
// yields -inf; without lengths there is no second input.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @mask_causal_fewer_queries
// CHECK-SAME:    (%[[S:.+]]: tensor<2x4x6xf32>)
// CHECK:         %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[S]] : tensor<2x4x6xf32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG:       %[[J:.+]] = linalg.index 2 : index
// CHECK-DAG:       %[[I:.+]] = linalg.index 1 : index
// CHECK-DAG:       %[[OFF:.+]] = arith.constant 2 : index
// CHECK:           %[[LAST:.+]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK:           %[[OK:.+]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK:           %[[R:.+]] = arith.select %[[OK]], %[[IN]], %[[NEGINF]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK:         return %[[Y]]
func.func @mask_causal_fewer_queries(%s: tensor<2x4x6xf32>) -> tensor<2x4x6xf32> {
  %0 = tfm.mask %s {causal} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// -----

// Tests that a sliding window of 3 also keeps only j > i + 2 - 3: both bounds
// of key j from one last = i + (Tk - Tq), and their conjunction selects.
// CHECK-LABEL: func.func @mask_sliding_window
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG:       %[[J:.+]] = linalg.index 2 : index
// CHECK-DAG:       %[[I:.+]] = linalg.index 1 : index
// CHECK-DAG:       %[[OFF:.+]] = arith.constant 2 : index
// CHECK:           %[[LAST:.+]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK:           %[[UPPER:.+]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK:           %[[W:.+]] = arith.constant 3 : index
// CHECK:           %[[FIRST:.+]] = arith.subi %[[LAST]], %[[W]] : index
// CHECK:           %[[LOWER:.+]] = arith.cmpi sgt, %[[J]], %[[FIRST]] : index
// CHECK:           %[[OK:.+]] = arith.andi %[[UPPER]], %[[LOWER]] : i1
// CHECK:           arith.select %[[OK]], %[[IN]], %{{.+}} : f32
func.func @mask_sliding_window(%s: tensor<2x4x6xf32>) -> tensor<2x4x6xf32> {
  %0 = tfm.mask %s {causal, window = 3 : i64} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// -----

// Tests that mask_grad keeps the window and writes 0 where mask wrote -inf.
// CHECK-LABEL: func.func @mask_grad_sliding_window
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.generic
// CHECK:           arith.cmpi sle
// CHECK:           arith.cmpi sgt
// CHECK:           arith.select %{{.+}}, %{{.+}}, %[[ZERO]] : f32
func.func @mask_grad_sliding_window(%d: tensor<2x4x6xf32>) -> tensor<2x4x6xf32> {
  %0 = tfm.mask_grad %d {causal, window = 3 : i64} : (tensor<2x4x6xf32>) -> tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// -----

// Tests that a padding mask reads lengths[b] along the batch loop and keeps
// key j when j < lengths[b], with no causal comparison.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$BATCH:.+]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @mask_lengths_i64
// CHECK-SAME:    (%[[S:.+]]: tensor<2x3x6x6xf32>, %[[L:.+]]: tensor<2xi64>)
// CHECK:         %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$BATCH]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[S]], %[[L]] : tensor<2x3x6x6xf32>, tensor<2xi64>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[LEN:.+]]: i64, %{{.+}}: f32):
// CHECK:           %[[J:.+]] = linalg.index 3 : index
// CHECK:           %[[N:.+]] = arith.index_cast %[[LEN]] : i64 to index
// CHECK:           %[[OK:.+]] = arith.cmpi slt, %[[J]], %[[N]] : index
// CHECK:           %[[R:.+]] = arith.select %[[OK]], %[[IN]], %[[NEGINF]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK-NOT:     arith.cmpi sle
func.func @mask_lengths_i64(%s: tensor<2x3x6x6xf32>, %l: tensor<2xi64>) -> tensor<2x3x6x6xf32> {
  %0 = tfm.mask %s, %l : (tensor<2x3x6x6xf32>, tensor<2xi64>) -> tensor<2x3x6x6xf32>
  return %0 : tensor<2x3x6x6xf32>
}

// -----

// Tests that causal and lengths together AND the two conditions, with a
// Tk - Tq offset of 0 for square scores.
// CHECK-LABEL: func.func @mask_causal_lengths
// CHECK-SAME:    (%[[S:.+]]: tensor<2x6x6xf32>, %[[L:.+]]: tensor<2xi32>)
// CHECK:         %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[S]], %[[L]] : tensor<2x6x6xf32>, tensor<2xi32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[LEN:.+]]: i32, %{{.+}}: f32):
// CHECK-DAG:       %[[J:.+]] = linalg.index 2 : index
// CHECK-DAG:       %[[I:.+]] = linalg.index 1 : index
// CHECK-DAG:       %[[OFF:.+]] = arith.constant 0 : index
// CHECK:           %[[LAST:.+]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK:           %[[CAUSAL:.+]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK:           %[[N:.+]] = arith.index_cast %[[LEN]] : i32 to index
// CHECK:           %[[INSIDE:.+]] = arith.cmpi slt, %[[J]], %[[N]] : index
// CHECK:           %[[OK:.+]] = arith.andi %[[CAUSAL]], %[[INSIDE]] : i1
// CHECK:           %[[R:.+]] = arith.select %[[OK]], %[[IN]], %[[NEGINF]] : f32
// CHECK:           linalg.yield %[[R]] : f32
func.func @mask_causal_lengths(%s: tensor<2x6x6xf32>, %l: tensor<2xi32>) -> tensor<2x6x6xf32> {
  %0 = tfm.mask %s, %l {causal} : (tensor<2x6x6xf32>, tensor<2xi32>) -> tensor<2x6x6xf32>
  return %0 : tensor<2x6x6xf32>
}

// -----

// Tests that select is one parallel generic choosing between the broadcast
// operands: a [6, 6] condition and a scalar -inf against [1, 2, 6, 6] scores.
// CHECK-DAG:   #[[$COND:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$SCALAR:.+]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-LABEL: func.func @select_broadcast
// CHECK-SAME:    (%[[C:.+]]: tensor<6x6xi1>, %[[S:.+]]: tensor<1x2x6x6xf32>, %[[N:.+]]: tensor<f32>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$COND]], #[[$ID]], #[[$SCALAR]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[C]], %[[S]], %[[N]] : tensor<6x6xi1>, tensor<1x2x6x6xf32>, tensor<f32>)
// CHECK:         ^bb0(%[[OK:.+]]: i1, %[[IN:.+]]: f32, %[[NI:.+]]: f32, %{{.+}}: f32):
// CHECK:           %[[R:.+]] = arith.select %[[OK]], %[[IN]], %[[NI]] : f32
// CHECK:           linalg.yield %[[R]] : f32
// CHECK:         return %[[Y]]
func.func @select_broadcast(%c: tensor<6x6xi1>, %s: tensor<1x2x6x6xf32>, %n: tensor<f32>) -> tensor<1x2x6x6xf32> {
  %0 = tfm.select %c, %s, %n : (tensor<6x6xi1>, tensor<1x2x6x6xf32>, tensor<f32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that causal flash attention over [B, H] = [2, 4] heads, 256 queries
// and keys of width 64 lowers to tiles: K is transposed per [64 keys x 64]
// tile in a parallel loop over (head, key tile); a parallel loop over
// (batch x head, 32-query tile) scales its query tile and runs two loops over
// 64-key tiles with the running max, sum and output as iter_args, the first
// up to kFull (tiles below the diagonal: no mask), the second from kFull to
// kEnd (tiles that straddle it: masked to -inf); tiles past kEnd are never
// visited. Both bounds come from the query tile position (arith.minsi with
// Tk = 256). A row with no key gets output 0 and lse -inf.
// CHECK-LABEL: func.func @flash_attention_causal
// CHECK-SAME:    (%[[Q:.+]]: tensor<2x4x256x64xf32>, %[[K:.+]]: tensor<2x4x256x64xf32>, %[[V:.+]]: tensor<2x4x256x64xf32>)
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[QF:.+]] = tensor.collapse_shape %[[Q]] {{\[}}[0, 1], [2], [3]] : tensor<2x4x256x64xf32> into tensor<8x256x64xf32>
// CHECK:         %[[KF:.+]] = tensor.collapse_shape %[[K]] {{\[}}[0, 1], [2], [3]] : tensor<2x4x256x64xf32> into tensor<8x256x64xf32>
// CHECK:         %[[KT:.+]] = scf.forall (%[[H:[a-z0-9_]+]], %[[T:[a-z0-9_]+]]) in (8, 4) shared_outs(%[[KTS:[a-z0-9_]+]] = %{{.+}}) -> (tensor<8x4x64x64xf32>) {
// CHECK:           %[[ROWS:.+]] = tensor.extract_slice %[[KF]][%[[H]], %{{.+}}, 0] [1, 64, 64] [1, 1, 1] : tensor<8x256x64xf32> to tensor<64x64xf32>
// CHECK:           %[[COLS:.+]] = linalg.transpose ins(%[[ROWS]] : tensor<64x64xf32>) outs(%{{.+}} : tensor<64x64xf32>) permutation = [1, 0]
// CHECK:           scf.forall.in_parallel {
// CHECK-NEXT:        tensor.parallel_insert_slice %[[COLS]] into %[[KTS]][%[[H]], %[[T]], 0, 0] [1, 1, 64, 64] [1, 1, 1, 1] : tensor<64x64xf32> into tensor<8x4x64x64xf32>
// CHECK:         %[[VF:.+]] = tensor.collapse_shape %[[V]] {{\[}}[0, 1], [2], [3]] : tensor<2x4x256x64xf32> into tensor<8x256x64xf32>
// CHECK:         %[[R:.+]]:2 = scf.forall (%[[N:[a-z0-9_]+]], %[[QT:[a-z0-9_]+]]) in (8, 8) shared_outs(%[[OUT:[a-z0-9_]+]] = %{{.+}}, %[[LSE:[a-z0-9_]+]] = %{{.+}}) -> (tensor<8x256x64xf32>, tensor<8x256xf32>) {
// CHECK:           %[[BR:.+]] = arith.constant 32 : index
// CHECK:           %[[Q0:.+]] = arith.muli %[[QT]], %[[BR]] : index
// CHECK:           %[[QTILE:.+]] = tensor.extract_slice %[[QF]][%[[N]], %[[Q0]], 0] [1, 32, 64] [1, 1, 1] : tensor<8x256x64xf32> to tensor<32x64xf32>
// CHECK:           %[[QS:.+]] = linalg.generic {{.*}} ins(%[[QTILE]] : tensor<32x64xf32>)
// CHECK:             %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
// CHECK:             arith.mulf %{{.+}}, %[[SCALE]] : f32
// Keys below kEnd = min(256, q0 + 32) are allowed for the tile's last row,
// keys below min(256, q0 + 1) for its first.
// CHECK:           %[[TK:.+]] = arith.constant 256 : index
// CHECK:           %[[C32:.+]] = arith.constant 32 : index
// CHECK:           %[[LASTROW:.+]] = arith.addi %[[Q0]], %[[C32]] : index
// CHECK:           %[[C1:.+]] = arith.constant 1 : index
// CHECK:           %[[FIRSTROW:.+]] = arith.addi %[[Q0]], %[[C1]] : index
// CHECK:           %[[LASTPOS:.+]] = arith.maxsi %[[LASTROW]], %{{.+}} : index
// CHECK:           %[[KEND:.+]] = arith.minsi %[[TK]], %[[LASTPOS]] : index
// CHECK:           %[[FIRSTPOS:.+]] = arith.maxsi %[[FIRSTROW]], %{{.+}} : index
// CHECK:           %[[KFULLKEYS:.+]] = arith.minsi %[[TK]], %[[FIRSTPOS]] : index
// CHECK:           %[[FULLTILES:.+]] = arith.divui %[[KFULLKEYS]], %{{.+}} : index
// CHECK:           %[[KFULLUP:.+]] = arith.muli %[[FULLTILES]], %{{.+}} : index
// CHECK:           %[[KENDUP:.+]] = arith.addi %[[KEND]], %{{.+}} : index
// CHECK:           %[[ENDTILES:.+]] = arith.divui %[[KENDUP]], %{{.+}} : index
// CHECK:           %[[KENDT:.+]] = arith.muli %[[ENDTILES]], %{{.+}} : index
// CHECK:           %[[KFULL:.+]] = arith.minui %[[KFULLUP]], %[[KENDT]] : index
// The running output, max (from -inf) and sum, then scratch tiles.
// CHECK:           linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<32x64xf32>)
// CHECK:           linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<32xf32>)
// CHECK:           linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<32xf32>)
// CHECK:           %[[FULL:.+]]:6 = scf.for %[[KT1:[a-z0-9_]+]] = %{{.+}} to %[[KFULL]] step %{{.+}} iter_args({{.+}}) -> (tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) {
// CHECK:             %[[KTILE:.+]] = tensor.extract_slice %[[KT]][%{{.+}}, %{{.+}}, 0, 0] [1, 1, 64, 64] [1, 1, 1, 1] : tensor<8x4x64x64xf32> to tensor<64x64xf32>
// CHECK:             %[[VTILE:.+]] = tensor.extract_slice %[[VF]][%{{.+}}, %[[KT1]], 0] [1, 64, 64] [1, 1, 1] : tensor<8x256x64xf32> to tensor<64x64xf32>
// CHECK:             linalg.matmul ins(%[[QS]], %[[KTILE]] : tensor<32x64xf32>, tensor<64x64xf32>) outs(%{{.+}} : tensor<32x64xf32>) -> tensor<32x64xf32>
// CHECK-NOT:         arith.select %{{.+}}, %{{.+}}, %[[NEGINF]] : f32
// CHECK:             arith.maximumf
// CHECK-NOT:         arith.select %{{.+}}, %{{.+}}, %[[NEGINF]] : f32
// CHECK:             math.exp
// CHECK-NOT:         arith.select %{{.+}}, %{{.+}}, %[[NEGINF]] : f32
// CHECK:             linalg.matmul ins(%{{.+}}, %[[VTILE]] : tensor<32x64xf32>, tensor<64x64xf32>) outs(%{{.+}} : tensor<32x64xf32>) -> tensor<32x64xf32>
// CHECK-NOT:         arith.select %{{.+}}, %{{.+}}, %[[NEGINF]] : f32
// CHECK:             scf.yield
// CHECK:           %[[STRADDLE:.+]]:6 = scf.for %[[KT2:[a-z0-9_]+]] = %[[KFULL]] to %[[KENDT]] step %{{.+}} iter_args(%{{.+}} = %[[FULL]]#0, %{{.+}} = %[[FULL]]#1, %{{.+}} = %[[FULL]]#2,
// CHECK:             linalg.matmul ins(%[[QS]], %{{.+}} : tensor<32x64xf32>, tensor<64x64xf32>) outs(%{{.+}} : tensor<32x64xf32>) -> tensor<32x64xf32>
// CHECK:             linalg.generic
// CHECK:               %[[ROW:.+]] = linalg.index 0 : index
// CHECK:               %[[I:.+]] = arith.addi %[[Q0]], %[[ROW]] : index
// CHECK:               %[[COL:.+]] = linalg.index 1 : index
// CHECK:               %[[J:.+]] = arith.addi %[[KT2]], %[[COL]] : index
// CHECK:               %[[INKEYS:.+]] = arith.cmpi slt, %[[J]], %[[TK]] : index
// CHECK:               %[[DIAG:.+]] = arith.addi %[[I]], %{{.+}} : index
// CHECK:               %[[CAUSAL:.+]] = arith.cmpi sle, %[[J]], %[[DIAG]] : index
// CHECK:               %[[OK:.+]] = arith.andi %[[INKEYS]], %[[CAUSAL]] : i1
// CHECK:               arith.select %[[OK]], %{{.+}}, %[[NEGINF]] : f32
// CHECK:             math.exp
// CHECK:             linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<32x64xf32>, tensor<64x64xf32>) outs(%{{.+}} : tensor<32x64xf32>) -> tensor<32x64xf32>
// CHECK:             scf.yield
// out = o / l, 0 where l = 0; lse = m + log l, -inf where l = 0.
// CHECK:           linalg.generic {{.+}} ins(%[[STRADDLE]]#0, %[[STRADDLE]]#2 : tensor<32x64xf32>, tensor<32xf32>)
// CHECK:             %[[NOKEY:.+]] = arith.cmpf oeq, %{{.+}}, %[[ZERO]] : f32
// CHECK:             %[[DIV:.+]] = arith.divf
// CHECK:             arith.select %[[NOKEY]], %[[ZERO]], %[[DIV]] : f32
// CHECK:           linalg.generic {{.+}} ins(%[[STRADDLE]]#1, %[[STRADDLE]]#2 : tensor<32xf32>, tensor<32xf32>)
// CHECK:             %[[NOKEY2:.+]] = arith.cmpf oeq, %{{.+}}, %[[ZERO]] : f32
// CHECK:             math.log
// CHECK:             arith.select %[[NOKEY2]], %[[NEGINF]], %{{.+}} : f32
// CHECK:           scf.forall.in_parallel {
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%[[N]], %[[Q0]], 0] [1, 32, 64] [1, 1, 1] : tensor<32x64xf32> into tensor<8x256x64xf32>
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.+}} into %[[LSE]][%[[N]], %[[Q0]]] [1, 32] [1, 1] : tensor<32xf32> into tensor<8x256xf32>
// CHECK:         %[[O:.+]] = tensor.expand_shape %[[R]]#0 {{\[}}[0, 1], [2], [3]] output_shape [2, 4, 256, 64] : tensor<8x256x64xf32> into tensor<2x4x256x64xf32>
// CHECK:         %[[L:.+]] = tensor.expand_shape %[[R]]#1 {{\[}}[0, 1], [2]] output_shape [2, 4, 256] : tensor<8x256xf32> into tensor<2x4x256xf32>
// CHECK:         return %[[O]], %[[L]]
// With 64-query and 128-key tiles, 4 query tiles and 2 key tiles.
// TILED-LABEL: func.func @flash_attention_causal
// TILED:         scf.forall (%{{.+}}, %{{.+}}) in (8, 2) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<8x2x64x128xf32>)
// TILED:         scf.forall (%{{.+}}, %{{.+}}) in (8, 4) shared_outs(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<8x256x64xf32>, tensor<8x256xf32>)
// TILED:           linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<64x64xf32>, tensor<64x128xf32>) outs(%{{.+}} : tensor<64x128xf32>)
// On an AVX2 CPU, 36-query tiles (six 6-row register blocks): 256 queries
// padded to 288, 8 tiles.
// AVX2-LABEL:  func.func @flash_attention_causal
// AVX2:          scf.forall (%{{.+}}, %{{.+}}) in (8, 8) shared_outs(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<8x288x64xf32>, tensor<8x288xf32>)
// AVX2:            linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<36x64xf32>, tensor<64x64xf32>) outs(%{{.+}} : tensor<36x64xf32>)
func.func @flash_attention_causal(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x256x64xf32>, %v: tensor<2x4x256x64xf32>)
    -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>) {
  %o, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.125 : f32}
      : (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>) -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>)
  return %o, %lse : tensor<2x4x256x64xf32>, tensor<2x4x256xf32>
}

// -----

// Tests that a sliding window of 40 over 256 queries and keys adds a loop
// before the unmasked one: key tiles from kBegin (the tile of the first
// row's first key, q0 - 39) to kLow (past the last row's first key,
// q0 + 32 - 40, rounded up) are masked by both bounds of the window, and
// tiles before kBegin are in no loop; then [kLow, kFull) unmasked and
// [kFull, kEnd) masked as without a window.
// CHECK-LABEL: func.func @flash_attention_window
// CHECK:         scf.forall (%{{.+}}, %[[QT:[a-z0-9_]+]]) in (8, 8) shared_outs
// CHECK:           %[[Q0:.+]] = arith.muli %[[QT]], %{{.+}} : index
// CHECK:           %[[KFULL0:.+]] = arith.minui %{{.+}}, %[[KENDT:.+]] : index
// CHECK:           %[[M39:.+]] = arith.constant -39 : index
// CHECK:           %[[FIRSTKEY:.+]] = arith.addi %[[Q0]], %[[M39]] : index
// CHECK:           arith.maxsi %[[FIRSTKEY]], %{{.+}} : index
// CHECK:           %[[KBEGIN:.+]] = arith.muli
// CHECK:           %[[M8:.+]] = arith.constant -8 : index
// CHECK:           %[[LASTKEY:.+]] = arith.addi %[[Q0]], %[[M8]] : index
// CHECK:           arith.maxsi %[[LASTKEY]], %{{.+}} : index
// CHECK:           %[[KLOW0:.+]] = arith.muli
// CHECK:           %[[KLOW:.+]] = arith.minsi %[[KLOW0]], %[[KENDT]] : index
// CHECK:           %[[KFULL:.+]] = arith.maxsi %[[KFULL0]], %[[KLOW]] : index
// CHECK:           %[[LOW:.+]]:6 = scf.for %{{.+}} = %[[KBEGIN]] to %[[KLOW]] step
// CHECK:             linalg.generic
// CHECK:               arith.cmpi slt
// CHECK:               arith.cmpi sle
// CHECK:               arith.cmpi sgt
// CHECK:               arith.select
// CHECK:           %[[MID:.+]]:6 = scf.for %{{.+}} = %[[KLOW]] to %[[KFULL]] step %{{.+}} iter_args(%{{.+}} = %[[LOW]]#0,
// CHECK-NOT:         arith.cmpi
// CHECK:             scf.yield
// CHECK:           scf.for %{{.+}} = %[[KFULL]] to %[[KENDT]] step %{{.+}} iter_args(%{{.+}} = %[[MID]]#0,
// CHECK:               arith.cmpi sgt
func.func @flash_attention_window(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x256x64xf32>, %v: tensor<2x4x256x64xf32>)
    -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>) {
  %o, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.125 : f32, window = 40 : i64}
      : (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>) -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>)
  return %o, %lse : tensor<2x4x256x64xf32>, tensor<2x4x256xf32>
}

// -----

// Tests that with lengths each task reads lengths[b] (b = its batch x head
// index / 4 heads), clamps it into [0, 256], and bounds both key loops with
// it: full tiles below it unmasked, the tile that straddles it masked with
// j < length and no causal comparison.
// CHECK-LABEL: func.func @flash_attention_lengths
// CHECK-SAME:    %[[LENS:[^:]+]]: tensor<2xi32>)
// CHECK:         scf.forall (%[[N:[a-z0-9_]+]], %{{.+}}) in (8, 8)
// CHECK:           %[[TK:.+]] = arith.constant 256 : index
// CHECK:           %[[HEADS:.+]] = arith.constant 4 : index
// CHECK:           %[[B:.+]] = arith.divui %[[N]], %[[HEADS]] : index
// CHECK:           %[[LEN:.+]] = tensor.extract %[[LENS]][%[[B]]] : tensor<2xi32>
// CHECK:           %[[LENI:.+]] = arith.index_cast %[[LEN]] : i32 to index
// CHECK:           %[[LENPOS:.+]] = arith.maxsi %[[LENI]], %{{.+}} : index
// CHECK:           %[[LIMIT:.+]] = arith.minsi %[[TK]], %[[LENPOS]] : index
// CHECK:           %[[FULLTILES:.+]] = arith.divui %[[LIMIT]], %{{.+}} : index
// CHECK:           %[[KFULLUP:.+]] = arith.muli %[[FULLTILES]], %{{.+}} : index
// CHECK:           %[[LIMITUP:.+]] = arith.addi %[[LIMIT]], %{{.+}} : index
// CHECK:           %[[ENDTILES:.+]] = arith.divui %[[LIMITUP]], %{{.+}} : index
// CHECK:           %[[KENDT:.+]] = arith.muli %[[ENDTILES]], %{{.+}} : index
// CHECK:           %[[KFULL:.+]] = arith.minui %[[KFULLUP]], %[[KENDT]] : index
// CHECK:           scf.for %{{.+}} = %{{.+}} to %[[KFULL]] step
// CHECK:           scf.for %{{.+}} = %[[KFULL]] to %[[KENDT]] step
// CHECK:               %[[INKEYS:.+]] = arith.cmpi slt, %{{.+}}, %[[LIMIT]] : index
// CHECK-NOT:           arith.cmpi sle
// CHECK:               arith.select %[[INKEYS]], %{{.+}}, %{{.+}} : f32
func.func @flash_attention_lengths(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x256x64xf32>, %v: tensor<2x4x256x64xf32>,
                                   %len: tensor<2xi32>) -> tensor<2x4x256x64xf32> {
  %o, %lse = tfm.flash_attention %q, %k, %v lengths %len {scale = 0.125 : f32}
      : (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2xi32>) -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>)
  return %o : tensor<2x4x256x64xf32>
}

// -----

// Tests that no tensor of the [Tq, Tk] = [256, 256] scores exists in the
// lowering, with every mask and a bias.
// CHECK-LABEL: func.func @flash_attention_no_score_matrix
// CHECK-NOT:     256x256
// CHECK:         return
func.func @flash_attention_no_score_matrix(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x256x64xf32>, %v: tensor<2x4x256x64xf32>,
                                           %len: tensor<2xi32>, %bias: tensor<2x1x1x256xf32>)
    -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>) {
  %o, %lse = tfm.flash_attention %q, %k, %v lengths %len bias %bias {causal, scale = 0.125 : f32}
      : (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2xi32>, tensor<2x1x1x256xf32>)
      -> (tensor<2x4x256x64xf32>, tensor<2x4x256xf32>)
  return %o, %lse : tensor<2x4x256x64xf32>, tensor<2x4x256xf32>
}

// -----

// Tests grouped-query heads and a bias shared by all heads: 6 query heads
// read 2 key/value heads (K transposed for those 2 only, head n / 3 of the
// query's), 8 keys are padded with zeros to one 16-key tile, and the [8, 8]
// bias, padded to [8, 16], is added to each score tile from its own tile.
// CHECK-LABEL: func.func @flash_attention_grouped_bias
// CHECK-SAME:    (%{{.+}}: tensor<1x2x3x8x16xf32>, %[[K:.+]]: tensor<1x2x1x8x16xf32>, %{{.+}}: tensor<1x2x1x8x16xf32>, %[[BIAS:.+]]: tensor<8x8xf32>)
// CHECK:         %[[KF:.+]] = tensor.collapse_shape %[[K]] {{\[}}[0, 1, 2], [3], [4]] : tensor<1x2x1x8x16xf32> into tensor<2x8x16xf32>
// CHECK:         %[[KPAD:.+]] = tensor.insert_slice %[[KF]] into %{{.+}}[0, 0, 0] [2, 8, 16] [1, 1, 1] : tensor<2x8x16xf32> into tensor<2x16x16xf32>
// CHECK:         %[[KT:.+]] = scf.forall (%{{.+}}, %{{.+}}) in (2, 1) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<2x1x16x16xf32>)
// CHECK:         %[[B3:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2], [3], [4]] : tensor<1x1x1x8x8xf32> into tensor<1x8x8xf32>
// CHECK:         %[[BPAD:.+]] = tensor.insert_slice %[[B3]] into %{{.+}}[0, 0, 0] [1, 8, 8] [1, 1, 1] : tensor<1x8x8xf32> into tensor<1x8x16xf32>
// CHECK:         scf.forall (%[[N:[a-z0-9_]+]], %{{.+}}) in (6, 1)
// CHECK:           %[[G:.+]] = arith.constant 3 : index
// CHECK:           %[[NG:.+]] = arith.divui %[[N]], %[[G]] : index
// CHECK:           %[[KVH:.+]] = arith.remui %[[NG]], %{{.+}} : index
// CHECK:           scf.for %[[KT2:[a-z0-9_]+]] =
// CHECK:             tensor.extract_slice %[[KT]][%{{.+}}, %{{.+}}, 0, 0] [1, 1, 16, 16] [1, 1, 1, 1] : tensor<2x1x16x16xf32> to tensor<16x16xf32>
// CHECK:             %[[S:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x16xf32>, tensor<16x16xf32>) outs(%{{.+}} : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK:             %[[BTILE:.+]] = tensor.extract_slice %[[BPAD]][%{{.+}}, %{{.+}}, %[[KT2]]] [1, 8, 16] [1, 1, 1] : tensor<1x8x16xf32> to tensor<8x16xf32>
// CHECK:             linalg.generic {{.+}} ins(%[[BTILE]] : tensor<8x16xf32>) outs(%[[S]] : tensor<8x16xf32>)
// CHECK:               arith.addf
func.func @flash_attention_grouped_bias(%q: tensor<1x2x3x8x16xf32>, %k: tensor<1x2x1x8x16xf32>, %v: tensor<1x2x1x8x16xf32>,
                                        %bias: tensor<8x8xf32>) -> tensor<1x2x3x8x16xf32> {
  %o, %lse = tfm.flash_attention %q, %k, %v bias %bias {scale = 0.25 : f32}
      : (tensor<1x2x3x8x16xf32>, tensor<1x2x1x8x16xf32>, tensor<1x2x1x8x16xf32>, tensor<8x8xf32>) -> (tensor<1x2x3x8x16xf32>, tensor<1x2x3x8xf32>)
  return %o : tensor<1x2x3x8x16xf32>
}

// -----

// Tests that rope splits the width into halves [0, 2) and [2, 4), rotates
// both in one generic with two results against [T, D/2] = [3, 2] cos and sin
// tables (row t: cos/sin of t * 10000^(-2i/4), i.e. angles t and t / 100),
// and inserts the rotated halves back in place.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$TABLE:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @rope_default
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x3x4xf32>)
// CHECK-DAG:     %[[COS:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [0.540302277, 0.999949991], [-0.416146845, 9.998000e-01]]> : tensor<3x2xf32>
// CHECK-DAG:     %[[SIN:.+]] = arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00], [0.841470957, 0.00999983306], [0.909297406, 0.0199986659]]> : tensor<3x2xf32>
// CHECK-DAG:     %[[LO:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 3, 2] [1, 1, 1, 1] : tensor<1x2x3x4xf32> to tensor<1x2x3x2xf32>
// CHECK-DAG:     %[[HI:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 2] [1, 2, 3, 2] [1, 1, 1, 1] : tensor<1x2x3x4xf32> to tensor<1x2x3x2xf32>
// CHECK:         %[[ROT:.+]]:2 = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$ID]], #[[$ID]], #[[$TABLE]], #[[$TABLE]], #[[$ID]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[LO]], %[[HI]], %[[COS]], %[[SIN]] : tensor<1x2x3x2xf32>, tensor<1x2x3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK-SAME:      outs(%{{.+}}, %{{.+}} : tensor<1x2x3x2xf32>, tensor<1x2x3x2xf32>)
// CHECK:         ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %[[C:.+]]: f32, %[[S:.+]]: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK:           %[[AC:.+]] = arith.mulf %[[A]], %[[C]] : f32
// CHECK:           %[[BS:.+]] = arith.mulf %[[B]], %[[S]] : f32
// CHECK:           %[[YLO:.+]] = arith.subf %[[AC]], %[[BS]] : f32
// CHECK:           %[[BC:.+]] = arith.mulf %[[B]], %[[C]] : f32
// CHECK:           %[[AS:.+]] = arith.mulf %[[A]], %[[S]] : f32
// CHECK:           %[[YHI:.+]] = arith.addf %[[BC]], %[[AS]] : f32
// CHECK:           linalg.yield %[[YLO]], %[[YHI]] : f32, f32
// CHECK:         } -> (tensor<1x2x3x2xf32>, tensor<1x2x3x2xf32>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x2x3x4xf32>
// CHECK:         %[[Y0:.+]] = tensor.insert_slice %[[ROT]]#0 into %[[E]][0, 0, 0, 0] [1, 2, 3, 2] [1, 1, 1, 1] : tensor<1x2x3x2xf32> into tensor<1x2x3x4xf32>
// CHECK:         %[[Y1:.+]] = tensor.insert_slice %[[ROT]]#1 into %[[Y0]][0, 0, 0, 2] [1, 2, 3, 2] [1, 1, 1, 1] : tensor<1x2x3x2xf32> into tensor<1x2x3x4xf32>
// CHECK:         return %[[Y1]]
func.func @rope_default(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %0 = tfm.rope %x : tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

// Tests that the rope offset shifts the positions of the tables (row 0 is
// position 3: cos 3, cos 0.03; sin 3, sin 0.03) and that the base sets the
// second frequency (base 100, D = 4: angles t and t / 10).
// CHECK-LABEL: func.func @rope_offset_base
// CHECK-DAG:     arith.constant dense<{{\[}}[-0.989992499, 0.999550044], [-0.653643608, 0.999200105]]> : tensor<2x2xf32>
// CHECK-DAG:     arith.constant dense<{{\[}}[1.411200e-01, 0.029995501], [-0.756802499, 0.0399893336]]> : tensor<2x2xf32>
// CHECK-DAG:     arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [0.540302277, 0.995004177]]> : tensor<2x2xf32>
// CHECK-DAG:     arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00], [0.841470957, 0.0998334139]]> : tensor<2x2xf32>
func.func @rope_offset_base(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = tfm.rope %x {offset = 3 : i64} : tensor<2x4xf32>
  %1 = tfm.rope %x {base = 1.0e+02 : f32} : tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Tests that interleaved rope pairs (2i, 2i + 1): the two operands of the
// rotation are the stride-2 slices at 0 and 1 of the width, written back with
// the same strides; the tables are those of the default pairing.
// CHECK-LABEL: func.func @rope_interleaved
// CHECK-SAME:    (%[[X:.+]]: tensor<1x2x3x4xf32>)
// CHECK-DAG:     %[[COS:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [0.540302277, 0.999949991], [-0.416146845, 9.998000e-01]]> : tensor<3x2xf32>
// CHECK-DAG:     %[[EVEN:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 2, 3, 2] [1, 1, 1, 2] : tensor<1x2x3x4xf32> to tensor<1x2x3x2xf32>
// CHECK-DAG:     %[[ODD:.+]] = tensor.extract_slice %[[X]][0, 0, 0, 1] [1, 2, 3, 2] [1, 1, 1, 2] : tensor<1x2x3x4xf32> to tensor<1x2x3x2xf32>
// CHECK:         %[[ROT:.+]]:2 = linalg.generic
// CHECK-SAME:      ins(%[[EVEN]], %[[ODD]], %[[COS]], %{{.+}} : tensor<1x2x3x2xf32>, tensor<1x2x3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK:         %[[Y0:.+]] = tensor.insert_slice %[[ROT]]#0 into %{{.+}}[0, 0, 0, 0] [1, 2, 3, 2] [1, 1, 1, 2] : tensor<1x2x3x2xf32> into tensor<1x2x3x4xf32>
// CHECK:         %[[Y1:.+]] = tensor.insert_slice %[[ROT]]#1 into %[[Y0]][0, 0, 0, 1] [1, 2, 3, 2] [1, 1, 1, 2] : tensor<1x2x3x2xf32> into tensor<1x2x3x4xf32>
// CHECK:         return %[[Y1]]
func.func @rope_interleaved(%x: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %0 = tfm.rope %x {interleaved = true} : tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

// Tests that rope_grad keeps the pairing and negates the sin table.
// CHECK-LABEL: func.func @rope_grad_interleaved
// CHECK-DAG:     arith.constant dense<{{\[}}[-0.000000e+00, -0.000000e+00], [-0.841470957, -0.00999983306], [-0.909297406, -0.0199986659]]> : tensor<3x2xf32>
// CHECK-DAG:     tensor.extract_slice %{{.+}}[0, 0, 1] [2, 3, 2] [1, 1, 2] : tensor<2x3x4xf32> to tensor<2x3x2xf32>
// CHECK:         linalg.generic
func.func @rope_grad_interleaved(%dy: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = tfm.rope_grad %dy {interleaved = true} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that sinusoidal_positions is a constant [T, D] table: row 0 is
// [sin 0, cos 0, sin 0, cos 0] = [0, 1, 0, 1], row 1 is [sin 1, cos 1,
// sin 0.01, cos 0.01] (D = 4: the second pair divides by 10000^(2/4)).
// CHECK-LABEL: func.func @sinusoidal_positions_2x4
// CHECK:         %[[PE:.+]] = arith.constant dense<{{\[}}[0.000000e+00, 1.000000e+00, 0.000000e+00, 1.000000e+00], [0.841470957, 0.540302277, 0.00999983306, 0.999949991]]> : tensor<2x4xf32>
// CHECK-NOT:     linalg.
// CHECK:         return %[[PE]]
func.func @sinusoidal_positions_2x4() -> tensor<2x4xf32> {
  %0 = tfm.sinusoidal_positions : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that the offset starts the table at that position (row 0 is
// position 1) and that an f64 table is computed in double precision.
// CHECK-LABEL: func.func @sinusoidal_positions_offset_f64
// CHECK:         arith.constant dense<{{\[}}[0.8414709848078965, 0.54030230586813977, 0.0099998333341666644, 0.99995000041666526], [0.90929742682568171, -0.41614683654714241, 0.01999866669333308, 0.99980000666657776]]> : tensor<2x4xf64>
func.func @sinusoidal_positions_offset_f64() -> tensor<2x4xf64> {
  %0 = tfm.sinusoidal_positions {offset = 1 : i64} : tensor<2x4xf64>
  return %0 : tensor<2x4xf64>
}

// -----

// Tests that slice is a tensor.extract_slice at its offsets with unit strides.
// CHECK-LABEL: func.func @slice_offsets
// CHECK-SAME:    (%[[T:.+]]: tensor<16x8xf32>)
// CHECK:         %[[S:.+]] = tensor.extract_slice %[[T]][2, 4] [6, 4] [1, 1] : tensor<16x8xf32> to tensor<6x4xf32>
// CHECK:         return %[[S]]
func.func @slice_offsets(%t: tensor<16x8xf32>) -> tensor<6x4xf32> {
  %0 = tfm.slice %t [2, 4] : tensor<16x8xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Tests that embedding is a parallel generic over the ids that clamps each id
// into [0, V - 1] and extracts the table row at the width index.
// CHECK-DAG:   #[[$IDS:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @embedding_i32_ids
// CHECK-SAME:    (%[[T:.+]]: tensor<32x8xf32>, %[[I:.+]]: tensor<1x6xi32>)
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$IDS]], #[[$ID]]]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME:      ins(%[[I]] : tensor<1x6xi32>) outs(%{{.+}} : tensor<1x6x8xf32>)
// CHECK:         ^bb0(%[[ID:.+]]: i32, %{{.+}}: f32):
// CHECK:           %[[ROW:.+]] = arith.index_cast %[[ID]] : i32 to index
// CHECK-DAG:       %[[LO:.+]] = arith.constant 0 : index
// CHECK-DAG:       %[[HI:.+]] = arith.constant 31 : index
// CHECK:           %[[M:.+]] = arith.maxsi %[[ROW]], %[[LO]] : index
// CHECK:           %[[C:.+]] = arith.minsi %[[M]], %[[HI]] : index
// CHECK:           %[[COL:.+]] = linalg.index 2 : index
// CHECK:           %[[V:.+]] = tensor.extract %[[T]][%[[C]], %[[COL]]] : tensor<32x8xf32>
// CHECK:           linalg.yield %[[V]] : f32
func.func @embedding_i32_ids(%t: tensor<32x8xf32>, %ids: tensor<1x6xi32>) -> tensor<1x6x8xf32> {
  %0 = tfm.embedding %t, %ids : (tensor<32x8xf32>, tensor<1x6xi32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Tests that i64 ids are cast the same way, and that rank-0 ids read with an
// empty map.
// CHECK-DAG:   #[[$IDS:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @embedding_i64_scalar_id
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$IDS]], #{{[a-z0-9_]+}}]
// CHECK-SAME:      iterator_types = ["parallel"]
// CHECK:           arith.index_cast %{{.+}} : i64 to index
// CHECK:           arith.constant 99 : index
// CHECK:           linalg.index 0 : index
// CHECK:           tensor.extract %{{.+}} : tensor<100x8xf32>
func.func @embedding_i64_scalar_id(%t: tensor<100x8xf32>, %id: tensor<i64>) -> tensor<8xf32> {
  %0 = tfm.embedding %t, %id : (tensor<100x8xf32>, tensor<i64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that transpose becomes linalg.transpose with the same permutation.
// CHECK-LABEL: func.func @transpose_heads
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x2x4xf32>)
// CHECK:         %[[E:.+]] = tensor.empty() : tensor<1x2x6x4xf32>
// CHECK:         %[[T:.+]] = linalg.transpose ins(%[[X]] : tensor<1x6x2x4xf32>) outs(%[[E]] : tensor<1x2x6x4xf32>) permutation = [0, 2, 1, 3]
// CHECK:         return %[[T]]
func.func @transpose_heads(%x: tensor<1x6x2x4xf32>) -> tensor<1x2x6x4xf32> {
  %0 = tfm.transpose %x, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x2x6x4xf32>
  return %0 : tensor<1x2x6x4xf32>
}

// -----

// Tests that reshape collapses to one dimension, then expands.
// CHECK-LABEL: func.func @reshape_collapse_expand
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>)
// CHECK:         %[[F:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<1x6x8xf32> into tensor<48xf32>
// CHECK:         %[[R:.+]] = tensor.expand_shape %[[F]] {{\[}}[0, 1, 2]] output_shape [6, 2, 4] : tensor<48xf32> into tensor<6x2x4xf32>
// CHECK:         return %[[R]]
func.func @reshape_collapse_expand(%x: tensor<1x6x8xf32>) -> tensor<6x2x4xf32> {
  %0 = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<6x2x4xf32>
  return %0 : tensor<6x2x4xf32>
}

// -----

// Tests that reshape to rank 1 only collapses and from rank 1 only expands.
// CHECK-LABEL: func.func @reshape_rank1
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>, %[[V:.+]]: tensor<48xf32>)
// CHECK:         %[[C:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2]] : tensor<1x6x8xf32> into tensor<48xf32>
// CHECK-NOT:     tensor.expand_shape %[[C]]
// CHECK:         %[[E:.+]] = tensor.expand_shape %[[V]] {{\[}}[0, 1]] output_shape [6, 8] : tensor<48xf32> into tensor<6x8xf32>
// CHECK:         return %[[C]], %[[E]]
func.func @reshape_rank1(%x: tensor<1x6x8xf32>, %v: tensor<48xf32>) -> (tensor<48xf32>, tensor<6x8xf32>) {
  %0 = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<48xf32>
  %1 = tfm.reshape %v : tensor<48xf32> -> tensor<6x8xf32>
  return %0, %1 : tensor<48xf32>, tensor<6x8xf32>
}

// -----

// Tests that reshape from rank 0 is one expand and to rank 0 one collapse,
// both with an empty reassociation.
// CHECK-LABEL: func.func @reshape_rank0
// CHECK-SAME:    (%[[S:.+]]: tensor<f32>, %[[O:.+]]: tensor<1x1xf32>)
// CHECK:         %[[E:.+]] = tensor.expand_shape %[[S]] [] output_shape [1, 1, 1] : tensor<f32> into tensor<1x1x1xf32>
// CHECK:         %[[C:.+]] = tensor.collapse_shape %[[O]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK:         return %[[E]], %[[C]]
func.func @reshape_rank0(%s: tensor<f32>, %o: tensor<1x1xf32>) -> (tensor<1x1x1xf32>, tensor<f32>) {
  %0 = tfm.reshape %s : tensor<f32> -> tensor<1x1x1xf32>
  %1 = tfm.reshape %o : tensor<1x1xf32> -> tensor<f32>
  return %0, %1 : tensor<1x1x1xf32>, tensor<f32>
}

// -----

// Tests that no tfm op is left and func ops are untouched.
// CHECK-LABEL: func.func @no_tfm_left
// CHECK-NOT:     tfm.
// CHECK:         return
func.func @no_tfm_left(%x: tensor<1x6x8xf32>, %w: tensor<8x8xf32>) -> tensor<1x6x8xf32> {
  %0 = tfm.matmul %x, %w : (tensor<1x6x8xf32>, tensor<8x8xf32>) -> tensor<1x6x8xf32>
  %1 = tfm.relu %0 : tensor<1x6x8xf32>
  %2 = tfm.softmax %1 {axis = -1 : i64} : tensor<1x6x8xf32>
  return %2 : tensor<1x6x8xf32>
}

// -----

// Tests that no sinusoidal_positions, rms_norm, gelu, rope, log_softmax, mask
// or slice is left either, on f16, bf16 and f64.
// CHECK-LABEL: func.func @no_tfm_left_decoder_ops
// CHECK-NOT:     tfm.
// CHECK:         return
func.func @no_tfm_left_decoder_ops(%x: tensor<2x6x8xf16>, %g: tensor<8xf16>, %s: tensor<2x6x6xbf16>,
                                   %l: tensor<2xi32>, %t: tensor<16x8xf64>)
    -> (tensor<2x6x8xf16>, tensor<2x6x6xbf16>, tensor<6x8xf64>) {
  %pe = tfm.sinusoidal_positions : tensor<6x8xf16>
  %0 = tfm.add %x, %pe : (tensor<2x6x8xf16>, tensor<6x8xf16>) -> tensor<2x6x8xf16>
  %1 = tfm.rms_norm %0, %g {epsilon = 1.0e-6 : f32} : (tensor<2x6x8xf16>, tensor<8xf16>) -> tensor<2x6x8xf16>
  %2 = tfm.gelu %1 {approximate = "tanh"} : tensor<2x6x8xf16>
  %3 = tfm.rope %2 : tensor<2x6x8xf16>
  %4 = tfm.log_softmax %3 {axis = -1 : i64} : tensor<2x6x8xf16>
  %m = tfm.mask %s, %l {causal} : (tensor<2x6x6xbf16>, tensor<2xi32>) -> tensor<2x6x6xbf16>
  %p = tfm.slice %t [10, 0] : tensor<16x8xf64> -> tensor<6x8xf64>
  return %4, %m, %p : tensor<2x6x8xf16>, tensor<2x6x6xbf16>, tensor<6x8xf64>
}

// -----

// Tests the attention backward (FlashAttention's): D = rowsum(dO * O) first,
// then one parallel task per (batch, head) = 8, a loop over 64-key tiles
// that ends at the sequence's length, and for each key tile two loops over
// 32-row query tiles: from the first tile on or below the causal diagonal
// (tiles wholly above it are skipped) through the tiles the masks straddle,
// where the recomputed probabilities exp(scale S - lse) are masked by length
// and causality; then the rest, unmasked. In each: S = q kT, dV += P^T dO,
// dP = dO vT, dS = P (dP - D), dK += dS^T q, dQ += dS k. No [256, 256]
// tensor anywhere (NOSCORE).
// CHECK-LABEL: func.func @flash_attention_grad_causal
// CHECK:         linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<8x256x64xf32>, tensor<8x256x64xf32>) outs(%{{.+}} : tensor<8x256x1xf32>)
// CHECK:         scf.forall (%[[N:[a-z0-9_]+]]) in (8) shared_outs
// CHECK:           %[[LEN:.+]] = arith.minsi %{{.+}}, %{{.+}} : index
// CHECK:           arith.addi %[[LEN]]
// CHECK:           %[[KEND:.+]] = arith.muli
// CHECK:           scf.for %[[KT:[a-z0-9_]+]] = %{{.+}} to %[[KEND]] step %{{.+}} iter_args
// CHECK:             %[[FROM:.+]] = arith.minsi %{{.+}}, %{{.+}} : index
// CHECK:             %[[FULL:.+]] = arith.select
// CHECK:             scf.for %{{.+}} = %[[FROM]] to %[[FULL]] step %{{.+}} iter_args
// CHECK:               %[[S:.+]] = linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<32x64xf32>, tensor<64x64xf32>) outs(%{{.+}} : tensor<32x64xf32>)
// CHECK:               %[[P:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<32x1xf32>) outs(%[[S]] : tensor<32x64xf32>)
// CHECK:                 arith.cmpi slt
// CHECK:                 arith.cmpi sle
// CHECK:                 math.exp
// CHECK:               linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<64x32xf32>, tensor<32x64xf32>) outs(%{{.+}} : tensor<64x64xf32>)
// CHECK:               %[[DS:.+]] = linalg.generic {{.+}} ins(%[[P]], %{{.+}} : tensor<32x64xf32>, tensor<32x1xf32>)
// CHECK:               linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<64x32xf32>, tensor<32x64xf32>) outs(%{{.+}} : tensor<64x64xf32>)
// CHECK:               linalg.matmul ins(%[[DS]], %{{.+}} : tensor<32x64xf32>, tensor<64x64xf32>)
// CHECK:             scf.for %{{.+}} = %[[FULL]] to %{{.+}} step %{{.+}} iter_args
// CHECK-NOT:           arith.cmpi
// CHECK:               math.exp
// CHECK-NOT:           arith.cmpi
// CHECK:               scf.yield
// CHECK:         scf.forall.in_parallel
// NOSCORE-LABEL: func.func @flash_attention_grad_causal
// NOSCORE-NOT:     256x256
// NOSCORE:         return
func.func @flash_attention_grad_causal(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x256x64xf32>, %v: tensor<2x4x256x64xf32>,
    %o: tensor<2x4x256x64xf32>, %lse: tensor<2x4x256xf32>, %do: tensor<2x4x256x64xf32>, %len: tensor<2xi32>)
    -> (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>) {
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %k, %v, %o, %lse, %do lengths %len {causal, scale = 0.125 : f32}
      : (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256xf32>, tensor<2x4x256x64xf32>, tensor<2xi32>)
      -> (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>)
  return %dq, %dk, %dv : tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>
}

// -----

// Tests that with a sliding window of 40 each key tile's query tiles end at
// qEnd (the tile past the last row that sees its last key: kt + 63 + 40,
// rounded up) and that a third loop, masked, runs from qLast (the first row
// that misses the tile's first key, kt + 40, rounded down) to qEnd after the
// unmasked [qFull, qLast).
// CHECK-LABEL: func.func @flash_attention_grad_window
// CHECK:         scf.for %[[KT:[a-z0-9_]+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// CHECK:             %[[C103:.+]] = arith.constant 103 : index
// CHECK:             arith.addi %[[KT]], %[[C103]] : index
// CHECK:             %[[QEND:.+]] = arith.minsi %{{.+}}, %{{.+}} : index
// CHECK:             %[[C40:.+]] = arith.constant 40 : index
// CHECK:             arith.addi %[[KT]], %[[C40]] : index
// CHECK:             %[[QFULL0:.+]] = arith.select
// CHECK:             %[[QFULL:.+]] = arith.minsi %[[QFULL0]], %[[QEND]] : index
// CHECK:             %[[QLAST0:.+]] = arith.maxsi %{{.+}}, %[[QFULL]] : index
// CHECK:             %[[QLAST:.+]] = arith.minsi %[[QLAST0]], %[[QEND]] : index
// CHECK:             scf.for %{{.+}} = %{{.+}} to %[[QFULL]] step
// CHECK:                 arith.cmpi sgt
// CHECK:             %[[MID:.+]]:3 = scf.for %{{.+}} = %[[QFULL]] to %[[QLAST]] step
// CHECK-NOT:             arith.cmpi
// CHECK:               scf.yield
// CHECK:             scf.for %{{.+}} = %[[QLAST]] to %[[QEND]] step %{{.+}} iter_args(%{{.+}} = %[[MID]]#0,
// CHECK:                 arith.cmpi sgt
func.func @flash_attention_grad_window(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x256x64xf32>, %v: tensor<2x4x256x64xf32>,
    %o: tensor<2x4x256x64xf32>, %lse: tensor<2x4x256xf32>, %do: tensor<2x4x256x64xf32>)
    -> (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>) {
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %k, %v, %o, %lse, %do {causal, scale = 0.125 : f32, window = 40 : i64}
      : (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256xf32>, tensor<2x4x256x64xf32>)
      -> (tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>)
  return %dq, %dk, %dv : tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>, tensor<2x4x256x64xf32>
}

// -----

// Tests that an active dropout is one parallel generic over [2, 3] that reads
// the step as a scalar, forms the row-major index n = 3 i + j, hashes
// seed + step * 0x9E3779B97F4A7C15 + n * 0xD1B54A32D192ED03 through
// SplitMix64's finalizer, keeps x * 1/(1 - 0.25) where the top 24 bits reach
// 0.25 * 2^24 = 4194304, and yields 0 elsewhere; one without a step is its
// input.
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @dropout_active
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3xf32>, %[[S:.+]]: tensor<f32>)
// CHECK:         %[[Y:.+]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$SCALAR]], #[[$ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[S]] : tensor<2x3xf32>, tensor<f32>)
// CHECK:         ^bb0(%[[IN:.+]]: f32, %[[STEP:.+]]: f32, %{{.+}}: f32):
// CHECK-DAG:       linalg.index 1 : index
// CHECK-DAG:       linalg.index 0 : index
// CHECK-DAG:       arith.constant 3 : i64
// CHECK:           %[[SI:.+]] = arith.fptosi %[[STEP]] : f32 to i64
// CHECK-DAG:       arith.constant 5 : i64
// CHECK-DAG:       arith.constant -7046029254386353131 : i64
// CHECK-DAG:       arith.constant -3335678366873096957 : i64
// CHECK-DAG:       arith.constant -4658895280553007687 : i64
// CHECK-DAG:       arith.constant -7723592293110705685 : i64
// CHECK:           %[[C40:.+]] = arith.constant 40 : i64
// CHECK:           %[[TOP:.+]] = arith.shrui %{{.+}}, %[[C40]] : i64
// CHECK:           %[[KEEP:.+]] = arith.cmpi uge, %[[TOP]], %{{.+}} : i64
// CHECK:           %[[SCALED:.+]] = arith.mulf %[[IN]], %{{.+}} : f32
// CHECK:           arith.select %[[KEEP]], %[[SCALED]], %{{.+}} : f32
// CHECK:         return %[[Y]], %[[X]]
func.func @dropout_active(%x: tensor<2x3xf32>, %s: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = tfm.dropout %x step %s {rate = 0.25 : f32, seed = 5 : i64} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %1 = tfm.dropout %x {rate = 0.25 : f32, seed = 5 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}
