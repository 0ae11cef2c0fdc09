// RUN: tfm-opt %s --split-input-file | tfm-opt --split-input-file | FileCheck %s

// Tests that reduce_to and pad round-trip.
// CHECK-LABEL: func.func @shapes
// CHECK:         tfm.reduce_to %{{.+}} : tensor<2x6x8xf32> -> tensor<8xf32>
// CHECK:         tfm.reduce_to %{{.+}} : tensor<2x6x8xf32> -> tensor<2x1x8xf32>
// CHECK:         tfm.pad %{{.+}} [2, 0] : tensor<6x8xf32> -> tensor<16x8xf32>
func.func @shapes(%x: tensor<2x6x8xf32>, %y: tensor<6x8xf32>)
    -> (tensor<8xf32>, tensor<2x1x8xf32>, tensor<16x8xf32>) {
  %0 = tfm.reduce_to %x : tensor<2x6x8xf32> -> tensor<8xf32>
  %1 = tfm.reduce_to %x : tensor<2x6x8xf32> -> tensor<2x1x8xf32>
  %2 = tfm.pad %y [2, 0] : tensor<6x8xf32> -> tensor<16x8xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<2x1x8xf32>, tensor<16x8xf32>
}

// -----

// Tests that the elementwise and along-axis gradients round-trip.
// CHECK-LABEL: func.func @elementwise_grads
// CHECK:         tfm.relu_grad %{{.+}}, %{{.+}} : tensor<4x8xf32>
// CHECK:         tfm.gelu_grad %{{.+}}, %{{.+}} {approximate = "tanh"} : tensor<4x8xf32>
// CHECK:         tfm.sigmoid_grad %{{.+}}, %{{.+}} : tensor<4x8xf32>
// CHECK:         tfm.silu_grad %{{.+}}, %{{.+}} : tensor<4x8xf32>
// CHECK:         tfm.softmax_grad %{{.+}}, %{{.+}} {axis = -1 : i64} : tensor<4x8xf32>
// CHECK:         tfm.log_softmax_grad %{{.+}}, %{{.+}} {axis = 0 : i64} : tensor<4x8xf32>
// CHECK:         tfm.mask_grad %{{.+}} {causal} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK:         tfm.rope_grad %{{.+}} {offset = 3 : i64} : tensor<4x8xf32>
// CHECK:         tfm.rope_grad %{{.+}} {base = 5.000000e+05 : f32, interleaved = true} : tensor<4x8xf32>
func.func @elementwise_grads(%x: tensor<4x8xf32>, %dy: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = tfm.relu_grad %x, %dy : tensor<4x8xf32>
  %1 = tfm.gelu_grad %x, %dy {approximate = "tanh"} : tensor<4x8xf32>
  %s0 = tfm.sigmoid_grad %x, %dy : tensor<4x8xf32>
  %s1 = tfm.silu_grad %s0, %dy : tensor<4x8xf32>
  %2 = tfm.softmax_grad %x, %dy {axis = -1 : i64} : tensor<4x8xf32>
  %3 = tfm.log_softmax_grad %x, %dy {axis = 0 : i64} : tensor<4x8xf32>
  %4 = tfm.mask_grad %dy {causal} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %5 = tfm.rope_grad %s1 {offset = 3 : i64} : tensor<4x8xf32>
  %6 = tfm.rope_grad %5 {base = 5.0e+05 : f32, interleaved = true} : tensor<4x8xf32>
  return %0, %1, %2, %3, %4, %6 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Tests that the normalization gradients round-trip with their several
// results.
// CHECK-LABEL: func.func @norm_grads
// CHECK:         %{{.+}}, %{{.+}}, %{{.+}} = tfm.layer_norm_grad %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 9.99999974E-6 : f32} : (tensor<2x6x8xf32>, tensor<8xf32>, tensor<2x6x8xf32>) -> (tensor<2x6x8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK:         %{{.+}}, %{{.+}} = tfm.rms_norm_grad %{{.+}}, %{{.+}}, %{{.+}} {epsilon = 9.99999997E-7 : f32} : (tensor<2x6x8xf32>, tensor<8xf32>, tensor<2x6x8xf32>) -> (tensor<2x6x8xf32>, tensor<8xf32>)
func.func @norm_grads(%x: tensor<2x6x8xf32>, %g: tensor<8xf32>, %dy: tensor<2x6x8xf32>) -> (tensor<2x6x8xf32>, tensor<8xf32>) {
  %dx, %dg, %db = tfm.layer_norm_grad %x, %g, %dy {epsilon = 1.0e-5 : f32}
      : (tensor<2x6x8xf32>, tensor<8xf32>, tensor<2x6x8xf32>) -> (tensor<2x6x8xf32>, tensor<8xf32>, tensor<8xf32>)
  %rx, %rg = tfm.rms_norm_grad %x, %g, %dy {epsilon = 1.0e-6 : f32}
      : (tensor<2x6x8xf32>, tensor<8xf32>, tensor<2x6x8xf32>) -> (tensor<2x6x8xf32>, tensor<8xf32>)
  return %dx, %rg : tensor<2x6x8xf32>, tensor<8xf32>
}

// -----

// Tests that embedding_grad and flash_attention_grad (with lengths and a
// bias) round-trip.
// CHECK-LABEL: func.func @lookup_and_attention_grads
// CHECK:         tfm.embedding_grad %{{.+}}, %{{.+}} : (tensor<2x6xi32>, tensor<2x6x8xf32>) -> tensor<32x8xf32>
// CHECK:         %{{.+}}, %{{.+}}, %{{.+}} = tfm.flash_attention_grad %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} lengths %{{.+}} bias %{{.+}} {causal, scale = 1.250000e-01 : f32}
// CHECK:         tfm.flash_attention_grad {{.+}} {causal, scale = 1.250000e-01 : f32, window = 3 : i64}
// CHECK:         tfm.mask_grad %{{.+}} {causal, window = 3 : i64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x6x8xf32>
func.func @lookup_and_attention_grads(%ids: tensor<2x6xi32>, %dy: tensor<2x6x8xf32>,
    %q: tensor<2x4x6x8xf32>, %k: tensor<2x1x6x8xf32>, %v: tensor<2x1x6x8xf32>, %o: tensor<2x4x6x8xf32>,
    %lse: tensor<2x4x6xf32>, %do: tensor<2x4x6x8xf32>, %len: tensor<2xi32>, %bias: tensor<6x6xf32>)
    -> (tensor<32x8xf32>, tensor<2x4x6x8xf32>) {
  %t = tfm.embedding_grad %ids, %dy : (tensor<2x6xi32>, tensor<2x6x8xf32>) -> tensor<32x8xf32>
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %k, %v, %o, %lse, %do lengths %len bias %bias {causal, scale = 0.125 : f32}
      : (tensor<2x4x6x8xf32>, tensor<2x1x6x8xf32>, tensor<2x1x6x8xf32>, tensor<2x4x6x8xf32>, tensor<2x4x6xf32>,
         tensor<2x4x6x8xf32>, tensor<2xi32>, tensor<6x6xf32>)
      -> (tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>)
  %wq, %wk, %wv = tfm.flash_attention_grad %q, %k, %v, %o, %lse, %do {causal, scale = 0.125 : f32, window = 3 : i64}
      : (tensor<2x4x6x8xf32>, tensor<2x1x6x8xf32>, tensor<2x1x6x8xf32>, tensor<2x4x6x8xf32>, tensor<2x4x6xf32>,
         tensor<2x4x6x8xf32>) -> (tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>, tensor<2x4x6x8xf32>)
  %m = tfm.mask_grad %wq {causal, window = 3 : i64} : (tensor<2x4x6x8xf32>) -> tensor<2x4x6x8xf32>
  return %t, %m : tensor<32x8xf32>, tensor<2x4x6x8xf32>
}

// -----

// Tests that the loss and its gradient round-trip, with and without a mask
// and an ignore_index.
// CHECK-LABEL: func.func @loss
// CHECK:         tfm.cross_entropy %{{.+}}, %{{.+}} {ignore_index = 2 : i64, label_smoothing = 1.000000e-01 : f32} : (tensor<2x7x41xf32>, tensor<2x7xi32>) -> tensor<f32>
// CHECK:         tfm.cross_entropy %{{.+}}, %{{.+}} mask %{{.+}} : (tensor<2x7x41xf32>, tensor<2x7xi32>, tensor<2x7xf32>) -> tensor<f32>
// CHECK:         tfm.cross_entropy_grad %{{.+}}, %{{.+}} mask %{{.+}}, %{{.+}} {label_smoothing = 1.000000e-01 : f32} : (tensor<2x7x41xf32>, tensor<2x7xi32>, tensor<2x7xf32>, tensor<f32>) -> tensor<2x7x41xf32>
func.func @loss(%l: tensor<2x7x41xf32>, %t: tensor<2x7xi32>, %m: tensor<2x7xf32>, %g: tensor<f32>)
    -> (tensor<f32>, tensor<f32>, tensor<2x7x41xf32>) {
  %0 = tfm.cross_entropy %l, %t {ignore_index = 2 : i64, label_smoothing = 0.1 : f32} : (tensor<2x7x41xf32>, tensor<2x7xi32>) -> tensor<f32>
  %1 = tfm.cross_entropy %l, %t mask %m : (tensor<2x7x41xf32>, tensor<2x7xi32>, tensor<2x7xf32>) -> tensor<f32>
  %2 = tfm.cross_entropy_grad %l, %t mask %m, %g {label_smoothing = 0.1 : f32}
      : (tensor<2x7x41xf32>, tensor<2x7xi32>, tensor<2x7xf32>, tensor<f32>) -> tensor<2x7x41xf32>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<2x7x41xf32>
}

// -----

// Tests that the optimizer updates round-trip.
// CHECK-LABEL: func.func @updates
// CHECK:         %{{.+}}, %{{.+}}, %{{.+}} = tfm.adamw %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {beta1 = 0.899999976 : f32, beta2 = 9.800000e-01 : f32, epsilon = 9.99999971E-10 : f32, weight_decay = 0.00999999977 : f32}
// CHECK:         %{{.+}}, %{{.+}} = tfm.sgd %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {momentum = 0.899999976 : f32, weight_decay = 0.000000e+00 : f32}
func.func @updates(%p: tensor<8x8xf32>, %g: tensor<8x8xf32>, %m: tensor<8x8xf32>, %v: tensor<8x8xf32>,
                   %lr: tensor<f32>, %step: tensor<f32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %p1, %m1, %v1 = tfm.adamw %p, %g, %m, %v, %lr, %step
      {beta1 = 0.9 : f32, beta2 = 0.98 : f32, epsilon = 1.0e-9 : f32, weight_decay = 0.01 : f32}
      : (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<f32>, tensor<f32>)
      -> (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>)
  %p2, %b2 = tfm.sgd %p, %g, %m, %lr {momentum = 0.9 : f32, weight_decay = 0.0 : f32}
      : (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<f32>) -> (tensor<8x8xf32>, tensor<8x8xf32>)
  return %p1, %p2 : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// Tests that a training step's state arguments and updates round-trip.
// CHECK-LABEL: func.func @step
// CHECK-SAME:    {tfm.state = "w"}
// CHECK-SAME:    -> (tensor<8xf32> {tfm.update = "w"})
func.func @step(%w: tensor<8xf32> {tfm.state = "w"}) -> (tensor<8xf32> {tfm.update = "w"}) {
  return %w : tensor<8xf32>
}
