// RUN: tfm-opt %s --split-input-file --verify-diagnostics

// The gradient ops' verifier messages that gradient-invalid.mlir does not
// reach: the results of the normalization and attention gradients, the
// lookup and loss shapes, and the optimizers' results and ranges.

// Tests that a normalization's input gradient has the input's type.
func.func @negative_layer_norm_grad_input_result(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'tfm.layer_norm_grad' op expects an input gradient of type 'tensor<2x8xf32>', got 'tensor<2x4xf32>'}}
  %dx, %dg, %db = tfm.layer_norm_grad %x, %g, %x {epsilon = 1.0e-5 : f32}
      : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<8xf32>, tensor<8xf32>)
  return %dx : tensor<2x4xf32>
}

// -----

// Tests that embedding_grad's result is a table with a vocabulary.
func.func @negative_embedding_grad_table(%ids: tensor<2x6xi32>, %dy: tensor<2x6x8xf32>) -> tensor<0x8xf32> {
  // expected-error @+1 {{'tfm.embedding_grad' op expects a result table of rank 2 [vocab x width] with a non-empty vocabulary, got [0x8]}}
  %0 = tfm.embedding_grad %ids, %dy : (tensor<2x6xi32>, tensor<2x6x8xf32>) -> tensor<0x8xf32>
  return %0 : tensor<0x8xf32>
}

// -----

// Tests that flash_attention_grad's query gradient has the query's type.
func.func @negative_flash_attention_grad_query_result(%q: tensor<4x6x8xf32>, %lse: tensor<4x6xf32>) -> tensor<4x6x4xf32> {
  // expected-error @+1 {{'tfm.flash_attention_grad' op expects a query gradient of type 'tensor<4x6x8xf32>', got 'tensor<4x6x4xf32>'}}
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %q, %q, %q, %lse, %q {scale = 1.0 : f32}
      : (tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6xf32>, tensor<4x6x8xf32>)
      -> (tensor<4x6x4xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>)
  return %dq : tensor<4x6x4xf32>
}

// -----

// Tests that flash_attention_grad's value gradient has the value's type.
func.func @negative_flash_attention_grad_value_result(%q: tensor<4x6x8xf32>, %lse: tensor<4x6xf32>) -> tensor<4x6x8xf32> {
  // expected-error @+1 {{'tfm.flash_attention_grad' op expects a value gradient of type 'tensor<4x6x8xf32>', got 'tensor<4x5x8xf32>'}}
  %dq, %dk, %dv = tfm.flash_attention_grad %q, %q, %q, %q, %lse, %q {scale = 1.0 : f32}
      : (tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x6xf32>, tensor<4x6x8xf32>)
      -> (tensor<4x6x8xf32>, tensor<4x6x8xf32>, tensor<4x5x8xf32>)
  return %dq : tensor<4x6x8xf32>
}

// -----

// Tests that cross_entropy's logits have a vocabulary.
func.func @negative_cross_entropy_logits_vocab(%l: tensor<7x0xf32>, %t: tensor<7xi32>) -> tensor<f32> {
  // expected-error @+1 {{'tfm.cross_entropy' op expects logits of rank >= 1 [..., vocab] with a non-empty vocabulary, got [7x0]}}
  %0 = tfm.cross_entropy %l, %t : (tensor<7x0xf32>, tensor<7xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that AdamW's results have the parameter's type.
func.func @negative_adamw_result(%p: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.adamw' op expects every result of the parameter's type 'tensor<8xf32>', got 'tensor<4xf32>'}}
  %p1, %m1, %v1 = tfm.adamw %p, %p, %p, %p, %s, %s {beta1 = 0.9 : f32, beta2 = 0.999 : f32, epsilon = 1.0e-8 : f32, weight_decay = 0.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>) -> (tensor<8xf32>, tensor<4xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}

// -----

// Tests that beta2 is below 1.
func.func @negative_adamw_beta2(%p: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.adamw' op expects beta2 in [0, 1), got 1.000000e+00}}
  %p1, %m1, %v1 = tfm.adamw %p, %p, %p, %p, %s, %s {beta1 = 0.9 : f32, beta2 = 1.0 : f32, epsilon = 1.0e-8 : f32, weight_decay = 0.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}

// -----

// Tests that SGD's momentum is below 1.
func.func @negative_sgd_momentum(%p: tensor<8xf32>, %s: tensor<f32>) -> tensor<8xf32> {
  // expected-error @+1 {{'tfm.sgd' op expects momentum in [0, 1), got 1.000000e+00}}
  %p1, %b1 = tfm.sgd %p, %p, %p, %s {momentum = 1.0 : f32, weight_decay = 0.0 : f32}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>) -> (tensor<8xf32>, tensor<8xf32>)
  return %p1 : tensor<8xf32>
}
