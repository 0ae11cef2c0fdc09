//===- FlashAttention.cpp - tfm.flash_attention to tiled loops --*- C++ -*-===//
//
// Lowers tfm.flash_attention into loops over tiles with an online softmax,
// on tensors, so that the [Tq, Tk] scores never exist: per query tile the
// state is a running row max m, row sum l and output o.
//
//   kT = pad(k)^T by tiles (parallel), v' = pad(v)            O(T d) per head
//   scf.forall (n, qt) in (batch, Tq / Br) {                  parallel tasks
//     q' = scale * q[n, qt]                                   [Br, D]
//     o = 0, m = -inf, l = 0                                  [Br, Dv], [Br]
//     scf.for kt in [kBegin, kLow) step Bc { step(masked) }   window's start
//     scf.for kt in [kLow, kFull) step Bc  { step(unmasked) } no mask needed
//     scf.for kt in [kFull, kEnd) step Bc  { step(masked) }   straddles a mask
//     out = o / l, lse = m + log l  (0 and -inf for a row with no key)
//   }
//   step: s = q'[qt] kT[:, kt]; (s += bias; s = mask(s));
//         m' = max(m, rowmax s); p = exp(s - m'); a = exp(m - m');
//         l = a l + rowsum p; o = a o + p v'[kt]; m = m'
//
// Keys past a causal or padding limit, and before a sliding window's start,
// are in no tile of any loop: whole tiles are skipped, not computed and
// masked (without a window, kBegin = kLow = 0 and the first loop is not
// built). Every tile op keeps the loop's
// tensors as its destination, so bufferization updates them in place.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"
#include "compiler/conversion/TfmToLinalg/AttentionLayout.h"
#include "compiler/dialect/TfmOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::tfm;
using namespace mlir::tfm::linalg_builders;
using namespace mlir::tfm::attention;

namespace {

/// The state carried across key tiles, in the order of the loops' iter_args.
enum State { kO, kM, kL, kS, kMPrev, kAlpha, kNumState };

struct FlashAttentionOpLowering : OpConversionPattern<FlashAttentionOp> {
  FlashAttentionOpLowering(MLIRContext *ctx, FlashAttentionTiles tiles)
      : OpConversionPattern(ctx), tiles(tiles) {}

  FlashAttentionTiles tiles;

