// RUN: tfm-opt %s --split-input-file --verify-diagnostics --tfm-autodiff

// More of tfm-autodiff's errors (tfm-autodiff-errors.mlir has the others):
// what it cannot differentiate, and models it cannot add a gradient to.

// Tests that a model to train has a body.
// expected-error @+1 {{'func.func' op tfm-autodiff: expects a function with a body of one block}}
func.func private @negative_autodiff_external(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {}}

// -----

// Tests that the loss named in tfm.train is a float scalar.
// expected-error @+1 {{'func.func' op tfm-autodiff: the loss 'y' must be a float scalar, got 'tensor<8xf32>'}}
func.func @negative_autodiff_loss_not_scalar(%w: tensor<8xf32> {tfm.param = "w"}) -> (tensor<8xf32> {tfm.output = "y"})
    attributes {tfm.train = {loss = "y"}} {
  return %w : tensor<8xf32>
}

// -----

// Tests that wrt names only float tensors.
// expected-error @+1 {{'func.func' op tfm-autodiff: cannot differentiate for 't' of type 'tensor<8xi32>': not a float tensor}}
func.func @negative_autodiff_wrt_int(%w: tensor<f32> {tfm.param = "w"}, %t: tensor<8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {wrt = ["w", "t"]}} {
  return %w : tensor<f32>
}

// -----

// Tests that the gradient's name is free.
func.func @negative_autodiff_name_taken_grad() {
  return
}

// expected-error @+1 {{'func.func' op tfm-autodiff: a function named 'negative_autodiff_name_taken_grad' already exists}}
func.func @negative_autodiff_name_taken(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {}} {
  return %w : tensor<f32>
}

// -----

// Tests that the optimizer's moments do not clash with the model's tensors.
// expected-error @+1 {{'func.func' op tfm-autodiff: the training step needs a state named 'adamw.m.w', but the model already has a tensor of that name}}
func.func @negative_autodiff_moment_clash(%w: tensor<f32> {tfm.param = "w"}, %m: tensor<f32> {tfm.input = "adamw.m.w"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {optimizer = "adamw"}} {
  return %w : tensor<f32>
}

// -----

// Tests that the loss cannot be differentiated through fused attention's
// log-sum-exp.
func.func @negative_autodiff_attention_lse(%q: tensor<4x8x16xf32> {tfm.param = "q"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  // expected-error @+1 {{tfm-autodiff: cannot differentiate 'tfm.flash_attention': the gradient through its log-sum-exp result is not supported}}
  %o, %lse = tfm.flash_attention %q, %q, %q {scale = 0.25 : f32}
      : (tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>) -> (tensor<4x8x16xf32>, tensor<4x8xf32>)
  %l = tfm.reduce_to %lse : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that a loss mask computed from parameters cannot be differentiated.
func.func @negative_autodiff_cross_entropy_mask(%l: tensor<7x41xf32> {tfm.param = "l"}, %m: tensor<7xf32> {tfm.param = "m"},
                                                %t: tensor<7xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  // expected-error @+1 {{tfm-autodiff: cannot differentiate 'tfm.cross_entropy': the gradient of its mask is not supported}}
  %0 = tfm.cross_entropy %l, %t mask %m : (tensor<7x41xf32>, tensor<7xi32>, tensor<7xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

