//===- FlashAttentionGrad.cpp - attention backward to tiled loops -*- C++
//-*-===//
//
// Lowers tfm.flash_attention_grad into loops over key tiles and query tiles,
// on tensors, recomputing the probabilities of each [Br, Bc] tile from the
// forward's log-sum-exp (FlashAttention's backward), so that no [Tq, Tk]
// matrix exists in training either:
//
//   D = rowsum(dO * O)                                         [N, Tq']
//   scf.forall n in (batch) {                                  parallel tasks
//     dQ, dK, dV = 0                                           this task's rows
//     scf.for kt in [0, kEnd) step Bc {                        key tiles
//       dKt, dVt = 0                                       [Bc, D], [Bc, Dv]
//       scf.for qt in [qStart, qFull) { step(masked) }     straddles a mask
//       scf.for qt in [qFull, qLast) { step(unmasked) }
//       scf.for qt in [qLast, qEnd) { step(masked) }       a window's start
//       dK[kt], dV[kt] = dKt, dVt
//     }
//   }
//   step: S = q[qt] k[kt]^T; P = exp(scale S + bias - lse[qt]) (masked: 0);
//         dVt += P^T dO[qt]; dP = dO[qt] v[kt]^T;
//         dS = scale P (dP - D[qt]); dKt += dS^T q[qt]; dQ[qt] += dS k[kt]
//
// Each task owns one query head: its dQ rows, and the dK and dV of that head
// (key and value heads shared by several query heads are summed afterwards
// by tfm.reduce_to), so no two tasks write one element. Query tiles wholly
// above the causal diagonal or past a sliding window, and key tiles past a
// sequence's length, are in no loop (without a window, qLast = qEnd = Tq'
// and the last loop is not built).
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"
#include "compiler/conversion/TfmToLinalg/AttentionLayout.h"
#include "compiler/dialect/TfmOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::tfm;
using namespace mlir::tfm::linalg_builders;
using namespace mlir::tfm::attention;

namespace {

struct FlashAttentionGradOpLowering
    : OpConversionPattern<FlashAttentionGradOp> {
  FlashAttentionGradOpLowering(MLIRContext *ctx, FlashAttentionTiles tiles)
      : OpConversionPattern(ctx), tiles(tiles) {}

  FlashAttentionTiles tiles;

  LogicalResult
  matchAndRewrite(FlashAttentionGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    OpBuilder &b = rewriter;
    Value q = adaptor.getQuery(), k = adaptor.getKey(), v = adaptor.getValue();
    RankedTensorType qType = tensorType(q), kType = tensorType(k),
                     vType = tensorType(v);
    Type et = qType.getElementType();
    auto [batch, nb, tq, d, tk, dv, numBatch, br, bc, tqPad, tkPad, diagonal] =
        sizesOf(qType, kType, vType, tiles);
    double scale = op.getScale().convertToDouble();
    bool causal = op.getCausal();
    int64_t window = causal ? op.getWindow() : 0;

    auto ty = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, et);
    };
    auto idx = [&](int64_t n) { return index(b, loc, n); };
    Value zero = floatConstant(b, loc, et, 0.0);
    Value negInf = negInfConstant(b, loc, et);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
    auto par = [](unsigned n) {
      return SmallVector<IteratorType>(n, IteratorType::parallel);
    };

    // [N, T', width] operands, padding rows and keys zero.
    Value qF = padTiles(b, loc, flattenBatch(b, loc, q), tqPad, d);
    Value oF =
        padTiles(b, loc, flattenBatch(b, loc, adaptor.getOutput()), tqPad, dv);
    Value doF =
        padTiles(b, loc, flattenBatch(b, loc, adaptor.getGrad()), tqPad, dv);
    Value kF = padTiles(b, loc, flattenBatch(b, loc, k), tkPad, d);
    Value vF = padTiles(b, loc, flattenBatch(b, loc, v), tkPad, dv);
    // lse [..., Tq] as [N, Tq', 1] (the padding rows' 0 is harmless: their
    // dO is 0, so they add nothing).
    Value lse = adaptor.getLse();
    {
      RankedTensorType lseType = tensorType(lse);
      SmallVector<int64_t> withUnit(lseType.getShape());
      withUnit.push_back(1);
      SmallVector<ReassociationIndices> groups;
      for (int64_t i = 0; i + 1 < lseType.getRank(); ++i)
        groups.push_back({i});
      groups.push_back({lseType.getRank() - 1, lseType.getRank()});
      lse = b.create<tensor::ExpandShapeOp>(loc, ty(withUnit), lse, groups);
      lse = padTiles(b, loc, flattenBatch(b, loc, lse), tqPad, 1);
    }
    TiledBias tiledBias = tileBias(b, loc, adaptor.getBias(), nb, tqPad, tkPad);
    Value bias = tiledBias.value;

