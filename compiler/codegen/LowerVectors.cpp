//===- LowerVectors.cpp - n-D vector ops to 1-D vector ops ------*- C++ -*-===//
//
// Runs on buffers, after bufferization, in three stages so that each set of
// patterns sees the output of the one before:
//   1. fold subviews into transfer indices, then hoist loop-invariant
//      transfers (matmul accumulators stay in registers);
//   2. contract -> outer products -> FMAs; multi_reduction, transpose,
//      broadcast, shape_cast, gather -> 1-D ops;
//   3. n-D transfers -> unrolled 1-D transfers -> vector.load / vector.store.
// What is left is what convert-vector-to-llvm takes.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMLOWERVECTORSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {
struct TfmLowerVectorsPass
    : tfm::impl::TfmLowerVectorsPassBase<TfmLowerVectorsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    // Transfers through subviews read and write their base memref at
    // offset indices: hoisting only moves transfers whose source is not a
    // view (it cannot rule out aliasing through one).
    {
      RewritePatternSet patterns(ctx);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
      // A read and its write then compute equal indices apart: one value
      // each, or hoisting sees two different subsets.
      IRRewriter rewriter(ctx);
      DominanceInfo dominance(func);
      eliminateCommonSubExpressions(rewriter, dominance, func);
    }
    linalg::hoistRedundantVectorTransfers(func);

    vector::VectorTransformsOptions options;
    options
        .setVectorTransformsOptions(
            vector::VectorContractLowering::OuterProduct)
        .setVectorMultiReductionLowering(
            vector::VectorMultiReductionLowering::InnerReduction)
        .setVectorTransposeLowering(vector::VectorTransposeLowering::EltWise);

    auto apply = [&](function_ref<void(RewritePatternSet &)> populate) {
      RewritePatternSet patterns(ctx);
      populate(patterns);
      vector::populateVectorToVectorCanonicalizationPatterns(patterns);
      return applyPatternsAndFoldGreedily(func, std::move(patterns));
    };

    if (failed(apply([&](RewritePatternSet &p) {
          vector::populateVectorTransferPermutationMapLoweringPatterns(p);
          vector::populateVectorReductionToContractPatterns(p);
          vector::populateCastAwayVectorLeadingOneDimPatterns(p);
        })))
      return signalPassFailure();

    if (failed(apply([&](RewritePatternSet &p) {
          vector::populateVectorContractLoweringPatterns(p, options);
          vector::populateVectorOuterProductLoweringPatterns(p);
          vector::populateVectorMultiReductionLoweringPatterns(
              p, options.vectorMultiReductionLowering);
          vector::populateVectorTransposeLoweringPatterns(p, options);
          vector::populateVectorBroadcastLoweringPatterns(p);
          vector::populateVectorShapeCastLoweringPatterns(p);
          vector::populateVectorMaskOpLoweringPatterns(p);
          vector::populateVectorGatherLoweringPatterns(p);
        })))
      return signalPassFailure();

    if (failed(apply([&](RewritePatternSet &p) {
          vector::populateVectorTransferPermutationMapLoweringPatterns(p);
          vector::populateVectorTransferLoweringPatterns(p,
                                                         /*maxTransferRank=*/1);
          populateVectorToSCFConversionPatterns(
              p, VectorTransferToSCFOptions().enableFullUnroll());
          vector::populateVectorShapeCastLoweringPatterns(p);
        })))
      return signalPassFailure();
  }
};
} // namespace
