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
    elementwise op. Each new op keeps the location of the tfm op, so lowered
    IR still points at the DSL line that traced it.

    ```mlir
    %y = tfm.relu %x : tensor<4x8xf32>
    // becomes
    %e = tensor.empty() : tensor<4x8xf32>
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = [...]}
        ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) { maximumf ... }
    ```
  }];
  let dependentDialects = [
    "arith::ArithDialect", "linalg::LinalgDialect", "math::MathDialect",
    "tensor::TensorDialect"
  ];
}

#endif // TFM_CONVERSION_PASSES_TD
