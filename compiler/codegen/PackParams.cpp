//===- PackParams.cpp - weights packed once, outside the entry point -*- C++ -*-===//
//
// A matmul whose rhs is a param (a weight of an inference entry point) packs
// it into the register block's panels on every call: a copy of the whole
// weight, as large as the matmul's work at the M of a decoding step. This
// pass moves every such pack out of the entry point into an entry point of
// its own that the runtime calls once, when the weights are loaded:
//
//   func @f(%x {tfm.input}, %w {tfm.param = "w"}) -> ... {
//     %bp = linalg.generic {tfm.pack} ins(%w) ...      (and its slices)
//     ... %bp ...
//   -->
//   func @f(%x {tfm.input}, %w {tfm.param = "w"}, %bp {tfm.packed = 0}) -> ...
//   func @f__pack(%w {tfm.param = "w"}, %out {tfm.packed = 0}) -> tensor
//       attributes {tfm.packs = "f"}
//
// A value is packed once when it is computed from params only (through views,
// slices and packs) and contains a pack. `f__pack` takes f's params in f's
// order and computes each packed value in its own argument, in place (the
// packs write into slices of it); tfm-prepare-entry-points drops its results,
// so that bufferization writes the arguments themselves; tfm-plan-memory puts both functions' `tfm.packed` arguments at the
// same offsets of one byte buffer, whose size the header and the JIT read.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/dialect/TfmDialect.h"
#include <tfm/signature.hpp>

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMPACKPARAMSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

/// Ops a packed value may be computed with: views, slices, packs and
/// constants (whose regions read nothing from outside).
bool packable(Operation *op) {
  if (isa<tensor::EmptyOp, tensor::ExtractSliceOp, tensor::InsertSliceOp,
          tensor::ExpandShapeOp, tensor::CollapseShapeOp, arith::ConstantOp>(op))
    return true;
  return isa<linalg::LinalgOp>(op) && op->hasAttr(mlir::tfm::TfmDialect::kPackAttrName);
}

