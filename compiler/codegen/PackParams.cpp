//===- PackParams.cpp - weights packed once, outside the call -*- C++ -*-===//
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
// so that bufferization writes the arguments themselves; tfm-plan-memory puts
// both functions' `tfm.packed` arguments at the same offsets of one byte
// buffer, whose size the header and the JIT read.
//
// With `states`, a training step's weights (states, which it updates) are
// packed once too, and kept packed from one step to the next. The step reads
// its packed weights from their arguments, as above, and packs the updated
// weights into the same arguments at its end, after its last read of them:
//
//   func @s(%w {tfm.state = "w"}, ...) -> (%w2 {tfm.update = "w"}, ...)
//   -->
//   func @s(%w {tfm.state = "w"}, ..., %bp {tfm.packed = 0})
//       -> (%w2 {tfm.update = "w"}, ..., pack(%w2) {tfm.packed = 0})
//   func @s__pack(%w {tfm.state = "w"}, ..., %out {tfm.packed = 0})
//
// (the new result: the packed argument's update, written in place by
// tfm-prepare-entry-points). So the first step needs `s__pack`, as an
// inference call does; each step packs each weight in each layout once, as
// it does packing inside (the forward's W and the backward's W^T are two
// layouts), but the next step's matmuls read the optimizer's result packed
// and the packed copies live across steps, in the packed buffer.
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
          tensor::ExpandShapeOp, tensor::CollapseShapeOp, arith::ConstantOp>(
          op))
    return true;
  return isa<linalg::LinalgOp>(op) &&
         op->hasAttr(mlir::tfm::TfmDialect::kPackAttrName);
}

