// RUN: tfm-opt %s --split-input-file --verify-diagnostics --tfm-autodiff

// Tests that an op with no gradient rule on the path from a parameter to
// the loss is an error at that op.
// (Gradient ops have none: no second derivatives.)
func.func @no_rule(%x: tensor<8x2xf32> {tfm.param = "x"}, %t: tensor<8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  // expected-error @+1 {{tfm-autodiff: cannot differentiate 'tfm.relu_grad': there is no gradient rule for it}}
  %r = tfm.relu_grad %x, %x : tensor<8x2xf32>
  %l = tfm.cross_entropy %r, %t : (tensor<8x2xf32>, tensor<8xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that a model to train needs a scalar output.
// expected-error @+1 {{'func.func' op tfm-autodiff: has no scalar output to differentiate}}
func.func @no_scalar(%w: tensor<8xf32> {tfm.param = "w"}) -> (tensor<8xf32> {tfm.output = "y"})
    attributes {tfm.train = {}} {
  return %w : tensor<8xf32>
}

// -----

// Tests that the loss named in tfm.train exists.
// expected-error @+1 {{'func.func' op tfm-autodiff: has no output named 'loss'}}
func.func @no_loss(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "y"})
    attributes {tfm.train = {loss = "loss"}} {
  return %w : tensor<f32>
}

// -----

// Tests that two scalar outputs need the loss named.
// expected-error @+1 {{'func.func' op tfm-autodiff: has several scalar outputs ('a', 'b') ---> HINT: name the loss}}
func.func @two_scalars(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "a"}, tensor<f32> {tfm.output = "b"})
    attributes {tfm.train = {}} {
  return %w, %w : tensor<f32>, tensor<f32>
}

// -----

// Tests that every argument named in wrt exists.
// expected-error @+1 {{'func.func' op tfm-autodiff: has no argument named 'nope'}}
func.func @unknown_wrt(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {wrt = ["w", "nope"]}} {
  return %w : tensor<f32>
}

// -----

// Tests that a model to train has something to train.
// expected-error @+1 {{'func.func' op tfm-autodiff: has nothing to differentiate for ---> HINT: declare parameters with tfm.param or name them in wrt}}
func.func @no_params(%x: tensor<f32> {tfm.input = "x"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {}} {
  return %x : tensor<f32>
}

// -----

// Tests that the optimizer is one tfm knows.
// expected-error @+1 {{'func.func' op tfm-autodiff: unknown optimizer 'adam', expected 'sgd' or 'adamw'}}
func.func @unknown_optimizer(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {optimizer = "adam"}} {
  return %w : tensor<f32>
}

// -----

// Tests that the training step's own inputs do not clash with the model's
// tensors.
// expected-error @+1 {{'func.func' op tfm-autodiff: the training step takes an input named 'lr', but the model already has a tensor of that name}}
func.func @clash(%w: tensor<f32> {tfm.param = "w"}, %lr: tensor<f32> {tfm.input = "lr"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {optimizer = "sgd"}} {
  return %w : tensor<f32>
}

// -----

// Tests that a bias of fused attention computed from a parameter cannot be
// differentiated (a mask or a constant bias needs no gradient).
func.func @attention_bias(%q: tensor<4x8x16xf32> {tfm.param = "q"}, %b: tensor<8x8xf32> {tfm.param = "b"},
                          %t: tensor<4x8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  // expected-error @+1 {{tfm-autodiff: cannot differentiate 'tfm.flash_attention': the gradient of its bias is not supported (a bias computed from parameters; a mask or a constant bias needs none)}}
  %o, %lse = tfm.flash_attention %q, %q, %q bias %b {scale = 0.25 : f32}
      : (tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<8x8xf32>) -> (tensor<4x8x16xf32>, tensor<4x8xf32>)
  %l = tfm.cross_entropy %o, %t : (tensor<4x8x16xf32>, tensor<4x8xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that tfm.train's wrt lists parameter names (strings).
// expected-error @+1 {{'func.func' op tfm-autodiff: tfm.train's wrt lists 3 : i64, not the name of a parameter}}
func.func @wrt_not_names(%w: tensor<f32> {tfm.param = "w"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {loss = "loss", wrt = [3]}} {
  return %w : tensor<f32>
}

// -----

// Tests that a model with dropout and an input of its own named "step" is an
// error: the gradient's dropout takes an input of that name.
// expected-error @+1 {{'func.func' op tfm-autodiff: the dropout of the gradient takes an input named 'step', but the model already has a tensor of that name}}
func.func @dropout_step_taken(%w: tensor<8xf32> {tfm.param = "w"}, %s: tensor<f32> {tfm.input = "step"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {}} {
  %d = tfm.dropout %w {rate = 0.5 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  %r = tfm.reshape %d : tensor<8xf32> -> tensor<1x8xf32>
  %t = arith.constant dense<1> : tensor<1xi32>
  %l = tfm.cross_entropy %r, %t : (tensor<1x8xf32>, tensor<1xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
