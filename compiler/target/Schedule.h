//===- Schedule.h - schedules computed from the target ----------*- C++ -*-===//
//
// Every tile size, register block and vector length the CPU pipeline uses,
// computed from a CpuTarget by an analytical model (BLIS's, Low et al.,
// "Analytical modeling is enough for high-performance BLIS", TOMS 2016),
// never a constant tuned on one CPU. Each result carries the reasoning that
// `tfmc --print-target` shows.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TARGET_SCHEDULE_H
#define TFM_TARGET_SCHEDULE_H

#include "compiler/target/Target.h"

#include <string>

namespace mlir::tfm {

/// The matmul micro-kernel's register block: mr rows of the result, each nr
/// columns (a whole number of vectors), held in mr * nr / lanes
/// accumulator registers across the K loop. Each K step loads one row of nr
/// columns of the packed rhs (nr / lanes wide loads), broadcasts mr lhs
/// values and issues mr * nr / lanes FMAs.
struct RegisterBlock {
  int64_t mr = 1, nr = 1;
  std::string why;
};

/// The largest register block that fits the vector registers (accumulators,
/// one rhs row, one broadcast), hides the FMA latency (at least units x
/// latency accumulators) and needs no more loads than FMAs per K step.
RegisterBlock registerBlock(const CpuTarget &target);

/// A matmul's schedule: the register block, and the cache blocks of BLIS's
/// loops around it -- kc (the K depth of a packed rhs micro-panel, kc x nr,
/// kept in L1), mc (lhs rows per block, mc x kc, kept in L2), nc (rhs
/// columns per block, kc x nc, kept in this core's share of L3). kc divides
/// k; mc and nc are multiples of mr and nr.
struct MatmulSchedule {
  RegisterBlock block;
  int64_t kc = 1, mc = 1, nc = 1;
  bool pack = true; ///< pack the rhs into nr-wide panels
  /// Copy the lhs with rows one cache line longer: its mr rows K floats
  /// apart would fall in too few L1 sets (K a multiple of 1024 floats puts
  /// them all in one).
  bool padLhs = false;
  /// Pack a lhs stored transposed ([K, M]) into [M / mr, K, mr] micro-panels:
  /// unpacked, each k step reads a row M floats after the last, a new page
  /// per step at M >= 1024 that hardware prefetchers do not cross; packing
  /// costs a pass over A, which pays where many rhs panels reuse it.
  bool packTransposedLhs = false;
  /// Keep LLVM from unrolling the micro-kernel's k loop: the block leaves
  /// too few registers for a second step's rhs row and broadcast
  /// (accumulators + 2 (nr / lanes + 1) > registers), so unrolled, LLVM
  /// spills accumulators.
  bool noUnroll = false;
  std::string why;
};

/// What a user may set instead of the model (0: the model's choice).
struct MatmulOverrides {
  int64_t mr = 0, nr = 0, kc = 0;
};

/// The schedule of an [m, k] x [k, n] matmul on `target` (lhs stored
/// [k, m] if `lhsTransposed`). The register block is the largest that fits
/// and hides the FMA latency, preferring one whose rows divide m and
/// columns divide n (no tail). Packing pays when each packed rhs element is
/// reused over enough lhs rows: m >= 4 mr.
MatmulSchedule matmulSchedule(const CpuTarget &target, int64_t m, int64_t n,
                              int64_t k, bool lhsTransposed = false,
                              MatmulOverrides overrides = {});

/// The fused attention's tiles: `queries` rows of Q by `keys` keys, so
/// that its two matmuls per tile (Q Kt [queries x keys], P V) run whole
/// register blocks: queries a multiple of the rows of a block that keeps
/// the FMA pipes busy, keys a multiple of its columns.
struct AttentionTiles {
  int64_t queries = 32, keys = 64;
  std::string why;
};
AttentionTiles attentionTiles(const CpuTarget &target);

/// Rows per tile of a fused row group (a row reduction, e.g. a norm's or a
/// softmax's statistics, computed in the loop of the op that reads it):
/// the most rows, at most `rows` and dividing it, whose `bytesPerRow` (one
/// row of every array the group touches) fit in half of L1d, so that the
/// row is read from memory once and from L1 by the rest of the group.
struct RowBlock {
  int64_t rows = 1;
  std::string why;
};
RowBlock rowBlock(const CpuTarget &target, int64_t rows, int64_t bytesPerRow);

/// Lanes of the vectors elementwise and reduction loops use.
int64_t vectorLanes(const CpuTarget &target);

/// Everything `tfmc --print-target` adds to the target's description: the
/// register block and a sample matmul schedule, with their reasons.
std::string printSchedules(const CpuTarget &target);

} // namespace mlir::tfm

#endif // TFM_TARGET_SCHEDULE_H
