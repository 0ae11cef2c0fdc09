//===- VjpRules.h - vector-Jacobian products of tfm ops ---------*- C++ -*-===//
//
// The one place that knows how each tfm op differentiates: given an op of
// the forward pass and the gradient of its result, builds (in tfm ops, at
// the builder's insertion point) the gradients of its operands.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TRANSFORMS_VJPRULES_H
#define TFM_TRANSFORMS_VJPRULES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace mlir::tfm {

/// Builds the gradients of `op`'s operands from `resultGrads` (one per
/// result; null where a result has no gradient, i.e. zero). Fills
/// `operandGrads` (one per operand) for the operands marked in `needed`,
/// leaving the others null; an operand whose gradient is zero may stay null.
/// Fails, with an error at `op`'s location, if `op` has no rule or the rule
/// cannot give a needed gradient (e.g. for an integer operand).
LogicalResult buildVjp(OpBuilder &b, Operation *op, ArrayRef<Value> resultGrads,
                       ArrayRef<bool> needed,
                       SmallVectorImpl<Value> &operandGrads);

/// Whether `op` is one whose results never carry a gradient (constants,
/// integer-valued ops): the reverse pass skips it.
bool isInactive(Operation *op);

} // namespace mlir::tfm

#endif // TFM_TRANSFORMS_VJPRULES_H
