// Cases are written with tfm ops and take their linalg form from
// --convert-tfm-to-linalg.
// RUN: tfm-opt %s --split-input-file --convert-tfm-to-linalg --tfm-fuse-elementwise | FileCheck %s

// Tests that scale, bias and activation become one loop nest: the three
// generics fuse into one whose body multiplies, adds and takes the max.
// CHECK-LABEL: func.func @fuse_scale_bias_relu
// CHECK-SAME:    (%[[X:.+]]: tensor<4x16xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[B]] : tensor<4x16xf32>, tensor<16xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK:           linalg.yield
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]]
func.func @fuse_scale_bias_relu(%x: tensor<4x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = tfm.scale %x {factor = 0.5 : f32} : tensor<4x16xf32>
  %1 = tfm.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %2 = tfm.relu %1 : tensor<4x16xf32>
  return %2 : tensor<4x16xf32>
}

// -----

// Tests that an elementwise producer is not fused into a matmul (a consumer
// with a reduction): fused, it would be recomputed once per output column.
// The matmul keeps reading the producer's result.
// CHECK-LABEL: func.func @negative_fuse_into_reduction
// CHECK:         %[[E:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK:           arith.maximumf
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[E]], %{{.+}} : tensor<8x8xf32>, tensor<8x16xf32>)
// CHECK-NOT:       arith.maximumf
// CHECK:         return
func.func @negative_fuse_into_reduction(%x: tensor<8x8xf32>, %v: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %e = tfm.relu %x : tensor<8x8xf32>
  %o = tfm.matmul %e, %v : (tensor<8x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %o : tensor<8x16xf32>
}

// -----

// Tests that a producer with a second use is not fused, so it is computed
// once: both the relu and the function's return read the scale's result.
// CHECK-LABEL: func.func @negative_fuse_shared_producer
// CHECK:         %[[S:.+]] = linalg.generic
// CHECK:           arith.mulf
// CHECK:         %[[R:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[S]] : tensor<4x16xf32>)
// CHECK-NOT:       arith.mulf
// CHECK:           arith.maximumf
// CHECK:         return %[[S]], %[[R]]
func.func @negative_fuse_shared_producer(%x: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %0 = tfm.scale %x {factor = 0.5 : f32} : tensor<4x16xf32>
  %1 = tfm.relu %0 : tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}
