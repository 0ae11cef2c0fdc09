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
  Option<int64_t> vectorSize{
      *this, "vector-size",
      llvm::cl::desc("preferred vector length in f32 lanes (16: AVX-512)"),
      llvm::cl::init(16)};
};

/// tfm ops --> linalg on tensors, canonicalized.
void buildTfmToLinalgPipeline(OpPassManager &pm);

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
