//===- Pipelines.cpp - named tfm pass pipelines -----------------*- C++ -*-===//
//
// Assembles tfm's own passes and upstream MLIR passes into the CPU pipeline.
// Each step says why it is where it is; the passes themselves live elsewhere.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipelines/Pipelines.h"

#include "compiler/codegen/Passes.h"
#include "compiler/conversion/Passes.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::tfm::buildTfmTransformPipeline(OpPassManager &pm,
                                          const CpuPipelineOptions &options) {
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    // tfm-level folds first (e.g. a transpose into matmul's transpose_b).
    fpm.addPass(createCanonicalizerPass());
    if (options.fuseAttention) {
      TfmFuseAttentionPassOptions fusion;
      fusion.remarks = options.fusionRemarks;
      fpm.addPass(createTfmFuseAttentionPass(fusion));
      fpm.addPass(createCanonicalizerPass());
    }
  }
  // Fuse first, then differentiate: the backward of fused attention is
  // fused too.
  pm.addPass(createTfmAutodiffPass());
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
}

void mlir::tfm::buildTfmToLinalgPipeline(OpPassManager &pm,
                                         const CpuPipelineOptions &options) {
  buildTfmTransformPipeline(pm, options);
  buildTfmConversionPipeline(pm, options);
}

void mlir::tfm::buildTfmConversionPipeline(OpPassManager &pm,
                                           const CpuPipelineOptions &options) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  ConvertTfmToLinalgPassOptions lowering;
  lowering.flashQueryTile = options.flashQueryTile;
  lowering.flashKeyTile = options.flashKeyTile;
  fpm.addPass(createConvertTfmToLinalgPass(lowering));
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
}

