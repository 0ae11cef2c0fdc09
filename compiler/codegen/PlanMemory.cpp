//===- PlanMemory.cpp - a static memory plan per entry point ----*- C++ -*-===//
//
// After bufferization every shape is static, so every temporary's size and
// live range is known when the model is compiled. This pass plans them:
//
//   %t = memref.alloc() : memref<64x256xf32>         (a temporary)
//   --> %t = memref.view %ws[%offset][] : memref<Wxi8> to memref<64x256xf32>
//
// where %ws is a workspace argument appended to the entry point, W its size
// (temporaries whose live ranges do not overlap share bytes), recorded in the
// module's `tfm.workspace` dictionary for the header and the JIT, which
// allocate it once and pass it on every call. A buffer computed only to be
// copied into an output (through reshapes) is the output itself instead.
// Per-iteration buffers of a parallel loop (a fused attention's running
// state) go on that iteration's stack. Buffers allocated in a serial loop's
// body (and not carried to the next iteration) are allocated once, before
// it, first. What it does not plan stays a heap
// allocation, freed by the deallocation pipeline: buffers that escape,
// dynamic shapes, large per-iteration buffers, and those of functions that
// are not entry points.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/dialect/TfmDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "tfm-plan-memory"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMPLANMEMORYPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

/// Bytes of a static memref of an int or float element type, or -1.
int64_t bytesOf(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return -1;
  unsigned bits = type.getElementTypeBitWidth();
  if (!type.getElementType().isIntOrFloat() || bits % 8 != 0)
    return -1;
  return type.getNumElements() * (bits / 8);
}

/// Every use of `buffer`, through the views of it; false if one lets it
/// escape the function (a return or a call).
bool collectUses(Value buffer, SmallVectorImpl<OpOperand *> &uses) {
  SmallVector<Value> work = {buffer};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp, func::CallOp, CallOpInterface>(user))
        return false;
      uses.push_back(&use);
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == v)
          for (Value r : user->getResults())
            work.push_back(r);
    }
  }
  return true;
}

/// True if something writes `buffer` (through its views), or takes it into
/// a region (a loop that may).
bool isWritten(Value buffer) {
  SmallVector<OpOperand *> uses;
  if (!collectUses(buffer, uses))
    return true;
  return llvm::any_of(uses, [](OpOperand *u) {
    Operation *user = u->getOwner();
    if (user->getNumRegions() > 0 && !isa<linalg::LinalgOp>(user))
      return true;
    auto effects = dyn_cast<MemoryEffectOpInterface>(user);
    return effects &&
           effects.getEffectOnValue<MemoryEffects::Write>(u->get()).has_value();
  });
}

/// True if `buffer` (through its views) flows into a yield: it carries a
/// value from one loop iteration to the next, and each iteration needs a
/// buffer of its own.
bool isYielded(Value buffer) {
  SmallVector<OpOperand *> uses;
  if (!collectUses(buffer, uses))
    return true;
  return llvm::any_of(uses, [](OpOperand *u) {
    return isa<scf::YieldOp, scf::ReduceOp>(u->getOwner());
  });
}

/// Moves the static allocations inside the scf.for loops (and ifs) under
/// `block` to its start, unless one carries a value across iterations: a
/// buffer each iteration fills and uses, allocated once instead of per
/// iteration. Parallel loops are not entered (their iterations need their
/// own buffers).
void hoistLoopTemporaries(Block &block) {
  SmallVector<memref::AllocOp> allocs;
  for (Operation &op : block) {
    if (isa<scf::ForallOp, scf::ParallelOp>(op))
      continue;
    op.walk<WalkOrder::PreOrder>([&](Operation *inner) {
      if (isa<scf::ForallOp, scf::ParallelOp>(inner))
        return WalkResult::skip();
      if (auto alloc = dyn_cast<memref::AllocOp>(inner);
          alloc && alloc->getBlock() != &block && alloc->getNumOperands() == 0)
        allocs.push_back(alloc);
      return WalkResult::advance();
    });
  }
  for (memref::AllocOp alloc : allocs)
    if (!isYielded(alloc.getResult()))
      alloc->moveBefore(&block, block.begin());
}

