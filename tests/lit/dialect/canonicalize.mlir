// RUN: tfm-opt %s --split-input-file --canonicalize | FileCheck %s

// Tests that a transpose of the two innermost dims of the lhs folds into
// transpose_a.
// CHECK-LABEL: func.func @fold_transpose_into_matmul_lhs
// CHECK-SAME:    (%[[A:.+]]: tensor<2x4x6xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK-NOT:     tfm.transpose
// CHECK:         %[[R:.+]] = tfm.matmul %[[A]], %[[B]] {transpose_a} : (tensor<2x4x6xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
// CHECK:         return %[[R]]
func.func @fold_transpose_into_matmul_lhs(%a: tensor<2x4x6xf32>, %b: tensor<4x5xf32>) -> tensor<2x6x5xf32> {
  %t = tfm.transpose %a, [0, 2, 1] : tensor<2x4x6xf32> -> tensor<2x6x4xf32>
  %0 = tfm.matmul %t, %b : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// -----

// Tests that QK^T written with a transpose of k folds into transpose_b.
// CHECK-LABEL: func.func @fold_transpose_into_matmul_rhs
// CHECK-SAME:    (%[[Q:.+]]: tensor<1x2x6x3xf32>, %[[K:.+]]: tensor<1x2x6x3xf32>)
// CHECK-NOT:     tfm.transpose
// CHECK:         tfm.matmul %[[Q]], %[[K]] {transpose_b} : (tensor<1x2x6x3xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32>
func.func @fold_transpose_into_matmul_rhs(%q: tensor<1x2x6x3xf32>, %k: tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32> {
  %kt = tfm.transpose %k, [0, 1, 3, 2] : tensor<1x2x6x3xf32> -> tensor<1x2x3x6xf32>
  %0 = tfm.matmul %q, %kt : (tensor<1x2x6x3xf32>, tensor<1x2x3x6xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that transposes on both sides fold at once.
// CHECK-LABEL: func.func @fold_transpose_into_matmul_both
// CHECK-SAME:    (%[[A:.+]]: tensor<4x6xf32>, %[[B:.+]]: tensor<5x4xf32>)
// CHECK-NOT:     tfm.transpose
// CHECK:         tfm.matmul %[[A]], %[[B]] {transpose_a, transpose_b} : (tensor<4x6xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
func.func @fold_transpose_into_matmul_both(%a: tensor<4x6xf32>, %b: tensor<5x4xf32>) -> tensor<6x5xf32> {
  %at = tfm.transpose %a, [1, 0] : tensor<4x6xf32> -> tensor<6x4xf32>
  %bt = tfm.transpose %b, [1, 0] : tensor<5x4xf32> -> tensor<4x5xf32>
  %0 = tfm.matmul %at, %bt : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that folding a transpose into an operand that already has its flag
// set clears the flag.
// CHECK-LABEL: func.func @fold_transpose_into_matmul_toggle
// CHECK-SAME:    (%[[A:.+]]: tensor<6x4xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK-NOT:     tfm.transpose
// CHECK:         tfm.matmul %[[A]], %[[B]] : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
func.func @fold_transpose_into_matmul_toggle(%a: tensor<6x4xf32>, %b: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %at = tfm.transpose %a, [1, 0] : tensor<6x4xf32> -> tensor<4x6xf32>
  %bt = tfm.transpose %b, [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
  %0 = tfm.matmul %at, %bt {transpose_a, transpose_b} : (tensor<4x6xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that folding into one side keeps the other side's flag.
// CHECK-LABEL: func.func @fold_transpose_into_matmul_keep_other_flag
// CHECK-SAME:    (%[[A:.+]]: tensor<4x6xf32>, %[[B:.+]]: tensor<5x4xf32>)
// CHECK:         tfm.matmul %[[A]], %[[B]] {transpose_a, transpose_b} : (tensor<4x6xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
func.func @fold_transpose_into_matmul_keep_other_flag(%a: tensor<4x6xf32>, %b: tensor<5x4xf32>) -> tensor<6x5xf32> {
  %at = tfm.transpose %a, [1, 0] : tensor<4x6xf32> -> tensor<6x4xf32>
  %0 = tfm.matmul %at, %b {transpose_b} : (tensor<6x4xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that a transpose that moves a batch dimension does not fold into a
// matmul.
// CHECK-LABEL: func.func @negative_fold_transpose_into_matmul_batch_perm
// CHECK:         %[[T:.+]] = tfm.transpose %{{.+}}, [1, 0, 2] : tensor<6x2x4xf32> -> tensor<2x6x4xf32>
// CHECK:         tfm.matmul %[[T]], %{{.+}} : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
func.func @negative_fold_transpose_into_matmul_batch_perm(%a: tensor<6x2x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x6x5xf32> {
  %t = tfm.transpose %a, [1, 0, 2] : tensor<6x2x4xf32> -> tensor<2x6x4xf32>
  %0 = tfm.matmul %t, %b : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
  return %0 : tensor<2x6x5xf32>
}

// -----

// Tests that a transpose swapping a batch dimension with an inner one does
// not fold into a matmul.
// CHECK-LABEL: func.func @negative_fold_transpose_into_matmul_outer_swap
// CHECK:         %[[T:.+]] = tfm.transpose %{{.+}}, [0, 2, 1, 3]
// CHECK:         tfm.matmul %{{.+}}, %[[T]] :
func.func @negative_fold_transpose_into_matmul_outer_swap(%a: tensor<1x2x6x3xf32>, %b: tensor<1x3x2x6xf32>) -> tensor<1x2x6x6xf32> {
  %t = tfm.transpose %b, [0, 2, 1, 3] : tensor<1x3x2x6xf32> -> tensor<1x2x3x6xf32>
  %0 = tfm.matmul %a, %t : (tensor<1x2x6x3xf32>, tensor<1x2x3x6xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that two transposes compose into one when the inner one has a
// single use.
// CHECK-LABEL: func.func @compose_transposes_single_use
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK:         %[[T:.+]] = tfm.transpose %[[X]], [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NOT:     tfm.transpose
// CHECK:         return %[[T]]
func.func @compose_transposes_single_use(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = tfm.transpose %x, [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = tfm.transpose %0, [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Tests that two transposes that undo each other vanish.
// CHECK-LABEL: func.func @compose_transposes_to_identity
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x2x4xf32>)
// CHECK-NOT:     tfm.transpose
// CHECK:         return %[[X]]
func.func @compose_transposes_to_identity(%x: tensor<1x6x2x4xf32>) -> tensor<1x6x2x4xf32> {
  %0 = tfm.transpose %x, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x2x6x4xf32>
  %1 = tfm.transpose %0, [0, 2, 1, 3] : tensor<1x2x6x4xf32> -> tensor<1x6x2x4xf32>
  return %1 : tensor<1x6x2x4xf32>
}

// -----

// Tests that transposes do not compose when the inner one has another use.
// CHECK-LABEL: func.func @negative_compose_transposes_multi_use
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK:         %[[T0:.+]] = tfm.transpose %[[X]], [1, 2, 0]
// CHECK:         %[[T1:.+]] = tfm.transpose %[[T0]], [1, 2, 0]
// CHECK:         return %[[T0]], %[[T1]]
func.func @negative_compose_transposes_multi_use(%x: tensor<2x3x4xf32>) -> (tensor<3x4x2xf32>, tensor<4x2x3xf32>) {
  %0 = tfm.transpose %x, [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = tfm.transpose %0, [1, 2, 0] : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %0, %1 : tensor<3x4x2xf32>, tensor<4x2x3xf32>
}

// -----

// Tests that an identity transpose folds away.
// CHECK-LABEL: func.func @fold_identity_transpose
// CHECK-SAME:    (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK-NOT:     tfm.transpose
// CHECK:         return %[[X]]
func.func @fold_identity_transpose(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = tfm.transpose %x, [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that a permutation that keeps the shape (square dims) but moves data
// does not fold.
// CHECK-LABEL: func.func @negative_fold_identity_transpose_square
// CHECK:         %[[T:.+]] = tfm.transpose %{{.+}}, [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
// CHECK:         return %[[T]]
func.func @negative_fold_identity_transpose_square(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = tfm.transpose %x, [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that a reshape to the input's own type folds away.
// CHECK-LABEL: func.func @fold_reshape_same_type
// CHECK-SAME:    (%[[X:.+]]: tensor<6x8xf32>)
// CHECK-NOT:     tfm.reshape
// CHECK:         return %[[X]]
func.func @fold_reshape_same_type(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.reshape %x : tensor<6x8xf32> -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that a reshape of a reshape becomes one reshape of the first input.
// CHECK-LABEL: func.func @fold_reshape_of_reshape
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>)
// CHECK:         %[[R:.+]] = tfm.reshape %[[X]] : tensor<1x6x8xf32> -> tensor<6x2x4xf32>
// CHECK-NOT:     tfm.reshape
// CHECK:         return %[[R]]
func.func @fold_reshape_of_reshape(%x: tensor<1x6x8xf32>) -> tensor<6x2x4xf32> {
  %0 = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<48xf32>
  %1 = tfm.reshape %0 : tensor<48xf32> -> tensor<6x2x4xf32>
  return %1 : tensor<6x2x4xf32>
}

// -----

// Tests that a reshape there and back folds away entirely.
// CHECK-LABEL: func.func @fold_reshape_round_trip
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>)
// CHECK-NOT:     tfm.reshape
// CHECK:         return %[[X]]
func.func @fold_reshape_round_trip(%x: tensor<1x6x8xf32>) -> tensor<1x6x8xf32> {
  %0 = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<1x6x2x4xf32>
  %1 = tfm.reshape %0 : tensor<1x6x2x4xf32> -> tensor<1x6x8xf32>
  return %1 : tensor<1x6x8xf32>
}

// -----

// Tests that a reshape of a reshape with another use still folds, leaving
// the inner reshape for its other user.
// CHECK-LABEL: func.func @fold_reshape_of_reshape_multi_use
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>)
// CHECK-DAG:     %[[A:.+]] = tfm.reshape %[[X]] : tensor<1x6x8xf32> -> tensor<48xf32>
// CHECK-DAG:     %[[B:.+]] = tfm.reshape %[[X]] : tensor<1x6x8xf32> -> tensor<6x8xf32>
// CHECK:         return %[[A]], %[[B]]
func.func @fold_reshape_of_reshape_multi_use(%x: tensor<1x6x8xf32>) -> (tensor<48xf32>, tensor<6x8xf32>) {
  %0 = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<48xf32>
  %1 = tfm.reshape %0 : tensor<48xf32> -> tensor<6x8xf32>
  return %0, %1 : tensor<48xf32>, tensor<6x8xf32>
}

// -----

// Tests that a reshape of another op's result does not fold.
// CHECK-LABEL: func.func @negative_fold_reshape_of_relu
// CHECK:         %[[R:.+]] = tfm.relu
// CHECK:         tfm.reshape %[[R]] : tensor<6x8xf32> -> tensor<48xf32>
func.func @negative_fold_reshape_of_relu(%x: tensor<6x8xf32>) -> tensor<48xf32> {
  %0 = tfm.relu %x : tensor<6x8xf32>
  %1 = tfm.reshape %0 : tensor<6x8xf32> -> tensor<48xf32>
  return %1 : tensor<48xf32>
}

// -----

// Tests that a slice of the whole tensor folds away.
// CHECK-LABEL: func.func @fold_slice_whole_tensor
// CHECK-SAME:    (%[[X:.+]]: tensor<6x8xf32>)
// CHECK-NOT:     tfm.slice
// CHECK:         return %[[X]]
func.func @fold_slice_whole_tensor(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.slice %x [0, 0] : tensor<6x8xf32> -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that a slice of part of the tensor stays, even from offset 0.
// CHECK-LABEL: func.func @negative_fold_slice_proper
// CHECK-SAME:    (%[[X:.+]]: tensor<16x8xf32>)
// CHECK:         %[[A:.+]] = tfm.slice %[[X]] [0, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
// CHECK:         %[[B:.+]] = tfm.slice %[[X]] [10, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
// CHECK:         return %[[A]], %[[B]]
func.func @negative_fold_slice_proper(%x: tensor<16x8xf32>) -> (tensor<6x8xf32>, tensor<6x8xf32>) {
  %0 = tfm.slice %x [0, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
  %1 = tfm.slice %x [10, 0] : tensor<16x8xf32> -> tensor<6x8xf32>
  return %0, %1 : tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// Tests that scaling by 1.0 folds away.
// CHECK-LABEL: func.func @fold_scale_by_one
// CHECK-SAME:    (%[[X:.+]]: tensor<6x8xf32>)
// CHECK-NOT:     tfm.scale
// CHECK:         return %[[X]]
func.func @fold_scale_by_one(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.scale %x {factor = 1.0 : f32} : tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that scaling by anything but 1.0 stays.
// CHECK-LABEL: func.func @negative_fold_scale_by_half
// CHECK:         tfm.scale %{{.+}} {factor = 5.000000e-01 : f32}
func.func @negative_fold_scale_by_half(%x: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %0 = tfm.scale %x {factor = 0.5 : f32} : tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

// Tests that an unused tfm op is erased (every op is Pure).
// CHECK-LABEL: func.func @erase_dead_matmul
// CHECK-NOT:     tfm.
// CHECK:         return
func.func @erase_dead_matmul(%a: tensor<6x4xf32>, %b: tensor<4x5xf32>) {
  %0 = tfm.matmul %a, %b : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
  return
}

// -----

// Tests that reduce_to to the input's own shape folds away, and to another
// shape stays.
// CHECK-LABEL: func.func @fold_reduce_to_same_shape
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6xf32>)
// CHECK:         %[[R:.+]] = tfm.reduce_to %[[X]] : tensor<2x6xf32> -> tensor<6xf32>
// CHECK:         return %[[X]], %[[R]]
func.func @fold_reduce_to_same_shape(%x: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<6xf32>) {
  %0 = tfm.reduce_to %x : tensor<2x6xf32> -> tensor<2x6xf32>
  %1 = tfm.reduce_to %x : tensor<2x6xf32> -> tensor<6xf32>
  return %0, %1 : tensor<2x6xf32>, tensor<6xf32>
}

// -----

// Tests that a dropout at rate 0 folds to its input, and that one without a
// step (a model's own function, before tfm-autodiff gives its gradient the
// training step's) and one with a step stay.
// CHECK-LABEL: func.func @dropout_fold
// CHECK-SAME:    (%[[X:.+]]: tensor<2x8xf32>, %[[S:.+]]: tensor<f32>)
// CHECK:         %[[I:.+]] = tfm.dropout %[[X]] {rate = 1.000000e-01 : f32, seed = 1 : i64}
// CHECK:         %[[D:.+]] = tfm.dropout %[[X]] step %[[S]] {rate = 1.000000e-01 : f32, seed = 2 : i64}
// CHECK-NOT:     tfm.dropout
// CHECK:         return %[[I]], %[[X]], %[[D]]
func.func @dropout_fold(%x: tensor<2x8xf32>, %s: tensor<f32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = tfm.dropout %x {rate = 0.1 : f32, seed = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = tfm.dropout %x step %s {rate = 0.0 : f32} : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = tfm.dropout %x step %s {rate = 0.1 : f32, seed = 2 : i64} : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  return %0, %1, %2 : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}