void mlir::tfm::buildLinalgToLlvmPipeline(OpPassManager &pm,
                                          const CpuPipelineOptions &options) {
  // The target: every schedule below is computed from it.
  TfmSetTargetPassOptions target;
  target.triple = options.targetTriple;
  target.cpu = options.targetCpu;
  target.features = options.targetFeatures;
  pm.addPass(createTfmSetTargetPass(target));
  // Tensors: fuse elementwise chains (not into reductions); pack and block
  // the large matmuls (BLIS's loops around a register-block micro-kernel);
  // then one tiled loop nest per op.
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createTfmFuseElementwisePass());
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
    TfmTileMatmulsPassOptions matmuls;
    matmuls.blockRows = options.matmulMr;
    matmuls.blockCols = options.matmulNr;
    matmuls.depth = options.matmulKc;
    matmuls.fuseEpilogues = options.fuseEpilogues;
    matmuls.paramsPackedOnce = options.packParams;
    fpm.addPass(createTfmTileMatmulsPass(matmuls));
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }
  // Weights packed once: each entry point's packs of its params move into
  // an entry point of their own, which the runtime calls when it loads them.
  // With packStates, a training step's weights too, kept packed by the step.
  if (options.packParams)
    pm.addPass(createTfmPackParamsPass({options.packStates}));
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    // Row groups (a norm's statistics and the op that applies them) in one
    // loop over blocks of rows, after the matmuls took their epilogues.
    if (options.fuseRows) {
      TfmFuseRowsPassOptions rows;
      rows.distribute = options.parallel;
      fpm.addPass(createTfmFuseRowsPass(rows));
      fpm.addPass(createCanonicalizerPass());
      fpm.addPass(createCSEPass());
    }
    TfmTileAndVectorizePassOptions tiling;
    tiling.vectorize = options.vectorize;
    tiling.vectorSize = options.vectorSize;
    tiling.distribute = options.parallel;
    fpm.addPass(createTfmTileAndVectorizePass(tiling));
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }

  // Buffers: arguments are read-only, results become out-parameters (a
  // result computed by a loop nest is copied into its out-parameter; only a
  // directly returned allocation is replaced by it), temporaries are freed.
  pm.addPass(createTfmPrepareEntryPointsPass());
  // Copies become linalg.copy, which lowers to loops: a memref.copy of a
  // strided view would call memrefCopy from MLIR's runner library, which
  // neither objects nor the JIT link.
  auto linalgCopy = [](OpBuilder &b, Location loc, Value from,
                       Value to) -> LogicalResult {
    b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  bufferization::OneShotBufferizationOptions bufferization;
  bufferization.memCpyFn = linalgCopy;
  bufferization.bufferizeFunctionBoundaries = true;
  bufferization.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  // Updates of training state were materialized in their arguments: those
  // results are the arguments' buffers, and go.
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  outParams.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // 1-D vectors, with loop-invariant transfers hoisted (matmul accumulators
  // in registers across the k loop) while every buffer is still an
  // allocation or an argument: hoisting gives up on transfers through the
  // workspace views the memory plan makes next.
  pm.nest<func::FuncOp>().addPass(createTfmLowerVectorsPass());
  // The memory plan: temporaries in one workspace by liveness, results
  // written in place, parallel iterations' state on their stack. What it
  // leaves on the heap is freed by the deallocation pipeline.
  pm.addPass(createTfmPlanMemoryPass());
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());

  // Loops.
  {
    OpPassManager &fpm = pm.nest<func::FuncOp>();
    fpm.addPass(createConvertLinalgToLoopsPass());
    fpm.addPass(createTfmApproximateMathPass());
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }

  // Kernels: each loop nest a function of its own, each distinct one once
  // (the layers of a model share theirs), so that LLVM compiles small
  // functions, and each once.
  if (options.outlineKernels)
    pm.addPass(createTfmOutlineKernelsPass());

  // Threads: scf.forall (fused attention, parallel tiles) --> scf.parallel
  // --> one OpenMP region per loop, a block of iterations per thread (libomp
  // at run time); serial loops without OpenMP when not parallel.
  pm.nest<func::FuncOp>().addPass(createForallToParallelLoopPass());
  TfmForkParallelLoopsPassOptions fork;
  fork.threads = options.parallel;
  pm.addPass(createTfmForkParallelLoopsPass(fork));
  pm.addPass(createCanonicalizerPass());

  // LLVM dialect.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  // Math ops with an LLVM intrinsic (fma, sqrt, f64 exp, log) become that
  // intrinsic; what is left after the f32 approximations (f64 erf, tanh)
  // becomes a libm call. In this order, or fma would become a call to fmaf.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // Row sums (softmax, norms) as tree reductions: an in-order fadd chain is
  // one add per element at full latency (it was the top of the flash
  // attention profile).
  ConvertVectorToLLVMPassOptions vectorToLlvm;
  vectorToLlvm.reassociateFPReductions = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLlvm));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  // Loop metadata for LLVM: micro-kernels are not unrolled again.
  pm.addPass(createTfmAnnotateLoopsPass());
}

void mlir::tfm::buildTfmLowerToLlvmPipeline(OpPassManager &pm,
                                            const CpuPipelineOptions &options) {
  buildTfmToLinalgPipeline(pm, options);
  buildLinalgToLlvmPipeline(pm, options);
}

void mlir::tfm::registerTfmPassesAndPipelines() {
  registerTfmTransformsPasses();
  registerTfmConversionPasses();
  registerTfmCodegenPasses();
  PassPipelineRegistration<CpuPipelineOptions>(
      "tfm-lower-to-linalg",
      "tfm ops to linalg on tensors (tfm-fuse-attention, "
      "convert-tfm-to-linalg, canonicalize)",
      buildTfmToLinalgPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "tfm-lower-linalg-to-llvm",
      "linalg on tensors to the llvm dialect: tile, vectorize, bufferize, "
      "lower",
      buildLinalgToLlvmPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "tfm-lower-to-llvm",
      "tfm ops to the llvm dialect for the CPU (the whole pipeline)",
      buildTfmLowerToLlvmPipeline);
}
