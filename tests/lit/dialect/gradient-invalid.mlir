// RUN: tfm-opt %s --split-input-file --verify-diagnostics

// Tests that reduce_to only sums dimensions a broadcast could have added.
func.func @negative_reduce_to_shape(%x: tensor<2x6x8xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'tfm.reduce_to' op expects a result shape that broadcasts to the input's [2x6x8], got [6]}}
  %0 = tfm.reduce_to %x : tensor<2x6x8xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Tests that pad places its input inside the result.
func.func @negative_pad_outside(%x: tensor<6x8xf32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'tfm.pad' op expects dimension 0 of the result ([10x8]) to hold the input's 6 at offset 5}}
  %0 = tfm.pad %x [5, 0] : tensor<6x8xf32> -> tensor<10x8xf32>
  return %0 : tensor<10x8xf32>
}

// -----

// Tests that pad takes one offset per dimension.
func.func @negative_pad_offsets(%x: tensor<6x8xf32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'tfm.pad' op expects one offset per dimension and a result of rank 2 for an input of rank 2, got 1 offset(s) and result [10x8]}}
  %0 = tfm.pad %x [0] : tensor<6x8xf32> -> tensor<10x8xf32>
  return %0 : tensor<10x8xf32>
}

// -----

// Tests that gelu_grad knows only the two forms of gelu.
func.func @negative_gelu_grad_form(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'tfm.gelu_grad' op expects approximate to be "none" or "tanh", got "fast"}}
  %0 = tfm.gelu_grad %x, %x {approximate = "fast"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that softmax_grad checks its axis.
func.func @negative_softmax_grad_axis(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'tfm.softmax_grad' op expects axis in [-2, 2) for an input of rank 2, got 2}}
  %0 = tfm.softmax_grad %x, %x {axis = 2 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that a normalization gradient has the input's type.
func.func @negative_layer_norm_grad_grad(%x: tensor<2x8xf32>, %g: tensor<8xf32>, %dy: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.layer_norm_grad' op expects a gradient of the input's type 'tensor<2x8xf32>', got 'tensor<2x4xf32>'}}
  %dx, %dg, %db = tfm.layer_norm_grad %x, %g, %dy {epsilon = 1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x4xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %dx : tensor<2x8xf32>
}

// -----

// Tests that the gamma gradient has gamma's shape.
func.func @negative_rms_norm_grad_result(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tfm.rms_norm_grad' op expects a gamma gradient of type 'tensor<8xf32>', got 'tensor<2x8xf32>'}}
  %dx, %dg = tfm.rms_norm_grad %x, %g, %x {epsilon = 1.0e-6 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>)
  return %dx : tensor<2x8xf32>
}

// -----

