//===- TfmToLinalg.cpp - tfm ops to linalg on tensors -----------*- C++ -*-===//
//
// Lowers each tfm op on its own into linalg structured ops on tensors; fusion
// across ops is left to linalg's elementwise fusion and to later passes.
//
//   tfm.matmul     --> fill(0) + generic(parallel batch/M/N, reduction K)
//   tfm.add/mul    --> generic(parallel) with broadcasting indexing maps
//   tfm.softmax    --> generic(max) + generic(sum exp) + generic(exp / sum)
//   tfm.layer_norm --> generic(sum) + generic(sum sq) + generic(normalize)
//   tfm.embedding  --> generic(parallel) over ids with tensor.extract
//   tfm.transpose  --> linalg.transpose
//   tfm.reshape    --> tensor.collapse_shape + tensor.expand_shape
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"
#include "compiler/dialect/TfmOps.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <numeric>

namespace mlir::tfm {
#define GEN_PASS_DEF_CONVERTTFMTOLINALGPASS
#include "compiler/conversion/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

using utils::IteratorType;
using BodyBuilder = function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value floatConstant(OpBuilder &b, Location loc, Type type, double value) {
  return b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, value));
}

/// tensor.empty of `type`, or that tensor filled with `value`.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value) {
  return b.create<linalg::FillOp>(loc, value, emptyTensor(b, loc, type))
      .getResult(0);
}

/// The map reading an operand of `shape` inside a loop nest over `loopShape`,
/// aligned at the trailing dimensions of `loopDims` (NumPy broadcasting): a
/// size-1 dimension facing a larger loop reads index 0.
AffineMap broadcastMap(MLIRContext *ctx, unsigned numLoops,
                       ArrayRef<int64_t> shape, ArrayRef<unsigned> loopDims,
                       ArrayRef<int64_t> loopShape) {
  SmallVector<AffineExpr> exprs;
  size_t offset = loopDims.size() - shape.size();
  for (auto [i, size] : llvm::enumerate(shape)) {
    unsigned loop = loopDims[offset + i];
    exprs.push_back(size == 1 && loopShape[offset + i] != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(loop, ctx));
  }
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

SmallVector<unsigned> iota(unsigned n) {
  SmallVector<unsigned> v(n);
  std::iota(v.begin(), v.end(), 0u);
  return v;
}

/// A linalg.generic with one result whose region yields `body(args)`.
Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                   ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iterators,
                   BodyBuilder body) {
  auto op = b.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args));
      });
  return op.getResult(0);
}

/// An elementwise generic over `resultType` whose inputs broadcast into it.
Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       RankedTensorType resultType, BodyBuilder body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(ctx, rank, tensorType(in).getShape(),
                                iota(rank), resultType.getShape()));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  return buildGeneric(b, loc, inputs, emptyTensor(b, loc, resultType), maps,
                      iterators, body);
}

/// The map of a tensor reduced along `axis` inside a loop nest of `rank`.
AffineMap reducedMap(MLIRContext *ctx, unsigned rank, unsigned axis) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

RankedTensorType reducedType(RankedTensorType type, unsigned axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return RankedTensorType::get(shape, type.getElementType());
}

