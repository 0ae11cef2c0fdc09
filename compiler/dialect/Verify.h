//===- Verify.h - checks shared by the tfm op verifiers ---------*- C++ -*-===//
//
// Element type, result shape, axis and normalization-parameter checks, with
// the diagnostics every tfm op words the same way. Internal to the dialect.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DIALECT_VERIFY_H
#define TFM_DIALECT_VERIFY_H

#include "compiler/dialect/TfmOps.h"

#include "mlir/IR/Diagnostics.h"

namespace mlir::tfm::verify {

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Checks that `op`'s single result has `shape` and `elementType`.
inline LogicalResult verifyResultType(Operation *op, ArrayRef<int64_t> shape,
                                      Type elementType) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (resultType.getShape() != shape)
    return op->emitOpError("expects result shape ")
           << formatShape(shape) << ", got "
           << formatShape(resultType.getShape());
  if (resultType.getElementType() != elementType)
    return op->emitOpError("expects result element type ")
           << elementType << ", got " << resultType.getElementType();
  return success();
}

inline LogicalResult verifySameElementType(Operation *op, Value a, Value b,
                                           StringRef aName, StringRef bName) {
  Type ta = tensorType(a).getElementType(), tb = tensorType(b).getElementType();
  if (ta != tb)
    return op->emitOpError("expects ")
           << aName << " and " << bName << " of one element type, got " << ta
           << " and " << tb;
  return success();
}

/// Checks the `axis` of a softmax-like op on a tensor of `rank`.
inline LogicalResult verifyAxis(Operation *op, ArrayRef<int64_t> shape,
                                int64_t axis) {
  int64_t rank = shape.size();
  if (rank == 0)
    return op->emitOpError("expects an input of rank >= 1, got a scalar");
  if (axis < -rank || axis >= rank)
    return op->emitOpError("expects axis in [")
           << -rank << ", " << rank << ") for an input of rank " << rank
           << ", got " << axis;
  if (shape[axis < 0 ? axis + rank : axis] == 0)
    return op->emitOpError("expects a non-empty axis ")
           << axis << ", got input " << formatShape(shape);
  return success();
}

/// Checks that `param` of a normalization of `input` over its last axis has
/// shape [input.shape[-1]] and input's element type.
inline LogicalResult verifyNormParam(Operation *op, Value input, Value param,
                                     StringRef name) {
  RankedTensorType inputType = tensorType(input);
  if (failed(verifySameElementType(op, input, param, "input", name)))
    return failure();
  int64_t d = inputType.getShape().back();
  if (d == 0)
    return op->emitOpError("expects a non-empty last dimension, got input ")
           << formatShape(inputType.getShape());
  ArrayRef<int64_t> shape = tensorType(param).getShape();
  if (shape.size() != 1 || shape[0] != d)
    return op->emitOpError("expects ")
           << name << " of shape [" << d << "] (the last dimension of input "
           << formatShape(inputType.getShape()) << "), got "
           << formatShape(shape);
  return success();
}

inline LogicalResult verifyEpsilon(Operation *op, APFloat epsilon) {
  if (!(epsilon.convertToFloat() > 0.0f))
    return op->emitOpError("expects a positive epsilon, got ")
           << epsilon.convertToFloat();
  return success();
}

/// The checks of tfm.mask on `scores` (also those of tfm.mask_grad).
LogicalResult verifyMask(Operation *op, Value scores, Value lengths,
                         bool causal, IntegerAttr window);

/// A sliding window needs `causal` and is positive, or 0 for none (tfm.mask,
/// tfm.flash_attention and their gradients).
LogicalResult verifyWindow(Operation *op, bool causal, IntegerAttr window);

/// The checks of tfm.rope on a tensor of `shape` (also tfm.rope_grad's).
LogicalResult verifyRope(Operation *op, ArrayRef<int64_t> shape, APFloat base,
                         IntegerAttr offset);

/// The operand checks of tfm.flash_attention (also its gradient's); on
/// success `scoresShape` is [batch..., Tq, Tk].
LogicalResult verifyAttention(Operation *op, Value query, Value key,
                              Value value, Value lengths, Value bias,
                              APFloat scale,
                              SmallVectorImpl<int64_t> &scoresShape);

} // namespace mlir::tfm::verify

#endif // TFM_DIALECT_VERIFY_H
