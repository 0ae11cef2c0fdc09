//===- TileAndVectorize.cpp - tile linalg ops, vectorize tiles --*- C++ -*-===//
//
// One loop nest per linalg op: no fusion across ops here (elementwise fusion
// runs before). Tile sizes divide the static loop ranges so that every tile
// is static and vectorizes without masks; the vector length and a
// contraction's register block come from the module's target
// (compiler/target/Schedule.h). An op that carries `tfm.tile_sizes` (the
// micro-kernels of tfm-tile-matmuls) is tiled with exactly those.
//
//   linalg.generic [B, M, N] x K
//     --> scf.for b, m += mr, n += nr, k += kt { vector.contract [mr x nr x kt]
//     }
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/target/Schedule.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "tfm-tile-and-vectorize"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMTILEANDVECTORIZEPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {

/// The largest divisor of `n` that is at most `cap`.
int64_t largestDivisorAtMost(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, cap); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// A tile for a loop that maps to vector lanes: a multiple of `vectorSize`
/// up to four vectors when one divides `n`, else the largest divisor of `n`
/// up to four vectors (a loop of 6 becomes one vector of 6).
int64_t vectorTile(int64_t n, int64_t vectorSize) {
  for (int64_t v = 4; v >= 1; --v)
    if (n % (v * vectorSize) == 0)
      return v * vectorSize;
  return largestDivisorAtMost(n, 4 * vectorSize);
}

/// Tile sizes for `op`, one per loop; 0 leaves a loop untiled.
SmallVector<int64_t> chooseTileSizes(linalg::LinalgOp op, int64_t vectorSize,
                                     const tfm::RegisterBlock &block) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> tiles(ranges.size(), 1);
  if (ranges.empty())
    return tiles;
  if (auto given = op->getAttrOfType<DenseI64ArrayAttr>("tfm.tile_sizes");
      given && given.size() == static_cast<int64_t>(ranges.size())) {
    tiles.assign(given.asArrayRef().begin(), given.asArrayRef().end());
    for (auto [tile, range] : llvm::zip(tiles, ranges))
      if (tile >= range)
        tile = 0;
    return tiles;
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::isaContractionOpInterface(op)
          ? linalg::inferContractionDims(op)
          : FailureOr<linalg::ContractionDimensions>(failure());
  if (succeeded(dims) && dims->m.size() == 1 && dims->n.size() == 1 &&
      dims->k.size() == 1) {
    // The target's register block (mr rows x nr columns, at most; a
    // divisor of the loop where the block does not divide it), 8-deep K
    // steps unrolled into the block.
    unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
    tiles[m] = largestDivisorAtMost(ranges[m], block.mr);
    tiles[n] = ranges[n] % block.nr == 0 ? block.nr
                                         : vectorTile(ranges[n], vectorSize);
    tiles[k] = largestDivisorAtMost(ranges[k], 8);
  } else {
    // The innermost loop is the contiguous one in every op tfm emits.
    tiles.back() = vectorTile(ranges.back(), vectorSize);
  }
  for (auto [tile, range] : llvm::zip(tiles, ranges))
    if (tile >= range)
      tile = 0;
  return tiles;
}

/// Tile sizes that split `op`'s leading parallel loops into about
/// `minChunks` parallel chunks (scf.forall, one task each), all zeros when
/// the op is small or already inside a parallel loop. Sizes divide the
/// ranges, so every chunk keeps a static shape; a contraction's M chunk is a
/// multiple of its register block's rows.
SmallVector<int64_t> chooseDistribution(linalg::LinalgOp op, int64_t minChunks,
                                        int64_t blockRows) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<int64_t> tiles(ranges.size(), 0);
  if (ranges.size() < 2 || op->getParentOfType<scf::ForallOp>() ||
      op->hasAttr("tfm.tile_sizes"))
    return tiles;
  int64_t work = 1;
  for (int64_t r : ranges)
    work *= r;
  if (work < (1 << 16)) // below ~64K iterations a task costs more than it saves
    return tiles;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> candidates;
  int64_t granule = 1;
  unsigned mDim = ~0u;
  if (linalg::isaContractionOpInterface(op)) {
    auto dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->m.size() != 1)
      return tiles;
    llvm::append_range(candidates, dims->batch);
    mDim = dims->m[0];
    candidates.push_back(mDim);
  } else {
    // Every parallel loop but the innermost (the vector one).
    for (unsigned i = 0; i + 1 < ranges.size(); ++i)
      if (iterators[i] == utils::IteratorType::parallel)
        candidates.push_back(i);
  }
  int64_t chunks = 1;
  for (unsigned i : candidates) {
    if (chunks >= minChunks)
      break;
    int64_t g =
        i == mDim ? largestDivisorAtMost(ranges[i], blockRows) : granule;
    int64_t want = (minChunks + chunks - 1) / chunks; // chunks still needed
    // The largest divisor of the range, a multiple of g, that gives at
    // least `want` chunks; else the smallest such divisor.
    int64_t best = 0;
    for (int64_t t = g; t <= ranges[i]; t += g) {
      if (ranges[i] % t != 0)
        continue;
      if (ranges[i] / t >= want)
        best = t;
      else if (!best)
        best = t;
    }
    if (!best || best == ranges[i])
      continue;
    tiles[i] = best;
    chunks *= ranges[i] / best;
  }
  return tiles;
}

struct TfmTileAndVectorizePass
    : tfm::impl::TfmTileAndVectorizePassBase<TfmTileAndVectorizePass> {
  using TfmTileAndVectorizePassBase::TfmTileAndVectorizePassBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (vectorSize < 0) {
      getOperation().emitError("tfm-tile-and-vectorize: vector-size must be "
                               "positive (or 0: the target's), got ")
          << static_cast<int64_t>(vectorSize);
      return signalPassFailure();
    }
    FailureOr<tfm::CpuTarget> target = tfm::targetOf(getOperation());
    if (failed(target))
      return signalPassFailure();
    int64_t lanes =
        vectorSize ? int64_t(vectorSize) : tfm::vectorLanes(*target);
    tfm::RegisterBlock block = tfm::registerBlock(*target);
    if (vectorSize) // an explicit vector length: a block of that width
      block.nr = block.nr / target->lanes() * lanes;
    SmallVector<linalg::LinalgOp> ops;
    // Tiling slices operands along their maps: only maps of plain loop
    // indices (or constants, for broadcasts) give slices of the same form.
    auto tileable = [](linalg::LinalgOp op) {
      return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
        return llvm::all_of(map.getResults(), [](AffineExpr e) {
          return isa<AffineDimExpr, AffineConstantExpr>(e);
        });
      });
    };
    // An op over an empty range does nothing: left alone (tiling it fails).
    auto empty = [](linalg::LinalgOp op) {
      return llvm::is_contained(op.getStaticLoopRanges(), 0);
    };
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && !op.hasDynamicShape() &&
          tileable(op) && !empty(op))
        ops.push_back(op);
    });

    IRRewriter rewriter(ctx);
    for (linalg::LinalgOp op : ops) {
      // Threads: leading parallel loops into an scf.forall of chunks.
      if (distribute) {
        SmallVector<int64_t> chunks =
            chooseDistribution(op, /*minChunks=*/16, block.mr);
        if (llvm::any_of(chunks, [](int64_t t) { return t != 0; })) {
          rewriter.setInsertionPoint(op);
          scf::SCFTilingOptions options;
          options.setTileSizes(getAsIndexOpFoldResult(ctx, chunks));
          options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
          FailureOr<scf::SCFTilingResult> split = scf::tileUsingSCF(
              rewriter, cast<TilingInterface>(op.getOperation()), options);
          if (succeeded(split)) {
            rewriter.replaceOp(op, split->replacements);
            op = cast<linalg::LinalgOp>(split->tiledOps.back());
          }
        }
      }
      SmallVector<int64_t> tiles = chooseTileSizes(op, lanes, block);
      Operation *tile = op;
      if (llvm::any_of(tiles, [](int64_t t) { return t != 0; })) {
        rewriter.setInsertionPoint(op);
        scf::SCFTilingOptions options;
        options.setTileSizes(getAsIndexOpFoldResult(ctx, tiles));
        FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(op.getOperation()), options);
        if (failed(tiled)) {
          op.emitOpError("could not be tiled");
          return signalPassFailure();
        }
        // Read before replaceOp erases the op.
        const bool noUnroll = op->hasAttr("tfm.no_unroll");
        rewriter.replaceOp(op, tiled->replacements);
        tile = tiled->tiledOps.back();
        // A micro-kernel's k loop that LLVM must not unroll: tagged for
        // tfm-annotate-loops.
        if (noUnroll && !tiled->loops.empty()) {
          Operation *loop = tiled->loops.back();
          loop->setLoc(FusedLoc::get(ctx, {loop->getLoc()},
                                     StringAttr::get(ctx, "tfm.micro_kernel")));
        }
      }
      if (!vectorize)
        continue;
      rewriter.setInsertionPoint(tile);
      // A tile the vectorizer rejects stays scalar; it still lowers to loops.
      if (failed(linalg::vectorize(rewriter, tile, /*inputVectorSizes=*/{},
                                   /*inputScalableVecDims=*/{},
                                   /*vectorizeNDExtract=*/true)))
        LLVM_DEBUG(llvm::dbgs() << "not vectorized: " << *tile << "\n");
    }

    // Turn broadcasting reads into reads + broadcasts, and fold those
    // broadcasts into vector.contract maps: a matmul tile becomes
    // contract([M, K], [K, N]) -> [M, N], not a product of broadcast cubes.
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    scf::ForOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
