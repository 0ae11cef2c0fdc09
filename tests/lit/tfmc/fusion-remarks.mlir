// RUN: tfmc %s --emit=linalg --fusion-remarks -o /dev/null 2>&1 | FileCheck %s
// RUN: tfmc %s --emit=linalg -o /dev/null 2>&1 | FileCheck %s --allow-empty --check-prefix=QUIET

// Tests that --fusion-remarks says, at the line of the matmul of the
// probabilities, why an attention was left unfused (here its probabilities
// are also returned), says nothing of one that fused, and that tfmc still
// succeeds; without the flag it says nothing.
// CHECK-NOT:   remark:
// CHECK:       fusion-remarks.mlir:[[@LINE+13]]:9: remark: attention not fused: probabilities have another use
// CHECK-NOT:   remark:
// QUIET-NOT:   remark:
func.func @two(%q: tensor<1x2x8x16xf32> {tfm.input = "q"}, %k: tensor<1x2x8x16xf32> {tfm.input = "k"},
               %v: tensor<1x2x8x16xf32> {tfm.input = "v"})
    -> (tensor<1x2x8x16xf32> {tfm.output = "fused"}, tensor<1x2x8x16xf32> {tfm.output = "unfused"},
        tensor<1x2x8x8xf32> {tfm.output = "probs"}) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x8xf32>
  %p = tfm.softmax %s {axis = -1 : i64} : tensor<1x2x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  %s2 = tfm.matmul %q, %k {transpose_b} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x8xf32>
  %c2 = tfm.scale %s2 {factor = 0.25 : f32} : tensor<1x2x8x8xf32>
  %p2 = tfm.softmax %c2 {axis = -1 : i64} : tensor<1x2x8x8xf32>
  %o2 = tfm.matmul %p2, %v : (tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o, %o2, %p2 : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x8xf32>
}
