//===- PrepareEntryPoints.cpp - the C ABI of public functions ---*- C++ -*-===//
//
// Marks public functions for the C interface and makes their arguments
// read-only for bufferization. Runs once the signature has been read for the
// generated header, since it drops the tfm naming attributes. Also gives every
// returned tensor a buffer of its own, so that each result can become an
// out-parameter: `return %arg0, %x, %x` returns copies of %arg0 and of the
// second %x. A result that updates a `tfm.state` argument is materialized in
// that argument's buffer (bufferization then writes in place, or copies when
// the old value is still read) and dropped from the results after
// bufferization, so a training step updates its parameters in place. Packed
// weights (tfm-pack-params) are written in their arguments in place.
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

/// Writes result `r` in argument `arg`, which becomes writable.
void materializeIn(func::FuncOp func, unsigned r, unsigned arg) {
  Value into = func.getArgument(arg);
  func.setArgAttr(arg, bufferization::BufferizationDialect::kWritableAttrName,
                  BoolAttr::get(func.getContext(), true));
  func.walk([&](func::ReturnOp ret) {
    OpBuilder b(ret);
    OpOperand &operand = ret->getOpOperand(r);
    auto written = b.create<bufferization::MaterializeInDestinationOp>(
        ret.getLoc(), operand.get(), into);
    operand.set(written.getResult());
  });
}

/// Materializes each `tfm.update` result in its state argument, which
/// becomes writable. Returns failure (with a diagnostic) on an update of an
/// unknown state.
LogicalResult materializeUpdates(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  llvm::StringMap<unsigned> states;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (auto name = func.getArgAttrOfType<StringAttr>(
            i, tfm::TfmDialect::kStateAttrName))
      states[name.getValue()] = i;
  for (unsigned r = 0, e = func.getNumResults(); r < e; ++r) {
    auto name = func.getResultAttrOfType<StringAttr>(
        r, tfm::TfmDialect::kUpdateAttrName);
    if (!name)
      continue;
    auto it = states.find(name.getValue());
    if (it == states.end())
      return func.emitOpError("updates an unknown state '")
             << name.getValue() << "'";
    materializeIn(func, r, it->second);
    func.removeResultAttr(
        r, StringAttr::get(ctx, tfm::TfmDialect::kUpdateAttrName));
  }
  return success();
}

/// The results `tfm.packed = i` of tfm-pack-params (what a packing entry
/// point packs, or the weights a training step updated, packed again) are
/// computed in their argument `tfm.packed = i`, in place: those arguments
/// become writable and are marked `tfm.written`, and the results go, so
/// that bufferization writes the arguments themselves (as results
/// materialized in them, they would be computed in temporaries and copied,
/// or be refused where the argument is read before). tfm-plan-memory checks
/// that each is written.
void writePackedInPlace(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  llvm::BitVector results(func.getNumResults());
  for (unsigned r = 0, e = func.getNumResults(); r < e; ++r) {
    Attribute index = func.getResultAttr(r, tfm::TfmDialect::kPackedAttrName);
    if (!index)
      continue;
    results.set(r);
    for (unsigned i = 0, n = func.getNumArguments(); i < n; ++i)
      if (func.getArgAttr(i, tfm::TfmDialect::kPackedAttrName) == index) {
        func.setArgAttr(i,
                        bufferization::BufferizationDialect::kWritableAttrName,
                        BoolAttr::get(ctx, true));
        func.setArgAttr(i, tfm::TfmDialect::kWrittenAttrName,
                        UnitAttr::get(ctx));
      }
  }
  if (results.none())
    return;
  func.walk([&](func::ReturnOp ret) { ret->eraseOperands(results); });
  func.eraseResults(results);
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
      if (failed(materializeUpdates(func)))
        return signalPassFailure();
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.removeArgAttr(
            i, StringAttr::get(ctx, tfm::TfmDialect::kStateAttrName));
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        func.removeResultAttr(
            i, StringAttr::get(ctx, tfm::TfmDialect::kOutputAttrName));
      writePackedInPlace(func);
    }
  }
};
} // namespace