    // D = rowsum(dO * O), [N, Tq', 1].
    Value rowDot = buildGeneric(
        b, loc, {doF, oF}, filledTensor(b, loc, ty({numBatch, tqPad, 1}), zero),
        {id3, id3,
         AffineMap::get(3, 0,
                        {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx),
                         getAffineConstantExpr(0, ctx)},
                        ctx)},
        {IteratorType::parallel, IteratorType::parallel,
         IteratorType::reduction},
        [](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::AddFOp>(
              l, a[2], b.create<arith::MulFOp>(l, a[0], a[1]));
        });

    auto forall = b.create<scf::ForallOp>(
        loc, getAsIndexOpFoldResult(ctx, ArrayRef<int64_t>{numBatch}),
        ValueRange{emptyTensor(b, loc, ty({numBatch, tqPad, d})),
                   emptyTensor(b, loc, ty({numBatch, tkPad, d})),
                   emptyTensor(b, loc, ty({numBatch, tkPad, dv}))},
        /*mapping=*/std::nullopt);
    Block *body = forall.getBody();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(body);
    Value n = body->getArgument(0);
    Value nK = operandBatchIndex(b, loc, n, batch, kType);
    Value nV = operandBatchIndex(b, loc, n, batch, vType);
    Value nBias =
        bias ? operandBatchIndex(b, loc, n, batch, tiledBias.ranked) : Value();
    Value kLimit =
        keyLimit(b, loc, adaptor.getLengths(), n, batch, numBatch, tk);
    // Key tiles with an allowed key: [0, kEnd).
    Value kEnd = b.create<arith::MulIOp>(
        loc,
        b.create<arith::DivUIOp>(
            loc, b.create<arith::AddIOp>(loc, kLimit, idx(bc - 1)), idx(bc)),
        idx(bc));

    auto transposed = [&](OpBuilder &b, Location l, Value t) {
      ArrayRef<int64_t> s = tensorType(t).getShape();
      return b
          .create<linalg::TransposeOp>(l, t,
                                       emptyTensor(b, l, ty({s[1], s[0]})),
                                       ArrayRef<int64_t>{1, 0})
          .getResult()[0];
    };
    auto matmulInto = [&](OpBuilder &b, Location l, Value lhs, Value rhs,
                          Value acc) {
      return b
          .create<linalg::MatmulOp>(l, ValueRange{lhs, rhs}, ValueRange{acc})
          .getResult(0);
    };
    auto zeros = [&](OpBuilder &b, Location l, ArrayRef<int64_t> shape) {
      return b.create<linalg::FillOp>(l, zero, emptyTensor(b, l, ty(shape)))
          .getResult(0);
    };

    // This task's gradients, [Tq', D], [Tk', D], [Tk', Dv]: its slices of
    // the shared results, zeroed, so that bufferization accumulates in
    // place (a tensor of their own would be a buffer per task).
    auto ownSlice = [&](unsigned i, int64_t rows, int64_t cols) {
      Value slice = b.create<tensor::ExtractSliceOp>(
          loc, ty({rows, cols}), body->getArgument(1 + i),
          SmallVector<OpFoldResult>{n, b.getIndexAttr(0), b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(rows),
                                    b.getIndexAttr(cols)},
          SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
      return b.create<linalg::FillOp>(loc, zero, slice).getResult(0);
    };
    Value dQ0 = ownSlice(0, tqPad, d);
    Value dK0 = ownSlice(1, tkPad, d);
    Value dV0 = ownSlice(2, tkPad, dv);

    auto keyLoop = b.create<scf::ForOp>(
        loc, idx(0), kEnd, idx(bc), ValueRange{dQ0, dK0, dV0},
        [&](OpBuilder &b, Location l, Value kt, ValueRange acc) {
          Value kTile =
              attention::slice2d(b, l, kF, nK, kt, b.getIndexAttr(0), bc, d);
          Value vTile =
              attention::slice2d(b, l, vF, nV, kt, b.getIndexAttr(0), bc, dv);
          Value kT = transposed(b, l, kTile); // [D, Bc]
          Value vT = transposed(b, l, vTile); // [Dv, Bc]

          // Query tiles that see a key of this tile start at qStart; from
          // qFull on, every row sees every key of it (none if the tile
          // straddles the key limit).
          Value qStart = idx(0), qFull = idx(0);
          Value straddles = b.create<arith::CmpIOp>(
              l, arith::CmpIPredicate::sgt,
              b.create<arith::AddIOp>(l, kt, idx(bc)), kLimit);
          if (causal) {
            // First row that sees key kt: kt - diagonal; that sees key
            // kt + bc - 1: kt + bc - 1 - diagonal.
            Value first = b.create<arith::MaxSIOp>(
                l, b.create<arith::SubIOp>(l, kt, idx(diagonal)), idx(0));
            qStart = b.create<arith::MulIOp>(
                l, b.create<arith::DivUIOp>(l, first, idx(br)), idx(br));
            qStart = b.create<arith::MinSIOp>(l, qStart, idx(tqPad));
            Value all = b.create<arith::MaxSIOp>(
                l, b.create<arith::SubIOp>(l, kt, idx(diagonal - bc + 1)),
                idx(0));
            qFull = b.create<arith::MulIOp>(
                l,
                b.create<arith::DivUIOp>(
                    l, b.create<arith::AddIOp>(l, all, idx(br - 1)), idx(br)),
                idx(br));
            qFull = b.create<arith::MinSIOp>(l, qFull, idx(tqPad));
          }
          // With a window W, row i sees keys from i + diagonal - W + 1 on:
          // rows from kt + bc - 1 - diagonal + W on see no key of this tile
          // (qEnd), rows before kt - diagonal + W see all of its first
          // keys (qLast bounds the unmasked rows).
          Value qEnd = idx(tqPad), qLast = idx(tqPad);
          if (window > 0) {
            auto tileOf = [&](Value row, bool up) {
              Value clamped = b.create<arith::MaxSIOp>(l, row, idx(0));
              if (up)
                clamped = b.create<arith::AddIOp>(l, clamped, idx(br - 1));
              Value t = b.create<arith::MulIOp>(
                  l, b.create<arith::DivUIOp>(l, clamped, idx(br)), idx(br));
              return b.create<arith::MinSIOp>(l, t, idx(tqPad));
            };
            qEnd = tileOf(
                b.create<arith::AddIOp>(l, kt, idx(bc - 1 - diagonal + window)),
                true);
            qLast = tileOf(
                b.create<arith::AddIOp>(l, kt, idx(window - diagonal)), false);
          }
          qFull = b.create<arith::SelectOp>(l, straddles, qEnd, qFull);
          if (window > 0) {
            // qStart <= qFull <= qLast <= qEnd.
            qFull = b.create<arith::MinSIOp>(l, qFull, qEnd);
            qLast = b.create<arith::MinSIOp>(
                l, b.create<arith::MaxSIOp>(l, qLast, qFull), qEnd);
          }

          Value dKt = zeros(b, l, {bc, d}), dVt = zeros(b, l, {bc, dv});
          auto step = [&](OpBuilder &b, Location l, Value qt, ValueRange in,
                          bool masked) {
            Value dQ = in[0], dKacc = in[1], dVacc = in[2];
            Value qTile =
                attention::slice2d(b, l, qF, n, qt, b.getIndexAttr(0), br, d);
            Value doTile =
                attention::slice2d(b, l, doF, n, qt, b.getIndexAttr(0), br, dv);
            Value lseTile =
                attention::slice2d(b, l, lse, n, qt, b.getIndexAttr(0), br, 1);
            Value dTile = attention::slice2d(b, l, rowDot, n, qt,
                                             b.getIndexAttr(0), br, 1);
            AffineMap rowOf = AffineMap::get(
                2, 0, {getAffineDimExpr(0, ctx), getAffineConstantExpr(0, ctx)},
                ctx);
            // S = q k^T; P = exp(scale S + bias - lse), masked and empty rows
            // 0.
            Value s = matmulInto(b, l, qTile, kT, zeros(b, l, {br, bc}));
            SmallVector<Value> inputs{lseTile};
            SmallVector<AffineMap> maps{rowOf};
            if (bias) {
              inputs.push_back(attention::slice2d(
                  b, l, bias, nBias,
                  tiledBias.rows ? OpFoldResult(qt) : b.getIndexAttr(0),
                  tiledBias.cols ? OpFoldResult(kt) : b.getIndexAttr(0),
                  tiledBias.rows ? br : 1, tiledBias.cols ? bc : 1));
              maps.push_back(AffineMap::get(
                  2, 0,
                  {tiledBias.rows ? getAffineDimExpr(0, ctx)
                                  : getAffineConstantExpr(0, ctx),
                   tiledBias.cols ? getAffineDimExpr(1, ctx)
                                  : getAffineConstantExpr(0, ctx)},
                  ctx));
            }
            maps.push_back(id2);
            Value p = buildGeneric(
                b, l, inputs, s, maps, par(2),
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value z = b.create<arith::MulFOp>(
                      l, a.back(), floatConstant(b, l, et, scale));
                  if (bias)
                    z = b.create<arith::AddFOp>(l, z, a[1]);
                  if (masked) {
                    Value i = b.create<arith::AddIOp>(
                        l, qt, b.create<linalg::IndexOp>(l, 0));
                    Value j = b.create<arith::AddIOp>(
                        l, kt, b.create<linalg::IndexOp>(l, 1));
                    Value ok = b.create<arith::CmpIOp>(
                        l, arith::CmpIPredicate::slt, j, kLimit);
                    if (causal)
                      ok = b.create<arith::AndIOp>(
                          l, ok, causalAllows(b, l, i, j, diagonal, window));
                    z = b.create<arith::SelectOp>(l, ok, z, negInf);
                  }
                  Value noKey = b.create<arith::CmpFOp>(
                      l, arith::CmpFPredicate::OEQ, a[0], negInf);
                  Value e = b.create<math::ExpOp>(
                      l, b.create<arith::SubFOp>(l, z, a[0]));
                  return b.create<arith::SelectOp>(l, noKey, zero, e);
                });
            // dVt += P^T dO
            dVacc = matmulInto(b, l, transposed(b, l, p), doTile, dVacc);
            // dS = scale P (dO v^T - D)
            Value dp = matmulInto(b, l, doTile, vT, zeros(b, l, {br, bc}));
            Value ds = buildGeneric(
                b, l, {p, dTile}, dp, {id2, rowOf, id2}, par(2),
                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                  Value diff = b.create<arith::SubFOp>(l, a[2], a[1]);
                  return b.create<arith::MulFOp>(
                      l, b.create<arith::MulFOp>(l, a[0], diff),
                      floatConstant(b, l, et, scale));
                });
            // dKt += dS^T q; dQ[qt] += dS k
            dKacc = matmulInto(b, l, transposed(b, l, ds), qTile, dKacc);
            SmallVector<OpFoldResult> offsets{qt, b.getIndexAttr(0)};
            SmallVector<OpFoldResult> sizes{b.getIndexAttr(br),
                                            b.getIndexAttr(d)};
            SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
            Value dqTile = b.create<tensor::ExtractSliceOp>(
                l, ty({br, d}), dQ, offsets, sizes, strides);
            dqTile = matmulInto(b, l, ds, kTile, dqTile);
            dQ = b.create<tensor::InsertSliceOp>(l, dqTile, dQ, offsets, sizes,
                                                 strides);
            b.create<scf::YieldOp>(l, ValueRange{dQ, dKacc, dVacc});
          };
          auto maskedLoop = b.create<scf::ForOp>(
              l, qStart, qFull, idx(br), ValueRange{acc[0], dKt, dVt},
              [&](OpBuilder &b, Location l, Value qt, ValueRange in) {
                step(b, l, qt, in, true);
              });
          auto fullLoop = b.create<scf::ForOp>(
              l, qFull, qLast, idx(br), maskedLoop.getResults(),
              [&](OpBuilder &b, Location l, Value qt, ValueRange in) {
                step(b, l, qt, in, false);
              });
          ValueRange done = fullLoop.getResults();
          if (window > 0)
            done = b.create<scf::ForOp>(
                        l, qLast, qEnd, idx(br), done,
                        [&](OpBuilder &b, Location l, Value qt, ValueRange in) {
                          step(b, l, qt, in, true);
                        })
                       .getResults();
          SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
          Value dK = b.create<tensor::InsertSliceOp>(
              l, done[1], acc[1],
              SmallVector<OpFoldResult>{kt, b.getIndexAttr(0)},
              SmallVector<OpFoldResult>{b.getIndexAttr(bc), b.getIndexAttr(d)},
              strides);
          Value dV = b.create<tensor::InsertSliceOp>(
              l, done[2], acc[2],
              SmallVector<OpFoldResult>{kt, b.getIndexAttr(0)},
              SmallVector<OpFoldResult>{b.getIndexAttr(bc), b.getIndexAttr(dv)},
              strides);
          b.create<scf::YieldOp>(l, ValueRange{done[0], dK, dV});
        });

    b.setInsertionPointToStart(forall.getTerminator().getBody());
    for (unsigned i = 0; i < 3; ++i)
      parallelInsert2d(b, loc, keyLoop.getResult(i), body->getArgument(1 + i),
                       n, b.getIndexAttr(0), b.getIndexAttr(0));

    b.setInsertionPointAfter(forall);
    Value dq = unflattenBatch(b, loc, forall.getResult(0), tq,
                              tensorType(op.getQueryGrad()), nb);
    Value dk = unflattenBatch(b, loc, forall.getResult(1), tk,
                              tensorType(op.getKeyGrad()), nb);
    Value dvv = unflattenBatch(b, loc, forall.getResult(2), tk,
                               tensorType(op.getValueGrad()), nb);
    rewriter.replaceOp(op, {dq, dk, dvv});
    return success();
  }
};

} // namespace

void mlir::tfm::populateFlashAttentionGradLoweringPatterns(
    RewritePatternSet &patterns, FlashAttentionTiles tiles) {
  patterns.add<FlashAttentionGradOpLowering>(patterns.getContext(), tiles);
}
