//===- Builders.h - helpers of the tfm-to-linalg lowerings ------*- C++ -*-===//
//
// Small builders of linalg on tensors shared by the patterns of
// convert-tfm-to-linalg: constants, empty and filled tensors, broadcasting
// indexing maps, and generic ops with one result.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_CONVERSION_TFMTOLINALG_BUILDERS_H
#define TFM_CONVERSION_TFMTOLINALG_BUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

#include <algorithm>
#include <numeric>

namespace mlir::tfm::linalg_builders {

using utils::IteratorType;
using BodyBuilder = function_ref<Value(OpBuilder &, Location, ValueRange)>;

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

inline Value floatConstant(OpBuilder &b, Location loc, Type type,
                           double value) {
  return b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, value));
}

inline Value negInfConstant(OpBuilder &b, Location loc, Type type) {
  return b.create<arith::ConstantOp>(
      loc, b.getFloatAttr(
               type, APFloat::getInf(cast<FloatType>(type).getFloatSemantics(),
                                     /*Negative=*/true)));
}

/// An arith.constant tensor of `type` holding `values` (computed in double,
/// rounded to the element type).
inline Value tableConstant(OpBuilder &b, Location loc, RankedTensorType type,
                           ArrayRef<double> values) {
  const llvm::fltSemantics &sem =
      cast<FloatType>(type.getElementType()).getFloatSemantics();
  SmallVector<APFloat> elements;
  elements.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool losesInfo;
    f.convert(sem, APFloat::rmNearestTiesToEven, &losesInfo);
    elements.push_back(f);
  }
  return b.create<arith::ConstantOp>(loc,
                                     DenseElementsAttr::get(type, elements));
}

/// tensor.empty of `type`, or that tensor filled with `value`.
inline Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}
inline Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                          Value value) {
  return b.create<linalg::FillOp>(loc, value, emptyTensor(b, loc, type))
      .getResult(0);
}

/// The map reading an operand of `shape` inside a loop nest over `loopShape`,
/// aligned at the trailing dimensions of `loopDims` (NumPy broadcasting): a
/// size-1 dimension facing a larger loop reads index 0.
inline AffineMap broadcastMap(MLIRContext *ctx, unsigned numLoops,
                              ArrayRef<int64_t> shape,
                              ArrayRef<unsigned> loopDims,
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

inline SmallVector<unsigned> iota(unsigned n) {
  SmallVector<unsigned> v(n);
  std::iota(v.begin(), v.end(), 0u);
  return v;
}

/// A linalg.generic with one result whose region yields `body(args)`.
inline Value buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                          Value init, ArrayRef<AffineMap> maps,
                          ArrayRef<IteratorType> iterators, BodyBuilder body) {
  auto op = b.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args));
      });
  return op.getResult(0);
}

/// An elementwise generic over `resultType` whose inputs broadcast into it.
inline Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
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
inline AffineMap reducedMap(MLIRContext *ctx, unsigned rank, unsigned axis) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

inline RankedTensorType reducedType(RankedTensorType type, unsigned axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return RankedTensorType::get(shape, type.getElementType());
}

/// Reduces `inputs` along `axis` into a tensor filled with `init`:
/// `acc = body(inputs..., acc)`. Every input after the first is already
/// reduced (it is read with the reduced map).
inline Value buildReduction(OpBuilder &b, Location loc, ValueRange inputs,
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

/// `m`, or 0 where m is -inf: a row of only -inf (every key masked) then
/// gives exp(-inf - 0) = 0 rather than exp(-inf + inf) = NaN.
inline Value safeMax(OpBuilder &b, Location l, Value m) {
  Value negInf = negInfConstant(b, l, m.getType());
  Value isNegInf =
      b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, m, negInf);
  return b.create<arith::SelectOp>(l, isNegInf,
                                   floatConstant(b, l, m.getType(), 0), m);
}

