//===- Gradients.cpp - backward, loss and optimizer ops to linalg -*- C++
//-*-===//
//
// Lowers the ops of TfmGradientOps.td (but flash_attention_grad, see
// FlashAttentionGrad.cpp) into linalg on tensors:
//
//   tfm.reduce_to        --> generic(reduction over the broadcast dims)
//   tfm.pad              --> fill(0) + tensor.insert_slice
//   tfm.relu_grad        --> generic(parallel) select(x > 0, dy, 0)
//   tfm.gelu_grad        --> generic(parallel) with erf/exp or tanh
//   tfm.sigmoid_grad     --> generic(parallel) dy s (1 - s)
//   tfm.silu_grad        --> generic(parallel) dy s (1 + x (1 - s))
//   tfm.softmax_grad     --> generic(sum dy y) + generic(y (dy - sum))
//   tfm.log_softmax_grad --> generic(sum dy) + generic(dy - exp(y) sum)
//   tfm.layer_norm_grad  --> row statistics, row sums of g and g xhat, dx;
//                            dgamma, dbeta as reductions over the rows
//   tfm.rms_norm_grad    --> likewise without the mean
//   tfm.embedding_grad   --> scf.for over positions, each adding its row of
//                            dy into the table's row (in order: the result
//                            does not depend on threads)
//   tfm.cross_entropy(_grad) --> row max, sum exp, logit at the target, sum
//                            of logits; weighted mean; softmax - smoothed
//                            one-hot for the gradient
//   tfm.adamw / tfm.sgd  --> one generic(parallel) with 3 / 2 results, the
//                            bias corrections computed once from the scalars
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"
#include "compiler/conversion/TfmToLinalg/Builders.h"
#include "compiler/dialect/TfmOps.h"

#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tfm;
using namespace mlir::tfm::linalg_builders;

namespace {

SmallVector<IteratorType> parallel(unsigned n) {
  return SmallVector<IteratorType>(n, IteratorType::parallel);
}

/// A linalg.generic with several results.
SmallVector<Value> buildGenericN(
    OpBuilder &b, Location loc, ValueRange inputs, ValueRange inits,
    ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iterators,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  auto op = b.create<linalg::GenericOp>(
      loc, inits.getTypes(), inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args));
      });
  return SmallVector<Value>(op.getResults());
}

