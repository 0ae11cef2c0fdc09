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
// bufferization, so a training step updates its parameters in place.
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
    Value state = func.getArgument(it->second);
    func.setArgAttr(it->second,
                    bufferization::BufferizationDialect::kWritableAttrName,
                    BoolAttr::get(ctx, true));
    func.walk([&](func::ReturnOp ret) {
      OpBuilder b(ret);
      OpOperand &operand = ret->getOpOperand(r);
      auto written = b.create<bufferization::MaterializeInDestinationOp>(
          ret.getLoc(), operand.get(), state);
      operand.set(written.getResult());
    });
    func.removeResultAttr(r, StringAttr::get(ctx, tfm::TfmDialect::kUpdateAttrName));
  }
  return success();
}

/// The packing entry point of tfm-pack-params computes each packed weight
/// in place in its `tfm.packed` argument: its arguments become writable and
/// its results go, so that bufferization writes those arguments (as results
/// materialized in them, they would be computed in temporaries and copied).
/// tfm-plan-memory checks that each is written.
void writePackedInPlace(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (func.getArgAttr(i, tfm::TfmDialect::kPackedAttrName))
      func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                      BoolAttr::get(ctx, true));
  func.walk([](func::ReturnOp ret) { ret->setOperands({}); });
  func.setType(FunctionType::get(ctx, func.getArgumentTypes(), {}));
  func.removeResAttrsAttr();
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
      if (func->hasAttr(tfm::TfmDialect::kPacksAttrName))
        writePackedInPlace(func);
    }
  }
};
} // namespace
