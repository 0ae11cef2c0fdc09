//===- TfmDialect.td - the tfm dialect ---------------------*- tablegen -*-===//
//
// The tfm dialect: unfused Transformer primitives on statically shaped
// tensors, as the DSL traces them. Fusion, autodiff and lowering act on it.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DIALECT_TFMDIALECT_TD
#define TFM_DIALECT_TFMDIALECT_TD

include "mlir/IR/OpBase.td"

def Tfm_Dialect : Dialect {
  let name = "tfm";
  let cppNamespace = "::mlir::tfm";
  let summary = "Transformer primitives on statically shaped tensors";
  let description = [{
    Ops of a Transformer model as the tfm DSL traces it: matmul, broadcasting
    elementwise arithmetic, activations (relu, gelu), softmax and log-softmax,
    layer and RMS norm, attention masks, rotary and sinusoidal positions,
    embedding lookup, transpose, slice and reshape. Every tensor has a static shape; element types are f16, bf16, f32
    or f64, token ids are i32 or i64.

    A model is a `func.func`. Its arguments carry `tfm.input = "name"` or
    `tfm.param = "name"`, its results `tfm.output = "name"`: these names are
    the entry point's argument names in the generated C++ header and in the
    JIT signature. A training step's parameters and optimizer state are
    arguments with `tfm.state = "name"`, read and updated in place: the
    result with `tfm.update = "name"` holds the new value, which the
    compiled entry point writes over that argument rather than returning.

    ```mlir
    func.func @ffn(%x: tensor<1x6x8xf32> {tfm.input = "x"},
                   %w: tensor<8x8xf32> {tfm.param = "w"})
        -> (tensor<1x6x8xf32> {tfm.output = "y"}) {
      %0 = tfm.matmul %x, %w : (tensor<1x6x8xf32>, tensor<8x8xf32>) -> tensor<1x6x8xf32>
      %1 = tfm.relu %0 : tensor<1x6x8xf32>
      return %1 : tensor<1x6x8xf32>
    }
    ```
  }];
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Argument attribute naming a model input, e.g. `tfm.input = "ids"`.
    static constexpr ::llvm::StringLiteral kInputAttrName = "tfm.input";
    /// Argument attribute naming a learned parameter, e.g. `tfm.param = "wq"`.
    static constexpr ::llvm::StringLiteral kParamAttrName = "tfm.param";
    /// Result attribute naming a model output, e.g. `tfm.output = "logits"`.
    static constexpr ::llvm::StringLiteral kOutputAttrName = "tfm.output";
    /// Argument attribute naming a tensor updated in place, e.g.
    /// `tfm.state = "wq"` (a parameter) or `tfm.state = "adamw.m.wq"`.
    static constexpr ::llvm::StringLiteral kStateAttrName = "tfm.state";
    /// Argument attribute of a weight packed once (tfm-pack-params), the
    /// index of its place in the entry point's buffer of packed weights:
    /// `tfm.packed = 0`. As a result attribute: the packed weight the
    /// function writes in that argument (its packing entry point, or a
    /// training step packing the weights it updated).
    static constexpr ::llvm::StringLiteral kPackedAttrName = "tfm.packed";
    /// Unit attribute of a `tfm.packed` argument that the function writes
    /// in place (tfm-prepare-entry-points), which tfm-plan-memory checks.
    static constexpr ::llvm::StringLiteral kWrittenAttrName = "tfm.written";
    /// Unit attribute of a private function that tfm-outline-kernels made
    /// of one loop nest: compiled on its own, never inlined back.
    static constexpr ::llvm::StringLiteral kKernelAttrName = "tfm.kernel";
    /// Unit attribute of a copy that tfm-tile-matmuls made to pack a matmul
    /// operand (tfm-pack-params moves those of params out of the call).
    static constexpr ::llvm::StringLiteral kPackAttrName = "tfm.pack";
    /// Function attribute of the packing entry point of tfm-pack-params,
    /// naming the entry point whose params it packs: `tfm.packs = "f"`.
    static constexpr ::llvm::StringLiteral kPacksAttrName = "tfm.packs";
    /// Result attribute naming the `tfm.state` argument the result updates.
    static constexpr ::llvm::StringLiteral kUpdateAttrName = "tfm.update";
    /// Function attribute asking for a gradient and a training step:
    /// `tfm.train = {loss = "loss", optimizer = "adamw", ...}`.
    static constexpr ::llvm::StringLiteral kTrainAttrName = "tfm.train";
  }];
}

class Tfm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tfm_Dialect, mnemonic, traits>;

// The float types the pipeline compiles; entry points take f32 and f64.
def Tfm_FloatTensor : StaticShapeTensorOf<[F16, BF16, F32, F64]>;
// Token ids: 32- or 64-bit, read as signed.
def Tfm_IndexTensor : StaticShapeTensorOf<[I32, I64]>;

#endif // TFM_DIALECT_TFMDIALECT_TD
