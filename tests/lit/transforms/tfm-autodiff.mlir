// RUN: tfm-opt %s --split-input-file --tfm-autodiff --canonicalize | FileCheck %s

// Tests the gradient of a linear layer, relu and the loss: one rule per op
// in reverse order, the weight's gradient contracting the batch into one
// matmul ([12, 8]^T [12, 16]), the input getting none (it is not a param).
// CHECK-LABEL: func.func @linear_loss_grad
// CHECK-SAME:    (%[[X:.+]]: tensor<2x6x8xf32> {tfm.input = "x"}, %[[W:.+]]: tensor<8x16xf32> {tfm.param = "w"}, %[[T:.+]]: tensor<2x6xi32> {tfm.input = "t"})
// CHECK-SAME:    -> (tensor<f32> {tfm.output = "loss"}, tensor<8x16xf32> {tfm.output = "grad.w"})
// CHECK:         %[[H:.+]] = tfm.matmul %[[X]], %[[W]]
// CHECK:         %[[A:.+]] = tfm.relu %[[H]]
// CHECK:         %[[L:.+]] = tfm.cross_entropy %[[A]], %[[T]]
// CHECK:         %[[DA:.+]] = tfm.cross_entropy_grad %[[A]], %[[T]], %{{.+}} {label_smoothing = 1.000000e-01 : f32}
// CHECK:         %[[DH:.+]] = tfm.relu_grad %[[H]], %[[DA]]
// CHECK-DAG:     %[[X2:.+]] = tfm.reshape %[[X]] : tensor<2x6x8xf32> -> tensor<12x8xf32>
// CHECK-DAG:     %[[DH2:.+]] = tfm.reshape %[[DH]] : tensor<2x6x16xf32> -> tensor<12x16xf32>
// CHECK:         %[[DW:.+]] = tfm.matmul %[[X2]], %[[DH2]] {transpose_a} : (tensor<12x8xf32>, tensor<12x16xf32>) -> tensor<8x16xf32>
// CHECK-NOT:     tfm.matmul
// CHECK:         return %[[L]], %[[DW]]
// Tests the training step: w and its AdamW moments are states updated in
// place, lr and step are inputs, the update comes after the backward pass.
// CHECK-LABEL: func.func @linear_loss_train_step
// CHECK-SAME:    %[[SW:[a-z0-9]+]]: tensor<8x16xf32> {tfm.state = "w"}
// CHECK-SAME:    %[[M:[a-z0-9]+]]: tensor<8x16xf32> {tfm.state = "adamw.m.w"}, %[[V:[a-z0-9]+]]: tensor<8x16xf32> {tfm.state = "adamw.v.w"}
// CHECK-SAME:    %[[LR:[a-z0-9]+]]: tensor<f32> {tfm.input = "lr"}, %[[STEP:[a-z0-9]+]]: tensor<f32> {tfm.input = "step"}
// CHECK-SAME:    -> (tensor<f32> {tfm.output = "loss"}, tensor<8x16xf32> {tfm.update = "w"}, tensor<8x16xf32> {tfm.update = "adamw.m.w"}, tensor<8x16xf32> {tfm.update = "adamw.v.w"})
// CHECK:         tfm.relu_grad
// CHECK:         %[[G:.+]] = tfm.matmul {{.+}} {transpose_a}
// CHECK:         %[[P1:.+]], %[[M1:.+]], %[[V1:.+]] = tfm.adamw %[[SW]], %[[G]], %[[M]], %[[V]], %[[LR]], %[[STEP]] {beta1 = 0.899999976 : f32, beta2 = 9.800000e-01 : f32, epsilon = 9.99999971E-10 : f32, weight_decay = 0.00999999977 : f32}
// CHECK:         return %{{.+}}, %[[P1]], %[[M1]], %[[V1]]
func.func @linear_loss(%x: tensor<2x6x8xf32> {tfm.input = "x"}, %w: tensor<8x16xf32> {tfm.param = "w"},
                       %t: tensor<2x6xi32> {tfm.input = "t"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {loss = "loss", optimizer = "adamw", beta1 = 0.9 : f32, beta2 = 0.98 : f32,
                             epsilon = 1.0e-9 : f32, weight_decay = 0.01 : f32}} {
  %h = tfm.matmul %x, %w : (tensor<2x6x8xf32>, tensor<8x16xf32>) -> tensor<2x6x16xf32>
  %a = tfm.relu %h : tensor<2x6x16xf32>
  %l = tfm.cross_entropy %a, %t {label_smoothing = 0.1 : f32} : (tensor<2x6x16xf32>, tensor<2x6xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that a value used twice sums its gradients, that a bias gets the sum
// over the rows it was broadcast to, and SGD.
// CHECK-LABEL: func.func @reuse_grad
// CHECK:         %[[DS:.+]] = tfm.cross_entropy_grad
// CHECK:         %[[SUM:.+]] = tfm.add %[[DS]], %[[DS]] : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
// CHECK:         %[[DB:.+]] = tfm.reduce_to %[[SUM]] : tensor<6x16xf32> -> tensor<16xf32>
// CHECK:         return %{{.+}}, %[[DB]]
// CHECK-LABEL: func.func @reuse_train_step
// CHECK-SAME:    {tfm.state = "sgd.momentum.b"}
// CHECK:         tfm.sgd {{.+}} {momentum = 5.000000e-01 : f32, weight_decay = 0.000000e+00 : f32}
func.func @reuse(%x: tensor<6x16xf32> {tfm.input = "x"}, %b: tensor<16xf32> {tfm.param = "b"},
                 %t: tensor<6xi32> {tfm.input = "t"}) -> (tensor<f32> {tfm.output = "loss"})
    attributes {tfm.train = {loss = "loss", optimizer = "sgd", momentum = 0.5 : f32}} {
  %h = tfm.add %x, %b : (tensor<6x16xf32>, tensor<16xf32>) -> tensor<6x16xf32>
  %s = tfm.add %h, %h : (tensor<6x16xf32>, tensor<6x16xf32>) -> tensor<6x16xf32>
  %l = tfm.cross_entropy %s, %t : (tensor<6x16xf32>, tensor<6xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that fused attention differentiates to its fused backward, which
// takes the forward's output and log-sum-exp, and that the key and value
// heads shared by two query heads (grouped-query attention) sum the
// gradients of both.
// CHECK-LABEL: func.func @attention_grad
// CHECK:         %[[O:.+]], %[[LSE:.+]] = tfm.flash_attention %[[Q:[^,]+]], %[[K:[^,]+]], %[[V:[^ ]+]] {causal, scale = 2.500000e-01 : f32}
// CHECK:         %[[DQ:.+]], %[[DK:.+]], %[[DV:.+]] = tfm.flash_attention_grad %[[Q]], %[[K]], %[[V]], %[[O]], %[[LSE]], %{{.+}} {causal, scale = 2.500000e-01 : f32}
// CHECK-SAME:      -> (tensor<1x2x2x8x16xf32>, tensor<1x2x2x8x16xf32>, tensor<1x2x2x8x16xf32>)
// CHECK:         tfm.reduce_to %[[DK]] : tensor<1x2x2x8x16xf32> -> tensor<1x2x1x8x16xf32>
// CHECK:         tfm.reduce_to %[[DV]] : tensor<1x2x2x8x16xf32> -> tensor<1x2x1x8x16xf32>
// CHECK-NOT:     tensor<1x2x2x8x8xf32>
func.func @attention(%q: tensor<1x2x2x8x16xf32> {tfm.param = "q"}, %k: tensor<1x2x1x8x16xf32> {tfm.param = "k"},
                     %v: tensor<1x2x1x8x16xf32> {tfm.param = "v"}, %t: tensor<1x2x2x8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  %o, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.25 : f32}
      : (tensor<1x2x2x8x16xf32>, tensor<1x2x1x8x16xf32>, tensor<1x2x1x8x16xf32>) -> (tensor<1x2x2x8x16xf32>, tensor<1x2x2x8xf32>)
  %l = tfm.cross_entropy %o, %t : (tensor<1x2x2x8x16xf32>, tensor<1x2x2x8xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that the window of fused and unfused attention reaches its
// gradient: flash_attention_grad and mask_grad with the forward's window.
// CHECK-LABEL: func.func @window_grad
// CHECK:         tfm.flash_attention_grad {{.+}} {causal, scale = 2.500000e-01 : f32, window = 3 : i64}
// CHECK:         tfm.mask_grad %{{.+}} {causal, window = 2 : i64}
func.func @window(%q: tensor<2x8x16xf32> {tfm.param = "q"}, %k: tensor<2x8x16xf32> {tfm.param = "k"},
                  %v: tensor<2x8x16xf32> {tfm.input = "v"}, %t: tensor<2x8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {}} {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %m = tfm.mask %s {causal, window = 2 : i64} : (tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x8x8xf32>
  %o1 = tfm.matmul %p, %v : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %o, %lse = tfm.flash_attention %o1, %k, %v {causal, scale = 0.25 : f32, window = 3 : i64}
      : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8xf32>)
  %l = tfm.cross_entropy %o, %t : (tensor<2x8x16xf32>, tensor<2x8xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests the rules of the unfused attention ops: mask, softmax, scale and the
// two matmuls with their transposes.
// CHECK-LABEL: func.func @unfused_attention_grad
// CHECK-DAG:     tfm.softmax_grad
// CHECK-DAG:     tfm.mask_grad %{{.+}} {causal}
// CHECK-DAG:     tfm.scale %{{.+}} {factor = 2.500000e-01 : f32}
// CHECK-DAG:     tfm.matmul %{{.+}}, %{{.+}} {transpose_a} : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
// CHECK-DAG:     tfm.matmul %{{.+}}, %{{.+}} : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
func.func @unfused_attention(%q: tensor<2x8x16xf32> {tfm.param = "q"}, %k: tensor<2x8x16xf32> {tfm.param = "k"},
                             %v: tensor<2x8x16xf32> {tfm.input = "v"}, %t: tensor<2x8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {}} {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x8xf32>
  %c = tfm.scale %s {factor = 0.25 : f32} : tensor<2x8x8xf32>
  %m = tfm.mask %c {causal} : (tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<2x8x8xf32>
  %o = tfm.matmul %p, %v : (tensor<2x8x8xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %l = tfm.cross_entropy %o, %t : (tensor<2x8x16xf32>, tensor<2x8xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that forward values the gradient does not need are not kept: the
// second output (logits) and the op only it reads are gone from the
// gradient function.
// CHECK-LABEL: func.func @dead_forward_grad
// CHECK-NOT:     tfm.gelu
// CHECK:         return
func.func @dead_forward(%x: tensor<4x8xf32> {tfm.input = "x"}, %w: tensor<8x8xf32> {tfm.param = "w"},
                        %t: tensor<4xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}, tensor<4x8xf32> {tfm.output = "extra"}) attributes {tfm.train = {loss = "loss"}} {
  %h = tfm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %e = tfm.gelu %h : tensor<4x8xf32>
  %l = tfm.cross_entropy %h, %t : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  return %l, %e : tensor<f32>, tensor<4x8xf32>
}

// -----

// Tests that rope's rule is rope_grad with the forward's base, offset and
// pairing.
// CHECK-LABEL: func.func @rope_grad
// CHECK:         tfm.rope %{{.+}} {base = 5.000000e+05 : f32, interleaved = true, offset = 2 : i64} : tensor<2x4x8xf32>
// CHECK:         tfm.rope_grad %{{.+}} {base = 5.000000e+05 : f32, interleaved = true, offset = 2 : i64} : tensor<2x4x8xf32>
func.func @rope(%x: tensor<2x4x8xf32> {tfm.param = "x"}, %t: tensor<8xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  %r = tfm.rope %x {base = 5.0e+05 : f32, offset = 2 : i64, interleaved = true} : tensor<2x4x8xf32>
  %y = tfm.reshape %r : tensor<2x4x8xf32> -> tensor<8x8xf32>
  %l = tfm.cross_entropy %y, %t : (tensor<8x8xf32>, tensor<8xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests the rules of a SwiGLU feed-forward, down(silu(x gate) * (x up)):
// silu_grad on the gate's pre-activation, the product rule through mul, a
// gradient for each of the three weights.
// CHECK-LABEL: func.func @swiglu_grad
// CHECK:         %[[G:.+]] = tfm.matmul %{{.+}}, %[[WG:[a-z0-9]+]]
// CHECK:         %[[S:.+]] = tfm.silu %[[G]]
// CHECK:         %[[U:.+]] = tfm.matmul
// CHECK:         tfm.mul %{{.+}}, %[[U]]
// CHECK:         %[[DS:.+]] = tfm.mul %{{.+}}, %[[U]]
// CHECK:         tfm.silu_grad %[[G]], %[[DS]] : tensor<4x12xf32>
// CHECK:         return %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<f32>, tensor<8x12xf32>, tensor<8x12xf32>, tensor<12x8xf32>
func.func @swiglu(%x: tensor<4x8xf32> {tfm.input = "x"}, %wg: tensor<8x12xf32> {tfm.param = "gate"},
                  %wu: tensor<8x12xf32> {tfm.param = "up"}, %wd: tensor<12x8xf32> {tfm.param = "down"},
                  %t: tensor<4xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  %g = tfm.matmul %x, %wg : (tensor<4x8xf32>, tensor<8x12xf32>) -> tensor<4x12xf32>
  %s = tfm.silu %g : tensor<4x12xf32>
  %u = tfm.matmul %x, %wu : (tensor<4x8xf32>, tensor<8x12xf32>) -> tensor<4x12xf32>
  %h = tfm.mul %s, %u : (tensor<4x12xf32>, tensor<4x12xf32>) -> tensor<4x12xf32>
  %y = tfm.matmul %h, %wd : (tensor<4x12xf32>, tensor<12x8xf32>) -> tensor<4x8xf32>
  %l = tfm.cross_entropy %y, %t : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tests that dropout is applied in the gradient and the training step only:
// the model's own dropout keeps no step (inference: the identity),
// @dropout_grad takes a scalar input "step" that its dropouts read and that
// the gradient's dropout (the same mask) reads too, and an SGD training step
// takes "step" after "lr" for it.
// CHECK-LABEL: func.func @dropout(
// CHECK:         tfm.dropout %{{.+}} {rate = 2.500000e-01 : f32, seed = 4 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-LABEL: func.func @dropout_grad(
// CHECK-SAME:    %[[STEP:[a-z0-9]+]]: tensor<f32> {tfm.input = "step"})
// CHECK:         tfm.dropout %{{.+}} step %[[STEP]] {rate = 2.500000e-01 : f32, seed = 4 : i64}
// CHECK:         tfm.dropout %{{.+}} step %[[STEP]] {rate = 2.500000e-01 : f32, seed = 4 : i64}
// CHECK-LABEL: func.func @dropout_train_step(
// CHECK-SAME:    %{{.+}}: tensor<f32> {tfm.input = "lr"}, %[[TSTEP:[a-z0-9]+]]: tensor<f32> {tfm.input = "step"})
// CHECK:         tfm.dropout %{{.+}} step %[[TSTEP]]
func.func @dropout(%x: tensor<4x8xf32> {tfm.input = "x"}, %w: tensor<8x8xf32> {tfm.param = "w"},
                   %t: tensor<4xi32> {tfm.input = "t"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss", optimizer = "sgd"}} {
  %h = tfm.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %d = tfm.dropout %h {rate = 0.25 : f32, seed = 4 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %l = tfm.cross_entropy %d, %t : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
