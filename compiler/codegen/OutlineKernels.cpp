//===- OutlineKernels.cpp - loop nests as functions, each once --*- C++ -*-===//
//
// After the memory plan and the lowering to loops, a function's body is a
// list of views of its buffers and loop nests over them. Each top-level op
// with regions (a tiled matmul with its epilogue, a fused attention, a norm,
// an optimizer update) becomes a private function of its own, called in its
// place:
//
//   scf.parallel (...) { ... %a ... %b ... }
//   --> func.call @f.kernel3(%a, %b)
//       func.func private @f.kernel3(%a, %b) attributes {tfm.kernel} {
//         scf.parallel (...) { ... }
//       }
//
// With it go the straight-line ops right before it that only it uses (the
// accumulators a loop starts from) and those right after it that use what
// it computes (their stores). Values the kernel uses from above become
// arguments, except constants, which are cloned into it. Kernels that are the
// same function -- the same ops, attributes, types and uses, their locations
// aside -- are then one kernel, found by a structural hash and confirmed by
// comparing the two encodings: the layers of a model, and the forward and
// backward kernels of equal shape, share code. LLVM is told not to inline
// kernels back (tfm-annotate-loops), so that each is compiled once and alone.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/dialect/TfmDialect.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"

#define DEBUG_TYPE "tfm-outline-kernels"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMOUTLINEKERNELSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

/// A function as a sequence of words that two functions share exactly when
/// they are the same function but for their names and locations: each op's
/// name, properties, attributes and result types (uniqued in the context, so
/// equal exactly when their pointers are), its operands as the numbers of
/// the values they use, its regions' shapes and successors.
SmallVector<const void *> encode(func::FuncOp func) {
  DenseMap<Value, uintptr_t> values;
  DenseMap<Block *, uintptr_t> blocks;
  func.getBody().walk([&](Block *block) {
    blocks.try_emplace(block, blocks.size());
    for (Value arg : block->getArguments())
      values.try_emplace(arg, values.size());
    for (Operation &op : *block)
      for (Value r : op.getResults())
        values.try_emplace(r, values.size());
  });
  auto word = [](uintptr_t n) { return reinterpret_cast<const void *>(n); };
  SmallVector<const void *> out = {func.getFunctionType().getAsOpaquePointer()};
  func.getBody().walk<WalkOrder::PreOrder>([&](Block *block) {
    out.push_back(word(block->getNumArguments()));
    for (Type t : block->getArgumentTypes())
      out.push_back(t.getAsOpaquePointer());
    for (Operation &op : *block) {
      out.push_back(op.getName().getAsOpaquePointer());
      out.push_back(op.getPropertiesAsAttribute().getAsOpaquePointer());
      out.push_back(op.getRawDictionaryAttrs().getAsOpaquePointer());
      out.push_back(word(op.getNumOperands()));
      for (Value v : op.getOperands())
        out.push_back(word(values.lookup(v)));
      out.push_back(word(op.getNumResults()));
      for (Type t : op.getResultTypes())
        out.push_back(t.getAsOpaquePointer());
      out.push_back(word(op.getNumSuccessors()));
      for (Block *s : op.getSuccessors())
        out.push_back(word(blocks.lookup(s)));
      out.push_back(word(op.getNumRegions()));
      for (Region &r : op.getRegions())
        out.push_back(word(r.getBlocks().size()));
    }
  });
  return out;
}

/// True for what stays in the function around its kernels: the views and
/// allocations of its memory plan, constants, calls and its return.
bool staysInFunction(Operation *op) {
  return op->getNumRegions() > 0 || op->hasTrait<OpTrait::ConstantLike>() ||
         op->hasTrait<OpTrait::IsTerminator>() ||
         isa<CallOpInterface, ViewLikeOpInterface, memref::AllocOp,
             memref::AllocaOp, memref::DeallocOp, memref::GetGlobalOp>(op);
}

/// The ops of a kernel around `nest`, a top-level op with regions: the
/// straight-line ops right before it that only it uses (the accumulators a
/// loop starts from), and those right after it that use what it computes
/// (their stores), so that no vector crosses a call.
std::pair<Operation *, Operation *> kernelAround(Operation *nest) {
  llvm::SmallPtrSet<Operation *, 16> in = {nest};
  auto usedOnlyIn = [&](Operation *op) {
    for (Operation *user : op->getUsers())
      if (!in.contains(nest->getBlock()->findAncestorOpInBlock(*user)))
        return false;
    return true;
  };
  Operation *first = nest;
  while (Operation *prev = first->getPrevNode()) {
    if (staysInFunction(prev) || !usedOnlyIn(prev))
      break;
    in.insert(prev);
    first = prev;
  }
  Operation *last = nest;
  while (Operation *next = last->getNextNode()) {
    if (staysInFunction(next) ||
        llvm::none_of(next->getOperands(), [&](Value v) {
          return v.getDefiningOp() && in.contains(v.getDefiningOp());
        }))
      break;
    in.insert(next);
    last = next;
  }
  return {first, last};
}

