// RUN: tfm-opt %s --split-input-file | tfm-opt --split-input-file | FileCheck %s

// Tests that a plain 2-D matmul round-trips.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME:    (%[[A:.+]]: tensor<6x4xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK:         %[[R:.+]] = tfm.matmul %[[A]], %[[B]] : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
// CHECK:         return %[[R]]
func.func @matmul_2d(%a: tensor<6x4xf32>, %b: tensor<4x5xf32>) -> tensor<6x5xf32> {
  %0 = tfm.matmul %a, %b : (tensor<6x4xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
  return %0 : tensor<6x5xf32>
}

// -----

// Tests that transpose_a and transpose_b round-trip, alone and together.
// CHECK-LABEL: func.func @matmul_transposes
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} {transpose_a} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} {transpose_b} : (tensor<6x4xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} {transpose_a, transpose_b} : (tensor<4x6xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
func.func @matmul_transposes(%at: tensor<4x6xf32>, %a: tensor<6x4xf32>,
                             %b: tensor<4x5xf32>, %bt: tensor<5x4xf32>)
    -> (tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>) {
  %0 = tfm.matmul %at, %b {transpose_a} : (tensor<4x6xf32>, tensor<4x5xf32>) -> tensor<6x5xf32>
  %1 = tfm.matmul %a, %bt {transpose_b} : (tensor<6x4xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
  %2 = tfm.matmul %at, %bt {transpose_a, transpose_b} : (tensor<4x6xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
  return %0, %1, %2 : tensor<6x5xf32>, tensor<6x5xf32>, tensor<6x5xf32>
}

// -----

// Tests that batch dimensions broadcast: a missing batch dimension (a 2-D
// weight) and a size-1 batch dimension against a larger one.
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} : (tensor<1x3x6x4xf32>, tensor<2x1x4x5xf32>) -> tensor<2x3x6x5xf32>
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} {transpose_b} : (tensor<1x2x6x3xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32>
func.func @matmul_batch_broadcast(%x: tensor<2x6x4xf32>, %w: tensor<4x5xf32>,
                                  %p: tensor<1x3x6x4xf32>, %q: tensor<2x1x4x5xf32>,
                                  %k: tensor<1x2x6x3xf32>)
    -> (tensor<2x6x5xf32>, tensor<2x3x6x5xf32>, tensor<1x2x6x6xf32>) {
  %0 = tfm.matmul %x, %w : (tensor<2x6x4xf32>, tensor<4x5xf32>) -> tensor<2x6x5xf32>
  %1 = tfm.matmul %p, %q : (tensor<1x3x6x4xf32>, tensor<2x1x4x5xf32>) -> tensor<2x3x6x5xf32>
  %2 = tfm.matmul %k, %k {transpose_b} : (tensor<1x2x6x3xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x6x6xf32>
  return %0, %1, %2 : tensor<2x6x5xf32>, tensor<2x3x6x5xf32>, tensor<1x2x6x6xf32>
}

// -----

// Tests that matmul accepts other float element types.
// CHECK-LABEL: func.func @matmul_f16
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} : (tensor<6x4xf16>, tensor<4x5xf16>) -> tensor<6x5xf16>
func.func @matmul_f16(%a: tensor<6x4xf16>, %b: tensor<4x5xf16>) -> tensor<6x5xf16> {
  %0 = tfm.matmul %a, %b : (tensor<6x4xf16>, tensor<4x5xf16>) -> tensor<6x5xf16>
  return %0 : tensor<6x5xf16>
}

// -----

// Tests that add broadcasts a bias over rows, a size-1 dimension against a
// larger one, and a rank-0 scalar on either side.
// CHECK-LABEL: func.func @add_broadcast
// CHECK:         tfm.add %{{.+}}, %{{.+}} : (tensor<1x6x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
// CHECK:         tfm.add %{{.+}}, %{{.+}} : (tensor<6x1xf32>, tensor<1x8xf32>) -> tensor<6x8xf32>
// CHECK:         tfm.add %{{.+}}, %{{.+}} : (tensor<f32>, tensor<1x6x8xf32>) -> tensor<1x6x8xf32>
// CHECK:         tfm.add %{{.+}}, %{{.+}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
func.func @add_broadcast(%x: tensor<1x6x8xf32>, %bias: tensor<8xf32>,
                         %c: tensor<6x1xf32>, %r: tensor<1x8xf32>, %s: tensor<f32>)
    -> (tensor<1x6x8xf32>, tensor<6x8xf32>, tensor<1x6x8xf32>, tensor<f32>) {
  %0 = tfm.add %x, %bias : (tensor<1x6x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
  %1 = tfm.add %c, %r : (tensor<6x1xf32>, tensor<1x8xf32>) -> tensor<6x8xf32>
  %2 = tfm.add %s, %x : (tensor<f32>, tensor<1x6x8xf32>) -> tensor<1x6x8xf32>
  %3 = tfm.add %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0, %1, %2, %3 : tensor<1x6x8xf32>, tensor<6x8xf32>, tensor<1x6x8xf32>, tensor<f32>
}

// -----

// Tests that mul broadcasts like add, including a rank-0 scalar operand.
// CHECK-LABEL: func.func @mul_broadcast
// CHECK:         tfm.mul %{{.+}}, %{{.+}} : (tensor<1x6x8xf32>, tensor<f32>) -> tensor<1x6x8xf32>
// CHECK:         tfm.mul %{{.+}}, %{{.+}} : (tensor<2x1x8xf32>, tensor<6x1xf32>) -> tensor<2x6x8xf32>
func.func @mul_broadcast(%x: tensor<1x6x8xf32>, %s: tensor<f32>,
                         %a: tensor<2x1x8xf32>, %b: tensor<6x1xf32>)
    -> (tensor<1x6x8xf32>, tensor<2x6x8xf32>) {
  %0 = tfm.mul %x, %s : (tensor<1x6x8xf32>, tensor<f32>) -> tensor<1x6x8xf32>
  %1 = tfm.mul %a, %b : (tensor<2x1x8xf32>, tensor<6x1xf32>) -> tensor<2x6x8xf32>
  return %0, %1 : tensor<1x6x8xf32>, tensor<2x6x8xf32>
}

// -----

// Tests that scale keeps its factor and relu its single type.
// CHECK-LABEL: func.func @scale_relu
// CHECK:         %[[S:.+]] = tfm.scale %{{.+}} {factor = 0.577350259 : f32} : tensor<1x2x6x6xf32>
// CHECK:         tfm.relu %[[S]] : tensor<1x2x6x6xf32>
func.func @scale_relu(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %0 = tfm.scale %x {factor = 0.577350259 : f32} : tensor<1x2x6x6xf32>
  %1 = tfm.relu %0 : tensor<1x2x6x6xf32>
  return %1 : tensor<1x2x6x6xf32>
}

// -----

// Tests that softmax keeps a negative and a positive axis as written.
// CHECK-LABEL: func.func @softmax_axes
// CHECK:         tfm.softmax %{{.+}} {axis = -1 : i64} : tensor<1x2x6x6xf32>
// CHECK:         tfm.softmax %{{.+}} {axis = 1 : i64} : tensor<1x2x6x6xf32>
// CHECK:         tfm.softmax %{{.+}} {axis = -4 : i64} : tensor<1x2x6x6xf32>
func.func @softmax_axes(%x: tensor<1x2x6x6xf32>)
    -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>) {
  %0 = tfm.softmax %x {axis = -1 : i64} : tensor<1x2x6x6xf32>
  %1 = tfm.softmax %x {axis = 1 : i64} : tensor<1x2x6x6xf32>
  %2 = tfm.softmax %x {axis = -4 : i64} : tensor<1x2x6x6xf32>
  return %0, %1, %2 : tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>
}

// -----

// Tests that layer_norm round-trips with its epsilon.
// CHECK-LABEL: func.func @layer_norm_rank3
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>, %[[G:.+]]: tensor<8xf32>, %[[B:.+]]: tensor<8xf32>)
// CHECK:         tfm.layer_norm %[[X]], %[[G]], %[[B]] {epsilon = 9.99999974E-6 : f32} : (tensor<1x6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
func.func @layer_norm_rank3(%x: tensor<1x6x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<1x6x8xf32> {
  %0 = tfm.layer_norm %x, %g, %b {epsilon = 9.99999974e-06 : f32}
      : (tensor<1x6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Tests that gelu round-trips with the default approximation (printed
// without the attribute, also when written out) and with tanh.
// CHECK-LABEL: func.func @gelu_approximations
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x24xf32>)
// CHECK:         %[[A:.+]] = tfm.gelu %[[X]] : tensor<1x6x24xf32>
// CHECK:         %[[B:.+]] = tfm.gelu %[[X]] : tensor<1x6x24xf32>
// CHECK:         %[[C:.+]] = tfm.gelu %[[X]] {approximate = "tanh"} : tensor<1x6x24xf32>
// CHECK:         return %[[A]], %[[B]], %[[C]]
func.func @gelu_approximations(%x: tensor<1x6x24xf32>)
    -> (tensor<1x6x24xf32>, tensor<1x6x24xf32>, tensor<1x6x24xf32>) {
  %0 = tfm.gelu %x : tensor<1x6x24xf32>
  %1 = tfm.gelu %x {approximate = "none"} : tensor<1x6x24xf32>
  %2 = tfm.gelu %x {approximate = "tanh"} : tensor<1x6x24xf32>
  return %0, %1, %2 : tensor<1x6x24xf32>, tensor<1x6x24xf32>, tensor<1x6x24xf32>
}

// -----

// Tests that sigmoid and silu round-trip.
// CHECK-LABEL: func.func @sigmoid_silu
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x24xf32>)
// CHECK:         %[[A:.+]] = tfm.sigmoid %[[X]] : tensor<1x6x24xf32>
// CHECK:         %[[B:.+]] = tfm.silu %[[A]] : tensor<1x6x24xf32>
// CHECK:         return %[[B]]
func.func @sigmoid_silu(%x: tensor<1x6x24xf32>) -> tensor<1x6x24xf32> {
  %0 = tfm.sigmoid %x : tensor<1x6x24xf32>
  %1 = tfm.silu %0 : tensor<1x6x24xf32>
  return %1 : tensor<1x6x24xf32>
}

// -----

// Tests that log_softmax keeps a negative and a positive axis as written.
// CHECK-LABEL: func.func @log_softmax_axes
// CHECK:         tfm.log_softmax %{{.+}} {axis = -1 : i64} : tensor<1x6x41xf32>
// CHECK:         tfm.log_softmax %{{.+}} {axis = 0 : i64} : tensor<1x6x41xf32>
func.func @log_softmax_axes(%x: tensor<1x6x41xf32>) -> (tensor<1x6x41xf32>, tensor<1x6x41xf32>) {
  %0 = tfm.log_softmax %x {axis = -1 : i64} : tensor<1x6x41xf32>
  %1 = tfm.log_softmax %x {axis = 0 : i64} : tensor<1x6x41xf32>
  return %0, %1 : tensor<1x6x41xf32>, tensor<1x6x41xf32>
}

// -----

// Tests that rms_norm round-trips with its epsilon.
// CHECK-LABEL: func.func @rms_norm_rank3
// CHECK-SAME:    (%[[X:.+]]: tensor<1x6x8xf32>, %[[G:.+]]: tensor<8xf32>)
// CHECK:         %[[R:.+]] = tfm.rms_norm %[[X]], %[[G]] {epsilon = 9.99999997E-7 : f32} : (tensor<1x6x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
// CHECK:         return %[[R]]
func.func @rms_norm_rank3(%x: tensor<1x6x8xf32>, %g: tensor<8xf32>) -> tensor<1x6x8xf32> {
  %0 = tfm.rms_norm %x, %g {epsilon = 9.99999997e-07 : f32}
      : (tensor<1x6x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
  return %0 : tensor<1x6x8xf32>
}

// -----

// Tests that mask round-trips causal only, i32 lengths only, and i64 lengths
// with causal.
// CHECK-LABEL: func.func @mask_forms
// CHECK-SAME:    (%[[S:.+]]: tensor<2x4x6x6xf32>, %[[L32:.+]]: tensor<2xi32>, %[[L64:.+]]: tensor<2xi64>)
// CHECK:         tfm.mask %[[S]] {causal} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
// CHECK:         tfm.mask %[[S]], %[[L32]] : (tensor<2x4x6x6xf32>, tensor<2xi32>) -> tensor<2x4x6x6xf32>
// CHECK:         tfm.mask %[[S]], %[[L64]] {causal} : (tensor<2x4x6x6xf32>, tensor<2xi64>) -> tensor<2x4x6x6xf32>
func.func @mask_forms(%s: tensor<2x4x6x6xf32>, %l32: tensor<2xi32>, %l64: tensor<2xi64>)
    -> (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>) {
  %0 = tfm.mask %s {causal} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  %1 = tfm.mask %s, %l32 : (tensor<2x4x6x6xf32>, tensor<2xi32>) -> tensor<2x4x6x6xf32>
  %2 = tfm.mask %s, %l64 {causal} : (tensor<2x4x6x6xf32>, tensor<2xi64>) -> tensor<2x4x6x6xf32>
  return %0, %1, %2 : tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>
}

// -----

// Tests that a sliding window round-trips with causal and lengths, and that
// window = 0 (none) is the default, printed without it.
// CHECK-LABEL: func.func @mask_window
// CHECK:         tfm.mask %{{.+}} {causal, window = 4 : i64} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
// CHECK:         tfm.mask %{{.+}}, %{{.+}} {causal, window = 1 : i64} : (tensor<2x4x6x6xf32>, tensor<2xi32>) -> tensor<2x4x6x6xf32>
// CHECK:         tfm.mask %{{.+}} {causal} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} {causal, scale = 1.250000e-01 : f32, window = 4 : i64}
func.func @mask_window(%s: tensor<2x4x6x6xf32>, %l: tensor<2xi32>, %q: tensor<2x4x6x8xf32>)
    -> (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>, tensor<2x4x6x8xf32>) {
  %0 = tfm.mask %s {causal, window = 4 : i64} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  %1 = tfm.mask %s, %l {causal, window = 1 : i64} : (tensor<2x4x6x6xf32>, tensor<2xi32>) -> tensor<2x4x6x6xf32>
  %2 = tfm.mask %s {causal, window = 0 : i64} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  %o, %lse = tfm.flash_attention %q, %q, %q {causal, scale = 0.125 : f32, window = 4 : i64}
      : (tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>) -> (tensor<2x4x6x8xf32>, tensor<2x4x6xf32>)
  return %0, %1, %2, %o : tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>, tensor<2x4x6x8xf32>
}

// -----

// Tests that a causal mask takes rank-2 scores and fewer queries than keys.
// CHECK-LABEL: func.func @mask_causal_rank2
// CHECK:         tfm.mask %{{.+}} {causal} : (tensor<2x6xf32>) -> tensor<2x6xf32>
func.func @mask_causal_rank2(%s: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %0 = tfm.mask %s {causal} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Tests that flash_attention round-trips without a mask, with lengths and
// causal, with a bias, and with both lengths and a bias, and that its two
// results are the output [..., Tq, Dv] and the log-sum-exp [..., Tq].
// CHECK-LABEL: func.func @flash_attention_forms
// CHECK-SAME:    (%[[Q:.+]]: tensor<2x4x6x8xf32>, %[[K:.+]]: tensor<2x4x10x8xf32>, %[[V:.+]]: tensor<2x4x10x16xf32>, %[[L:.+]]: tensor<2xi32>, %[[B:.+]]: tensor<6x10xf32>)
// CHECK:         %[[O0:.+]], %{{.+}} = tfm.flash_attention %[[Q]], %[[K]], %[[V]] {scale = 3.535530e-01 : f32} : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
// CHECK:         %[[O1:.+]], %{{.+}} = tfm.flash_attention %[[Q]], %[[K]], %[[V]] lengths %[[L]] {causal, scale = 1.250000e-01 : f32} : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>, tensor<2xi32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
// CHECK:         %[[O2:.+]], %{{.+}} = tfm.flash_attention %[[Q]], %[[K]], %[[V]] bias %[[B]] {scale = 1.000000e+00 : f32} : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>, tensor<6x10xf32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
// CHECK:         %[[O3:.+]], %[[LSE3:.+]] = tfm.flash_attention %[[Q]], %[[K]], %[[V]] lengths %[[L]] bias %[[B]] {causal, scale = -5.000000e-01 : f32} : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>, tensor<2xi32>, tensor<6x10xf32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
// CHECK:         return %[[O0]], %[[O1]], %[[O2]], %[[O3]], %[[LSE3]]
func.func @flash_attention_forms(%q: tensor<2x4x6x8xf32>, %k: tensor<2x4x10x8xf32>, %v: tensor<2x4x10x16xf32>,
                                 %l: tensor<2xi32>, %b: tensor<6x10xf32>)
    -> (tensor<2x4x6x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6xf32>) {
  %o0, %lse0 = tfm.flash_attention %q, %k, %v {scale = 0.353553 : f32}
      : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
  %o1, %lse1 = tfm.flash_attention %q, %k, %v lengths %l {causal, scale = 0.125 : f32}
      : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>, tensor<2xi32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
  %o2, %lse2 = tfm.flash_attention %q, %k, %v bias %b {scale = 1.0 : f32}
      : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>, tensor<6x10xf32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
  %o3, %lse3 = tfm.flash_attention %q, %k, %v lengths %l bias %b {causal, scale = -0.5 : f32}
      : (tensor<2x4x6x8xf32>, tensor<2x4x10x8xf32>, tensor<2x4x10x16xf32>, tensor<2xi32>, tensor<6x10xf32>) -> (tensor<2x4x6x16xf32>, tensor<2x4x6xf32>)
  return %o0, %o1, %o2, %o3, %lse3 : tensor<2x4x6x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6x16xf32>, tensor<2x4x6xf32>
}

// -----

// Tests that flash_attention takes key and value heads shared by groups of
// query heads (size-1 batch dimensions), unbatched operands, and an i64
// lengths.
// CHECK-LABEL: func.func @flash_attention_shared_heads
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} lengths %{{.+}} {scale = 2.500000e-01 : f32} : (tensor<2x2x3x6x8xf32>, tensor<2x2x1x6x8xf32>, tensor<1x6x8xf32>, tensor<2xi64>) -> (tensor<2x2x3x6x8xf32>, tensor<2x2x3x6xf32>)
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} {scale = 2.500000e-01 : f32} : (tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>) -> (tensor<6x8xf32>, tensor<6xf32>)
func.func @flash_attention_shared_heads(%q: tensor<2x2x3x6x8xf32>, %k: tensor<2x2x1x6x8xf32>, %v: tensor<1x6x8xf32>,
                                        %l: tensor<2xi64>, %x: tensor<6x8xf32>)
    -> (tensor<2x2x3x6x8xf32>, tensor<6x8xf32>) {
  %o, %lse = tfm.flash_attention %q, %k, %v lengths %l {scale = 0.25 : f32}
      : (tensor<2x2x3x6x8xf32>, tensor<2x2x1x6x8xf32>, tensor<1x6x8xf32>, tensor<2xi64>) -> (tensor<2x2x3x6x8xf32>, tensor<2x2x3x6xf32>)
  %o2, %lse2 = tfm.flash_attention %x, %x, %x {scale = 0.25 : f32}
      : (tensor<6x8xf32>, tensor<6x8xf32>, tensor<6x8xf32>) -> (tensor<6x8xf32>, tensor<6xf32>)
  return %o, %o2 : tensor<2x2x3x6x8xf32>, tensor<6x8xf32>
}

// -----

// Tests that select round-trips with a condition, scores and a scalar -inf
// that broadcast to the scores' shape.
// CHECK-LABEL: func.func @select_broadcast
// CHECK-SAME:    (%[[C:.+]]: tensor<6x6xi1>, %[[S:.+]]: tensor<1x2x6x6xf32>, %[[N:.+]]: tensor<f32>)
// CHECK:         %[[R:.+]] = tfm.select %[[C]], %[[S]], %[[N]] : (tensor<6x6xi1>, tensor<1x2x6x6xf32>, tensor<f32>) -> tensor<1x2x6x6xf32>
// CHECK:         return %[[R]]
func.func @select_broadcast(%c: tensor<6x6xi1>, %s: tensor<1x2x6x6xf32>, %n: tensor<f32>) -> tensor<1x2x6x6xf32> {
  %0 = tfm.select %c, %s, %n : (tensor<6x6xi1>, tensor<1x2x6x6xf32>, tensor<f32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// Tests that rope round-trips with the default base, offset and pairing
// (printed without them, also when written out) and with each given.
// CHECK-LABEL: func.func @rope_base_offset
// CHECK-SAME:    (%[[X:.+]]: tensor<1x8x6x16xf32>)
// CHECK:         tfm.rope %[[X]] : tensor<1x8x6x16xf32>
// CHECK:         tfm.rope %[[X]] : tensor<1x8x6x16xf32>
// CHECK:         tfm.rope %[[X]] {base = 5.000000e+05 : f32, offset = 3 : i64} : tensor<1x8x6x16xf32>
// CHECK:         tfm.rope %[[X]] {interleaved = true} : tensor<1x8x6x16xf32>
func.func @rope_base_offset(%x: tensor<1x8x6x16xf32>)
    -> (tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>) {
  %0 = tfm.rope %x : tensor<1x8x6x16xf32>
  %1 = tfm.rope %x {base = 1.000000e+04 : f32, offset = 0 : i64, interleaved = false} : tensor<1x8x6x16xf32>
  %2 = tfm.rope %x {base = 5.0e+05 : f32, offset = 3 : i64} : tensor<1x8x6x16xf32>
  %3 = tfm.rope %x {interleaved = true} : tensor<1x8x6x16xf32>
  return %0, %1, %2, %3 : tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>, tensor<1x8x6x16xf32>
}

// -----

// Tests that sinusoidal_positions round-trips with the default offset and
// with one given.
// CHECK-LABEL: func.func @sinusoidal_positions_offset
// CHECK:         tfm.sinusoidal_positions : tensor<6x512xf32>
// CHECK:         tfm.sinusoidal_positions {offset = 4 : i64} : tensor<6x512xf32>
func.func @sinusoidal_positions_offset() -> (tensor<6x512xf32>, tensor<6x512xf32>) {
  %0 = tfm.sinusoidal_positions : tensor<6x512xf32>
  %1 = tfm.sinusoidal_positions {offset = 4 : i64} : tensor<6x512xf32>
  return %0, %1 : tensor<6x512xf32>, tensor<6x512xf32>
}

// -----

// Tests that embedding takes i32 and i64 ids, and rank-0 ids.
// CHECK-LABEL: func.func @embedding_ids
// CHECK:         tfm.embedding %{{.+}}, %{{.+}} : (tensor<32x8xf32>, tensor<1x6xi32>) -> tensor<1x6x8xf32>
// CHECK:         tfm.embedding %{{.+}}, %{{.+}} : (tensor<32x8xf32>, tensor<1x6xi64>) -> tensor<1x6x8xf32>
// CHECK:         tfm.embedding %{{.+}}, %{{.+}} : (tensor<32x8xf32>, tensor<i64>) -> tensor<8xf32>
func.func @embedding_ids(%table: tensor<32x8xf32>, %ids32: tensor<1x6xi32>,
                         %ids64: tensor<1x6xi64>, %id: tensor<i64>)
    -> (tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<8xf32>) {
  %0 = tfm.embedding %table, %ids32 : (tensor<32x8xf32>, tensor<1x6xi32>) -> tensor<1x6x8xf32>
  %1 = tfm.embedding %table, %ids64 : (tensor<32x8xf32>, tensor<1x6xi64>) -> tensor<1x6x8xf32>
  %2 = tfm.embedding %table, %id : (tensor<32x8xf32>, tensor<i64>) -> tensor<8xf32>
  return %0, %1, %2 : tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<8xf32>
}

// -----

// Tests that transpose round-trips its permutation.
// CHECK-LABEL: func.func @transpose_heads
// CHECK:         tfm.transpose %{{.+}}, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x2x6x4xf32>
func.func @transpose_heads(%x: tensor<1x6x2x4xf32>) -> tensor<1x2x6x4xf32> {
  %0 = tfm.transpose %x, [0, 2, 1, 3] : tensor<1x6x2x4xf32> -> tensor<1x2x6x4xf32>
  return %0 : tensor<1x2x6x4xf32>
}

// -----

// Tests that slice round-trips its offsets, including a rank-0 slice of
// nothing.
// CHECK-LABEL: func.func @slice_offsets
// CHECK-SAME:    (%[[T:.+]]: tensor<16x8xf32>, %[[S:.+]]: tensor<f64>)
// CHECK:         tfm.slice %[[T]] [2, 4] : tensor<16x8xf32> -> tensor<6x4xf32>
// CHECK:         tfm.slice %[[S]] [] : tensor<f64> -> tensor<f64>
func.func @slice_offsets(%t: tensor<16x8xf32>, %s: tensor<f64>) -> (tensor<6x4xf32>, tensor<f64>) {
  %0 = tfm.slice %t [2, 4] : tensor<16x8xf32> -> tensor<6x4xf32>
  %1 = tfm.slice %s [] : tensor<f64> -> tensor<f64>
  return %0, %1 : tensor<6x4xf32>, tensor<f64>
}

// -----

// Tests that reshape round-trips, including to and from rank 0.
// CHECK-LABEL: func.func @reshape_ranks
// CHECK:         tfm.reshape %{{.+}} : tensor<1x6x8xf32> -> tensor<1x6x2x4xf32>
// CHECK:         tfm.reshape %{{.+}} : tensor<f32> -> tensor<1x1xf32>
// CHECK:         tfm.reshape %{{.+}} : tensor<1x1x1xf32> -> tensor<f32>
func.func @reshape_ranks(%x: tensor<1x6x8xf32>, %s: tensor<f32>, %o: tensor<1x1x1xf32>)
    -> (tensor<1x6x2x4xf32>, tensor<1x1xf32>, tensor<f32>) {
  %0 = tfm.reshape %x : tensor<1x6x8xf32> -> tensor<1x6x2x4xf32>
  %1 = tfm.reshape %s : tensor<f32> -> tensor<1x1xf32>
  %2 = tfm.reshape %o : tensor<1x1x1xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<1x6x2x4xf32>, tensor<1x1xf32>, tensor<f32>
}

// -----

// Tests that the tfm.input, tfm.param and tfm.output names round-trip.
// CHECK-LABEL: func.func @names_ffn
// CHECK-SAME:    (%{{.+}}: tensor<1x6x8xf32> {tfm.input = "x"}, %{{.+}}: tensor<8x8xf32> {tfm.param = "w"})
// CHECK-SAME:    -> (tensor<1x6x8xf32> {tfm.output = "y"})
func.func @names_ffn(%x: tensor<1x6x8xf32> {tfm.input = "x"},
                     %w: tensor<8x8xf32> {tfm.param = "w"})
    -> (tensor<1x6x8xf32> {tfm.output = "y"}) {
  %0 = tfm.matmul %x, %w : (tensor<1x6x8xf32>, tensor<8x8xf32>) -> tensor<1x6x8xf32>
  %1 = tfm.relu %0 : tensor<1x6x8xf32>
  return %1 : tensor<1x6x8xf32>
}

// -----

// Tests that the generic form, as the DSL traces it, parses into the custom
// form.
// CHECK-LABEL: func.func @generic_form
// CHECK:         tfm.matmul %{{.+}}, %{{.+}} {transpose_b} : (tensor<6x4xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
// CHECK:         tfm.softmax %{{.+}} {axis = -1 : i64} : tensor<6x5xf32>
func.func @generic_form(%a: tensor<6x4xf32>, %b: tensor<5x4xf32>) -> tensor<6x5xf32> {
  %0 = "tfm.matmul"(%a, %b) <{transpose_b}> : (tensor<6x4xf32>, tensor<5x4xf32>) -> tensor<6x5xf32>
  %1 = "tfm.softmax"(%0) {axis = -1 : i64} : (tensor<6x5xf32>) -> tensor<6x5xf32>
  return %1 : tensor<6x5xf32>
}

// -----

// Tests that the generic forms the DSL traces for mask, rope and
// sinusoidal_positions parse into the custom forms, with default-valued
// attributes dropped.
// CHECK-LABEL: func.func @generic_form_positions
// CHECK:         tfm.mask %{{.+}} {causal} : (tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
// CHECK:         tfm.rope %{{.+}} {offset = 2 : i64} : tensor<1x2x6x4xf32>
// CHECK:         tfm.sinusoidal_positions : tensor<6x4xf32>
func.func @generic_form_positions(%s: tensor<1x2x6x6xf32>, %x: tensor<1x2x6x4xf32>)
    -> (tensor<1x2x6x6xf32>, tensor<1x2x6x4xf32>, tensor<6x4xf32>) {
  %0 = "tfm.mask"(%s) {causal} : (tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %1 = "tfm.rope"(%x) {base = 1.000000e+04 : f32, offset = 2 : i64} : (tensor<1x2x6x4xf32>) -> tensor<1x2x6x4xf32>
  %2 = "tfm.sinusoidal_positions"() {offset = 0 : i64} : () -> tensor<6x4xf32>
  return %0, %1, %2 : tensor<1x2x6x6xf32>, tensor<1x2x6x4xf32>, tensor<6x4xf32>
}

// -----

// Tests that dropout round-trips with and without a step, its seed 0 the
// default.
// CHECK-LABEL: func.func @dropout_forms
// CHECK:         tfm.dropout %{{.+}} {rate = 1.000000e-01 : f32} : (tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
// CHECK:         tfm.dropout %{{.+}} step %{{.+}} {rate = 5.000000e-01 : f32, seed = 7 : i64} : (tensor<2x6x8xf32>, tensor<f32>) -> tensor<2x6x8xf32>
func.func @dropout_forms(%x: tensor<2x6x8xf32>, %s: tensor<f32>) -> (tensor<2x6x8xf32>, tensor<2x6x8xf32>) {
  %0 = tfm.dropout %x {rate = 0.1 : f32, seed = 0 : i64} : (tensor<2x6x8xf32>) -> tensor<2x6x8xf32>
  %1 = tfm.dropout %x step %s {rate = 0.5 : f32, seed = 7 : i64} : (tensor<2x6x8xf32>, tensor<f32>) -> tensor<2x6x8xf32>
  return %0, %1 : tensor<2x6x8xf32>, tensor<2x6x8xf32>
}
