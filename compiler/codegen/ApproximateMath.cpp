//===- ApproximateMath.cpp - polynomial math for vector code ----*- C++ -*-===//
//
// Replaces transcendental math ops by MLIR's polynomial approximations so that
// exp in softmax vectorizes instead of calling scalar expf per lane.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMAPPROXIMATEMATHPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {
struct TfmApproximateMathPass
    : tfm::impl::TfmApproximateMathPassBase<TfmApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // No AVX2-specific rsqrt: its approximation is too coarse for layer norm.
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
