//===- Passes.h - tfm dialect-crossing passes -------------------*- C++ -*-===//

#ifndef TFM_CONVERSION_PASSES_H
#define TFM_CONVERSION_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tfm {

#define GEN_PASS_DECL
#include "compiler/conversion/Passes.h.inc"

/// Tile sizes of the flash attention lowering. No default here: the one
/// home of the default is the target's schedule (attentionTiles in
/// compiler/target/Schedule.h), which the pass reads when its options are 0.
struct FlashAttentionTiles {
  int64_t queries;
  int64_t keys;
};

/// Adds the patterns that rewrite tfm ops into linalg on tensors.
void populateTfmToLinalgPatterns(RewritePatternSet &patterns,
                                 FlashAttentionTiles tiles);

/// Adds the pattern that lowers tfm.flash_attention (FlashAttention.cpp).
void populateFlashAttentionLoweringPatterns(RewritePatternSet &patterns,
                                            FlashAttentionTiles tiles);

/// Adds the pattern that lowers tfm.flash_attention_grad
/// (FlashAttentionGrad.cpp).
void populateFlashAttentionGradLoweringPatterns(RewritePatternSet &patterns,
                                                FlashAttentionTiles tiles);

/// Adds the patterns that lower the other gradient, loss and optimizer ops
/// (Gradients.cpp).
void populateGradientLoweringPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "compiler/conversion/Passes.h.inc"

} // namespace mlir::tfm

#endif // TFM_CONVERSION_PASSES_H
