// RUN: tfm-opt %s --split-input-file --tfm-fuse-attention | FileCheck %s
// RUN: tfm-opt %s --split-input-file --tfm-fuse-attention="remarks=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// With remarks=true every refusal below says why, in order, at the matmul of
// the probabilities; what fuses (and the log_softmax, which is not attention)
// says nothing.
// REMARK-NOT:  remark:

// Tests that the chain the DSL traces (QK^T as transpose_b, scale, causal
// mask, softmax over the keys, PV) becomes one causal flash_attention of the
// same Q, K and V with the scale as its attribute.
// CHECK-LABEL: func.func @fuse_attention_dsl_chain
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[V:[a-z0-9]+]]: tensor<2x4x8x16xf32>)
// CHECK-NOT:     tfm.matmul
// CHECK-NOT:     tfm.softmax
// CHECK:         %[[O:.+]], %{{.+}} = tfm.flash_attention %[[Q]], %[[K]], %[[V]] {causal, scale = 2.500000e-01 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
// CHECK-NOT:     tfm.
// CHECK:         return %[[O]]
func.func @fuse_attention_dsl_chain(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.mask %c {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a sliding-window mask (the DSL's sliding_window<3>) fuses with
// its window, and that a second causal mask with a narrower window keeps the
// narrower (the keys both allow).
// CHECK-LABEL: func.func @fuse_attention_sliding_window
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 2.500000e-01 : f32, window = 3 : i64}
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 2.500000e-01 : f32, window = 2 : i64}
func.func @fuse_attention_sliding_window(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.mask %c {causal, window = 3 : i64} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  %s2 = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c2 = tfm.scale %s2 {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m1 = tfm.mask %c2 {causal, window = 5 : i64} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %m2 = tfm.mask %m1 {causal, window = 2 : i64} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p2 = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o2 = tfm.matmul %p2, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o, %o2 : tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>
}

// -----

// Tests that a constant 0/-inf bias with a sliding window's band (each query
// sees itself and the key before it) and a constant select condition with
// the band of 3 keys become causal with windows 2 and 3, with no bias, as a
// front end that writes masks as tensors traces them.
// CHECK-LABEL: func.func @fuse_attention_window_constants
// CHECK-NOT:     arith.constant
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 2.500000e-01 : f32, window = 2 : i64} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> (tensor<2x4x4x16xf32>, tensor<2x4x4xf32>)
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 2.500000e-01 : f32, window = 3 : i64} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> (tensor<2x4x4x16xf32>, tensor<2x4x4xf32>)
func.func @fuse_attention_window_constants(%q: tensor<2x4x4x16xf32>, %k: tensor<2x4x4x16xf32>, %v: tensor<2x4x4x16xf32>) -> (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) {
  %bias = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0xFF800000, 0.0, 0.0, 0xFF800000], [0xFF800000, 0xFF800000, 0.0, 0.0]]> : tensor<4x4xf32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x4x4xf32>
  %b = tfm.add %c, %bias : (tensor<2x4x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4x4xf32>
  %p = tfm.softmax %b {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  %allowed = arith.constant dense<[[true, false, false, false], [true, true, false, false], [true, true, true, false], [false, true, true, true]]> : tensor<4x4xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s2 = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %c2 = tfm.scale %s2 {factor = 0.25 : f32} : tensor<2x4x4x4xf32>
  %m2 = tfm.select %allowed, %c2, %ninf : (tensor<4x4xi1>, tensor<2x4x4x4xf32>, tensor<f32>) -> tensor<2x4x4x4xf32>
  %p2 = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o2 = tfm.matmul %p2, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %o, %o2 : tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>
}

// -----

// Tests that a scale of Q before QK^T (as when 1/sqrt(d) is folded into the
// query) becomes the op's scale, and Q is read unscaled.
// CHECK-LABEL: func.func @fuse_attention_scale_in_q
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[V:[a-z0-9]+]]: tensor<2x4x8x16xf32>)
// CHECK-NOT:     tfm.scale
// CHECK:         tfm.flash_attention %[[Q]], %[[K]], %[[V]] {causal, scale = 2.500000e-01 : f32}
func.func @fuse_attention_scale_in_q(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %qs = tfm.scale %q {factor = 0.25 : f32} : tensor<2x4x8x16xf32>
  %s = tfm.matmul %qs, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.mask %s {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that attention with no scale (folded into the weights) and no mask
// fuses with scale 1 and neither causal, lengths nor bias.
// CHECK-LABEL: func.func @fuse_attention_no_scale_no_mask
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[V:[a-z0-9]+]]: tensor<2x4x8x16xf32>)
// CHECK:         tfm.flash_attention %[[Q]], %[[K]], %[[V]] {scale = 1.000000e+00 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8xf32>)
func.func @fuse_attention_no_scale_no_mask(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %s {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that positive scales before and after the mask multiply into one
// scale (0.5 x 0.25).
// CHECK-LABEL: func.func @fuse_attention_scale_after_mask
// CHECK-NOT:     tfm.scale
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} {causal, scale = 1.250000e-01 : f32}
func.func @fuse_attention_scale_after_mask(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.5 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.mask %c {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %d = tfm.scale %m {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %d {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a padding mask becomes the lengths operand, without causal.
// CHECK-LABEL: func.func @fuse_attention_padding
// CHECK-SAME:    %[[LEN:[a-z0-9]+]]: tensor<2xi32>)
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} lengths %[[LEN]] {scale = 2.500000e-01 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2xi32>)
func.func @fuse_attention_padding(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %len: tensor<2xi32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.mask %c, %len : (tensor<2x4x8x8xf32>, tensor<2xi32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that one mask with both causal and lengths keeps both.
// CHECK-LABEL: func.func @fuse_attention_causal_padding_one_mask
// CHECK-SAME:    %[[LEN:[a-z0-9]+]]: tensor<2xi32>)
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} lengths %[[LEN]] {causal, scale = 2.500000e-01 : f32}
func.func @fuse_attention_causal_padding_one_mask(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %len: tensor<2xi32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.mask %c, %len {causal} : (tensor<2x4x8x8xf32>, tensor<2xi32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a causal mask and a separate padding mask combine into one op
// with causal and lengths.
// CHECK-LABEL: func.func @fuse_attention_causal_padding_two_masks
// CHECK-SAME:    %[[LEN:[a-z0-9]+]]: tensor<2xi32>)
// CHECK-NOT:     tfm.mask
// CHECK:         tfm.flash_attention %{{.+}}, %{{.+}}, %{{.+}} lengths %[[LEN]] {causal, scale = 2.500000e-01 : f32}
func.func @fuse_attention_causal_padding_two_masks(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %len: tensor<2xi32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m1 = tfm.mask %c {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %m2 = tfm.mask %m1, %len : (tensor<2x4x8x8xf32>, tensor<2xi32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that an additive constant bias of 0 on and below the diagonal and
// -inf above it is recognized as causal: no bias operand, so the lowering can
// skip tiles.
// CHECK-LABEL: func.func @fuse_attention_causal_bias_constant
// CHECK-NOT:     arith.constant
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 2.500000e-01 : f32} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> (tensor<2x4x4x16xf32>, tensor<2x4x4xf32>)
func.func @fuse_attention_causal_bias_constant(%q: tensor<2x4x4x16xf32>, %k: tensor<2x4x4x16xf32>, %v: tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32> {
  %bias = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x4x4xf32>
  %b = tfm.add %c, %bias : (tensor<2x4x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4x4xf32>
  %p = tfm.softmax %b {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %o : tensor<2x4x4x16xf32>
}

// -----

// Tests that with fewer queries than keys (2 and 4) the causal pattern is
// j <= i + 2, as tfm.mask's, so such a constant bias is causal too.
// CHECK-LABEL: func.func @fuse_attention_causal_bias_constant_cross
// CHECK-NOT:     arith.constant
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 1.000000e+00 : f32} : (tensor<2x2x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>)
func.func @fuse_attention_causal_bias_constant_cross(%q: tensor<2x2x16xf32>, %k: tensor<2x4x16xf32>, %v: tensor<2x4x16xf32>) -> tensor<2x2x16xf32> {
  %causal = arith.constant dense<[[0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x2x16xf32>, tensor<2x4x16xf32>) -> tensor<2x2x4xf32>
  %b = tfm.add %causal, %s : (tensor<2x4xf32>, tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %p = tfm.softmax %b {axis = -1 : i64} : tensor<2x2x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x2x4xf32>, tensor<2x4x16xf32>) -> tensor<2x2x16xf32>
  return %o : tensor<2x2x16xf32>
}

// -----

// Tests that a constant 0/-inf bias with another pattern (one key more per
// query than causal) is kept as the bias operand, as it is: added after the
// scale, it is not scaled.
// CHECK-LABEL: func.func @fuse_attention_bias_constant_other
// CHECK:         %[[BIAS:.+]] = arith.constant dense<{{\[}}[0.000000e+00, 0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<4x4xf32>
// CHECK-NOT:     tfm.scale
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} bias %[[BIAS]] {scale = 2.500000e-01 : f32} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>, tensor<4x4xf32>)
func.func @fuse_attention_bias_constant_other(%q: tensor<2x4x4x16xf32>, %k: tensor<2x4x4x16xf32>, %v: tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32> {
  %bias = arith.constant dense<[[0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x4x4xf32>
  %b = tfm.add %bias, %c : (tensor<4x4xf32>, tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %p = tfm.softmax %b {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %o : tensor<2x4x4x16xf32>
}

// -----

// Tests that a bias argument added before the scale becomes the bias
// operand, scaled by the scale that followed it (softmax(0.25 (s + b)) =
// softmax(0.25 s + 0.25 b)).
// CHECK-LABEL: func.func @fuse_attention_bias_argument_scaled
// CHECK-SAME:    %[[BIAS:[a-z0-9]+]]: tensor<2x1x8x8xf32>)
// CHECK:         %[[SB:.+]] = tfm.scale %[[BIAS]] {factor = 2.500000e-01 : f32} : tensor<2x1x8x8xf32>
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} bias %[[SB]] {scale = 2.500000e-01 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x1x8x8xf32>)
func.func @fuse_attention_bias_argument_scaled(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %bias: tensor<2x1x8x8xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %b = tfm.add %s, %bias : (tensor<2x4x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %b {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a causal constant bias and a padding bias argument combine:
// causal, and the argument as the bias operand.
// CHECK-LABEL: func.func @fuse_attention_causal_bias_and_padding_bias
// CHECK-SAME:    %[[PAD:[a-z0-9]+]]: tensor<2x1x1x4xf32>)
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} bias %[[PAD]] {causal, scale = 2.500000e-01 : f32}
func.func @fuse_attention_causal_bias_and_padding_bias(%q: tensor<2x4x4x16xf32>, %k: tensor<2x4x4x16xf32>, %v: tensor<2x4x4x16xf32>, %pad: tensor<2x1x1x4xf32>) -> tensor<2x4x4x16xf32> {
  %causal = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x4x4xf32>
  %b1 = tfm.add %c, %causal : (tensor<2x4x4x4xf32>, tensor<4x4xf32>) -> tensor<2x4x4x4xf32>
  %b2 = tfm.add %b1, %pad : (tensor<2x4x4x4xf32>, tensor<2x1x1x4xf32>) -> tensor<2x4x4x4xf32>
  %p = tfm.softmax %b2 {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %o : tensor<2x4x4x16xf32>
}

// -----

// Tests that select(allowed, scores, -inf) with a constant causal condition
// becomes causal, with no bias.
// CHECK-LABEL: func.func @fuse_attention_select_causal_constant
// CHECK-NOT:     tfm.select
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 2.500000e-01 : f32} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> (tensor<2x4x4x16xf32>, tensor<2x4x4xf32>)
func.func @fuse_attention_select_causal_constant(%q: tensor<2x4x4x16xf32>, %k: tensor<2x4x4x16xf32>, %v: tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32> {
  %allowed = arith.constant dense<[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x4x4xf32>
  %m = tfm.select %allowed, %c, %ninf : (tensor<4x4xi1>, tensor<2x4x4x4xf32>, tensor<f32>) -> tensor<2x4x4x4xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %o : tensor<2x4x4x16xf32>
}

// -----

// Tests that select(allowed, scores, -inf) with a condition argument becomes
// the bias select(allowed, 0, -inf), of the condition's shape.
// CHECK-LABEL: func.func @fuse_attention_select_argument
// CHECK-SAME:    %[[ALLOWED:[a-z0-9]+]]: tensor<2x1x1x8xi1>)
// CHECK-DAG:     %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG:     %[[NINF:.+]] = arith.constant dense<0xFF800000> : tensor<f32>
// CHECK:         %[[BIAS:.+]] = tfm.select %[[ALLOWED]], %[[ZERO]], %[[NINF]] : (tensor<2x1x1x8xi1>, tensor<f32>, tensor<f32>) -> tensor<2x1x1x8xf32>
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} bias %[[BIAS]] {scale = 2.500000e-01 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x1x1x8xf32>)
func.func @fuse_attention_select_argument(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %allowed: tensor<2x1x1x8xi1>) -> tensor<2x4x8x16xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.select %allowed, %c, %ninf : (tensor<2x1x1x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a causal select and a padding select combine: causal, and the
// padding condition as a select bias.
// CHECK-LABEL: func.func @fuse_attention_causal_select_padding_select
// CHECK-SAME:    %[[PAD:[a-z0-9]+]]: tensor<2x1x1x4xi1>)
// CHECK:         %[[BIAS:.+]] = tfm.select %[[PAD]], %{{.+}}, %{{.+}} : (tensor<2x1x1x4xi1>, tensor<f32>, tensor<f32>) -> tensor<2x1x1x4xf32>
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} bias %[[BIAS]] {causal, scale = 1.000000e+00 : f32}
func.func @fuse_attention_causal_select_padding_select(%q: tensor<2x4x4x16xf32>, %k: tensor<2x4x4x16xf32>, %v: tensor<2x4x4x16xf32>, %pad: tensor<2x1x1x4xi1>) -> tensor<2x4x4x16xf32> {
  %allowed = arith.constant dense<[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x4xf32>
  %m1 = tfm.select %allowed, %s, %ninf : (tensor<4x4xi1>, tensor<2x4x4x4xf32>, tensor<f32>) -> tensor<2x4x4x4xf32>
  %m2 = tfm.select %pad, %m1, %ninf : (tensor<2x1x1x4xi1>, tensor<2x4x4x4xf32>, tensor<f32>) -> tensor<2x4x4x4xf32>
  %p = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x4x4xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x4x4xf32>, tensor<2x4x4x16xf32>) -> tensor<2x4x4x16xf32>
  return %o : tensor<2x4x4x16xf32>
}

// -----

// Tests that a causal tfm.mask and a padding select combine too.
// CHECK-LABEL: func.func @fuse_attention_mask_and_select
// CHECK-SAME:    %[[PAD:[a-z0-9]+]]: tensor<2x1x1x8xi1>)
// CHECK:         %[[BIAS:.+]] = tfm.select %[[PAD]]
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} bias %[[BIAS]] {causal, scale = 1.000000e+00 : f32}
func.func @fuse_attention_mask_and_select(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %pad: tensor<2x1x1x8xi1>) -> tensor<2x4x8x16xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m1 = tfm.mask %s {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %m2 = tfm.select %pad, %m1, %ninf : (tensor<2x1x1x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that cross-attention fuses: 8 queries over 24 keys, values of
// another width (32), and a padding mask of the source.
// CHECK-LABEL: func.func @fuse_attention_cross
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x4x24x16xf32>, %[[V:[a-z0-9]+]]: tensor<2x4x24x32xf32>, %[[LEN:[a-z0-9]+]]: tensor<2xi32>)
// CHECK:         %[[O:.+]], %{{.+}} = tfm.flash_attention %[[Q]], %[[K]], %[[V]] lengths %[[LEN]] {scale = 2.500000e-01 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x24x16xf32>, tensor<2x4x24x32xf32>, tensor<2xi32>) -> (tensor<2x4x8x32xf32>, tensor<2x4x8xf32>)
// CHECK:         return %[[O]]
func.func @fuse_attention_cross(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x24x16xf32>, %v: tensor<2x4x24x32xf32>, %len: tensor<2xi32>) -> tensor<2x4x8x32xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x24x16xf32>) -> tensor<2x4x8x24xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x24xf32>
  %m = tfm.mask %c, %len : (tensor<2x4x8x24xf32>, tensor<2xi32>) -> tensor<2x4x8x24xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x24xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x24xf32>, tensor<2x4x24x32xf32>) -> tensor<2x4x8x32xf32>
  return %o : tensor<2x4x8x32xf32>
}

// -----

// Tests that grouped-query attention as the DSL writes it, [B, Hkv, G, T, D]
// x [B, Hkv, 1, T, D], fuses with K and V keeping their size-1 group
// dimension (each key and value head is read by its 3 query heads, not
// copied).
// CHECK-LABEL: func.func @fuse_attention_grouped_query
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x2x3x8x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x2x1x8x16xf32>, %[[V:[a-z0-9]+]]: tensor<2x2x1x8x16xf32>)
// CHECK:         tfm.flash_attention %[[Q]], %[[K]], %[[V]] {causal, scale = 2.500000e-01 : f32} : (tensor<2x2x3x8x16xf32>, tensor<2x2x1x8x16xf32>, tensor<2x2x1x8x16xf32>) -> (tensor<2x2x3x8x16xf32>, tensor<2x2x3x8xf32>)
func.func @fuse_attention_grouped_query(%q: tensor<2x2x3x8x16xf32>, %k: tensor<2x2x1x8x16xf32>, %v: tensor<2x2x1x8x16xf32>) -> tensor<2x2x3x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x2x3x8x16xf32>, tensor<2x2x1x8x16xf32>) -> tensor<2x2x3x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x2x3x8x8xf32>
  %m = tfm.mask %c {causal} : (tensor<2x2x3x8x8xf32>) -> tensor<2x2x3x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x2x3x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x2x3x8x8xf32>, tensor<2x2x1x8x16xf32>) -> tensor<2x2x3x8x16xf32>
  return %o : tensor<2x2x3x8x16xf32>
}

// -----

// Tests that K^T given explicitly (matmul without transpose_b) is
// transposed back to K [.., Tk, D] for the op.
// CHECK-LABEL: func.func @fuse_attention_explicit_kt
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[KT:[a-z0-9]+]]: tensor<2x4x16x8xf32>, %[[V:[a-z0-9]+]]: tensor<2x4x8x16xf32>)
// CHECK:         %[[K:.+]] = tfm.transpose %[[KT]], [0, 1, 3, 2] : tensor<2x4x16x8xf32> -> tensor<2x4x8x16xf32>
// CHECK:         tfm.flash_attention %[[Q]], %[[K]], %[[V]] {scale = 2.500000e-01 : f32}
func.func @fuse_attention_explicit_kt(%q: tensor<2x4x8x16xf32>, %kt: tensor<2x4x16x8xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %kt : (tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a value read transposed (PV with transpose_b) is transposed to
// V [.., Tk, Dv] for the op.
// CHECK-LABEL: func.func @fuse_attention_value_transposed
// CHECK-SAME:    (%[[Q:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x4x8x16xf32>, %[[VT:[a-z0-9]+]]: tensor<2x4x32x8xf32>)
// CHECK:         %[[V:.+]] = tfm.transpose %[[VT]], [0, 1, 3, 2] : tensor<2x4x32x8xf32> -> tensor<2x4x8x32xf32>
// CHECK:         tfm.flash_attention %[[Q]], %[[K]], %[[V]] {scale = 2.500000e-01 : f32} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x32xf32>) -> (tensor<2x4x8x32xf32>, tensor<2x4x8xf32>)
func.func @fuse_attention_value_transposed(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %vt: tensor<2x4x32x8xf32>) -> tensor<2x4x8x32xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %vt {transpose_b} : (tensor<2x4x8x8xf32>, tensor<2x4x32x8xf32>) -> tensor<2x4x8x32xf32>
  return %o : tensor<2x4x8x32xf32>
}

// -----

// Tests that unbatched attention fuses: [T, D] operands, the softmax axis
// written as 1.
// CHECK-LABEL: func.func @fuse_attention_unbatched
// CHECK:         tfm.flash_attention %{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %{{[a-z0-9]+}} {causal, scale = 1.000000e+00 : f32} : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8xf32>)
func.func @fuse_attention_unbatched(%q: tensor<8x16xf32>, %k: tensor<8x16xf32>, %v: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x8xf32>
  %m = tfm.mask %s {causal} : (tensor<8x8xf32>) -> tensor<8x8xf32>
  %p = tfm.softmax %m {axis = 1 : i64} : tensor<8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<8x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %o : tensor<8x16xf32>
}

// -----

// Tests that a softmax over the queries (axis 2), not the keys, is not
// fused (refusal: softmax is not over the keys).
// CHECK-LABEL: func.func @negative_fuse_attention_softmax_wrong_axis
// REMARK:      remark: attention not fused: softmax is not over the keys
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_softmax_wrong_axis(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = 2 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that probabilities that are also returned are not fused: fusion
// would not compute them (refusal: probabilities have another use).
// CHECK-LABEL: func.func @negative_fuse_attention_probs_returned
// REMARK:      remark: attention not fused: probabilities have another use
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_probs_returned(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o, %p : tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>
}

// -----

// Tests that scores that are also returned are not fused (refusal: scores
// have another use).
// CHECK-LABEL: func.func @negative_fuse_attention_scores_returned
// REMARK:      remark: attention not fused: scores have another use
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_scores_returned(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o, %s : tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>
}

// -----

// Tests that masked scores with another use (a relu of them) are not fused
// (refusal: scores have another use).
// CHECK-LABEL: func.func @negative_fuse_attention_masked_other_use
// REMARK:      remark: attention not fused: scores have another use
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[M:.+]] = tfm.mask
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK:         tfm.relu %[[M]]
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_masked_other_use(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %m = tfm.mask %c {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  %r = tfm.relu %m : tensor<2x4x8x8xf32>
  return %o, %r : tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>
}

// -----

// Tests that a bias whose add broadcasts the [2, 4, 8, 8] scores to a larger
// [3, 2, 4, 8, 8] is not fused: the op's scores keep the query's batch
// (refusal: a bias that does not broadcast into the scores).
// CHECK-LABEL: func.func @negative_fuse_attention_bias_grows_scores
// REMARK:      remark: attention not fused: an add that broadcasts the scores to another shape
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_bias_grows_scores(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<3x2x4x8x16xf32>, %bias: tensor<3x1x1x8x8xf32>) -> tensor<3x2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %b = tfm.add %s, %bias : (tensor<2x4x8x8xf32>, tensor<3x1x1x8x8xf32>) -> tensor<3x2x4x8x8xf32>
  %p = tfm.softmax %b {axis = -1 : i64} : tensor<3x2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<3x2x4x8x8xf32>, tensor<3x2x4x8x16xf32>) -> tensor<3x2x4x8x16xf32>
  return %o : tensor<3x2x4x8x16xf32>
}

// -----

// Tests that a select whose condition broadcasts the scores to a larger shape
// is not fused (refusal: a select that is not select(allowed, scores,
// -inf)).
// CHECK-LABEL: func.func @negative_fuse_attention_select_grows_scores
// REMARK:      remark: attention not fused: a select that is not select(allowed, scores, -inf)
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_select_grows_scores(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<3x2x4x8x16xf32>, %c: tensor<3x1x1x1x8xi1>) -> tensor<3x2x4x8x16xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.select %c, %s, %ninf : (tensor<3x1x1x1x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<3x2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<3x2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<3x2x4x8x8xf32>, tensor<3x2x4x8x16xf32>) -> tensor<3x2x4x8x16xf32>
  return %o : tensor<3x2x4x8x16xf32>
}

// -----

// Tests that a negative scale after a mask is not fused: it turns the
// masked -inf into +inf (refusal: a scale that is not positive).
// CHECK-LABEL: func.func @negative_fuse_attention_negative_scale_after_mask
// REMARK:      remark: attention not fused: a scale that is not positive
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_negative_scale_after_mask(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.mask %s {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %m {factor = -0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a zero scale after a mask is not fused: it turns the masked
// -inf into NaN (refusal: a scale that is not positive).
// CHECK-LABEL: func.func @negative_fuse_attention_zero_scale_after_mask
// REMARK:      remark: attention not fused: a scale that is not positive
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_zero_scale_after_mask(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.mask %s {causal} : (tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %c = tfm.scale %m {factor = 0.0 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that scales whose product underflows f32 are not fused: the op holds
// one f32 scale and needs it non-zero (refusal: the scales multiply to 0 or
// infinity in f32).
// CHECK-LABEL: func.func @negative_fuse_attention_scale_underflow
// REMARK:      remark: attention not fused: the scales multiply to 0 or infinity in f32
// CHECK-NOT:     tfm.flash_attention
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_scale_underflow(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>, %v: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %qs = tfm.scale %q {factor = 1.0e-30 : f32} : tensor<2x8x16xf32>
  %s = tfm.matmul %qs, %k {transpose_b} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %c = tfm.scale %s {factor = 1.0e-30 : f32} : tensor<2x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// Tests that scales whose product overflows f32 are not fused either.
// CHECK-LABEL: func.func @negative_fuse_attention_scale_overflow
// REMARK:      remark: attention not fused: the scales multiply to 0 or infinity in f32
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.softmax
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_scale_overflow(%q: tensor<2x8x16xf32>, %k: tensor<2x8x16xf32>, %v: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %c = tfm.scale %s {factor = 1.0e30 : f32} : tensor<2x8x8xf32>
  %d = tfm.scale %c {factor = 1.0e30 : f32} : tensor<2x8x8xf32>
  %p = tfm.softmax %d {axis = -1 : i64} : tensor<2x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %o : tensor<2x8x16xf32>
}

// -----

// Tests that attention over no queries is not fused: the op needs non-empty
// operands (refusal: empty scores).
// CHECK-LABEL: func.func @negative_fuse_attention_empty
// REMARK:      remark: attention not fused: empty scores
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.softmax
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_empty(%q: tensor<2x0x16xf32>, %k: tensor<2x8x16xf32>, %v: tensor<2x8x16xf32>) -> tensor<2x0x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x0x16xf32>, tensor<2x8x16xf32>) -> tensor<2x0x8xf32>
  %p = tfm.softmax %s {axis = -1 : i64} : tensor<2x0x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x0x8xf32>, tensor<2x8x16xf32>) -> tensor<2x0x16xf32>
  return %o : tensor<2x0x16xf32>
}

// -----

// Tests that an op other than scale, mask, add or select between QK^T and
// the softmax (a relu) is not fused (refusal: an op other than scale, mask,
// add or select before softmax).
// CHECK-LABEL: func.func @negative_fuse_attention_relu_in_chain
// REMARK:      remark: attention not fused: an op other than scale, mask, add or select before softmax
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_relu_in_chain(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %r = tfm.relu %s : tensor<2x4x8x8xf32>
  %p = tfm.softmax %r {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that two additive biases are not fused: the op takes one (refusal:
// two additive biases).
// CHECK-LABEL: func.func @negative_fuse_attention_two_biases
// REMARK:      remark: attention not fused: two additive biases
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_two_biases(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %b1: tensor<8x8xf32>, %b2: tensor<2x1x1x8xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %a1 = tfm.add %s, %b1 : (tensor<2x4x8x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8x8xf32>
  %a2 = tfm.add %a1, %b2 : (tensor<2x4x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %a2 {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a query whose batch is broadcast by the key's ([1, 4] against
// [2, 4]) is not fused: the op's batch is the query's (refusal: the query's
// batch dimensions are broadcast by the key's).
// CHECK-LABEL: func.func @negative_fuse_attention_query_batch_broadcast
// REMARK:      remark: attention not fused: the query's batch dimensions are broadcast by the key's
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_query_batch_broadcast(%q: tensor<1x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<1x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %s {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a value whose batch broadcasts the scores' ([2, 4] against
// [4]) is not fused (refusal: the value's batch dimensions broadcast the
// scores').
// CHECK-LABEL: func.func @negative_fuse_attention_value_batch_broadcast
// REMARK:      remark: attention not fused: the value's batch dimensions broadcast the scores'
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_value_batch_broadcast(%q: tensor<4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<4x8x16xf32>, tensor<4x8x16xf32>) -> tensor<4x8x8xf32>
  %p = tfm.softmax %s {axis = -1 : i64} : tensor<4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that probabilities read transposed (P^T V) are not fused (refusal:
// probabilities read transposed).
// CHECK-LABEL: func.func @negative_fuse_attention_probs_transposed
// REMARK:      remark: attention not fused: probabilities read transposed
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_probs_transposed(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %s {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v {transpose_a} : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a log_softmax in place of the softmax is not fused (refusal:
// lhs is not a softmax).
// CHECK-LABEL: func.func @negative_fuse_attention_log_softmax
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.log_softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_log_softmax(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.log_softmax %s {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that scores that are an argument, not a QK^T, are not fused
// (refusal: scores are an argument).
// CHECK-LABEL: func.func @negative_fuse_attention_scores_argument
// REMARK:      remark: attention not fused: scores are an argument
// CHECK-NOT:     tfm.flash_attention
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_scores_argument(%s: tensor<2x4x8x8xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x4x8x8xf32>
  %p = tfm.softmax %c {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that two padding masks are not fused: the op takes one lengths
// (refusal: two padding masks).
// CHECK-LABEL: func.func @negative_fuse_attention_two_padding_masks
// REMARK:      remark: attention not fused: two padding masks
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_two_padding_masks(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %l1: tensor<2xi32>, %l2: tensor<2xi32>) -> tensor<2x4x8x16xf32> {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m1 = tfm.mask %s, %l1 : (tensor<2x4x8x8xf32>, tensor<2xi32>) -> tensor<2x4x8x8xf32>
  %m2 = tfm.mask %m1, %l2 : (tensor<2x4x8x8xf32>, tensor<2xi32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a select to a finite value (-1e9) instead of -inf is not fused
// (refusal: a select that is not select(allowed, scores, -inf)).
// CHECK-LABEL: func.func @negative_fuse_attention_select_not_neg_inf
// REMARK:      remark: attention not fused: a select that is not select(allowed, scores, -inf)
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_select_not_neg_inf(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %allowed: tensor<2x1x1x8xi1>) -> tensor<2x4x8x16xf32> {
  %big = arith.constant dense<-1.0e+09> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.select %allowed, %s, %big : (tensor<2x1x1x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that select(masked, -inf, scores), the scores on the false side, is
// not fused (refusal: a select that is not select(allowed, scores, -inf)).
// CHECK-LABEL: func.func @negative_fuse_attention_select_scores_on_false
// REMARK:      remark: attention not fused: a select that is not select(allowed, scores, -inf)
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_select_scores_on_false(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %masked: tensor<2x1x1x8xi1>) -> tensor<2x4x8x16xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.select %masked, %ninf, %s : (tensor<2x1x1x8xi1>, tensor<f32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that two select masks with non-constant conditions are not fused
// (refusal: two select masks).
// CHECK-LABEL: func.func @negative_fuse_attention_two_select_masks
// REMARK:      remark: attention not fused: two select masks
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_two_select_masks(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %c1: tensor<2x1x1x8xi1>, %c2: tensor<8x8xi1>) -> tensor<2x4x8x16xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %m1 = tfm.select %c1, %s, %ninf : (tensor<2x1x1x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %m2 = tfm.select %c2, %m1, %ninf : (tensor<8x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m2 {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Tests that a bias together with a non-constant select mask is not fused
// (refusal: both a bias and a select mask).
// CHECK-LABEL: func.func @negative_fuse_attention_bias_and_select
// REMARK:      remark: attention not fused: both a bias and a select mask
// CHECK-NOT:     tfm.flash_attention
// CHECK:         tfm.matmul
// CHECK:         %[[P:.+]] = tfm.softmax
// CHECK:         tfm.matmul %[[P]], %{{.+}}
// CHECK-NOT:     tfm.flash_attention
// CHECK:         return
func.func @negative_fuse_attention_bias_and_select(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %v: tensor<2x4x8x16xf32>, %bias: tensor<8x8xf32>, %c: tensor<2x1x1x8xi1>) -> tensor<2x4x8x16xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x8xf32>
  %b = tfm.add %s, %bias : (tensor<2x4x8x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8x8xf32>
  %m = tfm.select %c, %b, %ninf : (tensor<2x1x1x8xi1>, tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x4x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}
// REMARK-NOT:  remark:
