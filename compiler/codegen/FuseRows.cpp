//===- FuseRows.cpp - row reductions fused with their consumer --*- C++ -*-===//
//
// A norm, a softmax or a norm's gradient is a few linalg ops over the same
// rows: reductions along the last axis (a row's sum, sum of squares, max)
// and an op that reads the row again with its statistics. Lowered one op at
// a time, each is a pass over memory. This pass tiles the last op of such a
// group by rows and computes the whole group in that loop, a block of rows
// sized to L1 (compiler/target/Schedule.h) at a time, so each row is read
// from memory once:
//
//   %s = linalg.generic {reduction} ins(%x : 2048x768)   // row sums
//   %q = linalg.generic {reduction} ins(%x, %s)          // sums of squares
//   %y = linalg.generic {parallel} ins(%x, %s, %q, ...)  // the normalized x
//   -->
//   scf.forall (%i) in (2048 / r) {   // r rows, in L1
//     %xs = extract_slice %x[%i * r, 0] [r, 768]
//     %s' = reduce %xs;  %q' = reduce %xs, %s';  %y' = ... %xs, %s', %q'
//   }
//
// An op joins the group only if every use of its results is in the group
// or comes after the group's last op: then the loop also yields that result,
// each block's slice written once (a norm's mean and 1/std in its backward,
// which the parameter gradients read after it), so nothing is computed
// twice over memory. A reader that comes before the last op keeps its
// producer out. Reductions over other axes (a norm's parameter gradients,
// sums over rows) and contractions never join.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/target/Schedule.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/SetVector.h"

#define DEBUG_TYPE "tfm-fuse-rows"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMFUSEROWSPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;
using utils::IteratorType;

namespace {

/// How an op of a row group is shaped, for rows of `k` leading dimensions.
enum class RowKind {
  None,
  RowWise,      ///< rank k + 1, every loop parallel (reads and writes rows)
  RowReduction, ///< rank k + 1, the last loop a reduction (a row statistic)
  PerRow,       ///< rank k, every loop parallel (one value per row)
};

/// `(d0, ..., dn) -> (d0, ..., d(n-1))`: a row's statistic read by its row.
bool isRowMap(AffineMap map) {
  unsigned n = map.getNumDims();
  return n >= 1 && map == AffineMap::getMultiDimIdentityMap(n, map.getContext())
                              .getMajorSubMap(n - 1);
}

/// A map that reads no leading dimension: a broadcast parameter (a norm's
/// gamma, indexed by the last dimension only) or a scalar.
bool readsNoRow(AffineMap map) {
  unsigned n = map.getNumDims();
  return llvm::all_of(map.getResults(), [&](AffineExpr e) {
    if (isa<AffineConstantExpr>(e))
      return true;
    auto dim = dyn_cast<AffineDimExpr>(e);
    return dim && dim.getPosition() + 1 == n;
  });
}

/// The kind of `op` as a member of a group whose rows are `rows` (the
/// leading loop ranges of its last op); None if it cannot be one.
RowKind rowKind(Operation *op, ArrayRef<int64_t> rows) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      linalgOp.hasDynamicShape() || !isa<func::FuncOp>(op->getParentOp()))
    return RowKind::None;
  SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
  SmallVector<IteratorType> iterators = linalgOp.getIteratorTypesArray();
  unsigned k = rows.size(), n = ranges.size();
  if (n != k && n != k + 1)
    return RowKind::None;
  if (!llvm::equal(ArrayRef(ranges).take_front(k), rows))
    return RowKind::None;
  for (unsigned i = 0; i < k; ++i)
    if (iterators[i] != IteratorType::parallel)
      return RowKind::None;
  auto inputsRead = [&](auto accepts) {
    return llvm::all_of(linalgOp.getDpsInputOperands(), [&](OpOperand *in) {
      return accepts(linalgOp.getMatchingIndexingMap(in));
    });
  };
  auto initsAre = [&](auto accepts) {
    return llvm::all_of(linalgOp.getDpsInitsMutable(), [&](OpOperand &out) {
      return accepts(linalgOp.getMatchingIndexingMap(&out));
    });
  };
  if (n == k) {
    // One value per row: every operand indexed by the row (or a scalar).
    auto perRow = [](AffineMap m) {
      return m.isIdentity() || m.getNumResults() == 0;
    };
    return inputsRead(perRow) &&
                   initsAre([](AffineMap m) { return m.isIdentity(); })
               ? RowKind::PerRow
               : RowKind::None;
  }
  // Over rows: every input the row itself, its statistic or a parameter of
  // the last dimension -- which keeps out contractions, whose operands are
  // indexed by the reduction loop and one of the others.
  auto overRows = [](AffineMap m) {
    return m.isIdentity() || isRowMap(m) || readsNoRow(m);
  };
  if (!inputsRead(overRows))
    return RowKind::None;
  if (iterators[k] == IteratorType::parallel)
    return initsAre([](AffineMap m) { return m.isIdentity(); })
               ? RowKind::RowWise
               : RowKind::None;
  return initsAre(isRowMap) ? RowKind::RowReduction : RowKind::None;
}