/// Reduces `inputs` along `axis` into a tensor filled with `init`:
/// `acc = body(inputs..., acc)`. Every input after the first is already
/// reduced (it is read with the reduced map).
Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs,
                     unsigned axis, Value initValue, BodyBuilder body) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(inputs.front());
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(rank, ctx)};
  for (size_t i = 1; i < inputs.size(); ++i)
    maps.push_back(reducedMap(ctx, rank, axis));
  maps.push_back(reducedMap(ctx, rank, axis));
  SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
  iterators[axis] = IteratorType::reduction;
  Value init = filledTensor(b, loc, reducedType(type, axis), initValue);
  return buildGeneric(b, loc, inputs, init, maps, iterators, body);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct MatmulOpLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Loops: [batch..., m, n, k]; lhs [batch..., m, k], rhs [batch..., k, n].
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType resultType = op.getType();
    unsigned nb = resultType.getRank() - 2;
    unsigned numLoops = nb + 3, m = nb, n = nb + 1, k = nb + 2;
    ArrayRef<int64_t> batchShape = resultType.getShape().drop_back(2);
    SmallVector<unsigned> batchLoops = iota(nb);

    auto operandMap = [&](Value v, unsigned row, unsigned col, bool transpose) {
      ArrayRef<int64_t> shape = tensorType(v).getShape();
      AffineMap batch = broadcastMap(ctx, numLoops, shape.drop_back(2),
                                     batchLoops, batchShape);
      SmallVector<AffineExpr> exprs(batch.getResults());
      if (transpose)
        std::swap(row, col);
      exprs.push_back(getAffineDimExpr(row, ctx));
      exprs.push_back(getAffineDimExpr(col, ctx));
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps{
        operandMap(adaptor.getLhs(), m, k, op.getTransposeA()),
        operandMap(adaptor.getRhs(), k, n, op.getTransposeB())};
    SmallVector<AffineExpr> outExprs;
    for (unsigned d = 0; d < nb + 2; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
    SmallVector<IteratorType> iterators(numLoops, IteratorType::parallel);
    iterators[k] = IteratorType::reduction;

    Type et = resultType.getElementType();
    Value init = filledTensor(rewriter, loc, resultType,
                              floatConstant(rewriter, loc, et, 0));
    Value result = buildGeneric(
        rewriter, loc, {adaptor.getLhs(), adaptor.getRhs()}, init, maps,
        iterators, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value prod = b.create<arith::MulFOp>(l, a[0], a[1]);
          return b.create<arith::AddFOp>(l, a[2], prod);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename Op, typename ArithOp>
struct BroadcastBinaryLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), {adaptor.getLhs(), adaptor.getRhs()},
        op.getType(), [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<ArithOp>(l, a[0], a[1]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScaleOpLowering : OpConversionPattern<ScaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value factor = floatConstant(rewriter, loc, op.getType().getElementType(),
                                 op.getFactor().convertToDouble());
    Value result =
        buildElementwise(rewriter, loc, {adaptor.getInput()}, op.getType(),
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return b.create<arith::MulFOp>(l, a[0], factor);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReluOpLowering : OpConversionPattern<ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value zero =
        floatConstant(rewriter, loc, op.getType().getElementType(), 0.0);
    Value result =
        buildElementwise(rewriter, loc, {adaptor.getInput()}, op.getType(),
                         [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return b.create<arith::MaximumFOp>(l, a[0], zero);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxOpLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // m = max(x); s = sum(exp(x - m)); y = exp(x - m) / s, along `axis`.
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = op.getType();
    Type et = type.getElementType();
    unsigned axis = op.getNormalizedAxis();
    unsigned rank = type.getRank();
    MLIRContext *ctx = rewriter.getContext();

    auto negInf = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getFloatAttr(
                 et, APFloat::getInf(cast<FloatType>(et).getFloatSemantics(),
                                     /*Negative=*/true)));
    Value max =
        buildReduction(rewriter, loc, {x}, axis, negInf,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::MaximumFOp>(l, a[0], a[1]);
                       });
    Value sum = buildReduction(
        rewriter, loc, {x, max}, axis, floatConstant(rewriter, loc, et, 0),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value e =
              b.create<math::ExpOp>(l, b.create<arith::SubFOp>(l, a[0], a[1]));
          return b.create<arith::AddFOp>(l, a[2], e);
        });
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap red = reducedMap(ctx, rank, axis);
    Value result =
        buildGeneric(rewriter, loc, {x, max, sum},
                     emptyTensor(rewriter, loc, type), {id, red, red, id},
                     SmallVector<IteratorType>(rank, IteratorType::parallel),
                     [](OpBuilder &b, Location l, ValueRange a) -> Value {
                       Value e = b.create<math::ExpOp>(
                           l, b.create<arith::SubFOp>(l, a[0], a[1]));
                       return b.create<arith::DivFOp>(l, e, a[2]);
                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormOpLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // s1 = sum(x); s2 = sum((x - s1/D)^2);
    // y = (x - s1/D) / sqrt(s2/D + eps) * gamma + beta, along the last axis.
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = op.getType();
    Type et = type.getElementType();
    unsigned rank = type.getRank(), axis = rank - 1;
    MLIRContext *ctx = rewriter.getContext();
    Value zero = floatConstant(rewriter, loc, et, 0);
    Value invD = floatConstant(rewriter, loc, et, 1.0 / type.getShape().back());
    Value eps =
        floatConstant(rewriter, loc, et, op.getEpsilon().convertToDouble());
    Value one = floatConstant(rewriter, loc, et, 1);

    Value sum =
        buildReduction(rewriter, loc, {x}, axis, zero,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::AddFOp>(l, a[1], a[0]);
                       });
    Value sumSq =
        buildReduction(rewriter, loc, {x, sum}, axis, zero,
                       [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                         Value mean = b.create<arith::MulFOp>(l, a[1], invD);
                         Value d = b.create<arith::SubFOp>(l, a[0], mean);
                         return b.create<arith::AddFOp>(
                             l, a[2], b.create<arith::MulFOp>(l, d, d));
                       });
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap red = reducedMap(ctx, rank, axis);
    AffineMap last = AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
    Value result = buildGeneric(
        rewriter, loc, {x, sum, sumSq, adaptor.getGamma(), adaptor.getBeta()},
        emptyTensor(rewriter, loc, type), {id, red, red, last, last, id},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value mean = b.create<arith::MulFOp>(l, a[1], invD);
          Value var = b.create<arith::MulFOp>(l, a[2], invD);
          Value stddev =
              b.create<math::SqrtOp>(l, b.create<arith::AddFOp>(l, var, eps));
          Value inv = b.create<arith::DivFOp>(l, one, stddev);
          Value norm = b.create<arith::MulFOp>(
              l, b.create<arith::SubFOp>(l, a[0], mean), inv);
          return b.create<arith::AddFOp>(
              l, b.create<arith::MulFOp>(l, norm, a[3]), a[4]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct EmbeddingOpLowering : OpConversionPattern<EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // result[i..., d] = table[clamp(ids[i...], 0, V - 1), d]
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value table = adaptor.getTable();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    int64_t vocab = tensorType(table).getShape()[0];
    AffineMap idsMap = reducedMap(ctx, rank, rank - 1);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value result = buildGeneric(
        rewriter, loc, {adaptor.getIds()}, emptyTensor(rewriter, loc, type),
        {idsMap, id}, SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value row = b.create<arith::IndexCastOp>(l, b.getIndexType(), a[0]);
          Value lo = b.create<arith::ConstantIndexOp>(l, 0);
          Value hi = b.create<arith::ConstantIndexOp>(l, vocab - 1);
          row = b.create<arith::MinSIOp>(
              l, b.create<arith::MaxSIOp>(l, row, lo), hi);
          Value col = b.create<linalg::IndexOp>(l, rank - 1);
          return b.create<tensor::ExtractOp>(l, table, ValueRange{row, col});
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TransposeOpLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto transpose = rewriter.create<linalg::TransposeOp>(
        loc, adaptor.getInput(), emptyTensor(rewriter, loc, op.getType()),
        op.getPermutation());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct ReshapeOpLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // [a x b x c] --collapse--> [abc] --expand--> [d x e]; a rank-0 side
    // needs only the other half.
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType from = tensorType(x), to = op.getType();
    auto all = [](int64_t rank) {
      ReassociationIndices group(rank);
      std::iota(group.begin(), group.end(), 0);
      return SmallVector<ReassociationIndices>{group};
    };
    if (from.getRank() == 0) {
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, to, x, SmallVector<ReassociationIndices>{});
      return success();
    }
    if (to.getRank() == 0) {
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, to, x, SmallVector<ReassociationIndices>{});
      return success();
    }
    Value flat = x;
    if (from.getRank() != 1)
      flat =
          rewriter.create<tensor::CollapseShapeOp>(loc, x, all(from.getRank()));
    if (to.getRank() == 1) {
      rewriter.replaceOp(op, flat);
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, to, flat,
                                                       all(to.getRank()));
    return success();
  }
};

struct ConvertTfmToLinalgPass
    : tfm::impl::ConvertTfmToLinalgPassBase<ConvertTfmToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<TfmDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    RewritePatternSet patterns(ctx);
    populateTfmToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::tfm::populateTfmToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulOpLowering, BroadcastBinaryLowering<AddOp, arith::AddFOp>,
               BroadcastBinaryLowering<MulOp, arith::MulFOp>, ScaleOpLowering,
               ReluOpLowering, SoftmaxOpLowering, LayerNormOpLowering,
               EmbeddingOpLowering, TransposeOpLowering, ReshapeOpLowering>(
      patterns.getContext());
}
