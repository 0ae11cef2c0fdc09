//===- Pipelines.h - named tfm pass pipelines -------------------*- C++ -*-===//
//
// The stages of the CPU pipeline, each runnable alone in tfm-opt and stopped
// after by `tfmc --emit=<stage>`:
//   tfm --(tfm-lower-to-linalg)--> linalg on tensors
//       --(tfm-lower-linalg-to-llvm)--> llvm dialect
// `tfm-lower-to-llvm` runs both.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_PIPELINES_PIPELINES_H
#define TFM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tfm {

/// Options of the CPU code generation pipeline.
struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("tile and vectorize linalg ops "
                                        "(false: scalar loops)"),
                         llvm::cl::init(true)};
  Option<std::string> targetTriple{
      *this, "target-triple",
      llvm::cl::desc("LLVM triple to generate code for (default: the "
                     "module's tfm.target, else this machine)"),
      llvm::cl::init("")};
  Option<std::string> targetCpu{
      *this, "target-cpu",
      llvm::cl::desc("LLVM CPU to generate code for, e.g. znver3"),
      llvm::cl::init("")};
  Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("LLVM CPU features, e.g. +avx2,-avx512f"),
      llvm::cl::init("")};
  Option<int64_t> vectorSize{
      *this, "vector-size",
      llvm::cl::desc("vector length in f32 lanes (0: the target's register "
                     "width)"),
      llvm::cl::init(0)};
  Option<int64_t> matmulMr{
      *this, "matmul-mr",
      llvm::cl::desc("matmul register block rows (0: the target's)"),
      llvm::cl::init(0)};
  Option<int64_t> matmulNr{
      *this, "matmul-nr",
      llvm::cl::desc("matmul register block columns (0: the target's)"),
      llvm::cl::init(0)};
  Option<int64_t> matmulKc{*this, "matmul-kc",
                           llvm::cl::desc("matmul k block (0: the target's)"),
                           llvm::cl::init(0)};
  Option<bool> fuseEpilogues{
      *this, "fuse-epilogues",
      llvm::cl::desc("compute the elementwise op after a matmul on its tiles"),
      llvm::cl::init(true)};
  Option<bool> packParams{
      *this, "pack-params",
      llvm::cl::desc("pack an entry point's weights (params) once, in an "
                     "entry point of their own, not on every call"),
      llvm::cl::init(true)};
  Option<bool> packStates{
      *this, "pack-states",
      llvm::cl::desc("with pack-params, a training step's weights (states) "
                     "too: packed before its first step, and packed again "
                     "by each step from the weights it updated"),
      llvm::cl::init(false)};
  Option<bool> outlineKernels{
      *this, "outline-kernels",
      llvm::cl::desc("compile each loop nest as a function of its own, each "
                     "distinct one once (false: one function per entry "
                     "point)"),
      llvm::cl::init(true)};
  Option<bool> fuseRows{
      *this, "fuse-rows",
      llvm::cl::desc("compute row reductions (norms, softmax) in the loop "
                     "of the op that reads them"),
      llvm::cl::init(true)};
  Option<bool> fuseAttention{
      *this, "fuse-attention",
      llvm::cl::desc("form tfm.flash_attention (false: the unfused reference)"),
      llvm::cl::init(true)};
  Option<bool> fusionRemarks{
      *this, "fusion-remarks",
      llvm::cl::desc("remark at each attention left unfused, with the reason"),
      llvm::cl::init(false)};
  Option<int64_t> flashQueryTile{
      *this, "flash-query-tile",
      llvm::cl::desc("query rows per tile of fused attention (0: the "
                     "target's)"),
      llvm::cl::init(0)};
  Option<int64_t> flashKeyTile{
      *this, "flash-key-tile",
      llvm::cl::desc("keys per tile of fused attention (0: the target's)"),
      llvm::cl::init(0)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("run parallel loops on threads (OpenMP)"),
      llvm::cl::init(true)};
};

/// tfm ops --> tfm ops: folds, attention fusion, then gradients and training
/// steps (tfm-autodiff) of the functions that ask for them.
void buildTfmTransformPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options);

/// Transformed tfm ops --> linalg on tensors, canonicalized.
void buildTfmConversionPipeline(OpPassManager &pm,
                                const CpuPipelineOptions &options);

/// Both of the above: tfm ops --> linalg on tensors.
void buildTfmToLinalgPipeline(OpPassManager &pm,
                              const CpuPipelineOptions &options);

/// linalg on tensors --> tiled vector code on buffers --> llvm dialect.
void buildLinalgToLlvmPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options);

/// Both of the above: tfm ops --> llvm dialect.
void buildTfmLowerToLlvmPipeline(OpPassManager &pm,
                                 const CpuPipelineOptions &options);

/// Registers every tfm pass and the three pipelines above.
void registerTfmPassesAndPipelines();

} // namespace mlir::tfm

#endif // TFM_PIPELINES_PIPELINES_H