struct TfmPackParamsPass
    : mlir::tfm::impl::TfmPackParamsPassBase<TfmPackParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && func.isPublic() &&
          SymbolTable::symbolKnownUseEmpty(func, module))
        entries.push_back(func);
    for (func::FuncOp func : entries)
      if (failed(hoist(module, func)))
        return signalPassFailure();
  }

  LogicalResult hoist(ModuleOp module, func::FuncOp func) {
    MLIRContext *ctx = func.getContext();
    Block &body = func.getBody().front();
    // Values computed from params alone, and whether a pack is among them.
    llvm::DenseSet<Value> fromParams;
    llvm::DenseSet<Value> packed;
    SmallVector<unsigned> params;
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      if (func.getArgAttr(i, mlir::tfm::TfmDialect::kParamAttrName)) {
        fromParams.insert(func.getArgument(i));
        params.push_back(i);
      }
    if (params.empty())
      return success();
    SmallVector<Operation *> computed; // in body order
    for (Operation &op : body) {
      if (!packable(&op) || op.getNumResults() != 1)
        continue;
      if (!llvm::all_of(op.getOperands(), [&](Value v) { return fromParams.contains(v); }))
        continue;
      fromParams.insert(op.getResult(0));
      computed.push_back(&op);
      if (op.hasAttr(mlir::tfm::TfmDialect::kPackAttrName) ||
          llvm::any_of(op.getOperands(), [&](Value v) { return packed.contains(v); }))
        packed.insert(op.getResult(0));
    }
    // Roots: packed values that something else reads.
    llvm::SetVector<Value> roots;
    for (Operation *op : computed) {
      Value v = op->getResult(0);
      if (!packed.contains(v))
        continue;
      if (llvm::none_of(v.getUsers(), [&](Operation *user) {
            return user->getNumResults() != 1 || !fromParams.contains(user->getResult(0));
          }))
        continue;
      // A slice of a packed weight (one panel that a loop reads): the
      // whole weight is packed once, the slice stays in `f`.
      while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
        if (!packed.contains(slice.getSource()))
          break;
        v = slice.getSource();
      }
      roots.insert(v);
    }
    if (roots.empty())
      return success();

    std::string name = ::tfm::pack_entry_name(func.getSymName().str());
    if (module.lookupSymbol(name))
      return func.emitOpError("cannot pack its params once: the module already has a '")
             << name << "' ---> HINT: rename that function";

    // f__pack(params..., destinations...) -> (packed values...).
    SmallVector<Type> argTypes, resultTypes;
    for (unsigned i : params)
      argTypes.push_back(func.getArgument(i).getType());
    for (Value root : roots) {
      argTypes.push_back(root.getType());
      resultTypes.push_back(root.getType());
    }
    OpBuilder b(ctx);
    b.setInsertionPointAfter(func);
    auto pack = b.create<func::FuncOp>(func.getLoc(), name,
                                       FunctionType::get(ctx, argTypes, resultTypes));
    pack->setAttr(mlir::tfm::TfmDialect::kPacksAttrName, func.getSymNameAttr());
    Block *entry = pack.addEntryBlock();
    IRMapping mapping;
    for (auto [k, i] : llvm::enumerate(params)) {
      mapping.map(func.getArgument(i), entry->getArgument(k));
      pack.setArgAttr(k, mlir::tfm::TfmDialect::kParamAttrName,
                      func.getArgAttr(i, mlir::tfm::TfmDialect::kParamAttrName));
    }
    b.setInsertionPointToStart(entry);
    for (Operation *op : computed)
      b.clone(*op, mapping);
    SmallVector<Value> results;
    for (auto [r, root] : llvm::enumerate(roots)) {
      unsigned arg = params.size() + r;
      pack.setArgAttr(arg, mlir::tfm::TfmDialect::kPackedAttrName, b.getI64IntegerAttr(r));
      results.push_back(place(b, mapping.lookup(root), entry->getArgument(arg)));
    }
    b.create<func::ReturnOp>(func.getLoc(), results);
    // What f__pack does not need goes again (the views of params that f
    // reads itself, say).
    eraseDead(*entry);

    // f reads the packed values from arguments of their own.
    for (auto [r, root] : llvm::enumerate(roots)) {
      unsigned arg = func.getNumArguments();
      func.insertArgument(arg, root.getType(),
                          DictionaryAttr::get(ctx, {NamedAttribute(
                                                       StringAttr::get(ctx, mlir::tfm::TfmDialect::kPackedAttrName),
                                                       b.getI64IntegerAttr(r))}),
                          root.getLoc());
      Value(root).replaceAllUsesWith(func.getArgument(arg));
    }
    eraseDead(body);
    return success();
  }

  /// `v` recomputed at `b`'s insertion point (after everything it reads),
  /// to be written into `dest` in place: its empty tensor
  /// replaced by `dest`, each pack writing into its part of it (a pack's
  /// output is never read), each inserted slice into `dest`'s slice;
  /// anything else copied into `dest`. Without it, bufferization would pack
  /// into a temporary and copy that.
  static Value place(OpBuilder &b, Value v, Value dest) {
    Operation *def = v.getDefiningOp();
    if (!def) // a param itself
      return b.create<linalg::CopyOp>(v.getLoc(), v, dest).getResult(0);
    if (isa<tensor::EmptyOp>(def))
      return dest;
    if (auto op = dyn_cast<linalg::LinalgOp>(def);
        op && op->hasAttr(mlir::tfm::TfmDialect::kPackAttrName) && op.getNumDpsInits() == 1) {
      IRMapping m;
      m.map(op.getDpsInits()[0], dest);
      return b.clone(*def, m)->getResult(0);
    }
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(def)) {
      Value into = place(b, insert.getDest(), dest);
      auto part = b.create<tensor::ExtractSliceOp>(
          insert.getLoc(), insert.getSourceType(), into, insert.getMixedOffsets(),
          insert.getMixedSizes(), insert.getMixedStrides());
      Value source = place(b, insert.getSource(), part);
      return b.create<tensor::InsertSliceOp>(insert.getLoc(), source, into,
                                             insert.getMixedOffsets(),
                                             insert.getMixedSizes(),
                                             insert.getMixedStrides());
    }
    // Anything else (a reshape of a pack, say): computed where it is, then
    // copied into `dest`.
    return b.create<linalg::CopyOp>(v.getLoc(), v, dest).getResult(0);
  }

  /// Erases the ops of `block` whose results nothing reads, last first.
  static void eraseDead(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
      if (packable(&op) && op.use_empty())
        op.erase();
  }
};

} // namespace
