//===- ForkParallelLoops.cpp - parallel loops onto threads -------*- C++
//-*-===//
//
// scf.parallel --> an OpenMP parallel region in which each thread runs one
// contiguous block of the loop's (linearized) iterations:
//
//   omp.parallel {
//     t = omp_get_thread_num(), n = omp_get_num_threads()
//     scf.for i in [t * N / n, (t + 1) * N / n) { ivs = delinearize(i); body }
//   }
//
// the partition OpenMP's static schedule makes, without its work-sharing
// calls (__kmpc_for_static_init formats trace strings on the heap in the
// runtime Debian ships: 512 bytes per loop and thread, every call). Loops
// with reductions are not for this pass; nested ones run serially on their
// thread. With threads=false every loop runs serially (no OpenMP op).
//
// An iteration's stack buffers (memref.alloca in a memref.alloca_scope at
// the top of the body, from tfm-plan-memory) are allocated once, before
// the serial loop, in the thread's region or the function: iterations on
// one thread run one after the other, so each reuses the buffers of the
// last, and the stack does not grow with the number of iterations.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/PatternMatch.h"

#define DEBUG_TYPE "tfm-fork-parallel-loops"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMFORKPARALLELLOOPSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

constexpr StringLiteral kThreadNum = "omp_get_thread_num";
constexpr StringLiteral kNumThreads = "omp_get_num_threads";

/// Declares `i32 name()` in `module` unless it is there.
void declare(ModuleOp module, StringRef name) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto type = b.getFunctionType({}, {b.getI32Type()});
  auto f = b.create<func::FuncOp>(module.getLoc(), name, type);
  f.setPrivate();
}

/// Moves the static allocas at the top of `loop`'s body, or in an alloca
/// scope there (canonicalization may have hoisted them out of it already),
/// to before `loop`, and inlines the scopes.
void hoistIterationBuffers(scf::ForOp loop) {
  SmallVector<memref::AllocaScopeOp> scopes;
  for (Operation &op : llvm::make_early_inc_range(*loop.getBody())) {
    if (auto scope = dyn_cast<memref::AllocaScopeOp>(op))
      scopes.push_back(scope);
    if (auto alloca = dyn_cast<memref::AllocaOp>(op);
        alloca && alloca->getNumOperands() == 0)
      alloca->moveBefore(loop);
  }
  for (memref::AllocaScopeOp scope : scopes) {
    Block &inner = scope.getBodyRegion().front();
    for (Operation &op : llvm::make_early_inc_range(inner))
      if (auto alloca = dyn_cast<memref::AllocaOp>(op);
          alloca && alloca->getNumOperands() == 0)
        alloca->moveBefore(loop);
    // Inline what is left (the scope returns nothing).
    Operation *ret = inner.getTerminator();
    ret->erase();
    scope->getBlock()->getOperations().splice(Block::iterator(scope),
                                              inner.getOperations());
    scope.erase();
  }
}

/// The number of iterations of `loop`, all its dimensions together.
Value iterationCount(OpBuilder &b, scf::ParallelOp loop) {
  Location loc = loop.getLoc();
  Value total = b.create<arith::ConstantIndexOp>(loc, 1);
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
    total = b.create<arith::MulIOp>(
        loc, total,
        b.create<arith::CeilDivSIOp>(loc, b.create<arith::SubIOp>(loc, ub, lb),
                                     step));
  return total;
}

/// Replaces `loop` with a serial loop over the iterations [lo, hi) of its
/// linearized space (row-major, last dimension fastest).
scf::ForOp runIterations(OpBuilder &b, scf::ParallelOp loop, Value lo,
                         Value hi) {
  Location loc = loop.getLoc();
  SmallVector<Value> counts;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
    counts.push_back(b.create<arith::CeilDivSIOp>(
        loc, b.create<arith::SubIOp>(loc, ub, lb), step));
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto serial = b.create<scf::ForOp>(loc, lo, hi, one);
  b.setInsertionPointToStart(serial.getBody());
  Value rest = serial.getInductionVar();
  SmallVector<Value> ivs(counts.size());
  for (int d = static_cast<int>(counts.size()) - 1; d >= 0; --d) {
    Value i = d == 0 ? rest : b.create<arith::RemSIOp>(loc, rest, counts[d]);
    if (d > 0)
      rest = b.create<arith::DivSIOp>(loc, rest, counts[d]);
    ivs[d] = b.create<arith::AddIOp>(
        loc, loop.getLowerBound()[d],
        b.create<arith::MulIOp>(loc, i, loop.getStep()[d]));
  }
  // The body, moved: its scf.reduce terminator (no reductions) goes.
  Block *body = loop.getBody();
  body->getTerminator()->erase();
  serial.getBody()->getOperations().splice(
      Block::iterator(serial.getBody()->getTerminator()),
      body->getOperations());
  for (auto [arg, iv] : llvm::zip(body->getArguments(), ivs))
    arg.replaceAllUsesWith(iv);
  hoistIterationBuffers(serial);
  return serial;
}

struct TfmForkParallelLoopsPass
    : tfm::impl::TfmForkParallelLoopsPassBase<TfmForkParallelLoopsPass> {
  using TfmForkParallelLoopsPassBase::TfmForkParallelLoopsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    bool bad = false;
    module.walk([&](scf::ParallelOp loop) {
      if (loop.getNumReductions() != 0) {
        loop.emitOpError("tfm-fork-parallel-loops: expects no reductions");
        bad = true;
      }
      loops.push_back(loop);
    });
    if (bad)
      return signalPassFailure();
    if (loops.empty())
      return;
    if (threads) {
      declare(module, kThreadNum);
      declare(module, kNumThreads);
    }
    // Innermost first (the walk is post-order): a nested loop runs all its
    // iterations on the thread that runs the enclosing one's.
    for (scf::ParallelOp loop : loops) {
      OpBuilder b(loop);
      Location loc = loop.getLoc();
      if (!threads || loop->getParentOfType<scf::ParallelOp>() ||
          loop->getParentOfType<omp::ParallelOp>()) {
        Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
        runIterations(b, loop, zero, iterationCount(b, loop));
        loop.erase();
        continue;
      }
      auto region = b.create<omp::ParallelOp>(loc, ArrayRef<NamedAttribute>{});
      Block *block = b.createBlock(&region.getRegion());
      b.setInsertionPointToStart(block);
      auto index = [&](StringRef f) {
        Value v = b.create<func::CallOp>(loc, f, TypeRange{b.getI32Type()})
                      .getResult(0);
        return b.create<arith::IndexCastOp>(loc, b.getIndexType(), v)
            .getResult();
      };
      Value thread = index(kThreadNum), threads = index(kNumThreads);
      Value total = iterationCount(b, loop);
      // [t N / n, (t + 1) N / n): blocks differing by at most one iteration.
      Value lo = b.create<arith::DivSIOp>(
          loc, b.create<arith::MulIOp>(loc, thread, total), threads);
      Value next = b.create<arith::AddIOp>(
          loc, thread, b.create<arith::ConstantIndexOp>(loc, 1));
      Value hi = b.create<arith::DivSIOp>(
          loc, b.create<arith::MulIOp>(loc, next, total), threads);
      OpBuilder::InsertionGuard g(b);
      runIterations(b, loop, lo, hi);
      b.setInsertionPointToEnd(block);
      b.create<omp::TerminatorOp>(loc);
      loop.erase();
    }
  }
};

} // namespace
