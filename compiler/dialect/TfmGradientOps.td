//===- TfmGradientOps.td - ops of gradients and training ---*- tablegen -*-===//
//
// The ops tfm-autodiff emits for the backward pass (each the vector-Jacobian
// product of a forward op that no composition of forward ops computes as
// well), the loss, and the optimizer updates of a training step. Included by
// TfmOps.td: one op list, one dialect.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DIALECT_TFMGRADIENTOPS_TD
#define TFM_DIALECT_TFMGRADIENTOPS_TD

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

def Tfm_ReduceToOp : Tfm_Op<"reduce_to", [Pure]> {
  let summary = "sum over the dimensions a broadcast added";
  let description = [{
    The adjoint of NumPy broadcasting: `result` has a shape that broadcasts
    to `input`'s, and each of its elements is the sum of the input elements
    it was broadcast to (leading dimensions the result lacks, and dimensions
    where the result has 1 and the input more). The gradient of a bias `[D]`
    added to `[B, T, D]` is its `reduce_to` `[D]`.

    ```mlir
    %db = tfm.reduce_to %dy : tensor<2x6x8xf32> -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Tfm_PadOp : Tfm_Op<"pad", [Pure]> {
  let summary = "a tensor placed in zeros at static offsets";
  let description = [{
    The adjoint of `tfm.slice`: `result` is zero except for the box at
    `offsets` of `input`'s shape, which holds `input`.

    ```mlir
    %d = tfm.pad %dy [0, 0] : tensor<6x8xf32> -> tensor<16x8xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, DenseI64ArrayAttr:$offsets);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $input $offsets attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Vector-Jacobian products
//===----------------------------------------------------------------------===//

def Tfm_ReluGradOp : Tfm_Op<"relu_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of relu: dy where x > 0, else 0";
  let description = [{
    ```mlir
    %dx = tfm.relu_grad %x, %dy : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$grad);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad attr-dict `:` type($input)";
}

def Tfm_GeluGradOp : Tfm_Op<"gelu_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of gelu: dy * d gelu(x) / dx";
  let description = [{
    For `approximate = "none"`, `d/dx [x Phi(x)] = Phi(x) + x phi(x)` with
    `phi` the normal density; for `"tanh"`, the derivative of the tanh
    approximation.

    ```mlir
    %dx = tfm.gelu_grad %x, %dy {approximate = "tanh"} : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$grad,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Tfm_SigmoidGradOp : Tfm_Op<"sigmoid_grad",
                               [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of sigmoid: dy * s (1 - s), s = sigmoid(x)";
  let description = [{
    ```mlir
    %dx = tfm.sigmoid_grad %x, %dy : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$grad);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad attr-dict `:` type($input)";
}

def Tfm_SiluGradOp : Tfm_Op<"silu_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of silu: dy * s (1 + x (1 - s)), s = sigmoid(x)";
  let description = [{
    ```mlir
    %dx = tfm.silu_grad %x, %dy : tensor<1x6x24xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$grad);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad attr-dict `:` type($input)";
}

def Tfm_SoftmaxGradOp : Tfm_Op<"softmax_grad",
                               [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of softmax from its output";
  let description = [{
    With `y = softmax(x)` along `axis`: `dx = y * (dy - sum(dy * y))`, the
    sum along `axis`. Takes the forward result, not its input.

    ```mlir
    %dx = tfm.softmax_grad %y, %dy {axis = -1 : i64} : tensor<1x2x6x6xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$output, Tfm_FloatTensor:$grad,
                       I64Attr:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$output `,` $grad attr-dict `:` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getNormalizedAxis();
  }];
}

def Tfm_LogSoftmaxGradOp : Tfm_Op<"log_softmax_grad",
                                  [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of log_softmax from its output";
  let description = [{
    With `y = log_softmax(x)` along `axis`: `dx = dy - exp(y) * sum(dy)`.
    A `-inf` output (a fully masked row) contributes no gradient.

    ```mlir
    %dx = tfm.log_softmax_grad %y, %dy {axis = -1 : i64} : tensor<1x6x41xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$output, Tfm_FloatTensor:$grad,
                       I64Attr:$axis);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$output `,` $grad attr-dict `:` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getNormalizedAxis();
  }];
}

def Tfm_LayerNormGradOp : Tfm_Op<"layer_norm_grad", [Pure]> {
  let summary = "gradients of layer_norm for its input, gamma and beta";
  let description = [{
    With `xhat = (x - mean) * rstd` over the last axis and `g = dy * gamma`:
    `dx = rstd * (g - mean(g) - xhat * mean(g * xhat))`,
    `dgamma = sum(dy * xhat)` and `dbeta = sum(dy)` over every row. The
    statistics are recomputed from `x`.

    ```mlir
    %dx, %dg, %db = tfm.layer_norm_grad %x, %gamma, %dy {epsilon = 9.99999974e-06 : f32}
        : (tensor<1x6x8xf32>, tensor<8xf32>, tensor<1x6x8xf32>)
        -> (tensor<1x6x8xf32>, tensor<8xf32>, tensor<8xf32>)
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$gamma,
                       Tfm_FloatTensor:$grad, F32Attr:$epsilon);
  let results = (outs Tfm_FloatTensor:$input_grad, Tfm_FloatTensor:$gamma_grad,
                      Tfm_FloatTensor:$beta_grad);
  let assemblyFormat = [{
    $input `,` $gamma `,` $grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_RmsNormGradOp : Tfm_Op<"rms_norm_grad", [Pure]> {
  let summary = "gradients of rms_norm for its input and gamma";
  let description = [{
    With `r = 1 / sqrt(mean(x^2) + epsilon)`, `xhat = x * r` and
    `g = dy * gamma`: `dx = r * (g - xhat * mean(g * xhat))` and
    `dgamma = sum(dy * xhat)` over every row.

    ```mlir
    %dx, %dg = tfm.rms_norm_grad %x, %gamma, %dy {epsilon = 9.99999997e-07 : f32}
        : (tensor<1x6x8xf32>, tensor<8xf32>, tensor<1x6x8xf32>)
        -> (tensor<1x6x8xf32>, tensor<8xf32>)
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$input, Tfm_FloatTensor:$gamma,
                       Tfm_FloatTensor:$grad, F32Attr:$epsilon);
  let results = (outs Tfm_FloatTensor:$input_grad, Tfm_FloatTensor:$gamma_grad);
  let assemblyFormat = [{
    $input `,` $gamma `,` $grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_MaskGradOp : Tfm_Op<"mask_grad", [Pure]> {
  let summary = "gradient of mask: dy where allowed, 0 where masked";
  let description = [{
    The same `causal`, `window` and `lengths` rules as `tfm.mask`, with 0 in
    place of `-inf`: no gradient flows to a masked score.

    ```mlir
    %ds = tfm.mask_grad %dm {causal} : (tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$grad,
                       Optional<Tfm_IndexTensor>:$lengths, UnitAttr:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$window);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $grad (`,` $lengths^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_RopeGradOp : Tfm_Op<"rope_grad", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of rope: the inverse rotation";
  let description = [{
    Rope rotates each pair by `t theta_i`; its transpose, the gradient,
    rotates by `-t theta_i`. Same attributes as `tfm.rope` (the pairing
    included).

    ```mlir
    %dx = tfm.rope_grad %dy {base = 1.000000e+04 : f32} : tensor<1x8x6x16xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$grad,
                       DefaultValuedAttr<F32Attr, "10000.0f">:$base,
                       DefaultValuedAttr<I64Attr, "0">:$offset,
                       DefaultValuedAttr<BoolAttr, "false">:$interleaved);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = "$grad attr-dict `:` type($grad)";
  let hasVerifier = 1;
}

def Tfm_EmbeddingGradOp : Tfm_Op<"embedding_grad", [Pure]> {
  let summary = "gradient of embedding: rows scattered and summed";
  let description = [{
    `result[v, d] = sum of dy[i..., d] over the positions i... with
    ids[i...] = v` (after the clamp `tfm.embedding` applies), a `[V, D]`
    table. Positions are added in order, so the result does not depend on
    threads.

    ```mlir
    %dt = tfm.embedding_grad %ids, %dy
        : (tensor<1x6xi32>, tensor<1x6x8xf32>) -> tensor<32x8xf32>
    ```
  }];
  let arguments = (ins Tfm_IndexTensor:$ids, Tfm_FloatTensor:$grad);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $ids `,` $grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_FlashAttentionGradOp : Tfm_Op<"flash_attention_grad",
                                      [Pure, AttrSizedOperandSegments]> {
  let summary = "fused backward of flash_attention";
  let description = [{
    Gradients of `tfm.flash_attention` for query, key and value, from the
    forward's operands, its result `output`, its log-sum-exp `lse` and the
    result's gradient `grad`. Computed tile by tile as FlashAttention's
    backward is: the probabilities `exp(scale q k^T + bias - lse)` are
    recomputed per tile, so no `[Tq, Tk]` matrix is stored, and
    `D = rowsum(grad * output)` replaces the softmax's row sums.

    `key_grad` and `value_grad` have the query's batch dimensions (one per
    query head); `tfm.reduce_to` sums them over the heads that share a key
    and value head.

    ```mlir
    %dq, %dk, %dv = tfm.flash_attention_grad %q, %k, %v, %o, %lse, %do {causal, scale = 0.125 : f32}
        : (tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>,
           tensor<2x8x128x64xf32>, tensor<2x8x128xf32>, tensor<2x8x128x64xf32>)
        -> (tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>, tensor<2x8x128x64xf32>)
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$query, Tfm_FloatTensor:$key,
                       Tfm_FloatTensor:$value, Tfm_FloatTensor:$output,
                       Tfm_FloatTensor:$lse, Tfm_FloatTensor:$grad,
                       Optional<Tfm_IndexTensor>:$lengths,
                       Optional<Tfm_FloatTensor>:$bias, F32Attr:$scale,
                       UnitAttr:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$window);
  let results = (outs Tfm_FloatTensor:$query_grad, Tfm_FloatTensor:$key_grad,
                      Tfm_FloatTensor:$value_grad);
  let assemblyFormat = [{
    $query `,` $key `,` $value `,` $output `,` $lse `,` $grad
    (`lengths` $lengths^)? (`bias` $bias^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

def Tfm_CrossEntropyOp : Tfm_Op<"cross_entropy", [Pure]> {
  let summary = "mean cross-entropy of logits against target ids";
  let description = [{
    `logits: [..., V]`, `targets: [...]` (ids), optional `mask: [...]`
    (weights, 1 for a position that counts and 0 for one that does not, as
    when fine-tuning on answers only). With `p = softmax(logits)` and label
    smoothing `e`, a position's loss is
    `-((1 - e) log p[target] + (e / V) sum_v log p[v])`; a position whose
    target is `ignore_index` (e.g. `<pad>`) or whose mask is 0 does not
    count. The result, a scalar, is the weighted mean over the positions
    that count, and 0 if none does.

    ```mlir
    %loss = tfm.cross_entropy %logits, %targets {ignore_index = 2 : i64, label_smoothing = 1.000000e-01 : f32}
        : (tensor<2x7x41xf32>, tensor<2x7xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$logits, Tfm_IndexTensor:$targets,
                       Optional<Tfm_FloatTensor>:$mask,
                       DefaultValuedAttr<F32Attr, "0.0f">:$label_smoothing,
                       OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $targets (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_CrossEntropyGradOp : Tfm_Op<"cross_entropy_grad", [Pure]> {
  let summary = "gradient of cross_entropy for its logits";
  let description = [{
    `dlogits = grad * w / sum(w) * (softmax(logits) - q)`, with `q` the
    smoothed target distribution (`1 - e + e / V` at the target, `e / V`
    elsewhere), `w` a position's weight as in `tfm.cross_entropy` and `grad`
    the scalar gradient of the loss; zero where no position counts.

    ```mlir
    %dl = tfm.cross_entropy_grad %logits, %targets, %dloss {label_smoothing = 1.000000e-01 : f32}
        : (tensor<2x7x41xf32>, tensor<2x7xi32>, tensor<f32>) -> tensor<2x7x41xf32>
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$logits, Tfm_IndexTensor:$targets,
                       Optional<Tfm_FloatTensor>:$mask, Tfm_FloatTensor:$grad,
                       DefaultValuedAttr<F32Attr, "0.0f">:$label_smoothing,
                       OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs Tfm_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $targets (`mask` $mask^)? `,` $grad attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

def Tfm_AdamWOp : Tfm_Op<"adamw", [Pure]> {
  let summary = "one AdamW step of a parameter";
  let description = [{
    Adam with decoupled weight decay and bias correction, elementwise, at
    step `step` (1 for the first) with learning rate `lr` (both scalars, so
    a schedule needs no recompilation):
    `m' = beta1 m + (1 - beta1) g`, `v' = beta2 v + (1 - beta2) g^2`,
    `p' = p - lr (weight_decay p + (m' / (1 - beta1^step)) /
    (sqrt(v' / (1 - beta2^step)) + epsilon))`.

    ```mlir
    %p1, %m1, %v1 = tfm.adamw %p, %g, %m, %v, %lr, %step
        {beta1 = 0.9 : f32, beta2 = 0.98 : f32, epsilon = 1.0e-9 : f32, weight_decay = 0.01 : f32}
        : (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<f32>, tensor<f32>)
        -> (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>)
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$param, Tfm_FloatTensor:$grad,
                       Tfm_FloatTensor:$m, Tfm_FloatTensor:$v,
                       Tfm_FloatTensor:$lr, Tfm_FloatTensor:$step,
                       F32Attr:$beta1, F32Attr:$beta2, F32Attr:$epsilon,
                       F32Attr:$weight_decay);
  let results = (outs Tfm_FloatTensor:$new_param, Tfm_FloatTensor:$new_m,
                      Tfm_FloatTensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $lr `,` $step attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Tfm_SgdOp : Tfm_Op<"sgd", [Pure]> {
  let summary = "one step of SGD with momentum of a parameter";
  let description = [{
    Elementwise, with learning rate `lr` (a scalar):
    `g' = g + weight_decay p`, `b' = momentum b + g'`, `p' = p - lr b'`
    (PyTorch's rule, dampening 0; `momentum = 0` is plain SGD).

    ```mlir
    %p1, %b1 = tfm.sgd %p, %g, %b, %lr {momentum = 0.9 : f32, weight_decay = 0.0 : f32}
        : (tensor<8x8xf32>, tensor<8x8xf32>, tensor<8x8xf32>, tensor<f32>)
        -> (tensor<8x8xf32>, tensor<8x8xf32>)
    ```
  }];
  let arguments = (ins Tfm_FloatTensor:$param, Tfm_FloatTensor:$grad,
                       Tfm_FloatTensor:$momentum_buffer, Tfm_FloatTensor:$lr,
                       F32Attr:$momentum, F32Attr:$weight_decay);
  let results = (outs Tfm_FloatTensor:$new_param,
                      Tfm_FloatTensor:$new_momentum_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $momentum_buffer `,` $lr attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // TFM_DIALECT_TFMGRADIENTOPS_TD