/// The scalar held by a rank-0 tensor.
Value extractScalar(OpBuilder &b, Location loc, Value t) {
  return b.create<tensor::ExtractOp>(loc, t, ValueRange{});
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

struct ReduceToOpLowering : OpConversionPattern<ReduceToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReduceToOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Loops over the input; the result reads the loops it keeps (aligned at
    // the trailing dimensions) and 0 where it has 1 against a larger input.
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    ArrayRef<int64_t> in = tensorType(x).getShape();
    RankedTensorType type = op.getType();
    ArrayRef<int64_t> out = type.getShape();
    unsigned rank = in.size(), offset = rank - out.size();
    SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < out.size(); ++i) {
      unsigned loop = offset + i;
      if (out[i] == in[loop]) {
        iterators[loop] = IteratorType::parallel;
        exprs.push_back(getAffineDimExpr(loop, ctx));
      } else {
        exprs.push_back(getAffineConstantExpr(0, ctx));
      }
    }
    Value init =
        filledTensor(rewriter, loc, type,
                     floatConstant(rewriter, loc, type.getElementType(), 0));
    Value result = buildGeneric(
        rewriter, loc, {x}, init,
        {AffineMap::getMultiDimIdentityMap(rank, ctx),
         AffineMap::get(rank, 0, exprs, ctx)},
        iterators, [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::AddFOp>(l, a[1], a[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadOpLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value zeros =
        filledTensor(rewriter, loc, type,
                     floatConstant(rewriter, loc, type.getElementType(), 0));
    SmallVector<int64_t> strides(type.getRank(), 1);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getInput(), zeros,
        getAsIndexOpFoldResult(ctx, op.getOffsets()),
        getAsIndexOpFoldResult(ctx, tensorType(adaptor.getInput()).getShape()),
        getAsIndexOpFoldResult(ctx, strides));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise and along-axis gradients
//===----------------------------------------------------------------------===//

struct ReluGradOpLowering : OpConversionPattern<ReluGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReluGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value zero = floatConstant(rewriter, loc, op.getType().getElementType(), 0);
    Value result = buildElementwise(
        rewriter, loc, {adaptor.getInput(), adaptor.getGrad()}, op.getType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value positive =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], zero);
          return b.create<arith::SelectOp>(l, positive, a[1], zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// dy * f'(x) for sigmoid (s (1 - s)) and silu (s (1 + x (1 - s))), with
/// s = sigmoid(x).
template <typename Op, bool Silu>
struct SigmoidGradLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), {adaptor.getInput(), adaptor.getGrad()},
        op.getType(), [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0], s = buildSigmoid(b, l, x);
          Value one = floatConstant(b, l, x.getType(), 1.0);
          Value oneMinusS = b.create<arith::SubFOp>(l, one, s);
          Value d =
              Silu ? b.create<arith::MulFOp>(
                         l, s,
                         b.create<arith::AddFOp>(
                             l, one, b.create<arith::MulFOp>(l, x, oneMinusS)))
                   : b.create<arith::MulFOp>(l, s, oneMinusS);
          return b.create<arith::MulFOp>(l, a[1], d);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GeluGradOpLowering : OpConversionPattern<GeluGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GeluGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // none: dx = dy (Phi(x) + x phi(x)), Phi(x) = 0.5 (1 + erf(x / sqrt 2)),
    //       phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
    // tanh: u = k (x + c x^3), t = tanh(u),
    //       dx = dy (0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2))
    Location loc = op.getLoc();
    Type et = op.getType().getElementType();
    bool tanh = op.getApproximate() == "tanh";
    auto c = [&](double v) { return floatConstant(rewriter, loc, et, v); };
    Value half = c(0.5), one = c(1.0);
    Value k = tanh ? c(std::sqrt(2.0 / M_PI)) : c(1.0 / std::sqrt(2.0));
    Value cubic = c(0.044715), threeCubic = c(3 * 0.044715);
    Value invSqrt2Pi = c(1.0 / std::sqrt(2.0 * M_PI)), minusHalf = c(-0.5);
    Value result = buildElementwise(
        rewriter, loc, {adaptor.getInput(), adaptor.getGrad()}, op.getType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0], x2 = b.create<arith::MulFOp>(l, x, x), d;
          if (tanh) {
            Value inner = b.create<arith::AddFOp>(
                l, x,
                b.create<arith::MulFOp>(l, cubic,
                                        b.create<arith::MulFOp>(l, x2, x)));
            Value t =
                b.create<math::TanhOp>(l, b.create<arith::MulFOp>(l, k, inner));
            Value left = b.create<arith::MulFOp>(
                l, half, b.create<arith::AddFOp>(l, one, t));
            Value sech2 = b.create<arith::SubFOp>(
                l, one, b.create<arith::MulFOp>(l, t, t));
            Value du = b.create<arith::MulFOp>(
                l, k,
                b.create<arith::AddFOp>(
                    l, one, b.create<arith::MulFOp>(l, threeCubic, x2)));
            Value right =
                b.create<arith::MulFOp>(l, b.create<arith::MulFOp>(l, half, x),
                                        b.create<arith::MulFOp>(l, sech2, du));
            d = b.create<arith::AddFOp>(l, left, right);
          } else {
            Value cdf = b.create<arith::MulFOp>(
                l, half,
                b.create<arith::AddFOp>(
                    l, one,
                    b.create<math::ErfOp>(l,
                                          b.create<arith::MulFOp>(l, x, k))));
            Value pdf = b.create<arith::MulFOp>(
                l, invSqrt2Pi,
                b.create<math::ExpOp>(
                    l, b.create<arith::MulFOp>(l, minusHalf, x2)));
            d = b.create<arith::AddFOp>(l, cdf,
                                        b.create<arith::MulFOp>(l, x, pdf));
          }
          return b.create<arith::MulFOp>(l, a[1], d);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// sum along `axis` of body(a, b) for two tensors of one shape.
Value buildPairReduction(
    OpBuilder &b, Location loc, Value x, Value y, unsigned axis,
    function_ref<Value(OpBuilder &, Location, Value, Value)> term) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(x);
  unsigned rank = type.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<IteratorType> iterators = parallel(rank);
  iterators[axis] = IteratorType::reduction;
  Value init = filledTensor(b, loc, reducedType(type, axis),
                            floatConstant(b, loc, type.getElementType(), 0));
  return buildGeneric(
      b, loc, {x, y}, init, {id, id, reducedMap(ctx, rank, axis)}, iterators,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        return b.create<arith::AddFOp>(l, a[2], term(b, l, a[0], a[1]));
      });
}

struct SoftmaxGradOpLowering : OpConversionPattern<SoftmaxGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // r = sum(dy y); dx = y (dy - r), along `axis`.
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned axis = op.getNormalizedAxis(), rank = op.getType().getRank();
    Value y = adaptor.getOutput(), dy = adaptor.getGrad();
    Value r = buildPairReduction(
        rewriter, loc, y, dy, axis,
        [](OpBuilder &b, Location l, Value y, Value dy) -> Value {
          return b.create<arith::MulFOp>(l, y, dy);
        });
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value result = buildGeneric(
        rewriter, loc, {y, dy, r}, emptyTensor(rewriter, loc, op.getType()),
        {id, id, reducedMap(ctx, rank, axis), id}, parallel(rank),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::MulFOp>(
              l, a[0], b.create<arith::SubFOp>(l, a[1], a[2]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LogSoftmaxGradOpLowering : OpConversionPattern<LogSoftmaxGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LogSoftmaxGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // s = sum(dy); dx = dy - exp(y) s, along `axis`.
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    unsigned axis = op.getNormalizedAxis(), rank = op.getType().getRank();
    Value y = adaptor.getOutput(), dy = adaptor.getGrad();
    Type et = op.getType().getElementType();
    Value s = buildReduction(
        rewriter, loc, {dy}, axis, floatConstant(rewriter, loc, et, 0),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::AddFOp>(l, a[1], a[0]);
        });
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    Value result = buildGeneric(
        rewriter, loc, {y, dy, s}, emptyTensor(rewriter, loc, op.getType()),
        {id, id, reducedMap(ctx, rank, axis), id}, parallel(rank),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value p = b.create<math::ExpOp>(l, a[0]);
          return b.create<arith::SubFOp>(l, a[1],
                                         b.create<arith::MulFOp>(l, p, a[2]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The gradients of layer_norm (center = true) and rms_norm (false) for
/// x: [N, D] rows, gamma: [D], dy: [N, D]. Returns dx, dgamma, and dbeta
/// (layer_norm only).
SmallVector<Value> buildNormGrad(OpBuilder &b, Location loc, Value x,
                                 Value gamma, Value dy, double epsilon,
                                 bool center) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(x);
  Type et = type.getElementType();
  unsigned rank = 2, axis = 1;
  int64_t d = type.getShape()[1];
  Value zero = floatConstant(b, loc, et, 0), one = floatConstant(b, loc, et, 1);
  Value invD = floatConstant(b, loc, et, 1.0 / d);
  Value eps = floatConstant(b, loc, et, epsilon);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap row = reducedMap(ctx, rank, axis);
  AffineMap col = AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
  SmallVector<IteratorType> rowReduce{IteratorType::parallel,
                                      IteratorType::reduction};
  RankedTensorType rowType = reducedType(type, axis);

  // Row statistics: mean (layer_norm) and rstd = 1 / sqrt(var + eps), var
  // about the mean (or the mean square, rms_norm).
  Value mean;
  if (center)
    mean =
        buildReduction(b, loc, {x}, axis, zero,
                       [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::AddFOp>(
                             l, a[1], b.create<arith::MulFOp>(l, a[0], invD));
                       });
  SmallVector<Value> statInputs{x};
  SmallVector<AffineMap> statMaps{id};
  if (center) {
    statInputs.push_back(mean);
    statMaps.push_back(row);
  }
  statMaps.push_back(row);
  Value sumSq = buildGeneric(
      b, loc, statInputs, filledTensor(b, loc, rowType, zero), statMaps,
      rowReduce, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value c = center ? b.create<arith::SubFOp>(l, a[0], a[1]) : a[0];
        return b.create<arith::AddFOp>(l, a.back(),
                                       b.create<arith::MulFOp>(l, c, c));
      });
  Value rstd = buildGeneric(
      b, loc, {sumSq}, emptyTensor(b, loc, rowType),
      {AffineMap::getMultiDimIdentityMap(1, ctx),
       AffineMap::getMultiDimIdentityMap(1, ctx)},
      parallel(1), [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value var = b.create<arith::AddFOp>(
            l, b.create<arith::MulFOp>(l, a[0], invD), eps);
        return b.create<arith::DivFOp>(l, one, b.create<math::SqrtOp>(l, var));
      });
  // xhat = (x - mean) rstd, g = dy gamma; row sums of g and g xhat.
  auto xhatOf = [&](OpBuilder &b, Location l, Value xv, Value meanV,
                    Value rstdV) -> Value {
    Value c = center ? b.create<arith::SubFOp>(l, xv, meanV) : xv;
    return b.create<arith::MulFOp>(l, c, rstdV);
  };
  SmallVector<Value> inputs{x, dy, gamma, rstd};
  SmallVector<AffineMap> maps{id, id, col, row};
  if (center) {
    inputs.push_back(mean);
    maps.push_back(row);
  }
  SmallVector<Value> rowSums = buildGenericN(
      b, loc, inputs,
      ValueRange{filledTensor(b, loc, rowType, zero),
                 filledTensor(b, loc, rowType, zero)},
      [&] {
        SmallVector<AffineMap> m(maps);
        m.push_back(row);
        m.push_back(row);
        return m;
      }(),
      rowReduce,
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value xhat = xhatOf(b, l, a[0], center ? a[4] : Value(), a[3]);
        Value g = b.create<arith::MulFOp>(l, a[1], a[2]);
        size_t n = a.size();
        return {b.create<arith::AddFOp>(l, a[n - 2], g),
                b.create<arith::AddFOp>(l, a[n - 1],
                                        b.create<arith::MulFOp>(l, g, xhat))};
      });
  // dx = rstd (g - [mean(g)] - xhat mean(g xhat))
  SmallVector<Value> dxInputs(inputs);
  dxInputs.push_back(rowSums[0]);
  dxInputs.push_back(rowSums[1]);
  SmallVector<AffineMap> dxMaps(maps);
  dxMaps.push_back(row);
  dxMaps.push_back(row);
  dxMaps.push_back(id);
  Value dx = buildGeneric(
      b, loc, dxInputs, emptyTensor(b, loc, type), dxMaps, parallel(rank),
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value xhat = xhatOf(b, l, a[0], center ? a[4] : Value(), a[3]);
        Value g = b.create<arith::MulFOp>(l, a[1], a[2]);
        size_t n = a.size(); // ..., sum g, sum g xhat, out
        Value meanG = b.create<arith::MulFOp>(l, a[n - 3], invD);
        Value meanGX = b.create<arith::MulFOp>(l, a[n - 2], invD);
        Value t = b.create<arith::SubFOp>(
            l, g, b.create<arith::MulFOp>(l, xhat, meanGX));
        if (center)
          t = b.create<arith::SubFOp>(l, t, meanG);
        return b.create<arith::MulFOp>(l, t, a[3]);
      });
  // dgamma = sum over rows of dy xhat; dbeta = sum over rows of dy.
  RankedTensorType gammaType = tensorType(gamma);
  SmallVector<Value> paramInputs{x, dy, rstd};
  SmallVector<AffineMap> paramMaps{id, id, row};
  if (center) {
    paramInputs.push_back(mean);
    paramMaps.push_back(row);
  }
  SmallVector<Value> inits{filledTensor(b, loc, gammaType, zero)};
  if (center)
    inits.push_back(filledTensor(b, loc, gammaType, zero));
  for (size_t i = 0; i < inits.size(); ++i)
    paramMaps.push_back(col);
  SmallVector<Value> params = buildGenericN(
      b, loc, paramInputs, inits, paramMaps,
      {IteratorType::reduction, IteratorType::parallel},
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value xhat = xhatOf(b, l, a[0], center ? a[3] : Value(), a[2]);
        size_t n = a.size();
        if (!center)
          return {b.create<arith::AddFOp>(
              l, a[n - 1], b.create<arith::MulFOp>(l, a[1], xhat))};
        return {b.create<arith::AddFOp>(l, a[n - 2],
                                        b.create<arith::MulFOp>(l, a[1], xhat)),
                b.create<arith::AddFOp>(l, a[n - 1], a[1])};
      });
  SmallVector<Value> results{dx};
  llvm::append_range(results, params);
  return results;
}

template <typename NormGradOp>
struct NormGradOpLowering : OpConversionPattern<NormGradOp> {
  using OpConversionPattern<NormGradOp>::OpConversionPattern;
  using OpAdaptor = typename NormGradOp::Adaptor;
  LogicalResult
  matchAndRewrite(NormGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    constexpr bool center = std::is_same_v<NormGradOp, LayerNormGradOp>;
    Value x = flattenRows(rewriter, loc, adaptor.getInput());
    Value dy = flattenRows(rewriter, loc, adaptor.getGrad());
    SmallVector<Value> grads =
        buildNormGrad(rewriter, loc, x, adaptor.getGamma(), dy,
                      op.getEpsilon().convertToDouble(), center);
    grads[0] =
        unflattenTo(rewriter, loc, grads[0], tensorType(op->getResult(0)));
    rewriter.replaceOp(op, grads);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// EmbeddingGradOp
//===----------------------------------------------------------------------===//

struct EmbeddingGradOpLowering : OpConversionPattern<EmbeddingGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EmbeddingGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // table = 0; for p in positions: table[clamp(ids[p])] += dy[p]
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    Type et = type.getElementType();
    int64_t vocab = type.getShape()[0], d = type.getShape()[1];
    Value ids = flattenAll(rewriter, loc, adaptor.getIds());
    Value dy = flattenRows(rewriter, loc, adaptor.getGrad());
    int64_t positions = tensorType(ids).getShape()[0];
    Value table =
        filledTensor(rewriter, loc, type, floatConstant(rewriter, loc, et, 0));
    auto idx = [&](int64_t n) -> Value {
      return rewriter.create<arith::ConstantIndexOp>(loc, n);
    };
    auto rowType = RankedTensorType::get({1, d}, et);
    auto loop = rewriter.create<scf::ForOp>(
        loc, idx(0), idx(positions), idx(1), ValueRange{table},
        [&](OpBuilder &b, Location l, Value p, ValueRange acc) {
          Value id = b.create<tensor::ExtractOp>(l, ids, ValueRange{p});
          Value row = b.create<arith::IndexCastOp>(l, b.getIndexType(), id);
          row = b.create<arith::MinSIOp>(
              l,
              b.create<arith::MaxSIOp>(l, row,
                                       b.create<arith::ConstantIndexOp>(l, 0)),
              b.create<arith::ConstantIndexOp>(l, vocab - 1));
          auto slice = [&](Value src, Value r) {
            return b.create<tensor::ExtractSliceOp>(
                l, rowType, src,
                SmallVector<OpFoldResult>{r, b.getIndexAttr(0)},
                SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(d)},
                SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
          };
          Value current = slice(acc[0], row);
          AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
          Value sum = buildGeneric(
              b, l, {slice(dy, p)}, current, {id2, id2}, parallel(2),
              [](OpBuilder &b, Location l, ValueRange a) -> Value {
                return b.create<arith::AddFOp>(l, a[1], a[0]);
              });
          Value updated = b.create<tensor::InsertSliceOp>(
              l, sum, acc[0], SmallVector<OpFoldResult>{row, b.getIndexAttr(0)},
              SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(d)},
              SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
          b.create<scf::YieldOp>(l, updated);
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// CrossEntropyOp, CrossEntropyGradOp
//===----------------------------------------------------------------------===//

/// Per-row quantities of the loss over logits [N, V]: the log-sum-exp, the
/// logit at the target, the sum of the logits, and the row's weight
/// mask * (target != ignore_index); and the logits and targets they come from.
struct RowTerms {
  Value lse, targetLogit, sumLogits, weight;
  Value logits, targets;
};

RowTerms buildRowTerms(OpBuilder &b, Location loc, Value logits, Value targets,
                       Value mask, std::optional<int64_t> ignoreIndex) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(logits);
  Type et = type.getElementType();
  int64_t n = type.getShape()[0], vocab = type.getShape()[1];
  auto rowType = RankedTensorType::get({n}, et);
  Value zero = floatConstant(b, loc, et, 0), one = floatConstant(b, loc, et, 1);
  Value max =
      buildReduction(b, loc, {logits}, 1, negInfConstant(b, loc, et),
                     [](OpBuilder &b, Location l, ValueRange a) -> Value {
                       return b.create<arith::MaximumFOp>(l, a[0], a[1]);
                     });
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = reducedMap(ctx, 2, 1);
  SmallVector<Value> sums = buildGenericN(
      b, loc, {logits, max},
      ValueRange{filledTensor(b, loc, rowType, zero),
                 filledTensor(b, loc, rowType, zero)},
      {id2, row, row, row}, {IteratorType::parallel, IteratorType::reduction},
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value e =
            b.create<math::ExpOp>(l, b.create<arith::SubFOp>(l, a[0], a[1]));
        return {b.create<arith::AddFOp>(l, a[2], e),
                b.create<arith::AddFOp>(l, a[3], a[0])};
      });
  AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<Value> inputs{targets, max, sums[0]};
  SmallVector<AffineMap> maps{id1, id1, id1};
  if (mask) {
    inputs.push_back(mask);
    maps.push_back(id1);
  }
  maps.append(3, id1);
  SmallVector<Value> terms = buildGenericN(
      b, loc, inputs,
      ValueRange{emptyTensor(b, loc, rowType), emptyTensor(b, loc, rowType),
                 emptyTensor(b, loc, rowType)},
      maps, parallel(1),
      [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
        Value lse =
            b.create<arith::AddFOp>(l, a[1], b.create<math::LogOp>(l, a[2]));
        Value t = b.create<arith::IndexCastOp>(l, b.getIndexType(), a[0]);
        Value inRange = b.create<arith::AndIOp>(
            l,
            b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, t,
                                    b.create<arith::ConstantIndexOp>(l, 0)),
            b.create<arith::CmpIOp>(
                l, arith::CmpIPredicate::slt, t,
                b.create<arith::ConstantIndexOp>(l, vocab)));
        Value clamped = b.create<arith::MinSIOp>(
            l,
            b.create<arith::MaxSIOp>(l, t,
                                     b.create<arith::ConstantIndexOp>(l, 0)),
            b.create<arith::ConstantIndexOp>(l, vocab - 1));
        Value r = b.create<linalg::IndexOp>(l, 0);
        Value logit =
            b.create<tensor::ExtractOp>(l, logits, ValueRange{r, clamped});
        // A target outside the vocabulary does not count, like ignore_index.
        Value counts = inRange;
        if (ignoreIndex)
          counts = b.create<arith::AndIOp>(
              l, counts,
              b.create<arith::CmpIOp>(
                  l, arith::CmpIPredicate::ne, t,
                  b.create<arith::ConstantIndexOp>(l, *ignoreIndex)));
        Value w = b.create<arith::SelectOp>(l, counts, mask ? a[3] : one, zero);
        return {lse, logit, w};
      });
  return {terms[0], terms[1], sums[1], terms[2]};
}

/// I64Attr reads back as uint64_t: the signed value it holds.
std::optional<int64_t> signedValue(IntegerAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getValue().getSExtValue();
}

/// The row terms of a cross_entropy or cross_entropy_grad: its logits as
/// [N, V] and targets as [N] (in `logits` and `targets`), the mask flattened
/// to [N].
template <class Op>
RowTerms rowTermsOf(OpBuilder &b, Op op, typename Op::Adaptor adaptor) {
  Location loc = op.getLoc();
  Value logits = flattenRows(b, loc, adaptor.getLogits());
  Value targets = flattenAll(b, loc, adaptor.getTargets());
  Value mask =
      adaptor.getMask() ? flattenAll(b, loc, adaptor.getMask()) : Value();
  RowTerms rows = buildRowTerms(b, loc, logits, targets, mask,
                                signedValue(op.getIgnoreIndexAttr()));
  rows.logits = logits;
  rows.targets = targets;
  return rows;
}

struct CrossEntropyOpLowering : OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // loss_i = lse_i - (1 - e) x[t_i] - (e / V) sum_v x_v;
    // result = sum w_i loss_i / sum w_i (0 if sum w_i = 0).
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RowTerms rows = rowTermsOf(rewriter, op, adaptor);
    Value logits = rows.logits;
    RankedTensorType type = tensorType(logits);
    Type et = type.getElementType();
    int64_t vocab = type.getShape()[1];
    double e = op.getLabelSmoothing().convertToDouble();
    Value zero = floatConstant(rewriter, loc, et, 0);
    Value keep = floatConstant(rewriter, loc, et, 1 - e);
    Value spread = floatConstant(rewriter, loc, et, e / vocab);
    auto scalar = RankedTensorType::get({}, et);
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    AffineMap toScalar = AffineMap::get(1, 0, {}, ctx);
    SmallVector<Value> totals = buildGenericN(
        rewriter, loc,
        {rows.lse, rows.targetLogit, rows.sumLogits, rows.weight},
        ValueRange{filledTensor(rewriter, loc, scalar, zero),
                   filledTensor(rewriter, loc, scalar, zero)},
        {id1, id1, id1, id1, toScalar, toScalar}, {IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value loss = b.create<arith::SubFOp>(
              l,
              b.create<arith::SubFOp>(l, a[0],
                                      b.create<arith::MulFOp>(l, keep, a[1])),
              b.create<arith::MulFOp>(l, spread, a[2]));
          // A row that does not count adds 0 even if its loss is not finite.
          Value counts =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::ONE, a[3], zero);
          Value weighted = b.create<arith::SelectOp>(
              l, counts, b.create<arith::MulFOp>(l, a[3], loss), zero);
          return {b.create<arith::AddFOp>(l, a[4], weighted),
                  b.create<arith::AddFOp>(l, a[5], a[3])};
        });
    Value result = buildGeneric(
        rewriter, loc, {totals[0], totals[1]},
        emptyTensor(rewriter, loc, scalar),
        {AffineMap::get(0, 0, {}, ctx), AffineMap::get(0, 0, {}, ctx),
         AffineMap::get(0, 0, {}, ctx)},
        {}, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value none =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[1], zero);
          return b.create<arith::SelectOp>(
              l, none, zero, b.create<arith::DivFOp>(l, a[0], a[1]));
        });
    rewriter.replaceOp(op, unflattenTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

struct CrossEntropyGradOpLowering : OpConversionPattern<CrossEntropyGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // dx[i, v] = g w_i / W (exp(x[i, v] - lse_i) - q[i, v]),
    // q = (1 - e) [v = t_i] + e / V, W = sum w_i (dx = 0 if W = 0).
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RowTerms rows = rowTermsOf(rewriter, op, adaptor);
    Value logits = rows.logits;
    RankedTensorType type = tensorType(logits);
    Type et = type.getElementType();
    int64_t vocab = type.getShape()[1];
    double e = op.getLabelSmoothing().convertToDouble();
    Value zero = floatConstant(rewriter, loc, et, 0);
    auto scalar = RankedTensorType::get({}, et);
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    Value total = buildGeneric(
        rewriter, loc, {rows.weight}, filledTensor(rewriter, loc, scalar, zero),
        {id1, AffineMap::get(1, 0, {}, ctx)}, {IteratorType::reduction},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::AddFOp>(l, a[1], a[0]);
        });
    // c = g / W, once.
    Value g = extractScalar(rewriter, loc, adaptor.getGrad());
    Value w = extractScalar(rewriter, loc, total);
    Value none =
        rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, w, zero);
    Value c = rewriter.create<arith::SelectOp>(
        loc, none, zero, rewriter.create<arith::DivFOp>(loc, g, w));
    Value keep = floatConstant(rewriter, loc, et, 1 - e);
    Value spread = floatConstant(rewriter, loc, et, e / vocab);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = reducedMap(ctx, 2, 1);
    Value result = buildGeneric(
        rewriter, loc, {logits, rows.lse, rows.weight, rows.targets},
        emptyTensor(rewriter, loc, type), {id2, row, row, row, id2},
        parallel(2), [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value p =
              b.create<math::ExpOp>(l, b.create<arith::SubFOp>(l, a[0], a[1]));
          Value v = b.create<linalg::IndexOp>(l, 1);
          Value t = b.create<arith::IndexCastOp>(l, b.getIndexType(), a[3]);
          Value isTarget =
              b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, v, t);
          Value q = b.create<arith::AddFOp>(
              l, b.create<arith::SelectOp>(l, isTarget, keep, zero), spread);
          Value counts =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::ONE, a[2], zero);
          Value d =
              b.create<arith::MulFOp>(l, b.create<arith::MulFOp>(l, c, a[2]),
                                      b.create<arith::SubFOp>(l, p, q));
          return b.create<arith::SelectOp>(l, counts, d, zero);
        });
    rewriter.replaceOp(op, unflattenTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// AdamWOp, SgdOp
//===----------------------------------------------------------------------===//

struct AdamWOpLowering : OpConversionPattern<AdamWOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AdamWOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2;
    // p' = p - lr wd p - (lr / c1) m' / (sqrt(v' / c2) + eps),
    // c1 = 1 - b1^step, c2 = 1 - b2^step (once, from the scalars).
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = cast<RankedTensorType>(op.getParam().getType());
    Type et = type.getElementType();
    unsigned rank = type.getRank();
    auto c = [&](double v) { return floatConstant(rewriter, loc, et, v); };
    double b1 = op.getBeta1().convertToDouble(),
           b2 = op.getBeta2().convertToDouble();
    Value lr = extractScalar(rewriter, loc, adaptor.getLr());
    Value step = extractScalar(rewriter, loc, adaptor.getStep());
    Value one = c(1);
    Value c1 = rewriter.create<arith::SubFOp>(
        loc, one, rewriter.create<math::PowFOp>(loc, c(b1), step));
    Value c2 = rewriter.create<arith::SubFOp>(
        loc, one, rewriter.create<math::PowFOp>(loc, c(b2), step));
    Value stepSize = rewriter.create<arith::DivFOp>(loc, lr, c1);
    Value invC2 = rewriter.create<arith::DivFOp>(loc, one, c2);
    Value decay = rewriter.create<arith::MulFOp>(
        loc, lr, c(op.getWeightDecay().convertToDouble()));
    Value beta1 = c(b1), oneMinusB1 = c(1 - b1), beta2 = c(b2),
          oneMinusB2 = c(1 - b2);
    Value eps = c(op.getEpsilon().convertToDouble());
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    SmallVector<Value> results = buildGenericN(
        rewriter, loc,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getM(), adaptor.getV()},
        ValueRange{emptyTensor(rewriter, loc, type),
                   emptyTensor(rewriter, loc, type),
                   emptyTensor(rewriter, loc, type)},
        SmallVector<AffineMap>(7, id), parallel(rank),
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value p = a[0], g = a[1];
          Value m = b.create<arith::AddFOp>(
              l, b.create<arith::MulFOp>(l, beta1, a[2]),
              b.create<arith::MulFOp>(l, oneMinusB1, g));
          Value v = b.create<arith::AddFOp>(
              l, b.create<arith::MulFOp>(l, beta2, a[3]),
              b.create<arith::MulFOp>(l, oneMinusB2,
                                      b.create<arith::MulFOp>(l, g, g)));
          Value denom = b.create<arith::AddFOp>(
              l,
              b.create<math::SqrtOp>(l, b.create<arith::MulFOp>(l, v, invC2)),
              eps);
          Value update = b.create<arith::DivFOp>(
              l, b.create<arith::MulFOp>(l, stepSize, m), denom);
          Value decayed = b.create<arith::SubFOp>(
              l, p, b.create<arith::MulFOp>(l, decay, p));
          return {b.create<arith::SubFOp>(l, decayed, update), m, v};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SgdOpLowering : OpConversionPattern<SgdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SgdOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // g' = g + wd p; b' = momentum b + g'; p' = p - lr b'.
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = cast<RankedTensorType>(op.getParam().getType());
    Type et = type.getElementType();
    unsigned rank = type.getRank();
    Value lr = extractScalar(rewriter, loc, adaptor.getLr());
    Value wd =
        floatConstant(rewriter, loc, et, op.getWeightDecay().convertToDouble());
    Value momentum =
        floatConstant(rewriter, loc, et, op.getMomentum().convertToDouble());
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    SmallVector<Value> results = buildGenericN(
        rewriter, loc,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getMomentumBuffer()},
        ValueRange{emptyTensor(rewriter, loc, type),
                   emptyTensor(rewriter, loc, type)},
        SmallVector<AffineMap>(5, id), parallel(rank),
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Value g = b.create<arith::AddFOp>(
              l, a[1], b.create<arith::MulFOp>(l, wd, a[0]));
          Value buf = b.create<arith::AddFOp>(
              l, b.create<arith::MulFOp>(l, momentum, a[2]), g);
          return {b.create<arith::SubFOp>(l, a[0],
                                          b.create<arith::MulFOp>(l, lr, buf)),
                  buf};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::tfm::populateGradientLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceToOpLowering, PadOpLowering, ReluGradOpLowering,
               GeluGradOpLowering, SigmoidGradLowering<SigmoidGradOp, false>,
               SigmoidGradLowering<SiluGradOp, true>, SoftmaxGradOpLowering,
               LogSoftmaxGradOpLowering, NormGradOpLowering<LayerNormGradOp>,
               NormGradOpLowering<RmsNormGradOp>, EmbeddingGradOpLowering,
               CrossEntropyOpLowering, CrossEntropyGradOpLowering,
               AdamWOpLowering, SgdOpLowering>(patterns.getContext());
}