/// Outlines the ops `first` to `last` of a function's block into a new
/// private function named `name` (or, if that is taken, a name made from
/// it) inserted after `before`, and replaces them by a call.
func::FuncOp outline(Operation *first, Operation *last, Operation *before,
                     StringRef name, SymbolTable &symbols) {
  SmallVector<Operation *> ops;
  for (Operation *op = first;; op = op->getNextNode()) {
    ops.push_back(op);
    if (op == last)
      break;
  }
  llvm::SmallPtrSet<Operation *, 16> in(ops.begin(), ops.end());
  Block *block = first->getBlock();
  auto inside = [&](Operation *op) {
    return in.contains(block->findAncestorOpInBlock(*op));
  };
  // The values it uses from outside, in order of first use (constants are
  // cloned instead), and those it defines that are used after it.
  SmallVector<Value> captured, results;
  SmallVector<Operation *> constants;
  llvm::SmallDenseSet<Value, 16> seen;
  llvm::SmallDenseSet<Operation *, 16> seenConstants;
  for (Operation *op : ops) {
    op->walk<WalkOrder::PreOrder>([&](Operation *inner) {
      for (Value v : inner->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def ? inside(def) : inside(v.getParentBlock()->getParentOp()))
          continue;
        if (def && def->hasTrait<OpTrait::ConstantLike>() &&
            def->getNumOperands() == 0) {
          if (seenConstants.insert(def).second)
            constants.push_back(def);
          continue;
        }
        if (seen.insert(v).second)
          captured.push_back(v);
      }
    });
    for (Value r : op->getResults())
      if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !inside(u); }))
        results.push_back(r);
  }

  OpBuilder b(before->getContext());
  b.setInsertionPointAfter(before);
  auto type = b.getFunctionType(ValueRange(captured).getTypes(),
                                ValueRange(results).getTypes());
  auto kernel = b.create<func::FuncOp>(first->getLoc(), name, type);
  kernel.setPrivate();
  symbols.insert(kernel);
  kernel->setAttr(tfm::TfmDialect::kKernelAttrName, b.getUnitAttr());
  Block *body = kernel.addEntryBlock();
  IRMapping mapping;
  for (auto [from, to] : llvm::zip(captured, body->getArguments()))
    mapping.map(from, to);
  b.setInsertionPointToStart(body);
  for (Operation *c : constants)
    b.clone(*c, mapping);
  for (Operation *op : ops)
    b.clone(*op, mapping);
  SmallVector<Value> returned;
  for (Value r : results)
    returned.push_back(mapping.lookup(r));
  b.create<func::ReturnOp>(last->getLoc(), returned);

  b.setInsertionPoint(first);
  auto call = b.create<func::CallOp>(first->getLoc(), kernel, captured);
  for (auto [r, c] : llvm::zip(results, call.getResults()))
    r.replaceAllUsesWith(c);
  for (Operation *op : llvm::reverse(ops))
    op->erase();
  return kernel;
}

struct TfmOutlineKernelsPass
    : tfm::impl::TfmOutlineKernelsPassBase<TfmOutlineKernelsPass> {
  using TfmOutlineKernelsPassBase::TfmOutlineKernelsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> kernels;
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal() || func->hasAttr(tfm::TfmDialect::kKernelAttrName))
        continue;
      SmallVector<Operation *> nests;
      for (Block &block : func.getBody())
        for (Operation &op : block)
          if (op.getNumRegions() > 0)
            nests.push_back(&op);
      // After the function, in the order of its nests.
      Operation *after = func;
      for (auto [i, nest] : llvm::enumerate(nests)) {
        auto [first, last] = kernelAround(nest);
        kernels.push_back(
            outline(first, last, after,
                    (func.getSymName() + ".kernel" + Twine(i)).str(), symbols));
        after = kernels.back();
      }
      // The constants only the nests used.
      for (Block &block : func.getBody())
        for (Operation &op : llvm::make_early_inc_range(block))
          if (op.hasTrait<OpTrait::ConstantLike>() && op.use_empty())
            op.erase();
    }
    if (!dedupe)
      return;

    // Identical kernels: every call goes to the first, the others go.
    DenseMap<llvm::hash_code,
             SmallVector<std::pair<func::FuncOp, SmallVector<const void *>>, 1>>
        byHash;
    DenseMap<StringAttr, func::FuncOp> replacement;
    for (func::FuncOp kernel : kernels) {
      SmallVector<const void *> code = encode(kernel);
      llvm::hash_code hash = llvm::hash_combine_range(code.begin(), code.end());
      auto &bucket = byHash[hash];
      func::FuncOp same;
      for (auto &[other, otherCode] : bucket)
        if (otherCode == code)
          same = other;
      if (same) {
        replacement[kernel.getSymNameAttr()] = same;
        continue;
      }
      bucket.emplace_back(kernel, std::move(code));
    }
    if (replacement.empty())
      return;
    module.walk([&](func::CallOp call) {
      auto it = replacement.find(call.getCalleeAttr().getAttr());
      if (it != replacement.end())
        call.setCalleeAttr(SymbolRefAttr::get(it->second));
    });
    for (auto &entry : replacement)
      symbols.erase(symbols.lookup<func::FuncOp>(entry.first));
  }
};

} // namespace
