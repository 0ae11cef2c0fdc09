//===- TfmDialect.h - the tfm dialect ---------------------------*- C++ -*-===//
//
// Declares the tfm dialect class; ops live in TfmOps.h.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DIALECT_TFMDIALECT_H
#define TFM_DIALECT_TFMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "compiler/dialect/TfmDialect.h.inc"

#endif // TFM_DIALECT_TFMDIALECT_H
