//===- Schedule.cpp - schedules from the target description -----*- C++ -*-===//
//
// The analytical model behind every tile: a register block from the vector
// registers and FMA timing, cache blocks from the cache sizes. Shapes only
// clip what the model chose (a block no larger than the matrix).
//
//===----------------------------------------------------------------------===//

#include "compiler/target/Schedule.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/ADT/DenseMap.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// The largest divisor of `n` that is at most `cap` (at least 1).
int64_t largestDivisorAtMost(int64_t n, int64_t cap) {
  for (int64_t d = std::min(n, cap); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

} // namespace

/// Every register block that fits: nr = kn vectors, mr rows. Registers:
/// mr * kn accumulators, kn for the rhs row, 1 for the broadcast lhs value.
/// Loads per K step (mr broadcasts + kn rows) must not exceed FMAs (mr kn),
/// or the loop is bound by loads rather than FMAs; that excludes kn = 1.
/// kn is a power of two: LLVM splits a vector of 2^i registers into legal
/// ones, but scalarizes the loads of a 3-register vector.
static SmallVector<RegisterBlock> registerBlocks(const CpuTarget &t) {
  SmallVector<RegisterBlock> blocks;
  for (int64_t kn = 2; kn <= 8; kn *= 2)
    for (int64_t mr = 1; mr * kn + kn + 1 <= t.vectorRegisters; ++mr)
      if (mr + kn <= mr * kn)
        blocks.push_back({mr, kn * t.lanes(), ""});
  return blocks;
}

static std::string explain(const CpuTarget &t, const RegisterBlock &b) {
  int64_t acc = b.mr * b.nr / t.lanes(), inFlight = t.fmaUnits * t.fmaLatency;
  return llvm::formatv(
             "{0} accumulators of the {1} registers (+ {2} rhs loads + 1 "
             "broadcast); {0} FMAs in flight hide {3} units x {4} cycles{5}",
             acc, t.vectorRegisters, b.nr / t.lanes(), t.fmaUnits, t.fmaLatency,
             acc >= inFlight ? "" : " (not all: too few registers)")
      .str();
}

/// The best of `blocks` by accumulators (more FMAs per value loaded, more
/// latency hidden), on a tie the narrower (a smaller rhs micro-panel).
static RegisterBlock mostAccumulators(ArrayRef<RegisterBlock> blocks) {
  RegisterBlock best;
  for (const RegisterBlock &b : blocks)
    if (b.mr * b.nr > best.mr * best.nr ||
        (b.mr * b.nr == best.mr * best.nr && b.nr < best.nr))
      best = b;
  return best;
}

RegisterBlock mlir::tfm::registerBlock(const CpuTarget &t) {
  SmallVector<RegisterBlock> blocks = registerBlocks(t);
  RegisterBlock best = blocks.empty() ? RegisterBlock{1, t.lanes(), ""}
                                      : mostAccumulators(blocks);
  best.why = explain(t, best);
  return best;
}

/// True if `rows` rows `rowFloats` floats apart fall on more lines of one
/// L1 set than half its ways (the rest hold the rhs panel and the result).
static bool rowsAlias(const CpuTarget &t, int64_t rows, int64_t rowFloats) {
  int64_t lineFloats = 16, sets = t.l1d / (64 * t.l1dWays);
  if (rowFloats % lineFloats != 0 || sets <= 0)
    return false; // rows start at different offsets within their lines
  int64_t stride = rowFloats / lineFloats;
  llvm::DenseMap<int64_t, int64_t> perSet;
  int64_t most = 0;
  for (int64_t i = 0; i < rows; ++i)
    most = std::max(most, ++perSet[(i * stride) % sets]);
  return most > t.l1dWays / 2;
}

MatmulSchedule mlir::tfm::matmulSchedule(const CpuTarget &t, int64_t m,
                                         int64_t n, int64_t k,
                                         bool lhsTransposed,
                                         MatmulOverrides overrides) {
  MatmulSchedule s;
  // Blocks with 1.5 x (units x latency) accumulators keep the FMA pipes
  // busy with slack for the loads' latency. Among those, the most
  // accumulators of the ones whose rows divide m and columns divide n (no
  // edge kernels); else the model's block, edges and all. Measured on Zen 5
  // (bench/RESULTS.md): AVX2 6 x 16 (12 accumulators, edges) beat the exact
  // 4 x 16 (8) by 10-25%; AVX-512 8 x 32 (16, exact) and 14 x 32 (28,
  // edges) were within 5%.
  SmallVector<RegisterBlock> exact;
  int64_t inFlight = t.fmaUnits * t.fmaLatency;
  for (const RegisterBlock &b : registerBlocks(t))
    if (2 * (b.mr * b.nr / t.lanes()) >= 3 * inFlight && m % b.mr == 0 &&
        n % b.nr == 0)
      exact.push_back(b);
  s.block = !exact.empty() ? mostAccumulators(exact) : registerBlock(t);
  s.block.why = explain(t, s.block) +
                (exact.empty() ? "" : "; rows divide m and columns divide n");
  if (overrides.mr > 0)
    s.block.mr = overrides.mr;
  if (overrides.nr > 0)
    s.block.nr = overrides.nr;
  int64_t mr = s.block.mr, nr = s.block.nr;
  // kc: the rhs micro-panel (kc x nr floats) and the lhs values of kc k
  // steps (mr floats each; a 64-byte line each when A is stored
  // transposed and read a row per step) fit in L1d (the result tile is in
  // registers). BLIS's rule, with the lhs counted. Measured on Zen 5
  // (bench/RESULTS.md): a transposed lhs at kc = L2/8 ran 20-30% slower;
  // at 3/4 of L1, K = 256 split in two k blocks ran 30% slower than one.
  int64_t lhsFloats = lhsTransposed ? std::max<int64_t>(mr, 16) : mr;
  int64_t kcMax = std::max<int64_t>(8, t.l1d / (4 * (nr + lhsFloats)));
  s.kc = largestDivisorAtMost(k, kcMax);
  if (s.kc < kcMax / 4) // k has no divisor near the bound: one block
    s.kc = k;
  if (overrides.kc > 0 && k % overrides.kc == 0)
    s.kc = overrides.kc;
  // mc: an lhs block (mc x kc) takes half of L2.
  int64_t mcMax = std::max<int64_t>(mr, t.l2 / 2 / (s.kc * 4) / mr * mr);
  s.mc = std::min(mcMax, (m + mr - 1) / mr * mr);
  // nc: a packed rhs block (kc x nc) takes half of this core's L3 share,
  // or of L2 where there is no L3.
  int64_t outer = t.l3 ? t.l3 : t.l2;
  int64_t ncMax = std::max<int64_t>(nr, outer / 2 / (s.kc * 4) / nr * nr);
  s.nc = std::min(ncMax, (n + nr - 1) / nr * nr);
  s.pack = m >= 4 * mr;
  s.padLhs = !lhsTransposed && rowsAlias(t, mr, k);
  int64_t kn = (nr + t.lanes() - 1) / t.lanes();
  s.noUnroll = mr * kn + 2 * (kn + 1) > t.vectorRegisters;
  // A lhs stored transposed is packed where its rows cross a page (M >= 1024
  // floats), there are many rhs panels to reuse the copy (at least 24: a
  // copy of A costs about 50 / N of the matmul at 250 GFLOP/s against
  // 20 GB/s), and the micro-kernel, reading it unpacked, would use less than
  // half of each cache line it loads per k step (mr floats of a row).
  // Measured on Zen 5 (bench/RESULTS.md), M 3072 x K 2048 x N 768: with
  // AVX2's 6 rows (24 of 64 bytes) packed 93 against unpacked 69 GFLOP/s;
  // with AVX-512's 8 (32 bytes) unpacked 205-209 against packed 167-183.
  constexpr int64_t lineBytes = 64;
  s.packTransposedLhs =
      lhsTransposed && m * 4 >= 4096 && n / nr >= 24 && 2 * mr * 4 < lineBytes;
  s.why = llvm::formatv(
              "kc {0}: rhs micro-panel {0} x {1} and lhs micro-panel in L1d; "
              "mc {2}: lhs block {2} x {0} x 4 B <= L2/2; nc {3}: "
              "rhs block {0} x {3} x 4 B <= {4}/2",
              s.kc, nr, s.mc, s.nc, t.l3 ? "L3 share" : "L2")
              .str();
  return s;
}

AttentionTiles mlir::tfm::attentionTiles(const CpuTarget &t) {
  // 32 x 64 tiles keep q, k, v, the scores and the output of one tile in
  // about 48 KiB (d = 64); their matmuls' blocks are tiled by rows that
  // divide 32 where a block with enough accumulators has such rows (AVX-512:
  // 8 x 32), else by the model's block, whose rows set the tile (AVX2: 6 x
  // 16, 36 rows). Measured on Zen 5 (bench/RESULTS.md): AVX2 code 280 ms
  // with 36 x 64 against 322 with 32 x 64; AVX-512 best at 32 x 64.
  AttentionTiles a;
  int64_t inFlight = t.fmaUnits * t.fmaLatency;
  RegisterBlock model = registerBlock(t);
  bool divides = false;
  for (const RegisterBlock &b : registerBlocks(t))
    if (2 * (b.mr * b.nr / t.lanes()) >= 3 * inFlight && 32 % b.mr == 0)
      divides = true;
  a.queries = divides ? 32 : model.mr * ((32 + model.mr - 1) / model.mr);
  a.keys = std::max<int64_t>(model.nr, 64 / model.nr * model.nr);
  a.why =
      divides
          ? "32 rows: a register block with enough accumulators divides them"
          : llvm::formatv("{0} rows: a whole number of {1}-row blocks",
                          a.queries, model.mr)
                .str();
  return a;
}

RowBlock mlir::tfm::rowBlock(const CpuTarget &t, int64_t rows,
                             int64_t bytesPerRow) {
  RowBlock r;
  int64_t budget = t.l1d / 2;
  int64_t most =
      std::max<int64_t>(1, budget / std::max<int64_t>(1, bytesPerRow));
  for (int64_t d = std::min(rows, most); d >= 1; --d)
    if (rows % d == 0) {
      r.rows = d;
      break;
    }
  r.why =
      llvm::formatv("{0} B a row; half of L1d is {1} B", bytesPerRow, budget)
          .str();
  return r;
}

int64_t mlir::tfm::vectorLanes(const CpuTarget &t) { return t.lanes(); }

std::string mlir::tfm::printSchedules(const CpuTarget &t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  RegisterBlock block = registerBlock(t);
  os << "vector length: " << vectorLanes(t)
     << " f32 lanes for elementwise and row loops\n";
  os << "matmul block:  " << block.mr << " x " << block.nr << " (" << block.why
     << ")\n";
  AttentionTiles at = attentionTiles(t);
  os << "attention:     " << at.queries << " x " << at.keys << " tiles ("
     << at.why << ")\n";
  RowBlock rb = rowBlock(t, 2048, 3 * 768 * 4);
  os << "row groups:    e.g. layer_norm of [2048 x 768]: " << rb.rows
     << (rb.rows == 1 ? " row" : " rows") << " per tile (" << rb.why << ")\n";
  MatmulSchedule mm = matmulSchedule(t, 2048, 3072, 768);
  os << "matmul, e.g.:  [2048 x 768] x [768 x 3072]: block " << mm.block.mr
     << " x " << mm.block.nr << " (" << mm.block.why << "); " << mm.why
     << (mm.padLhs ? "; lhs rows padded" : "")
     << (mm.noUnroll ? "; k loop not unrolled" : "") << "\n";
  return os.str();
}
