// RUN: tfm-opt %s --split-input-file --tfm-lower-to-linalg | FileCheck %s

// Tests that the pipeline folds tfm-level patterns before lowering (QK^T's
// transpose folds into the matmul, which reads the transposed operand
// through its map, (k, n) -> [n, k]: code generation packs it, never a copy
// here; scale by 1 vanishes), lowers every tfm op, and keeps the function's
// tfm names for the header.
// CHECK-DAG:   #[[$Q:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[$KN:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG:   #[[$S:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @lower_to_linalg_qk
// CHECK-SAME:    (%[[Q:.+]]: tensor<6x4xf32> {tfm.input = "q"}, %[[K:.+]]: tensor<6x4xf32> {tfm.input = "k"})
// CHECK-SAME:    -> (tensor<6x6xf32> {tfm.output = "s"})
// CHECK-NOT:     tfm.
// CHECK-NOT:     linalg.transpose
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [#[[$Q]], #[[$KN]], #[[$S]]]
// CHECK-SAME:      ins(%[[Q]], %[[K]] : tensor<6x4xf32>, tensor<6x4xf32>)
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     tfm.
// CHECK:         return %[[R]]
func.func @lower_to_linalg_qk(%q: tensor<6x4xf32> {tfm.input = "q"}, %k: tensor<6x4xf32> {tfm.input = "k"})
    -> (tensor<6x6xf32> {tfm.output = "s"}) {
  %kt = tfm.transpose %k, [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
  %0 = tfm.matmul %q, %kt : (tensor<6x4xf32>, tensor<4x6xf32>) -> tensor<6x6xf32>
  %1 = tfm.scale %0 {factor = 1.0 : f32} : tensor<6x6xf32>
  return %1 : tensor<6x6xf32>
}

// -----

// Tests that CSE merges the constants and empty tensors of two lowered ops.
// CHECK-LABEL: func.func @lower_to_linalg_cse
// CHECK-COUNT-1: arith.constant 0.000000e+00 : f32
// CHECK-NOT:     arith.constant 0.000000e+00 : f32
// CHECK-COUNT-1: tensor.empty() : tensor<4x16xf32>
// CHECK-NOT:     tensor.empty() : tensor<4x16xf32>
func.func @lower_to_linalg_cse(%x: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = tfm.relu %x : tensor<4x16xf32>
  %1 = tfm.relu %0 : tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}
