//===- AnnotateLoops.cpp - loop metadata for LLVM ---------------*- C++ -*-===//
//
// Marks the back edges of matmul micro-kernel loops (found by the location
// tfm-tile-and-vectorize tags them with) so that LLVM does not unroll them,
// and the kernels of tfm-outline-kernels so that LLVM does not inline them.
// It changes no code itself; it only adds `!llvm.loop` metadata and
// `no_inline`.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/dialect/TfmDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Dominance.h"

#define DEBUG_TYPE "tfm-annotate-loops"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMANNOTATELOOPSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

/// True if `loc` carries the micro-kernel tag.
bool isMicroKernelLoop(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  auto tag =
      fused ? dyn_cast_or_null<StringAttr>(fused.getMetadata()) : StringAttr();
  return tag && tag.getValue() == "tfm.micro_kernel";
}

struct TfmAnnotateLoopsPass
    : tfm::impl::TfmAnnotateLoopsPassBase<TfmAnnotateLoopsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto noUnroll = LLVM::LoopAnnotationAttr::get(
        ctx, {}, {}, {},
        LLVM::LoopUnrollAttr::get(ctx, BoolAttr::get(ctx, true), {}, {}, {}, {},
                                  {}, {}),
        {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});
    getOperation().walk([&](LLVM::LLVMFuncOp func) {
      if (func.isExternal())
        return;
      if (func->removeAttr(tfm::TfmDialect::kKernelAttrName))
        func.setNoInline(true);
      DominanceInfo dominance(func);
      // A back edge branches to a block that dominates the branch.
      func.walk([&](LLVM::BrOp br) {
        if (isMicroKernelLoop(br.getLoc()) &&
            dominance.dominates(br.getDest(), br->getBlock()))
          br.setLoopAnnotationAttr(noUnroll);
      });
      func.walk([&](LLVM::CondBrOp br) {
        if (!isMicroKernelLoop(br.getLoc()))
          return;
        if (dominance.dominates(br.getTrueDest(), br->getBlock()) ||
            dominance.dominates(br.getFalseDest(), br->getBlock()))
          br.setLoopAnnotationAttr(noUnroll);
      });
    });
  }
};

} // namespace
