//===- TfmOps.h - tfm dialect ops -------------------------------*- C++ -*-===//
//
// The tfm ops and the shape rules they share with passes (broadcasting,
// matmul shapes), so that a pass builds ops with the verifier's own rules.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DIALECT_TFMOPS_H
#define TFM_DIALECT_TFMOPS_H

#include "compiler/dialect/TfmDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "compiler/dialect/TfmOps.h.inc"

namespace mlir::tfm {

/// The NumPy broadcast of two static shapes, or failure if a pair of aligned
/// dimensions differs and neither is 1.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs);

/// Formats a shape as `[2x6x4]` (`[]` for a scalar) for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape);

} // namespace mlir::tfm

#endif // TFM_DIALECT_TFMOPS_H
