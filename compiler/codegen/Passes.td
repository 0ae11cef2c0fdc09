//===- Passes.td - tfm CPU code generation passes ----------*- tablegen -*-===//
//
// The passes between linalg on tensors and the LLVM dialect that are tfm's own;
// the rest of the CPU pipeline is upstream MLIR (see pipelines/).
//
//===----------------------------------------------------------------------===//

#ifndef TFM_CODEGEN_PASSES_TD
#define TFM_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def TfmPrepareEntryPointsPass
    : Pass<"tfm-prepare-entry-points", "ModuleOp"> {
  let summary = "fix the C ABI of public functions before bufferization";
  let description = [{
    For every public `func.func`: adds `llvm.emit_c_interface`, so that the
    object file exports `_mlir_ciface_<name>` taking memref descriptors;
    marks every argument `bufferization.writable = false`, so that compiled
    code never writes into a caller's input; and drops the `tfm.input`,
    `tfm.param` and `tfm.output` names, which the header generator has
    already read. In every function with a body, a returned tensor that is an
    argument, or that is returned twice, is copied
    (`bufferization.alloc_tensor() copy(...)`), so that each result has a
    buffer of its own to become an out-parameter.
  }];
  let dependentDialects = ["bufferization::BufferizationDialect"];
}

def TfmFuseElementwisePass : Pass<"tfm-fuse-elementwise", "func::FuncOp"> {
  let summary = "fuse chains of elementwise linalg ops, not into reductions";
  let description = [{
    Fuses a `linalg.generic` producer into its consumer when both are
    elementwise (all loops parallel) and the producer has no other use, so
    that e.g. scale, bias and activation become one loop nest. Unlike
    upstream `linalg-fuse-elementwise-ops`, it never fuses into a consumer
    with a reduction: fused into a matmul, a producer would be recomputed
    once per element of the reduction (softmax's exp, once per column of V).
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def TfmTileAndVectorizePass
    : Pass<"tfm-tile-and-vectorize", "func::FuncOp"> {
  let summary = "tile linalg ops on tensors and vectorize the tiles";
  let description = [{
    First splits each large op's leading parallel loops (batch and rows)
    into an `scf.forall` of about 16 chunks, which the pipeline runs on
    threads; an op already inside an `scf.forall` is not split again. Then
    tiles each op with tile sizes that divide its static loop ranges,
    so that every tile has a static shape, then vectorizes the tile with
    `linalg::vectorize`. The innermost loop gets a vector-width tile; a
    contraction gets an M x N register block with a K tile. An op the
    vectorizer rejects stays a scalar tile and becomes loops later.
  }];
  let options = [
    Option<"vectorSize", "vector-size", "int64_t", /*default=*/"16",
           "preferred vector length in elements (16 f32 lanes = one zmm)">,
    Option<"vectorize", "vectorize", "bool", /*default=*/"true",
           "vectorize the tiles (false: tile only)">,
    Option<"distribute", "distribute", "bool", /*default=*/"true",
           "split large ops' leading parallel loops into an scf.forall of "
           "about 16 chunks (threads)">,
  ];
  let dependentDialects = [
    "affine::AffineDialect", "arith::ArithDialect", "scf::SCFDialect",
    "tensor::TensorDialect", "vector::VectorDialect"
  ];
}

def TfmLowerVectorsPass : Pass<"tfm-lower-vectors", "func::FuncOp"> {
  let summary = "lower n-D vector ops to 1-D ops the LLVM conversion takes";
  let description = [{
    Hoists loop-invariant transfers (the accumulator of a tiled matmul stays
    in registers across the K loop), then lowers `vector.contract` to outer
    products (FMAs), multi-reductions, transposes, broadcasts, shape casts and
    n-D transfers to 1-D vector ops and loads/stores.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "memref::MemRefDialect", "scf::SCFDialect",
    "vector::VectorDialect"
  ];
}

def TfmApproximateMathPass : Pass<"tfm-approximate-math", "func::FuncOp"> {
  let summary = "replace math ops by polynomial approximations";
  let description = [{
    Rewrites `math.exp`, `math.log`, `math.tanh` and the like into polynomial
    approximations in arith ops, which vectorize, instead of scalar libm
    calls.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "math::MathDialect", "vector::VectorDialect"
  ];
}

#endif // TFM_CODEGEN_PASSES_TD