/// sigmoid(x) = 1 / (1 + exp(-x)): for very negative x, exp(-x) overflows
/// to +inf and the quotient is 0, so no select is needed.
inline Value buildSigmoid(OpBuilder &b, Location l, Value x) {
  Value one = floatConstant(b, l, x.getType(), 1.0);
  Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, x));
  return b.create<arith::DivFOp>(l, one, b.create<arith::AddFOp>(l, one, e));
}

/// Whether query `i` may see key `j` (index values) under a causal mask whose
/// last allowed key is `i + diagonal`: with a sliding window W > 0, also
/// `j > i + diagonal - W`. (tfm.mask, tfm.flash_attention and gradients.)
inline Value causalAllows(OpBuilder &b, Location l, Value i, Value j,
                          int64_t diagonal, int64_t window) {
  Value last = b.create<arith::AddIOp>(
      l, i, b.create<arith::ConstantIndexOp>(l, diagonal));
  Value ok = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sle, j, last);
  if (window <= 0)
    return ok;
  Value first = b.create<arith::SubIOp>(
      l, last, b.create<arith::ConstantIndexOp>(l, window));
  return b.create<arith::AndIOp>(
      l, ok, b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sgt, j, first));
}

/// `type` as rows: [N, last], N the product of the leading dimensions.
inline RankedTensorType rowsType(RankedTensorType type) {
  int64_t last = type.getShape().back();
  return RankedTensorType::get(
      {type.getNumElements() / std::max<int64_t>(last, 1), last},
      type.getElementType());
}

/// `x` collapsed to rowsType (N the product of the leading dimensions), or
/// expanded to [1, last] if it has rank 1.
inline Value flattenRows(OpBuilder &b, Location loc, Value x) {
  RankedTensorType type = tensorType(x);
  int64_t r = type.getRank();
  RankedTensorType flat = rowsType(type);
  if (r == 2)
    return x;
  if (r == 1)
    return b.create<tensor::ExpandShapeOp>(
        loc, flat, x, SmallVector<ReassociationIndices>{{0, 1}});
  ReassociationIndices lead(r - 1);
  std::iota(lead.begin(), lead.end(), 0);
  return b.create<tensor::CollapseShapeOp>(
      loc, flat, x, SmallVector<ReassociationIndices>{lead, {r - 1}});
}

/// `x` collapsed to rank 1 (or expanded from rank 0).
inline Value flattenAll(OpBuilder &b, Location loc, Value x) {
  RankedTensorType type = tensorType(x);
  auto flat =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  if (type.getRank() == 1)
    return x;
  if (type.getRank() == 0)
    return b.create<tensor::ExpandShapeOp>(loc, flat, x,
                                           SmallVector<ReassociationIndices>{});
  ReassociationIndices all(type.getRank());
  std::iota(all.begin(), all.end(), 0);
  return b.create<tensor::CollapseShapeOp>(
      loc, flat, x, SmallVector<ReassociationIndices>{all});
}

/// `x` of shape [N, ...] back to `type` (the inverse of the flattening).
inline Value unflattenTo(OpBuilder &b, Location loc, Value x,
                         RankedTensorType type) {
  RankedTensorType from = tensorType(x);
  if (from == type)
    return x;
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(
        loc, type, x, SmallVector<ReassociationIndices>{});
  if (from.getRank() == 2 && type.getRank() == 1)
    return b.create<tensor::CollapseShapeOp>(
        loc, type, x, SmallVector<ReassociationIndices>{{0, 1}});
  if (from.getRank() == 1) {
    ReassociationIndices all(type.getRank());
    std::iota(all.begin(), all.end(), 0);
    return b.create<tensor::ExpandShapeOp>(
        loc, type, x, SmallVector<ReassociationIndices>{all});
  }
  ReassociationIndices lead(type.getRank() - 1);
  std::iota(lead.begin(), lead.end(), 0);
  return b.create<tensor::ExpandShapeOp>(
      loc, type, x,
      SmallVector<ReassociationIndices>{lead, {type.getRank() - 1}});
}

} // namespace mlir::tfm::linalg_builders

#endif // TFM_CONVERSION_TFMTOLINALG_BUILDERS_H
