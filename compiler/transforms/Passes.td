//===- Passes.td - tfm-to-tfm passes -----------------------*- tablegen -*-===//

#ifndef TFM_TRANSFORMS_PASSES_TD
#define TFM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TfmFuseAttentionPass : Pass<"tfm-fuse-attention", "func::FuncOp"> {
  let summary = "fuse matmul, scale, mask, softmax, matmul into flash_attention";
  let description = [{
    Finds `matmul(softmax(M(matmul(Q, K^T))), V)`, where `M` is any sequence
    of `tfm.scale` (positive), `tfm.mask`, an additive bias (`tfm.add` of a
    tensor that broadcasts into the scores) and `tfm.select(c, x, -inf)`,
    the softmax is over the keys (the last axis), and every intermediate has
    no other use; replaces it by one `tfm.flash_attention`. A scale of Q
    (`matmul(scale(Q), K^T)`) folds into the op's scale; a constant bias or
    select condition with the causal pattern becomes the `causal` flag (so
    the lowering can skip tiles); any other becomes the `bias` operand.
    Key and value heads shared by query groups (grouped-query attention,
    batch dimensions of size 1) stay shared. With `remarks=true`, every
    matmul of softmax probabilities left unfused gets a remark that says why
    (`tfmc --fusion-remarks` does the same on a model).

    ```mlir
    %s = tfm.matmul %q, %k {transpose_b} : ...
    %c = tfm.scale %s {factor = 0.125 : f32} : ...
    %m = tfm.mask %c {causal} : ...
    %p = tfm.softmax %m {axis = -1 : i64} : ...
    %o = tfm.matmul %p, %v : ...
    // becomes
    %o, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.125 : f32} : ...
    ```
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "emit a remark at each matmul of softmax probabilities left "
           "unfused, with the reason">,
  ];
  let dependentDialects = ["arith::ArithDialect"];
}

def TfmAutodiffPass : Pass<"tfm-autodiff", "ModuleOp"> {
  let summary = "reverse-mode gradients and training steps of tfm functions";
  let description = [{
    For each function to train (one with a `tfm.train` attribute, or the
    one named by `function`), generates in tfm IR:

    - `@<f>_grad`: the same arguments; returns the loss (the scalar result
      named by `loss`) and the gradient of the loss for each argument in
      `wrt` (default: every `tfm.param`), named `grad.<name>`.
    - `@<f>_train_step`, when an optimizer is given (`tfm.train`'s
      `optimizer`, or the option): the parameters of `wrt` and the
      optimizer's moments become `tfm.state` arguments updated in place by
      `tfm.adamw` or `tfm.sgd`, after the forward pass, the loss and the
      backward pass; `lr` (and `step` for AdamW) are scalar inputs.

    The backward pass applies one vector-Jacobian product per op, in
    reverse (VjpRules.cpp): only values on a path from a differentiated
    argument to the loss get a gradient, a value used twice sums its
    gradients, and the forward values nothing needs are erased.
    `tfm.flash_attention` differentiates to `tfm.flash_attention_grad`,
    which recomputes the probabilities from the saved log-sum-exp. An op
    with no rule on such a path is an error at its location.

    ```mlir
    func.func @f(%x: tensor<4x8xf32> {tfm.input = "x"}, %w: tensor<8x8xf32> {tfm.param = "w"})
        -> (tensor<f32> {tfm.output = "loss"})
        attributes {tfm.train = {loss = "loss", optimizer = "adamw"}} { ... }
    // gives
    func.func @f_grad(...) -> (tensor<f32> {tfm.output = "loss"},
                               tensor<8x8xf32> {tfm.output = "grad.w"})
    func.func @f_train_step(%x {tfm.input = "x"}, %w {tfm.state = "w"},
                            %m {tfm.state = "adamw.m.w"}, %v {tfm.state = "adamw.v.w"},
                            %lr {tfm.input = "lr"}, %step {tfm.input = "step"})
        -> (loss, w' {tfm.update = "w"}, m' {tfm.update = "adamw.m.w"}, ...)
    ```
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "the function to differentiate (default: every one with tfm.train)">,
    Option<"loss", "loss", "std::string", /*default=*/"\"\"",
           "the scalar output to differentiate (default: tfm.train's loss, "
           "or the only scalar output)">,
    ListOption<"wrt", "wrt", "std::string",
               "the arguments to differentiate for (default: every tfm.param)">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"\"",
           "none, sgd or adamw: also build <f>_train_step (default: "
           "tfm.train's optimizer)">,
  ];
  let dependentDialects = ["arith::ArithDialect"];
}

#endif // TFM_TRANSFORMS_PASSES_TD
