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
    batch dimensions of size 1) stay shared.

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
  let dependentDialects = ["arith::ArithDialect"];
}

#endif // TFM_TRANSFORMS_PASSES_TD
