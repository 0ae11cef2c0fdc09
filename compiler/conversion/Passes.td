//===- Passes.td - tfm dialect-crossing passes -------------*- tablegen -*-===//

#ifndef TFM_CONVERSION_PASSES_TD
#define TFM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTfmToLinalgPass : Pass<"convert-tfm-to-linalg", "func::FuncOp"> {
  let summary = "lower tfm ops to linalg on tensors";
  let description = [{
    Rewrites every tfm op into `linalg` structured ops (mostly
    `linalg.generic`) on tensors, plus `tensor` reshapes. Broadcasting becomes
    indexing maps; softmax and layer norm become reductions followed by an
    elementwise op. `tfm.flash_attention` becomes an `scf.forall` over
    (batch, query tile) around `scf.for` loops over key tiles that update a
    running max, sum and output (online softmax) with linalg ops on tiles, so
    that no [Tq, Tk] tensor exists; causal and padding masks bound the key
    loop (tiles past the mask are skipped) and only tiles that straddle a
    mask boundary apply it. Each new op keeps the location of the tfm op, so
    lowered IR still points at the DSL line that traced it.

    ```mlir
    %y = tfm.relu %x : tensor<4x8xf32>
    // becomes
    %e = tensor.empty() : tensor<4x8xf32>
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = [...]}
        ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) { maximumf ... }
    ```
  }];
  let options = [
    Option<"flashQueryTile", "flash-query-tile", "int64_t", /*default=*/"0",
           "query rows per tile of tfm.flash_attention (rounded to the "
           "queries; 0: from the module's tfm.target, else this machine)">,
    Option<"flashKeyTile", "flash-key-tile", "int64_t", /*default=*/"0",
           "keys per tile of tfm.flash_attention (rounded to the keys; 0: "
           "from the target)">,
  ];
  let dependentDialects = [
    "affine::AffineDialect", "arith::ArithDialect", "linalg::LinalgDialect",
    "math::MathDialect", "scf::SCFDialect", "tensor::TensorDialect"
  ];
}

#endif // TFM_CONVERSION_PASSES_TD