  LogicalResult
  matchAndRewrite(FlashAttentionOp op, OpAdaptor adaptor,
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

    // Batch dimensions flattened: q [N, Tq', D], kT [Nk, D, Tk'], v [Nv, Tk',
    // Dv].
    auto flatten = [&](Value t) { return flattenBatch(b, loc, t); };
    auto pad = [&](Value t, int64_t rowsPad, int64_t colsPad) {
      return padTiles(b, loc, t, rowsPad, colsPad);
    };

    // q padded to Tq' (only if Tq is not a multiple of Br); each task scales
    // its own tile.
    Value qFlat = pad(flatten(q), tqPad, d);
    // kT: k transposed by key tiles, [Nk, Tk' / Bc, D, Bc], so that a tile is
    // one contiguous [D, Bc] block. (Rows of a plain [D, Tk'] are Tk' floats
    // apart: at Tk' = 1024, 4 KiB, and the D rows of a tile then fall in one
    // L1 set.) A parallel loop of its own, over (key head, key tile).
    Value kFlat = pad(flatten(k), tkPad, d);
    int64_t nk = tensorType(kFlat).getShape()[0], numKeyTiles = tkPad / bc;
    Value kT;
    {
      auto transpose = b.create<scf::ForallOp>(
          loc, getAsIndexOpFoldResult(ctx, ArrayRef<int64_t>{nk, numKeyTiles}),
          ValueRange{emptyTensor(b, loc, ty({nk, numKeyTiles, d, bc}))},
          /*mapping=*/std::nullopt);
      OpBuilder::InsertionGuard g(b);
      Block *tb = transpose.getBody();
      b.setInsertionPointToStart(tb);
      Value head = tb->getArgument(0), tile = tb->getArgument(1);
      Value key0 = b.create<arith::MulIOp>(loc, tile, idx(bc));
      Value rows = b.create<tensor::ExtractSliceOp>(
          loc, ty({bc, d}), kFlat,
          SmallVector<OpFoldResult>{head, key0, b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(bc),
                                    b.getIndexAttr(d)},
          SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
      Value cols = b.create<linalg::TransposeOp>(
                        loc, rows, emptyTensor(b, loc, ty({d, bc})),
                        ArrayRef<int64_t>{1, 0})
                       .getResult()[0];
      b.setInsertionPointToStart(transpose.getTerminator().getBody());
      b.create<tensor::ParallelInsertSliceOp>(
          loc, cols, tb->getArgument(2),
          SmallVector<OpFoldResult>{head, tile, b.getIndexAttr(0),
                                    b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                    b.getIndexAttr(d), b.getIndexAttr(bc)},
          SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
      kT = transpose.getResult(0);
    }
    Value vFlat = pad(flatten(v), tkPad, dv);

    TiledBias tiledBias = tileBias(b, loc, adaptor.getBias(), nb, tqPad, tkPad);
    Value bias = tiledBias.value;
    bool biasRows = tiledBias.rows, biasCols = tiledBias.cols;

    Value lengths = adaptor.getLengths();
    Value outInit = emptyTensor(b, loc, ty({numBatch, tqPad, dv}));
    Value lseInit = emptyTensor(b, loc, ty({numBatch, tqPad}));

    auto batchMap = [&](Value n, RankedTensorType type) {
      return operandBatchIndex(b, loc, n, batch, type);
    };

    auto forall = b.create<scf::ForallOp>(
        loc,
        getAsIndexOpFoldResult(ctx, ArrayRef<int64_t>{numBatch, tqPad / br}),
        ValueRange{outInit, lseInit}, /*mapping=*/std::nullopt);
    Block *body = forall.getBody();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(body);
    Value n = body->getArgument(0), qt = body->getArgument(1);
    Value outShared = body->getArgument(2), lseShared = body->getArgument(3);
    Value q0 = b.create<arith::MulIOp>(loc, qt, idx(br));
    Value nK = batchMap(n, kType), nV = batchMap(n, vType);
    Value nBias = bias ? batchMap(n, tiledBias.ranked) : Value();

    auto slice2d = [&](Value src, OpFoldResult i0, OpFoldResult o1,
                       OpFoldResult o2, int64_t s1, int64_t s2) {
      return attention::slice2d(b, loc, src, i0, o1, o2, s1, s2);
    };
    Value qTile = buildElementwise( // q' = scale * q, this task's rows
        b, loc, {slice2d(qFlat, n, q0, b.getIndexAttr(0), br, d)}, ty({br, d}),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return b.create<arith::MulFOp>(l, a[0],
                                         floatConstant(b, l, et, scale));
        });

    // Key bounds of this query tile. Keys at or past kLimit (padding, or past
    // the real keys) are masked; with causal, key j also needs
    // j <= i + diagonal. kEnd: no key at or past it is allowed for any row of
    // the tile; kFull: every key before it is allowed for every row.
    Value kLimit = keyLimit(b, loc, lengths, n, batch, numBatch, tk);
    Value kEnd = kLimit, kFullKeys = kLimit;
    if (causal) {
      // Rows q0 .. q0 + br - 1 allow keys up to q0 + br - 1 + diagonal (last
      // row) and q0 + diagonal (first row).
      Value lastRowBound = b.create<arith::AddIOp>(loc, q0, idx(br + diagonal));
      Value firstRowBound = b.create<arith::AddIOp>(loc, q0, idx(diagonal + 1));
      kEnd = b.create<arith::MinSIOp>(
          loc, kEnd, b.create<arith::MaxSIOp>(loc, lastRowBound, idx(0)));
      kFullKeys = b.create<arith::MinSIOp>(
          loc, kFullKeys, b.create<arith::MaxSIOp>(loc, firstRowBound, idx(0)));
    }
    // Loop bounds in whole tiles: [0, kFull) unmasked, [kFull, kEndTiles)
    // masked.
    Value kFull = b.create<arith::MulIOp>(
        loc, b.create<arith::DivUIOp>(loc, kFullKeys, idx(bc)), idx(bc));
    Value kEndTiles = b.create<arith::MulIOp>(
        loc,
        b.create<arith::DivUIOp>(
            loc, b.create<arith::AddIOp>(loc, kEnd, idx(bc - 1)), idx(bc)),
        idx(bc));
    kFull = b.create<arith::MinUIOp>(loc, kFull, kEndTiles);
    // With a window W, row i allows keys from i + diagonal - W + 1 on: tiles
    // before the first row's start are skipped, [kBegin, kLow) masked (kLow:
    // from the last row's start on, no key is below any row's window).
    Value kBegin, kLow;
    if (window > 0) {
      auto tileOf = [&](Value key, bool up) {
        Value clamped = b.create<arith::MaxSIOp>(loc, key, idx(0));
        if (up)
          clamped = b.create<arith::AddIOp>(loc, clamped, idx(bc - 1));
        return b.create<arith::MulIOp>(
            loc, b.create<arith::DivUIOp>(loc, clamped, idx(bc)), idx(bc));
      };
      kBegin = tileOf(
          b.create<arith::AddIOp>(loc, q0, idx(diagonal - window + 1)), false);
      kLow = tileOf(
          b.create<arith::AddIOp>(loc, q0, idx(br + diagonal - window)), true);
      // kBegin <= kLow <= kFull <= kEndTiles, or every loop empty.
      kLow = b.create<arith::MinSIOp>(loc, kLow, kEndTiles);
      kFull = b.create<arith::MaxSIOp>(loc, kFull, kLow);
    }

    // The per-task state.
    SmallVector<Value> state(kNumState);
    state[kO] = filledTensor(b, loc, ty({br, dv}), zero);
    state[kM] = filledTensor(b, loc, ty({br}), negInf);
    state[kL] = filledTensor(b, loc, ty({br}), zero);
    state[kS] = emptyTensor(b, loc, ty({br, bc}));
    state[kMPrev] = emptyTensor(b, loc, ty({br}));
    state[kAlpha] = emptyTensor(b, loc, ty({br}));

    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap rows = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto par = [](unsigned n) {
      return SmallVector<IteratorType>(n, IteratorType::parallel);
    };
    SmallVector<IteratorType> rowReduce{IteratorType::parallel,
                                        IteratorType::reduction};

    auto step = [&](OpBuilder &b, Location loc, Value kt, ValueRange in,
                    bool masked) {
      SmallVector<Value> st(in.begin(), in.end());
      Value kTile = b.create<tensor::ExtractSliceOp>( // [D, Bc]
          loc, ty({d, bc}), kT,
          SmallVector<OpFoldResult>{
              nK, b.create<arith::DivUIOp>(loc, kt, idx(bc)).getResult(),
              b.getIndexAttr(0), b.getIndexAttr(0)},
          SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                    b.getIndexAttr(d), b.getIndexAttr(bc)},
          SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
      Value vTile =
          slice2d(vFlat, nV, kt, b.getIndexAttr(0), bc, dv); // [Bc, Dv]
      // s = q' kT
      Value s = b.create<linalg::FillOp>(loc, zero, st[kS]).getResult(0);
      s = b.create<linalg::MatmulOp>(loc, ValueRange{qTile, kTile},
                                     ValueRange{s})
              .getResult(0);
      if (bias) {
        Value biasTile = slice2d(
            bias, nBias, biasRows ? OpFoldResult(q0) : b.getIndexAttr(0),
            biasCols ? OpFoldResult(kt) : b.getIndexAttr(0), biasRows ? br : 1,
            biasCols ? bc : 1);
        AffineMap biasMap =
            AffineMap::get(2, 0,
                           {biasRows ? getAffineDimExpr(0, ctx)
                                     : getAffineConstantExpr(0, ctx),
                            biasCols ? getAffineDimExpr(1, ctx)
                                     : getAffineConstantExpr(0, ctx)},
                           ctx);
        s = buildGeneric(b, loc, {biasTile}, s, {biasMap, id2}, par(2),
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return b.create<arith::AddFOp>(l, a[1], a[0]);
                         });
      }
      if (masked) {
        s = buildGeneric(
            b, loc, {}, s, {id2}, par(2),
            [&](OpBuilder &b, Location l, ValueRange a) -> Value {
              Value i = b.create<arith::AddIOp>(
                  l, q0, b.create<linalg::IndexOp>(l, 0));
              Value j = b.create<arith::AddIOp>(
                  l, kt, b.create<linalg::IndexOp>(l, 1));
              Value ok = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::slt,
                                                 j, kLimit);
              if (causal)
                ok = b.create<arith::AndIOp>(
                    l, ok, causalAllows(b, l, i, j, diagonal, window));
              return b.create<arith::SelectOp>(l, ok, a[0], negInf);
            });
      }
      // m_prev = m; m = max(m, rowmax s)
      st[kMPrev] =
          b.create<linalg::CopyOp>(loc, st[kM], st[kMPrev]).getResult(0);
      st[kM] =
          buildGeneric(b, loc, {s}, st[kM], {id2, rows}, rowReduce,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::MaximumFOp>(l, a[0], a[1]);
                       });
      // A row with no allowed key yet keeps m = -inf: safeMax subtracts 0.
      // a = exp(m_prev - m)
      st[kAlpha] = buildGeneric(
          b, loc, {st[kMPrev], st[kM]}, st[kAlpha], {id1, id1, id1}, par(1),
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return b.create<math::ExpOp>(
                l, b.create<arith::SubFOp>(l, a[0], safeMax(b, l, a[1])));
          });
      // p = exp(s - m), in place of s
      Value p = buildGeneric(
          b, loc, {st[kM]}, s, {rows, id2}, par(2),
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return b.create<math::ExpOp>(
                l, b.create<arith::SubFOp>(l, a[1], safeMax(b, l, a[0])));
          });
      // l = a l + rowsum p
      Value l =
          buildGeneric(b, loc, {st[kAlpha]}, st[kL], {id1, id1}, par(1),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::MulFOp>(l, a[0], a[1]);
                       });
      st[kL] =
          buildGeneric(b, loc, {p}, l, {id2, rows}, rowReduce,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::AddFOp>(l, a[0], a[1]);
                       });
      // o = a o + p v
      Value o =
          buildGeneric(b, loc, {st[kAlpha]}, st[kO], {rows, id2}, par(2),
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return b.create<arith::MulFOp>(l, a[0], a[1]);
                       });
      st[kO] =
          b.create<linalg::MatmulOp>(loc, ValueRange{p, vTile}, ValueRange{o})
              .getResult(0);
      st[kS] = p;
      b.create<scf::YieldOp>(loc, st);
    };

    ValueRange start = state;
    if (window > 0)
      start =
          b.create<scf::ForOp>(loc, kBegin, kLow, idx(bc), state,
                               [&](OpBuilder &b, Location l, Value kt,
                                   ValueRange in) { step(b, l, kt, in, true); })
              .getResults();
    auto unmasked = b.create<scf::ForOp>(
        loc, window > 0 ? kLow : idx(0), kFull, idx(bc), start,
        [&](OpBuilder &b, Location l, Value kt, ValueRange in) {
          step(b, l, kt, in, false);
        });
    auto masked = b.create<scf::ForOp>(
        loc, kFull, kEndTiles, idx(bc), unmasked.getResults(),
        [&](OpBuilder &b, Location l, Value kt, ValueRange in) {
          step(b, l, kt, in, true);
        });
    ValueRange done = masked.getResults();

    // out = o / l; lse = m + log(l); a row with l = 0 had no allowed key.
    Value outTile = buildGeneric(
        b, loc, {done[kO], done[kL]}, emptyTensor(b, loc, ty({br, dv})),
        {id2, rows, id2}, par(2),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value empty =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[1], zero);
          Value div = b.create<arith::DivFOp>(l, a[0], a[1]);
          return b.create<arith::SelectOp>(l, empty, zero, div);
        });
    Value lseTile = buildGeneric(
        b, loc, {done[kM], done[kL]}, emptyTensor(b, loc, ty({br})),
        {id1, id1, id1}, par(1),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value empty =
              b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, a[1], zero);
          Value lse =
              b.create<arith::AddFOp>(l, a[0], b.create<math::LogOp>(l, a[1]));
          return b.create<arith::SelectOp>(l, empty, negInf, lse);
        });

    b.setInsertionPointToStart(forall.getTerminator().getBody());
    parallelInsert2d(b, loc, outTile, outShared, n, q0, b.getIndexAttr(0));
    b.create<tensor::ParallelInsertSliceOp>(
        loc, lseTile, lseShared, SmallVector<OpFoldResult>{n, q0},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(br)},
        SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));

    // Back to [..., Tq, Dv] and [..., Tq].
    b.setInsertionPointAfter(forall);
    auto unflatten = [&](Value t, RankedTensorType want) {
      return unflattenBatch(b, loc, t, tq, want, nb);
    };
    Value result = unflatten(forall.getResult(0), tensorType(op.getResult()));
    Value lse = unflatten(forall.getResult(1), tensorType(op.getLse()));
    rewriter.replaceOp(op, {result, lse});
    return success();
  }
};

} // namespace

void mlir::tfm::populateFlashAttentionLoweringPatterns(
    RewritePatternSet &patterns, FlashAttentionTiles tiles) {
  patterns.add<FlashAttentionOpLowering>(patterns.getContext(), tiles);
}
