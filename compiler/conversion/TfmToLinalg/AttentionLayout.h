//===- AttentionLayout.h - operand layout of the attention loops -*- C++
//-*-===//
//
// What the forward and backward lowerings of flash attention share: batch
// dimensions flattened to one, rows and columns padded to whole tiles, the
// batch index of a key or value head shared by several query heads, the
// bias brought to a broadcastable [N, rows or 1, cols or 1], the key bounds
// of a query tile, and the way back to the op's shapes.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_CONVERSION_TFMTOLINALG_ATTENTIONLAYOUT_H
#define TFM_CONVERSION_TFMTOLINALG_ATTENTIONLAYOUT_H

#include "compiler/conversion/Passes.h"
#include "compiler/conversion/TfmToLinalg/Builders.h"

namespace mlir::tfm::attention {

using namespace mlir::tfm::linalg_builders;

inline int64_t roundUp(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

/// The sizes of an attention of q [..., Tq, D], k [..., Tk, D] and
/// v [..., Tk, Dv]: the batch dimensions (nb of them, numBatch elements), the
/// tiles br x bc (the requested sizes, no larger than the rounded-up lengths)
/// and the lengths padded to whole tiles. Key j is allowed for query i if
/// j <= i + diagonal.
struct Sizes {
  ArrayRef<int64_t> batch;
  int64_t nb, tq, d, tk, dv, numBatch, br, bc, tqPad, tkPad, diagonal;
};

inline Sizes sizesOf(RankedTensorType q, RankedTensorType k, RankedTensorType v,
                     FlashAttentionTiles tiles) {
  Sizes s;
  s.nb = q.getRank() - 2;
  s.batch = q.getShape().drop_back(2);
  s.tq = q.getShape()[s.nb];
  s.d = q.getShape()[s.nb + 1];
  s.tk = k.getShape().drop_back(1).back();
  s.dv = v.getShape().back();
  s.numBatch = 1;
  for (int64_t n : s.batch)
    s.numBatch *= n;
  s.br = std::min(tiles.queries, roundUp(s.tq, 8));
  s.bc = std::min(tiles.keys, roundUp(s.tk, 16));
  s.tqPad = roundUp(s.tq, s.br);
  s.tkPad = roundUp(s.tk, s.bc);
  s.diagonal = s.tk - s.tq;
  return s;
}

inline Value index(OpBuilder &b, Location loc, int64_t n) {
  return b.create<arith::ConstantIndexOp>(loc, n);
}

/// `t: [..., rows, cols]` as [N, rows, cols], N the product of the leading
/// dimensions (1 if there are none).
inline Value flattenBatch(OpBuilder &b, Location loc, Value t) {
  RankedTensorType type = tensorType(t);
  Type et = type.getElementType();
  int64_t r = type.getRank(), n = 1;
  for (int64_t s : type.getShape().drop_back(2))
    n *= s;
  ArrayRef<int64_t> s = type.getShape();
  if (r == 2)
    return b.create<tensor::ExpandShapeOp>(
        loc, RankedTensorType::get({1, s[0], s[1]}, et), t,
        SmallVector<ReassociationIndices>{{0, 1}, {2}});
  ReassociationIndices lead(r - 2);
  std::iota(lead.begin(), lead.end(), 0);
  return b.create<tensor::CollapseShapeOp>(
      loc, RankedTensorType::get({n, s[r - 2], s[r - 1]}, et), t,
      SmallVector<ReassociationIndices>{lead, {r - 2}, {r - 1}});
}

/// A [N, rows, cols] tensor placed in a zero [N, rowsPad, colsPad] one.
inline Value padTiles(OpBuilder &b, Location loc, Value t, int64_t rowsPad,
                      int64_t colsPad) {
  RankedTensorType type = tensorType(t);
  ArrayRef<int64_t> s = type.getShape();
  if (s[1] == rowsPad && s[2] == colsPad)
    return t;
  Type et = type.getElementType();
  Value padded =
      filledTensor(b, loc, RankedTensorType::get({s[0], rowsPad, colsPad}, et),
                   floatConstant(b, loc, et, 0));
  SmallVector<OpFoldResult> offsets(3, b.getIndexAttr(0)),
      strides(3, b.getIndexAttr(1));
  return b.create<tensor::InsertSliceOp>(
      loc, t, padded, offsets, getAsIndexOpFoldResult(b.getContext(), s),
      strides);
}

/// The flattened batch index, in `operand` (whose batch dimensions equal or
/// broadcast into `batch`), of the query's flattened batch index `n`:
/// dimensions of size 1 read index 0.
inline Value operandBatchIndex(OpBuilder &b, Location loc, Value n,
                               ArrayRef<int64_t> batch,
                               RankedTensorType operand) {
  int64_t nb = batch.size();
  ArrayRef<int64_t> tb = operand.getShape().drop_back(2);
  Value result = index(b, loc, 0);
  int64_t qStride = 1, tStride = 1;
  for (int64_t i = nb - 1; i >= 0; --i) {
    int64_t j = i - (nb - int64_t(tb.size()));
    if (j >= 0 && tb[j] != 1) {
      Value coord = b.create<arith::RemUIOp>(
          loc, b.create<arith::DivUIOp>(loc, n, index(b, loc, qStride)),
          index(b, loc, batch[i]));
      result = b.create<arith::AddIOp>(
          loc, result,
          b.create<arith::MulIOp>(loc, coord, index(b, loc, tStride)));
    }
    if (j >= 0)
      tStride *= tb[j];
    qStride *= batch[i];
  }
  return result;
}

/// A bias brought to rank nb + 2 (broadcast dimensions kept at 1),
/// flattened and padded: [Nb, Tq' or 1, Tk' or 1]. Tiles read it through a
/// broadcast map, so a [Tq, Tk] bias shared by all heads stays one copy.
struct TiledBias {
  Value value;             // null without a bias
  RankedTensorType ranked; // the bias at rank nb + 2, for the batch index
  bool rows = false, cols = false;
};

inline TiledBias tileBias(OpBuilder &b, Location loc, Value bias, int64_t nb,
                          int64_t tqPad, int64_t tkPad) {
  TiledBias result;
  if (!bias)
    return result;
  RankedTensorType biasType = tensorType(bias);
  SmallVector<int64_t> shape(nb + 2 - biasType.getRank(), 1);
  llvm::append_range(shape, biasType.getShape());
  result.ranked = RankedTensorType::get(shape, biasType.getElementType());
  if (biasType.getRank() < nb + 2) {
    // Prepend unit dimensions: the first group takes them all.
    int64_t extra = nb + 2 - biasType.getRank();
    if (biasType.getRank() == 0) {
      bias = b.create<tensor::ExpandShapeOp>(
          loc, result.ranked, bias, SmallVector<ReassociationIndices>{});
    } else {
      SmallVector<ReassociationIndices> groups;
      ReassociationIndices first(extra + 1);
      std::iota(first.begin(), first.end(), 0);
      groups.push_back(first);
      for (int64_t i = extra + 1; i < nb + 2; ++i)
        groups.push_back({i});
      bias = b.create<tensor::ExpandShapeOp>(loc, result.ranked, bias, groups);
    }
  }
  result.rows = shape[nb] != 1;
  result.cols = shape[nb + 1] != 1;
  result.value = padTiles(b, loc, flattenBatch(b, loc, bias),
                          result.rows ? tqPad : 1, result.cols ? tkPad : 1);
  return result;
}

/// The keys query `n`'s rows may see: keys at or past the returned limit
/// (padding: `lengths[b]`, or past the Tk real keys) are masked.
inline Value keyLimit(OpBuilder &b, Location loc, Value lengths, Value n,
                      ArrayRef<int64_t> batch, int64_t numBatch, int64_t tk) {
  Value limit = index(b, loc, tk);
  if (!lengths)
    return limit;
  Value b0 =
      batch.empty()
          ? index(b, loc, 0)
          : b.create<arith::DivUIOp>(loc, n, index(b, loc, numBatch / batch[0]))
                .getResult();
  Value len = b.create<tensor::ExtractOp>(loc, lengths, ValueRange{b0});
  len = b.create<arith::IndexCastOp>(loc, b.getIndexType(), len);
  len = b.create<arith::MaxSIOp>(loc, len, index(b, loc, 0));
  return b.create<arith::MinSIOp>(loc, limit, len);
}

/// A [1, s1, s2] slice of the [N, ., .] tensor `src` at (i0, o1, o2), as [s1,
/// s2].
inline Value slice2d(OpBuilder &b, Location loc, Value src, OpFoldResult i0,
                     OpFoldResult o1, OpFoldResult o2, int64_t s1, int64_t s2) {
  SmallVector<OpFoldResult> offsets{i0, o1, o2};
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(s1),
                                  b.getIndexAttr(s2)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return b.create<tensor::ExtractSliceOp>(
      loc, RankedTensorType::get({s1, s2}, tensorType(src).getElementType()),
      src, offsets, sizes, strides);
}

/// A [s1, s2] tile inserted at (i0, o1, o2) of the shared output of an
/// scf.forall (in its terminator).
inline void parallelInsert2d(OpBuilder &b, Location loc, Value tile,
                             Value shared, OpFoldResult i0, OpFoldResult o1,
                             OpFoldResult o2) {
  ArrayRef<int64_t> s = tensorType(tile).getShape();
  b.create<tensor::ParallelInsertSliceOp>(
      loc, tile, shared, SmallVector<OpFoldResult>{i0, o1, o2},
      SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(s[0]),
                                b.getIndexAttr(s[1])},
      SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
}

/// `t: [N, rowsPad, ...]` back to `want: [batch..., rows, ...]`: the padding
/// rows sliced off, the batch unflattened (or dropped when there is none).
inline Value unflattenBatch(OpBuilder &b, Location loc, Value t, int64_t rows,
                            RankedTensorType want, int64_t nb) {
  RankedTensorType type = tensorType(t);
  int64_t r = type.getRank();
  SmallVector<int64_t> unpadded(type.getShape());
  unpadded[1] = rows;
  if (unpadded != SmallVector<int64_t>(type.getShape())) {
    SmallVector<OpFoldResult> offsets(r, b.getIndexAttr(0)),
        strides(r, b.getIndexAttr(1));
    t = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get(unpadded, type.getElementType()), t, offsets,
        getAsIndexOpFoldResult(b.getContext(), unpadded), strides);
  }
  if (want.getShape() == ArrayRef<int64_t>(unpadded))
    return t;
  // [N, ...] -> [b0, ..., bn, ...], or [1, ...] -> [...] without batch.
  if (nb == 0) {
    SmallVector<ReassociationIndices> collapse{{0, 1}};
    for (int64_t i = 2; i < r; ++i)
      collapse.push_back({i});
    return b.create<tensor::CollapseShapeOp>(loc, want, t, collapse);
  }
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices lead(nb);
  std::iota(lead.begin(), lead.end(), 0);
  groups.push_back(lead);
  for (int64_t i = nb; i < want.getRank(); ++i)
    groups.push_back({i});
  return b.create<tensor::ExpandShapeOp>(loc, want, t, groups);
}

} // namespace mlir::tfm::attention

#endif // TFM_CONVERSION_TFMTOLINALG_ATTENTIONLAYOUT_H
