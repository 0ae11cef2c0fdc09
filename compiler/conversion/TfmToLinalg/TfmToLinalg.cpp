//===- TfmToLinalg.cpp - tfm ops to linalg on tensors -----------*- C++ -*-===//
//
// Lowers each tfm op on its own into linalg structured ops on tensors; fusion
// across ops is left to linalg's elementwise fusion and to later passes.
//
//   tfm.matmul     --> (transpose) + fill(0) + generic(parallel batch/M/N,
//                      reduction K)
//   tfm.add/mul    --> generic(parallel) with broadcasting indexing maps
//   tfm.softmax    --> generic(max) + generic(sum exp) + generic(exp / sum)
//   tfm.log_softmax--> generic(max) + generic(sum exp) + generic(x-max-log sum)
//   tfm.layer_norm --> generic(sum) + generic(sum sq) + generic(normalize)
//   tfm.rms_norm   --> generic(sum sq) + generic(normalize)
//   tfm.gelu       --> generic(parallel) with erf or tanh
//   tfm.sigmoid    --> generic(parallel) 1 / (1 + exp(-x))
//   tfm.silu       --> generic(parallel) x * sigmoid(x)
//   tfm.dropout    --> the input (no step: inference), or generic(parallel)
//                      select(hash(seed, step, index) kept, x / (1 - p), 0)
//   tfm.mask       --> generic(parallel) select(allowed(i, j, len[b]), x, -inf)
//                      (tfm.mask_grad: 0 in place of -inf)
//   tfm.rope       --> extract_slice halves (interleaved: stride-2 slices) +
//                      generic(parallel, 2 results) +
//                      insert_slice, with cos/sin tables computed at compile
//                      time (tfm.rope_grad: sin negated)
//   gradients, loss and optimizer updates --> see Gradients.cpp
//   tfm.sinusoidal_positions --> a constant table computed at compile time
//   tfm.slice      --> tensor.extract_slice
//   tfm.select     --> generic(parallel) select with broadcasting
//   tfm.flash_attention --> see FlashAttention.cpp
//   tfm.embedding  --> generic(parallel) over ids with tensor.extract
//   tfm.transpose  --> linalg.transpose
//   tfm.reshape    --> tensor.collapse_shape + tensor.expand_shape
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"
#include "compiler/conversion/TfmToLinalg/Builders.h"
#include "compiler/dialect/TfmOps.h"
#include "compiler/target/Schedule.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <numeric>

