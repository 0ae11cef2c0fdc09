//===- LowerVectors.cpp - n-D vector ops to 1-D vector ops ------*- C++ -*-===//
//
// Runs on buffers, after bufferization, in three stages so that each set of
// patterns sees the output of the one before:
//   1. fold subviews into transfer indices, then hoist loop-invariant
//      transfers (matmul accumulators stay in registers);
//   2. contract -> outer products -> FMAs (a contraction that is not a
//      matmul -- a row's dot product, a sum over a unit dimension -- is a
//      product and a reduction instead: as outer products it would be one
//      per lane); multi_reduction, transpose, broadcast, shape_cast,
//      gather -> 1-D ops;
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

/// A vector.contract that outer products would lower one lane at a time --
/// a dot product (no parallel dimension of more than one element in only
/// one operand) or one with a parallel dimension both operands share -- as
/// acc + reduce(lhs * rhs): the product over the iteration space, then a
/// multi_reduction over the reduction dimensions (a plain add where they
/// are all unit dimensions).
struct ContractAsProductAndReduction : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getKind() != vector::CombiningKind::ADD ||
        !isa<FloatType>(op.getLhsType().getElementType()) ||
        op->getParentOfType<vector::MaskOp>())
      return failure();
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType || op.getLhsType().isScalable() ||
        op.getRhsType().isScalable())
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    if (!llvm::all_of(maps,
                      [](AffineMap m) { return m.isProjectedPermutation(); }))
      return failure();
    SmallVector<int64_t> bounds;
    op.getIterationBounds(bounds);
    unsigned n = bounds.size();
    SmallVector<bool> isReduction(n, false);
    for (auto [i, it] : llvm::enumerate(op.getIteratorTypes()))
      isReduction[i] = vector::isReductionIterator(it);
    // Outer products run over the parallel dimensions only one operand has
    // and unroll those both have.
    int64_t lhsOnly = 1, rhsOnly = 1;
    bool shared = false;
    for (unsigned d = 0; d < n; ++d) {
      if (isReduction[d])
        continue;
      bool l = maps[0].isFunctionOfDim(d), r = maps[1].isFunctionOfDim(d);
      if (l && r && bounds[d] > 1)
        shared = true;
      else if (l && !r)
        lhsOnly *= bounds[d];
      else if (r && !l)
        rhsOnly *= bounds[d];
    }
    if (!shared && lhsOnly * rhsOnly > 1)
      return failure(); // a matmul or a matrix-vector product: outer products
    // The accumulator's dimensions: the parallel ones, in order.
    SmallVector<unsigned> parallel;
    for (unsigned d = 0; d < n; ++d)
      if (!isReduction[d])
        parallel.push_back(d);
    if (maps[2] !=
        AffineMap::getMultiDimMapWithTargets(n, parallel, op.getContext()))
      return failure();

    Location loc = op.getLoc();
    Type et = op.getLhsType().getElementType();
    // An operand over the whole iteration space: its missing dimensions
    // broadcast in front, then transposed into iteration order.
    auto expand = [&](Value v, AffineMap map) -> Value {
      SmallVector<int64_t> order, shape;
      for (unsigned d = 0; d < n; ++d)
        if (!map.isFunctionOfDim(d)) {
          order.push_back(d);
          shape.push_back(bounds[d]);
        }
      for (AffineExpr e : map.getResults()) {
        unsigned d = cast<AffineDimExpr>(e).getPosition();
        order.push_back(d);
        shape.push_back(bounds[d]);
      }
      Value b = v;
      if (shape.size() != cast<VectorType>(v.getType()).getRank())
        b = rewriter.create<vector::BroadcastOp>(loc,
                                                 VectorType::get(shape, et), v);
      // Result dimension d (iteration dimension d) is the broadcast's
      // dimension that holds it.
      SmallVector<int64_t> transpose(n);
      for (unsigned i = 0; i < n; ++i)
        transpose[order[i]] = i;
      if (!llvm::equal(transpose, llvm::seq<int64_t>(0, n)))
        b = rewriter.create<vector::TransposeOp>(loc, b, transpose);
      return b;
    };
    Value product = rewriter.create<arith::MulFOp>(
        loc, expand(op.getLhs(), maps[0]), expand(op.getRhs(), maps[1]));
    bool unitReductions =
        llvm::all_of(llvm::seq<unsigned>(0, n), [&](unsigned d) {
          return !isReduction[d] || bounds[d] == 1;
        });
    if (unitReductions) {
      Value flat = rewriter.create<vector::ShapeCastOp>(loc, accType, product);
      rewriter.replaceOpWithNewOp<arith::AddFOp>(op, op.getAcc(), flat);
      return success();
    }
    rewriter.replaceOpWithNewOp<vector::MultiDimReductionOp>(
        op, product, op.getAcc(), isReduction, vector::CombiningKind::ADD);
    return success();
  }
};

/// A transpose or shape_cast of a vector whose lanes are all one value --
/// a broadcast of a single element (a row's statistic read along the row)
/// or a splat constant -- is that value broadcast to the new shape.
/// (Lowered as written, either would move each lane on its own.)
template <typename OpTy> struct ReshapeOfSplat : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<VectorType>(op.getResult().getType());
    Value source = op->getOperand(0);
    if (auto broadcast = source.getDefiningOp<vector::BroadcastOp>()) {
      auto from = dyn_cast<VectorType>(broadcast.getSourceType());
      if (from && from.getNumElements() != 1)
        return failure();
      // The element itself is broadcast (a broadcast of a 1-element vector
      // that stretches a dimension lowers to invalid inserts).
      Value element = broadcast.getSource();
      if (from)
        element = rewriter.create<vector::ExtractOp>(
            op.getLoc(), element, SmallVector<int64_t>(from.getRank(), 0));
      rewriter.replaceOpWithNewOp<vector::BroadcastOp>(op, type, element);
      return success();
    }
    DenseElementsAttr values;
    if (matchPattern(source, m_Constant(&values)) && values.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                     values.resizeSplat(type));
      return success();
    }
    return failure();
  }
};

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
          p.add<ReshapeOfSplat<vector::TransposeOp>,
                ReshapeOfSplat<vector::ShapeCastOp>>(ctx);
          // Elementwise ops and transposes of [n x 1] vectors (a row's
          // statistic) on [n] vectors, their unit dimensions dropped.
          vector::populateDropUnitDimWithShapeCastPatterns(p);
          vector::populateShapeCastFoldingPatterns(p);
        })))
      return signalPassFailure();

    if (failed(apply([&](RewritePatternSet &p) {
          p.add<ContractAsProductAndReduction>(ctx, /*benefit=*/2);
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