/// A temporary of the entry block: its allocation, size and live range in
/// block positions [first, last].
struct Temporary {
  memref::AllocOp alloc;
  int64_t bytes = 0, first = 0, last = 0, offset = 0;
};

struct TfmPlanMemoryPass : tfm::impl::TfmPlanMemoryPassBase<TfmPlanMemoryPass> {
  using TfmPlanMemoryPassBase::TfmPlanMemoryPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<NamedAttribute> workspaces, packed;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      stackParallelTemporaries(func);
      // Only an entry point nothing calls gets a workspace argument.
      if (!func.isPublic() || !SymbolTable::symbolKnownUseEmpty(func, module))
        continue;
      forwardOutputs(func);
      int64_t packedBytes = mergePackedParams(func);
      if (packedBytes < 0)
        return signalPassFailure();
      if (packedBytes > 0)
        packed.push_back(
            NamedAttribute(StringAttr::get(&getContext(), func.getSymName()),
                           IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                            packedBytes)));
      int64_t bytes = planWorkspace(func);
      if (bytes > 0)
        workspaces.push_back(NamedAttribute(
            StringAttr::get(&getContext(), func.getSymName()),
            IntegerAttr::get(IntegerType::get(&getContext(), 64), bytes)));
    }
    if (!workspaces.empty())
      module->setAttr("tfm.workspace",
                      DictionaryAttr::get(&getContext(), workspaces));
    if (!packed.empty())
      module->setAttr(tfm::TfmDialect::kPackedAttrName,
                      DictionaryAttr::get(&getContext(), packed));
  }

  /// Replaces the arguments marked `tfm.packed = i` (tfm-pack-params: an
  /// entry point's packed weights, or what its `__pack` entry point writes)
  /// with views of one byte buffer, a new last argument: i-th at the sum of
  /// the sizes before it, each 64-byte aligned, so that both entry points
  /// place them alike. Returns the buffer's size (0: none).
  int64_t mergePackedParams(func::FuncOp func) {
    SmallVector<std::pair<int64_t, unsigned>> packedArgs; // (i, argument)
    for (unsigned a = 0, e = func.getNumArguments(); a < e; ++a)
      if (auto i = func.getArgAttrOfType<IntegerAttr>(
              a, tfm::TfmDialect::kPackedAttrName))
        packedArgs.push_back({i.getInt(), a});
    if (packedArgs.empty())
      return 0;
    llvm::sort(packedArgs);
    MLIRContext *ctx = func.getContext();
    SmallVector<int64_t> offsets;
    int64_t total = 0;
    for (auto [i, a] : packedArgs) {
      int64_t bytes = bytesOf(cast<MemRefType>(func.getArgument(a).getType()));
      if (bytes < 0) {
        func.emitOpError("packed param ") << i << " is not a static buffer";
        return -1;
      }
      if (func.getArgAttr(a, tfm::TfmDialect::kWrittenAttrName) &&
          !isWritten(func.getArgument(a))) {
        func.emitOpError("does not write packed param ")
            << i << " in place (bufferization wrote a copy)";
        return -1;
      }
      offsets.push_back(total);
      total += alignUp(bytes);
    }
    unsigned index = func.getNumArguments();
    func.insertArgument(index,
                        MemRefType::get({total}, IntegerType::get(ctx, 8)),
                        DictionaryAttr::get(ctx, {}), func.getLoc());
    Value buffer = func.getArgument(index);
    OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
    llvm::BitVector erase(func.getNumArguments());
    for (auto [k, p] : llvm::enumerate(packedArgs)) {
      BlockArgument arg = func.getArgument(p.second);
      Value offset =
          b.create<arith::ConstantIndexOp>(func.getLoc(), offsets[k]);
      auto view = b.create<memref::ViewOp>(func.getLoc(), arg.getType(), buffer,
                                           offset, ValueRange{});
      arg.replaceAllUsesWith(view.getResult());
      erase.set(p.second);
    }
    func.eraseArguments(erase);
    return total;
  }

  /// Allocations directly in the body of a parallel loop hold one
  /// iteration's state: small ones go on the stack, in an alloca scope per
  /// iteration (a thread runs many iterations).
  void stackParallelTemporaries(func::FuncOp func) {
    func.walk([&](scf::ForallOp forall) {
      Block *body = forall.getBody();
      hoistLoopTemporaries(*body);
      SmallVector<memref::AllocOp> allocs;
      for (Operation &op : *body)
        if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
          int64_t bytes = bytesOf(alloc.getType());
          if (bytes >= 0 && bytes <= maxStackBytes)
            allocs.push_back(alloc);
        }
      if (allocs.empty())
        return;
      OpBuilder b(forall.getContext());
      for (memref::AllocOp alloc : allocs) {
        b.setInsertionPoint(alloc);
        auto alloca = b.create<memref::AllocaOp>(
            alloc.getLoc(), alloc.getType(), alloc.getAlignmentAttr());
        alloc.replaceAllUsesWith(alloca.getResult());
        alloc.erase();
      }
      // Everything but the terminator into one memref.alloca_scope.
      Operation *terminator = body->getTerminator();
      b.setInsertionPointToStart(body);
      auto scope =
          b.create<memref::AllocaScopeOp>(forall.getLoc(), TypeRange{});
      Block *inner = b.createBlock(&scope.getBodyRegion());
      inner->getOperations().splice(inner->end(), body->getOperations(),
                                    std::next(Block::iterator(scope)),
                                    Block::iterator(terminator));
      b.setInsertionPointToEnd(inner);
      b.create<memref::AllocaScopeReturnOp>(forall.getLoc());
    });
  }

  /// `copy %view_of_t into %out` where %t is a temporary of the entry block
  /// last used by that copy, the views are reshapes, and %out (an argument)
  /// is not touched while %t lives: %t becomes the inverse reshape of %out,
  /// and the copy goes (the result is written in place).
  void forwardOutputs(func::FuncOp func) {
    Block &entry = func.getBody().front();
    SmallVector<Operation *> copies;
    for (Operation &op : entry)
      if (isa<linalg::CopyOp, memref::CopyOp>(op))
        copies.push_back(&op);
    for (Operation *copy : copies) {
      Value src = copy->getOperand(0), dst = copy->getOperand(1);
      auto arg = dyn_cast<BlockArgument>(dst);
      if (!arg || arg.getOwner() != &entry)
        continue;
      // src = reshape(...(alloc)), at most two reshapes.
      SmallVector<Operation *> reshapes;
      Value root = src;
      while (Operation *def = root.getDefiningOp()) {
        if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def) ||
            reshapes.size() == 2)
          break;
        reshapes.push_back(def);
        root = def->getOperand(0);
      }
      auto alloc = root.getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != &entry || bytesOf(alloc.getType()) < 0)
        continue;
      SmallVector<OpOperand *> uses;
      if (!collectUses(alloc.getResult(), uses))
        continue;
      // The copy is the last use, and nothing else touches the output
      // between the allocation and the copy.
      bool last = llvm::all_of(uses, [&](OpOperand *u) {
        Operation *at = entry.findAncestorOpInBlock(*u->getOwner());
        return at && (at == copy || at->isBeforeInBlock(copy));
      });
      bool untouched = llvm::all_of(arg.getUses(), [&](OpOperand &u) {
        Operation *at = entry.findAncestorOpInBlock(*u.getOwner());
        return at == copy || !at || at->isBeforeInBlock(alloc) ||
               copy->isBeforeInBlock(at);
      });
      if (!last || !untouched)
        continue;
      // The output seen as the temporary: the reshapes undone in reverse.
      OpBuilder b(alloc);
      Value view = arg;
      for (Operation *r : reshapes) {
        if (auto expand = dyn_cast<memref::ExpandShapeOp>(r))
          view = b.create<memref::CollapseShapeOp>(
              r->getLoc(), view, expand.getReassociationIndices());
        else {
          auto collapse = cast<memref::CollapseShapeOp>(r);
          view = b.create<memref::ExpandShapeOp>(
              r->getLoc(),
              cast<MemRefType>(collapse.getSrc().getType()).getShape(), view,
              collapse.getReassociationIndices());
        }
      }
      if (view.getType() != alloc.getType())
        continue; // (the reshapes were not exact inverses: leave it)
      LLVM_DEBUG(llvm::dbgs() << "output written in place: " << alloc << "\n");
      alloc.replaceAllUsesWith(view);
      alloc.erase();
      copy->erase();
    }
  }

  /// Plans the entry block's temporaries into one workspace argument;
  /// returns its size in bytes (0: none).
  int64_t planWorkspace(func::FuncOp func) {
    Block &entry = func.getBody().front();
    hoistLoopTemporaries(entry);
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t n = 0;
    for (Operation &op : entry)
      position[&op] = n++;
    SmallVector<Temporary> temps;
    for (Operation &op : entry) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        continue;
      int64_t bytes = bytesOf(alloc.getType());
      SmallVector<OpOperand *> uses;
      if (bytes < 0 || !collectUses(alloc.getResult(), uses))
        continue;
      Temporary t{alloc, alignUp(std::max<int64_t>(bytes, 1)), position[alloc],
                  position[alloc], 0};
      for (OpOperand *u : uses)
        if (Operation *at = entry.findAncestorOpInBlock(*u->getOwner()))
          t.last = std::max(t.last, position[at]);
      temps.push_back(t);
    }
    if (temps.empty())
      return 0;
    // Largest first, each at the lowest offset clear of every placed
    // temporary whose live range meets its own.
    SmallVector<Temporary *> order;
    for (Temporary &t : temps)
      order.push_back(&t);
    llvm::sort(order, [](Temporary *a, Temporary *b) {
      return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
    });
    SmallVector<Temporary *> placed;
    int64_t total = 0;
    for (Temporary *t : order) {
      SmallVector<std::pair<int64_t, int64_t>> busy;
      for (Temporary *p : placed)
        if (p->first <= t->last && t->first <= p->last)
          busy.push_back({p->offset, p->offset + p->bytes});
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + t->bytes <= lo)
          break;
        offset = std::max(offset, hi);
      }
      t->offset = offset;
      total = std::max(total, offset + t->bytes);
      placed.push_back(t);
    }
    LLVM_DEBUG(llvm::dbgs()
               << func.getSymName() << ": " << temps.size()
               << " temporaries in a workspace of " << total << " bytes\n");
    // The workspace: a new last argument.
    MLIRContext *ctx = func.getContext();
    auto wsType = MemRefType::get({total}, IntegerType::get(ctx, 8));
    unsigned index = func.getNumArguments();
    func.insertArgument(index, wsType, DictionaryAttr::get(ctx, {}),
                        func.getLoc());
    Value ws = func.getArgument(index);
    OpBuilder b(ctx);
    for (Temporary &t : temps) {
      b.setInsertionPoint(t.alloc);
      Value offset =
          b.create<arith::ConstantIndexOp>(t.alloc.getLoc(), t.offset);
      auto view = b.create<memref::ViewOp>(t.alloc.getLoc(), t.alloc.getType(),
                                           ws, offset, ValueRange{});
      t.alloc.replaceAllUsesWith(view.getResult());
      t.alloc.erase();
    }
    return total;
  }
};

} // namespace