namespace mlir::tfm {
#define GEN_PASS_DEF_CONVERTTFMTOLINALGPASS
#include "compiler/conversion/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using namespace mlir::tfm;

namespace {

using namespace mlir::tfm::linalg_builders;

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct MatmulOpLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  /// lhs [batch..., m, k] x rhs [batch..., k, n] -> [batch..., m, n] as one
  /// linalg.generic, loops [batch..., m, n, k]; batch dims broadcast. A
  /// transposed operand ([k, m] or [n, k] in memory) is read through its
  /// map: code generation packs it (tfm-tile-matmuls) or copies it first.
  static Value contract(ConversionPatternRewriter &rewriter, Location loc,
                        Value lhs, bool ta, Value rhs, bool tb,
                        RankedTensorType resultType) {
    MLIRContext *ctx = rewriter.getContext();
    unsigned nb = resultType.getRank() - 2;
    unsigned numLoops = nb + 3, m = nb, n = nb + 1, k = nb + 2;
    ArrayRef<int64_t> batchShape = resultType.getShape().drop_back(2);
    SmallVector<unsigned> batchLoops = iota(nb);
    auto operandMap = [&](Value v, unsigned row, unsigned col,
                          bool transposed) {
      ArrayRef<int64_t> shape = tensorType(v).getShape();
      AffineMap batch = broadcastMap(ctx, numLoops, shape.drop_back(2),
                                     batchLoops, batchShape);
      SmallVector<AffineExpr> exprs(batch.getResults());
      exprs.push_back(getAffineDimExpr(transposed ? col : row, ctx));
      exprs.push_back(getAffineDimExpr(transposed ? row : col, ctx));
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps{operandMap(lhs, m, k, ta),
                                operandMap(rhs, k, n, tb)};
    SmallVector<AffineExpr> outExprs;
    for (unsigned d = 0; d < nb + 2; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    maps.push_back(AffineMap::get(numLoops, 0, outExprs, ctx));
    SmallVector<IteratorType> iterators(numLoops, IteratorType::parallel);
    iterators[k] = IteratorType::reduction;

    Type et = resultType.getElementType();
    Value init = filledTensor(rewriter, loc, resultType,
                              floatConstant(rewriter, loc, et, 0));
    return buildGeneric(rewriter, loc, {lhs, rhs}, init, maps, iterators,
                        [](OpBuilder &b, Location l, ValueRange a) -> Value {
                          Value prod = b.create<arith::MulFOp>(l, a[0], a[1]);
                          return b.create<arith::AddFOp>(l, a[2], prod);
                        });
  }

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    bool ta = op.getTransposeA(), tb = op.getTransposeB();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();

    // A batched lhs times a matrix (a linear layer on [batch..., m, k]):
    // the batch and m rows are one contiguous [rows, k] matrix, so one 2-D
    // matmul, which tiles into register blocks and splits across threads
    // by rows; a generic with several m loops would get neither.
    if (tensorType(rhs).getRank() == 2 && tensorType(lhs).getRank() > 2 &&
        !ta) {
      Value rows = flattenRows(rewriter, loc, lhs);
      Value out =
          contract(rewriter, loc, rows, false, rhs, tb, rowsType(resultType));
      rewriter.replaceOp(op, unflattenTo(rewriter, loc, out, resultType));
      return success();
    }
    if (resultType.getRank() == 2) {
      rewriter.replaceOp(op,
                         contract(rewriter, loc, lhs, ta, rhs, tb, resultType));
      return success();
    }
    // Batched products (one per batch element: heads): a transposed operand
    // is transposed in memory first, O(rows x cols) copying that lets each
    // product stream both operands along their rows.
    auto untransposed = [&](Value v, bool transpose) -> Value {
      if (!transpose)
        return v;
      RankedTensorType type = tensorType(v);
      SmallVector<int64_t> perm(type.getRank()), shape(type.getShape());
      std::iota(perm.begin(), perm.end(), 0);
      std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
      std::swap(shape[shape.size() - 1], shape[shape.size() - 2]);
      return rewriter
          .create<linalg::TransposeOp>(
              loc, v,
              emptyTensor(rewriter, loc,
                          RankedTensorType::get(shape, type.getElementType())),
              perm)
          .getResult()[0];
    };
    rewriter.replaceOp(op, contract(rewriter, loc, untransposed(lhs, ta), false,
                                    untransposed(rhs, tb), false, resultType));
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

struct SelectOpLowering : OpConversionPattern<SelectOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SelectOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(),
        {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
        op.getType(), [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::SelectOp>(l, a[0], a[1], a[2]);
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

/// sigmoid(x), or for silu x * sigmoid(x).
template <typename Op, bool Silu>
struct SigmoidLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), {adaptor.getInput()}, op.getType(),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value s = buildSigmoid(b, l, a[0]);
          return Silu ? b.create<arith::MulFOp>(l, a[0], s) : s;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tfm.dropout: the identity without a step; with one, a generic that hashes
/// each element's row-major index n with the seed and the step (SplitMix64's
/// finalizer, in i64) and keeps x / (1 - rate) where the top 24 bits reach
/// round(rate * 2^24), 0 elsewhere.
struct DropoutOpLowering : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    double rate = op.getRate().convertToDouble();
    Value step = adaptor.getStep();
    if (!step || rate == 0.0) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    Type et = type.getElementType();
    int64_t seed = op.getSeed();
    auto threshold = static_cast<int64_t>(std::llround(rate * 16777216.0));
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap scalar = AffineMap::get(rank, 0, {}, ctx);
    Value result = buildGeneric(
        rewriter, loc, {adaptor.getInput(), step},
        emptyTensor(rewriter, loc, type), {id, scalar, id},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type i64 = b.getI64Type();
          auto c = [&](uint64_t v) -> Value {
            return b.create<arith::ConstantIntOp>(l, static_cast<int64_t>(v),
                                                  64);
          };
          // n = sum_d index(d) * stride(d)
          Value n = c(0);
          int64_t stride = 1;
          for (int d = rank - 1; d >= 0; --d) {
            Value i = b.create<arith::IndexCastOp>(
                l, i64, b.create<linalg::IndexOp>(l, d));
            n = b.create<arith::AddIOp>(
                l, n, b.create<arith::MulIOp>(l, i, c(stride)));
            stride *= type.getShape()[d];
          }
          Value s = b.create<arith::FPToSIOp>(l, i64, a[1]);
          Value z = b.create<arith::AddIOp>(
              l, c(seed),
              b.create<arith::AddIOp>(
                  l, b.create<arith::MulIOp>(l, s, c(0x9E3779B97F4A7C15ull)),
                  b.create<arith::MulIOp>(l, n, c(0xD1B54A32D192ED03ull))));
          auto mix = [&](Value z, int shift, uint64_t factor) -> Value {
            Value x = b.create<arith::XOrIOp>(
                l, z, b.create<arith::ShRUIOp>(l, z, c(shift)));
            return factor ? b.create<arith::MulIOp>(l, x, c(factor)) : x;
          };
          z = mix(z, 30, 0xBF58476D1CE4E5B9ull);
          z = mix(z, 27, 0x94D049BB133111EBull);
          z = mix(z, 31, 0);
          Value top = b.create<arith::ShRUIOp>(l, z, c(40));
          Value keep = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::uge,
                                               top, c(threshold));
          Value kept = b.create<arith::MulFOp>(
              l, a[0], floatConstant(b, l, et, 1.0 / (1.0 - rate)));
          return b.create<arith::SelectOp>(l, keep, kept,
                                           floatConstant(b, l, et, 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The max along `axis` of x and the sum of exp(x - max): the reductions of
/// softmax and log_softmax.
std::pair<Value, Value> buildMaxAndSumExp(OpBuilder &b, Location loc, Value x,
                                          unsigned axis) {
  Type et = tensorType(x).getElementType();
  Value max =
      buildReduction(b, loc, {x}, axis, negInfConstant(b, loc, et),
                     [](OpBuilder &b, Location l, ValueRange a) -> Value {
                       return b.create<arith::MaximumFOp>(l, a[0], a[1]);
                     });
  Value sum = buildReduction(
      b, loc, {x, max}, axis, floatConstant(b, loc, et, 0),
      [](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value e = b.create<math::ExpOp>(
            l, b.create<arith::SubFOp>(l, a[0], safeMax(b, l, a[1])));
        return b.create<arith::AddFOp>(l, a[2], e);
      });
  return {max, sum};
}

/// A parallel generic over `type` reading x (identity) and the reductions
/// along `axis` (reduced maps).
Value buildAlongAxis(OpBuilder &b, Location loc, RankedTensorType type,
                     unsigned axis, Value x, ValueRange reduced,
                     BodyBuilder body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = type.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<AffineMap> maps{id};
  SmallVector<Value> inputs{x};
  for (Value r : reduced) {
    maps.push_back(reducedMap(ctx, rank, axis));
    inputs.push_back(r);
  }
  maps.push_back(id);
  return buildGeneric(b, loc, inputs, emptyTensor(b, loc, type), maps,
                      SmallVector<IteratorType>(rank, IteratorType::parallel),
                      body);
}

struct SoftmaxOpLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // m = max(x); s = sum(exp(x - m)); y = exp(x - m) / s, along `axis`;
    // a row of only -inf (s = 0) gives zeros.
    Location loc = op.getLoc();
    unsigned axis = op.getNormalizedAxis();
    auto [max, sum] =
        buildMaxAndSumExp(rewriter, loc, adaptor.getInput(), axis);
    Value result = buildAlongAxis(
        rewriter, loc, op.getType(), axis, adaptor.getInput(), {max, sum},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value e = b.create<math::ExpOp>(
              l, b.create<arith::SubFOp>(l, a[0], safeMax(b, l, a[1])));
          Value zero = floatConstant(b, l, a[2].getType(), 0);
          Value empty =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[2], zero);
          return b.create<arith::SelectOp>(l, empty, zero,
                                           b.create<arith::DivFOp>(l, e, a[2]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LogSoftmaxOpLowering : OpConversionPattern<LogSoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LogSoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // m = max(x); s = sum(exp(x - m)); y = x - m - log(s), along `axis`;
    // a row of only -inf (s = 0) gives -inf.
    Location loc = op.getLoc();
    unsigned axis = op.getNormalizedAxis();
    auto [max, sum] =
        buildMaxAndSumExp(rewriter, loc, adaptor.getInput(), axis);
    Value result = buildAlongAxis(
        rewriter, loc, op.getType(), axis, adaptor.getInput(), {max, sum},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value shifted = b.create<arith::SubFOp>(l, a[0], safeMax(b, l, a[1]));
          Value y = b.create<arith::SubFOp>(l, shifted,
                                            b.create<math::LogOp>(l, a[2]));
          Value zero = floatConstant(b, l, a[2].getType(), 0);
          Value empty =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[2], zero);
          return b.create<arith::SelectOp>(
              l, empty, negInfConstant(b, l, a[2].getType()), y);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GeluOpLowering : OpConversionPattern<GeluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GeluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // none: 0.5 x (1 + erf(x / sqrt(2)))
    // tanh: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    Location loc = op.getLoc();
    Type et = op.getType().getElementType();
    bool tanh = op.getApproximate() == "tanh";
    Value half = floatConstant(rewriter, loc, et, 0.5);
    Value one = floatConstant(rewriter, loc, et, 1.0);
    Value k = floatConstant(
        rewriter, loc, et, tanh ? std::sqrt(2.0 / M_PI) : 1.0 / std::sqrt(2.0));
    Value c = tanh ? floatConstant(rewriter, loc, et, 0.044715) : Value();
    Value result = buildElementwise(
        rewriter, loc, {adaptor.getInput()}, op.getType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value x = a[0], phi;
          if (tanh) {
            Value x3 =
                b.create<arith::MulFOp>(l, b.create<arith::MulFOp>(l, x, x), x);
            Value inner = b.create<arith::AddFOp>(
                l, x, b.create<arith::MulFOp>(l, c, x3));
            phi =
                b.create<math::TanhOp>(l, b.create<arith::MulFOp>(l, k, inner));
          } else {
            phi = b.create<math::ErfOp>(l, b.create<arith::MulFOp>(l, x, k));
          }
          Value halfX = b.create<arith::MulFOp>(l, half, x);
          return b.create<arith::MulFOp>(l, halfX,
                                         b.create<arith::AddFOp>(l, one, phi));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RmsNormOpLowering : OpConversionPattern<RmsNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RmsNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // s = sum(x^2); y = x / sqrt(s / D + eps) * gamma, along the last axis.
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    RankedTensorType type = op.getType();
    Type et = type.getElementType();
    unsigned rank = type.getRank(), axis = rank - 1;
    MLIRContext *ctx = rewriter.getContext();
    Value invD = floatConstant(rewriter, loc, et, 1.0 / type.getShape().back());
    Value eps =
        floatConstant(rewriter, loc, et, op.getEpsilon().convertToDouble());
    Value one = floatConstant(rewriter, loc, et, 1);
    Value sumSq = buildReduction(
        rewriter, loc, {x}, axis, floatConstant(rewriter, loc, et, 0),
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::AddFOp>(
              l, a[1], b.create<arith::MulFOp>(l, a[0], a[0]));
        });
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap red = reducedMap(ctx, rank, axis);
    AffineMap last = AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
    Value result =
        buildGeneric(rewriter, loc, {x, sumSq, adaptor.getGamma()},
                     emptyTensor(rewriter, loc, type), {id, red, last, id},
                     SmallVector<IteratorType>(rank, IteratorType::parallel),
                     [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                       Value ms = b.create<arith::AddFOp>(
                           l, b.create<arith::MulFOp>(l, a[1], invD), eps);
                       Value inv = b.create<arith::DivFOp>(
                           l, one, b.create<math::SqrtOp>(l, ms));
                       return b.create<arith::MulFOp>(
                           l, b.create<arith::MulFOp>(l, a[0], inv), a[2]);
                     });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tfm.mask (masked entries -inf) and tfm.mask_grad (masked entries 0).
template <typename MaskLikeOp>
struct MaskOpLowering : OpConversionPattern<MaskLikeOp> {
  using OpConversionPattern<MaskLikeOp>::OpConversionPattern;
  using OpAdaptor = typename MaskLikeOp::Adaptor;
  LogicalResult
  matchAndRewrite(MaskLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // y[b, ..., i, j] = allowed ? x : fill, allowed =
    //   (!causal || (j <= i + (Tk - Tq) && (!window || j > i + (Tk - Tq) - W)))
    //   && (!lengths || j < lengths[b])
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    int64_t tq = type.getShape()[rank - 2], tk = type.getShape()[rank - 1];
    bool causal = op.getCausal();
    int64_t window = op.getWindow();
    Value lengths = adaptor.getLengths();
    Value fill = std::is_same_v<MaskLikeOp, MaskGradOp>
                     ? floatConstant(rewriter, loc, type.getElementType(), 0)
                     : negInfConstant(rewriter, loc, type.getElementType());

    SmallVector<Value> inputs{adaptor.getOperands()[0]};
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    SmallVector<AffineMap> maps{id};
    if (lengths) {
      inputs.push_back(lengths);
      maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(0, ctx)));
    }
    maps.push_back(id);
    Value result = buildGeneric(
        rewriter, loc, inputs, emptyTensor(rewriter, loc, type), maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value j = b.create<linalg::IndexOp>(l, rank - 1);
          Value allowed;
          if (causal)
            allowed = causalAllows(b, l, b.create<linalg::IndexOp>(l, rank - 2),
                                   j, tk - tq, window);
          if (lengths) {
            Value len = b.create<arith::IndexCastOp>(l, b.getIndexType(), a[1]);
            Value inside =
                b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt, j, len);
            allowed =
                allowed ? b.create<arith::AndIOp>(l, allowed, inside) : inside;
          }
          return b.create<arith::SelectOp>(l, allowed, a[0], fill);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tfm.rope, and tfm.rope_grad: the same rotation by the opposite angle.
template <typename RopeLikeOp>
struct RopeOpLowering : OpConversionPattern<RopeLikeOp> {
  using OpConversionPattern<RopeLikeOp>::OpConversionPattern;
  using OpAdaptor = typename RopeLikeOp::Adaptor;
  LogicalResult
  matchAndRewrite(RopeLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // With h = D/2, tables cos/sin[t, i] = cos/sin((t + offset) theta_i)
    // (sin negated for rope_grad) and the pairs (a_i, b_i) = (i, i + h), or
    // (2i, 2i + 1) when interleaved:
    //   y[..., t, a_i] = x[..., t, a_i] cos[t, i] - x[..., t, b_i] sin[t, i]
    //   y[..., t, b_i] = x[..., t, b_i] cos[t, i] + x[..., t, a_i] sin[t, i]
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    unsigned rank = type.getRank();
    int64_t t = type.getShape()[rank - 2], d = type.getShape()[rank - 1],
            h = d / 2;
    double base = op.getBase().convertToDouble();
    int64_t offset = op.getOffsetAttr().getValue().getSExtValue();
    std::vector<double> cosTable(t * h), sinTable(t * h);
    for (int64_t p = 0; p < t; ++p)
      for (int64_t i = 0; i < h; ++i) {
        double angle = (p + offset) * std::pow(base, -2.0 * i / d);
        cosTable[p * h + i] = std::cos(angle);
        sinTable[p * h + i] = std::is_same_v<RopeLikeOp, RopeGradOp>
                                  ? -std::sin(angle)
                                  : std::sin(angle);
      }
    auto tableType = RankedTensorType::get({t, h}, type.getElementType());
    Value cosValues = tableConstant(rewriter, loc, tableType, cosTable);
    Value sinValues = tableConstant(rewriter, loc, tableType, sinTable);

    // lo, hi = x[..., :h], x[..., h:] (interleaved: x[..., 0::2],
    // x[..., 1::2]); one generic writes both:
    //   y_lo = lo cos - hi sin, y_hi = hi cos + lo sin.
    bool interleaved = op.getInterleaved();
    Value x = adaptor.getOperands()[0];
    SmallVector<int64_t> halfShape(type.getShape());
    halfShape.back() = h;
    auto halfType = RankedTensorType::get(halfShape, type.getElementType());
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(ctx, halfShape);
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    if (interleaved)
      strides.back() = rewriter.getIndexAttr(2);
    Value lo = rewriter.create<tensor::ExtractSliceOp>(loc, halfType, x,
                                                       offsets, sizes, strides);
    SmallVector<OpFoldResult> hiOffsets = offsets;
    hiOffsets.back() = rewriter.getIndexAttr(interleaved ? 1 : h);
    Value hi = rewriter.create<tensor::ExtractSliceOp>(
        loc, halfType, x, hiOffsets, sizes, strides);

    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap table = AffineMap::get(
        rank, 0,
        {getAffineDimExpr(rank - 2, ctx), getAffineDimExpr(rank - 1, ctx)},
        ctx);
    auto halves = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{halfType, halfType},
        ValueRange{lo, hi, cosValues, sinValues},
        ValueRange{emptyTensor(rewriter, loc, halfType),
                   emptyTensor(rewriter, loc, halfType)},
        ArrayRef<AffineMap>{id, id, table, table, id, id},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          Value yLo =
              b.create<arith::SubFOp>(l, b.create<arith::MulFOp>(l, a[0], a[2]),
                                      b.create<arith::MulFOp>(l, a[1], a[3]));
          Value yHi =
              b.create<arith::AddFOp>(l, b.create<arith::MulFOp>(l, a[1], a[2]),
                                      b.create<arith::MulFOp>(l, a[0], a[3]));
          b.create<linalg::YieldOp>(l, ValueRange{yLo, yHi});
        });
    Value result = rewriter.create<tensor::InsertSliceOp>(
        loc, halves.getResult(0), emptyTensor(rewriter, loc, type), offsets,
        sizes, strides);
    result = rewriter.create<tensor::InsertSliceOp>(
        loc, halves.getResult(1), result, hiOffsets, sizes, strides);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SinusoidalPositionsOpLowering
    : OpConversionPattern<SinusoidalPositionsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SinusoidalPositionsOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // PE(pos, 2i) = sin(pos / 10000^(2i/D)), PE(pos, 2i+1) = cos(...).
    RankedTensorType type = op.getType();
    int64_t t = type.getShape()[0], d = type.getShape()[1];
    int64_t offset = op.getOffsetAttr().getValue().getSExtValue();
    std::vector<double> values(t * d);
    for (int64_t p = 0; p < t; ++p)
      for (int64_t c = 0; c < d; ++c) {
        double angle = (p + offset) / std::pow(10000.0, double(c - c % 2) / d);
        values[p * d + c] = c % 2 == 0 ? std::sin(angle) : std::cos(angle);
      }
    rewriter.replaceOp(op, tableConstant(rewriter, op.getLoc(), type, values));
    return success();
  }
};

struct SliceOpLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MLIRContext *ctx = rewriter.getContext();
    RankedTensorType type = op.getType();
    SmallVector<int64_t> strides(type.getRank(), 1);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, adaptor.getInput(),
        getAsIndexOpFoldResult(ctx, op.getOffsets()),
        getAsIndexOpFoldResult(ctx, type.getShape()),
        getAsIndexOpFoldResult(ctx, strides));
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
  using ConvertTfmToLinalgPassBase::ConvertTfmToLinalgPassBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<TfmDialect>();
    target.addLegalDialect<affine::AffineDialect, arith::ArithDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    if (flashQueryTile < 0 || flashKeyTile < 0) {
      getOperation().emitError("convert-tfm-to-linalg: flash-query-tile and "
                               "flash-key-tile must be positive (or 0: the "
                               "target's), got ")
          << static_cast<int64_t>(flashQueryTile) << " and "
          << static_cast<int64_t>(flashKeyTile);
      return signalPassFailure();
    }
    FlashAttentionTiles tiles{flashQueryTile, flashKeyTile};
    if (!tiles.queries || !tiles.keys) {
      FailureOr<CpuTarget> cpu = targetOf(getOperation());
      if (failed(cpu))
        return signalPassFailure();
      AttentionTiles fromTarget = attentionTiles(*cpu);
      if (!tiles.queries)
        tiles.queries = fromTarget.queries;
      if (!tiles.keys)
        tiles.keys = fromTarget.keys;
    }
    RewritePatternSet patterns(ctx);
    populateTfmToLinalgPatterns(patterns, tiles);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::tfm::populateTfmToLinalgPatterns(RewritePatternSet &patterns,
                                            FlashAttentionTiles tiles) {
  populateFlashAttentionLoweringPatterns(patterns, tiles);
  populateFlashAttentionGradLoweringPatterns(patterns, tiles);
  populateGradientLoweringPatterns(patterns);
  patterns
      .add<MatmulOpLowering, BroadcastBinaryLowering<AddOp, arith::AddFOp>,
           BroadcastBinaryLowering<MulOp, arith::MulFOp>, ScaleOpLowering,
           ReluOpLowering, GeluOpLowering, SigmoidLowering<SigmoidOp, false>,
           SigmoidLowering<SiluOp, true>, DropoutOpLowering, SoftmaxOpLowering,
           LogSoftmaxOpLowering, LayerNormOpLowering, RmsNormOpLowering,
           MaskOpLowering<MaskOp>, MaskOpLowering<MaskGradOp>,
           RopeOpLowering<RopeOp>, RopeOpLowering<RopeGradOp>,
           SinusoidalPositionsOpLowering, SliceOpLowering, SelectOpLowering,
           EmbeddingOpLowering, TransposeOpLowering, ReshapeOpLowering>(
          patterns.getContext());
}
