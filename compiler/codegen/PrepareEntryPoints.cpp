//===- PrepareEntryPoints.cpp - the C ABI of public functions ---*- C++ -*-===//
//
// Marks public functions for the C interface and makes their arguments
// read-only for bufferization. Runs once the signature has been read for the
// generated header, since it drops the tfm naming attributes. Also gives every
// returned tensor a buffer of its own, so that each result can become an
// out-parameter: `return %arg0, %x, %x` returns copies of %arg0 and of the
// second %x.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/dialect/TfmDialect.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMPREPAREENTRYPOINTSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

/// Copies each returned value that is a block argument or returned before.
void copySharedResults(func::FuncOp func) {
  func.walk([](func::ReturnOp ret) {
    OpBuilder b(ret);
    llvm::SmallPtrSet<Value, 4> seen;
    for (OpOperand &operand : ret->getOpOperands()) {
      Value v = operand.get();
      bool shared = isa<BlockArgument>(v) || !seen.insert(v).second;
      if (!shared || !isa<RankedTensorType>(v.getType()))
        continue;
      auto copy = b.create<bufferization::AllocTensorOp>(
          ret.getLoc(), cast<RankedTensorType>(v.getType()), ValueRange{}, v);
      operand.set(copy);
    }
  });
}

struct TfmPrepareEntryPointsPass
    : tfm::impl::TfmPrepareEntryPointsPassBase<TfmPrepareEntryPointsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      copySharedResults(func);
      if (!func.isPublic())
        continue;
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(ctx));
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        func.removeArgAttr(
            i, StringAttr::get(ctx, tfm::TfmDialect::kInputAttrName));
        func.removeArgAttr(
            i, StringAttr::get(ctx, tfm::TfmDialect::kParamAttrName));
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(ctx, false));
      }
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        func.removeResultAttr(
            i, StringAttr::get(ctx, tfm::TfmDialect::kOutputAttrName));
    }
  }
};
} // namespace