struct TfmPackParamsPass
    : mlir::tfm::impl::TfmPackParamsPassBase<TfmPackParamsPass> {
  using Base::Base;
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
      if (sourceAttr(func, i)) {
        fromParams.insert(func.getArgument(i));
        params.push_back(i);
      }
    if (params.empty())
      return success();
    // A training step's states and what it updates them to.
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    IRMapping updates;
    for (unsigned r = 0, e = func.getNumResults(); r < e; ++r)
      if (auto name = func.getResultAttrOfType<StringAttr>(
              r, mlir::tfm::TfmDialect::kUpdateAttrName))
        for (unsigned i : params)
          if (func.getArgAttr(i, mlir::tfm::TfmDialect::kStateAttrName) == name)
            updates.map(func.getArgument(i), ret.getOperand(r));
    SmallVector<Operation *> computed; // in body order
    for (Operation &op : body) {
      if (!packable(&op) || op.getNumResults() != 1)
        continue;
      if (!llvm::all_of(op.getOperands(),
                        [&](Value v) { return fromParams.contains(v); }))
        continue;
      fromParams.insert(op.getResult(0));
      computed.push_back(&op);
      if (op.hasAttr(mlir::tfm::TfmDialect::kPackAttrName) ||
          llvm::any_of(op.getOperands(),
                       [&](Value v) { return packed.contains(v); }))
        packed.insert(op.getResult(0));
    }
    // Roots: packed values that something else reads.
    llvm::SetVector<Value> roots;
    for (Operation *op : computed) {
      Value v = op->getResult(0);
      if (!packed.contains(v))
        continue;
      if (llvm::none_of(v.getUsers(), [&](Operation *user) {
            return user->getNumResults() != 1 ||
                   !fromParams.contains(user->getResult(0));
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
      return func.emitOpError(
                 "cannot pack its params once: the module already has a '")
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
    auto pack = b.create<func::FuncOp>(
        func.getLoc(), name, FunctionType::get(ctx, argTypes, resultTypes));
    pack->setAttr(mlir::tfm::TfmDialect::kPacksAttrName, func.getSymNameAttr());
    Block *entry = pack.addEntryBlock();
    IRMapping mapping;
    for (auto [k, i] : llvm::enumerate(params)) {
      mapping.map(func.getArgument(i), entry->getArgument(k));
      NamedAttribute source = *sourceAttr(func, i);
      pack.setArgAttr(k, source.getName(), source.getValue());
    }
    b.setInsertionPointToStart(entry);
    for (Operation *op : computed)
      b.clone(*op, mapping);
    SmallVector<Value> results;
    for (auto [r, root] : llvm::enumerate(roots)) {
      unsigned arg = params.size() + r;
      pack.setArgAttr(arg, mlir::tfm::TfmDialect::kPackedAttrName,
                      b.getI64IntegerAttr(r));
      pack.setResultAttr(r, mlir::tfm::TfmDialect::kPackedAttrName,
                         b.getI64IntegerAttr(r));
      results.push_back(
          place(b, mapping.lookup(root), entry->getArgument(arg)));
    }
    b.create<func::ReturnOp>(func.getLoc(), results);
    // What f__pack does not need goes again (the views of params that f
    // reads itself, say).
    eraseDead(*entry);

    // f reads the packed values from arguments of their own.
    unsigned firstPacked = func.getNumArguments();
    for (auto [r, root] : llvm::enumerate(roots)) {
      unsigned arg = func.getNumArguments();
      func.insertArgument(
          arg, root.getType(),
          DictionaryAttr::get(
              ctx,
              {NamedAttribute(
                  StringAttr::get(ctx, mlir::tfm::TfmDialect::kPackedAttrName),
                  b.getI64IntegerAttr(r))}),
          root.getLoc());
      Value(root).replaceAllUsesWith(func.getArgument(arg));
    }
    // A training step packs the weights it updates at its end, into the
    // arguments it read them from (its last read of them is before).
    if (!updates.getValueMap().empty())
      repack(func, computed, roots, updates, firstPacked);
    eraseDead(body);
    return success();
  }

  /// The params (and, with `states`, states) a packed value may be
  /// computed from: the argument's `tfm.param` or `tfm.state` attribute, if
  /// it is one.
  std::optional<NamedAttribute> sourceAttr(func::FuncOp func,
                                           unsigned i) const {
    for (StringRef name : {mlir::tfm::TfmDialect::kParamAttrName,
                           mlir::tfm::TfmDialect::kStateAttrName}) {
      if (name == mlir::tfm::TfmDialect::kStateAttrName && !states)
        continue;
      if (Attribute a = func.getArgAttr(i, name))
        return NamedAttribute(StringAttr::get(func.getContext(), name), a);
    }
    return std::nullopt;
  }

  /// Packs a training step's updated weights before it returns: each root
  /// computed from an updated state, computed again from the update
  /// (`updates`: state -> the value returned for it) in its packed argument
  /// (the r-th after `firstPacked`), returned as a new result `tfm.packed =
  /// r`, which tfm-prepare-entry-points writes in that argument.
  static void repack(func::FuncOp func, ArrayRef<Operation *> computed,
                     const llvm::SetVector<Value> &roots,
                     const IRMapping &updates, unsigned firstPacked) {
    MLIRContext *ctx = func.getContext();
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    OpBuilder b(ret);
    llvm::DenseSet<Value> changed;
    IRMapping mapping;
    for (auto [state, update] : updates.getValueMap()) {
      changed.insert(state);
      mapping.map(state, update);
    }
    for (Operation *op : computed) {
      if (llvm::none_of(op->getOperands(),
                        [&](Value v) { return changed.contains(v); }))
        continue;
      changed.insert(op->getResult(0));
      b.clone(*op, mapping);
    }
    for (auto [r, root] : llvm::enumerate(roots)) {
      if (!changed.contains(root))
        continue;
      Value v =
          place(b, mapping.lookup(root), func.getArgument(firstPacked + r));
      unsigned result = func.getNumResults();
      func.insertResult(
          result, v.getType(),
          DictionaryAttr::get(
              ctx,
              {NamedAttribute(
                  StringAttr::get(ctx, mlir::tfm::TfmDialect::kPackedAttrName),
                  b.getI64IntegerAttr(r))}));
      ret->insertOperands(ret->getNumOperands(), v);
    }
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
        op && op->hasAttr(mlir::tfm::TfmDialect::kPackAttrName) &&
        op.getNumDpsInits() == 1) {
      IRMapping m;
      m.map(op.getDpsInits()[0], dest);
      return b.clone(*def, m)->getResult(0);
    }
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(def)) {
      Value into = place(b, insert.getDest(), dest);
      auto part = b.create<tensor::ExtractSliceOp>(
          insert.getLoc(), insert.getSourceType(), into,
          insert.getMixedOffsets(), insert.getMixedSizes(),
          insert.getMixedStrides());
      Value source = place(b, insert.getSource(), part);
      return b.create<tensor::InsertSliceOp>(
          insert.getLoc(), source, into, insert.getMixedOffsets(),
          insert.getMixedSizes(), insert.getMixedStrides());
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