/// The group that ends in `last`: its producers (transitively) of a row
/// kind whose every use is in the group or comes after `last` -- the
/// results such uses read are yielded by the group's loop (`yields`), each
/// row block's slice written once. Empty unless it holds a row reduction
/// besides `last`, which is what fusing saves a pass over.
SetVector<Operation *> rowGroup(linalg::LinalgOp last,
                                llvm::SmallPtrSetImpl<Operation *> &yields) {
  SmallVector<int64_t> ranges = last.getStaticLoopRanges();
  ArrayRef<int64_t> rows = ArrayRef(ranges).drop_back();
  SetVector<Operation *> group;
  group.insert(last);
  // Producers join once all their users have: repeat until nothing changes
  // (a statistic read by two members joins after both).
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < group.size(); ++i) {
      for (Value operand : group[i]->getOperands()) {
        Operation *producer = operand.getDefiningOp();
        if (!producer || group.contains(producer) ||
            rowKind(producer, rows) == RowKind::None)
          continue;
        bool usersAfter = false;
        bool joins = llvm::all_of(producer->getUsers(), [&](Operation *user) {
          if (group.contains(user))
            return true;
          usersAfter = true;
          Operation *at = last->getBlock()->findAncestorOpInBlock(*user);
          return at && last->isBeforeInBlock(at);
        });
        if (!joins)
          continue;
        group.insert(producer);
        if (usersAfter)
          yields.insert(producer);
        changed = true;
      }
    }
  }
  bool reduces = llvm::any_of(group, [&](Operation *op) {
    return op != last.getOperation() &&
           rowKind(op, rows) == RowKind::RowReduction;
  });
  if (!reduces) {
    group.clear();
    yields.clear();
  }
  return group;
}

/// Bytes of one row of every [rows..., D] array the group reads or writes.
int64_t bytesPerRow(const SetVector<Operation *> &group, unsigned rank) {
  llvm::SmallDenseSet<Value> arrays;
  for (Operation *op : group) {
    for (Value v : op->getOperands())
      if (auto t = dyn_cast<RankedTensorType>(v.getType());
          t && t.getRank() == rank)
        arrays.insert(v);
    for (Value v : op->getResults())
      if (auto t = dyn_cast<RankedTensorType>(v.getType());
          t && t.getRank() == rank)
        arrays.insert(v);
  }
  int64_t bytes = 0;
  for (Value v : arrays) {
    auto t = cast<RankedTensorType>(v.getType());
    bytes += t.getShape().back() *
             std::max<int64_t>(1, t.getElementTypeBitWidth() / 8);
  }
  return bytes;
}

struct TfmFuseRowsPass : tfm::impl::TfmFuseRowsPassBase<TfmFuseRowsPass> {
  using TfmFuseRowsPassBase::TfmFuseRowsPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    FailureOr<tfm::CpuTarget> target = tfm::targetOf(func);
    if (failed(target))
      return signalPassFailure();

    // Last ops first: a group is found from the op that ends it.
    SmallVector<linalg::LinalgOp> candidates;
    for (Block &block : func.getBody())
      for (Operation &op : llvm::reverse(block))
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
            linalgOp && linalgOp.getNumLoops() >= 2)
          candidates.push_back(linalgOp);

    llvm::SmallPtrSet<Operation *, 16> fused;
    IRRewriter rewriter(ctx);
    for (linalg::LinalgOp last : candidates) {
      if (fused.contains(last))
        continue;
      SmallVector<int64_t> ranges = last.getStaticLoopRanges();
      ArrayRef<int64_t> rows = ArrayRef(ranges).drop_back();
      RowKind kind = rowKind(last, rows);
      if (kind != RowKind::RowWise && kind != RowKind::RowReduction)
        continue;
      llvm::SmallPtrSet<Operation *, 4> yields;
      SetVector<Operation *> group = rowGroup(last, yields);
      if (group.empty())
        continue;

      // Tiles of [1, ..., 1, r] rows, the last dimension whole; threads
      // share the tiles when the group is large enough to pay for them.
      unsigned k = rows.size();
      tfm::RowBlock block =
          tfm::rowBlock(*target, rows.back(), bytesPerRow(group, k + 1));
      SmallVector<int64_t> tiles(k + 1, 1);
      tiles[k - 1] = block.rows;
      tiles[k] = 0;
      int64_t work = 1, tileCount = 1;
      for (int64_t r : ranges)
        work *= r;
      for (unsigned i = 0; i < k; ++i)
        tileCount *= ranges[i] / tiles[i];
      if (tileCount == 1) // the group fits in L1 as it is: no loop to fuse into
        continue;
      scf::SCFTilingOptions tiling;
      tiling.setTileSizes(getAsIndexOpFoldResult(ctx, tiles));
      if (distribute && work >= (1 << 16))
        tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      scf::SCFTileAndFuseOptions options;
      options.setTilingOptions(tiling);
      // A result also read after the group is yielded by the loop from the
      // first slice fused (later slices recompute it from the block in L1).
      llvm::SmallPtrSet<Operation *, 4> yielded;
      options.setFusionControlFn(
          [&](tensor::ExtractSliceOp, OpResult producer, bool) {
            Operation *op = producer.getOwner();
            bool yield = yields.contains(op) && yielded.insert(op).second;
            return std::make_tuple(group.contains(op), yield);
          });
      rewriter.setInsertionPoint(last);
      FailureOr<scf::SCFTileAndFuseResult> result =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(last.getOperation()), options);
      if (failed(result)) {
        LLVM_DEBUG(llvm::dbgs() << "not fused: " << *last << "\n");
        continue;
      }
      for (OpResult r : last->getResults())
        if (Value replacement = result->replacements.lookup(r))
          rewriter.replaceAllUsesWith(r, replacement);
      Operation *loop = result->loops.front();
      for (Operation *op : yielded)
        for (OpResult r : op->getResults())
          if (Value replacement = result->replacements.lookup(r))
            rewriter.replaceUsesWithIf(r, replacement, [&](OpOperand &use) {
              return !loop->isAncestor(use.getOwner()) &&
                     !group.contains(use.getOwner());
            });
      // The group's originals are now dead: erased users first (a member
      // joined the group after all its users).
      for (Operation *op : group) {
        fused.insert(op);
        if (op->use_empty())
          rewriter.eraseOp(op);
      }
    }
  }
};

} // namespace