// Tests that mask_grad, like mask, needs causal or lengths.
func.func @negative_mask_grad_nothing(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.mask_grad' op expects 'causal', 'lengths' or both}}
  %0 = tfm.mask_grad %x : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that mask_grad, like mask, needs causal with a window.
func.func @negative_mask_grad_window(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'tfm.mask_grad' op expects a window >= 1 (or 0 for none), got -1}}
  %0 = tfm.mask_grad %x {causal, window = -1 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Tests that flash_attention_grad, like flash_attention, needs causal with a
// window.
func.func @negative_flash_attention_grad_window(%q: tensor<1x6x8xf32>, %lse: tensor<1x6xf32>) -> tensor<1x6x8xf32> {
  // expected-error @+1 {{'tfm.flash_attention_grad' op expects 'causal' with a window: it keeps the last 4 keys up to each query's}}
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %q, %q, %q, %lse, %q {scale = 0.125 : f32, window = 4 : i64}
      : (tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<1x6xf32>, tensor<1x6x8xf32>)
      -> (tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<1x6x8xf32>)
  return %dq : tensor<1x6x8xf32>
}

// -----

// Tests that rope_grad, like rope, needs an even width.
func.func @negative_rope_grad_odd(%x: tensor<4x7xf32>) -> tensor<4x7xf32> {
  // expected-error @+1 {{'tfm.rope_grad' op expects an even, non-zero width, got 7 in [4x7]}}
  %0 = tfm.rope_grad %x : tensor<4x7xf32>
  return %0 : tensor<4x7xf32>
}

// -----

// Tests that embedding_grad's gradient has the lookup's shape.
func.func @negative_embedding_grad_shape(%ids: tensor<2x6xi32>, %dy: tensor<2x5x8xf32>) -> tensor<32x8xf32> {
  // expected-error @+1 {{'tfm.embedding_grad' op expects a gradient of shape [2x6x8] (ids [2x6] x width 8), got [2x5x8]}}
  %0 = tfm.embedding_grad %ids, %dy : (tensor<2x6xi32>, tensor<2x5x8xf32>) -> tensor<32x8xf32>
  return %0 : tensor<32x8xf32>
}

// -----

// Tests that flash_attention_grad takes the forward's log-sum-exp shape.
func.func @negative_flash_attention_grad_lse(%q: tensor<4x6x8xf32>, %lse: tensor<4x6x1xf32>) -> tensor<4x6x8xf32> {
  // expected-error @+1 {{'tfm.flash_attention_grad' op expects lse of type 'tensor<4x6xf32>' (the forward's), got 'tensor<4x6x1xf32>'}}
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %q, %q, %q, %lse, %q {scale = 1.0 : f32}
      : (tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x1xf32>, tensor<4x6x8xf32>)
      -> (tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>)
  return %dq : tensor<4x6x8xf32>
}

// -----

// Tests that flash_attention_grad's key gradient has one head per query head.
func.func @negative_flash_attention_grad_key_heads(%q: tensor<4x6x8xf32>, %k: tensor<1x6x8xf32>, %lse: tensor<4x6xf32>) -> tensor<4x6x8xf32> {
  // expected-error @+1 {{'tfm.flash_attention_grad' op expects a key gradient of type 'tensor<4x6x8xf32>', got 'tensor<1x6x8xf32>'}}
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %k, %k, %q, %lse, %q {scale = 1.0 : f32}
      : (tensor<4x6x8xf32>, tensor<1x6x8xf32>, tensor<1x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6xf32>, tensor<4x6x8xf32>)
      -> (tensor<4x6x8xf32>, tensor<1x6x8xf32>, tensor<4x6x8xf32>)
  return %dq : tensor<4x6x8xf32>
}

// -----

// Tests that cross_entropy's targets are the logits without the vocabulary.
func.func @negative_cross_entropy_targets(%l: tensor<2x7x41xf32>, %t: tensor<2x6xi32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.cross_entropy' op expects targets of shape [2x7] (the logits [2x7x41] without the vocabulary), got [2x6]}}
  %0 = tfm.cross_entropy %l, %t : (tensor<2x7x41xf32>, tensor<2x6xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that a loss mask has the targets' shape.
func.func @negative_cross_entropy_mask(%l: tensor<2x7x41xf32>, %t: tensor<2x7xi32>, %m: tensor<7xf32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.cross_entropy' op expects a mask of the targets' shape [2x7], got [7]}}
  %0 = tfm.cross_entropy %l, %t mask %m : (tensor<2x7x41xf32>, tensor<2x7xi32>, tensor<7xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that label smoothing is a fraction below 1.
func.func @negative_cross_entropy_smoothing(%l: tensor<7x41xf32>, %t: tensor<7xi32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.cross_entropy' op expects label_smoothing in [0, 1), got 1.000000e+00}}
  %0 = tfm.cross_entropy %l, %t {label_smoothing = 1.0 : f32} : (tensor<7x41xf32>, tensor<7xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that ignore_index is a token id of the vocabulary.
func.func @negative_cross_entropy_ignore(%l: tensor<7x41xf32>, %t: tensor<7xi32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.cross_entropy' op expects ignore_index in [0, 41) (the vocabulary), got 41}}
  %0 = tfm.cross_entropy %l, %t {ignore_index = 41 : i64} : (tensor<7x41xf32>, tensor<7xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that the loss is a scalar.
func.func @negative_cross_entropy_result(%l: tensor<7x41xf32>, %t: tensor<7xi32>) -> tensor<7xf32> {
  // expected-error @+1 {{'tfm.cross_entropy' op expects result shape [], got [7]}}
  %0 = tfm.cross_entropy %l, %t : (tensor<7x41xf32>, tensor<7xi32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Tests that the loss gradient given to cross_entropy_grad is a scalar.
func.func @negative_cross_entropy_grad_scalar(%l: tensor<7x41xf32>, %t: tensor<7xi32>, %g: tensor<1xf32>) -> tensor<7x41xf32> {
  // expected-error @+1 {{'tfm.cross_entropy_grad' op expects the loss gradient to be a scalar 'tensor<f32>', got 'tensor<1xf32>'}}
  %0 = tfm.cross_entropy_grad %l, %t, %g : (tensor<7x41xf32>, tensor<7xi32>, tensor<1xf32>) -> tensor<7x41xf32>
  return %0 : tensor<7x41xf32>
}

// -----

// Tests that AdamW's moments have the parameter's type.
func.func @negative_adamw_moment(%p: tensor<8xf32>, %m: tensor<4xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.adamw' op expects m of the parameter's type 'tensor<8xf32>', got 'tensor<4xf32>'}}
  %p1, %m1, %v1 = tfm.adamw %p, %p, %m, %p, %s, %s {beta1 = 0.9 : f32, beta2 = 0.999 : f32, epsilon = 1.0e-8 : f32, weight_decay = 0.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}

// -----

// Tests that the learning rate is a scalar.
func.func @negative_adamw_lr(%p: tensor<8xf32>, %lr: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.adamw' op expects lr to be a scalar 'tensor<f32>', got 'tensor<8xf32>'}}
  %p1, %m1, %v1 = tfm.adamw %p, %p, %p, %p, %lr, %s {beta1 = 0.9 : f32, beta2 = 0.999 : f32, epsilon = 1.0e-8 : f32, weight_decay = 0.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}

// -----

// Tests that beta1 is below 1.
func.func @negative_adamw_beta1(%p: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.adamw' op expects beta1 in [0, 1), got 1.000000e+00}}
  %p1, %m1, %v1 = tfm.adamw %p, %p, %p, %p, %s, %s {beta1 = 1.0 : f32, beta2 = 0.999 : f32, epsilon = 1.0e-8 : f32, weight_decay = 0.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}

// -----

// Tests that weight decay is not negative.
func.func @negative_sgd_decay(%p: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.sgd' op expects weight_decay in [0, inf), got -1.000000e+00}}
  %p1, %b1 = tfm.sgd %p, %p, %p, %s {momentum = 0.9 : f32, weight_decay = -1.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}
