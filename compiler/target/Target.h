//===- Target.h - what code generation knows of a CPU -----------*- C++ -*-===//
//
// The one description of the machine code is generated for: its LLVM triple,
// CPU and features, its vector unit (register width and count, FMA units and
// latency) and its caches. The host is read from LLVM's host detection and
// /sys; another CPU from LLVM's CPU tables and a table of known
// microarchitectures here. Every schedule decision (Schedule.h) is computed
// from it; nothing else in the compiler names a CPU.
//
// The module carries it as the `tfm.target` dictionary attribute, so that a
// pass sees the target its pipeline was built for, and a lit test pins one
// with `--tfm-set-target`.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_TARGET_TARGET_H
#define TFM_TARGET_TARGET_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir::tfm {

/// What the user asked for: an LLVM triple, CPU and feature list, each
/// empty for "this machine" (the CPU of a foreign triple defaults to its
/// generic CPU).
struct TargetRequest {
  std::string triple;   ///< e.g. x86_64-linux-gnu, aarch64-linux-gnu
  std::string cpu;      ///< an LLVM CPU name (znver3, skylake-avx512, ...)
  std::string features; ///< LLVM features, "+avx512f,-avx512bw"
};

/// A CPU as code generation sees it.
struct CpuTarget {
  std::string triple, cpu; ///< as given to LLVM
  std::string features;    ///< the user's (the host's own: llvmFeatures)
  bool host = false;       ///< the machine the compiler runs on

  // The vector unit, from the CPU's LLVM features.
  std::string isa;             ///< avx512, avx2, avx, sse, neon or scalar
  int64_t vectorBits = 0;      ///< width of an f32 vector register
  int64_t vectorRegisters = 0; ///< architectural vector registers
  bool fma = false;            ///< fused multiply-add instructions

  // Its timing, from the microarchitecture table (or defaults).
  int64_t fmaUnits = 0;   ///< full-width vector FMAs issued per cycle
  int64_t fmaLatency = 0; ///< cycles from an FMA to its result's use

  // Caches, bytes per core (L3: this core's share), and L1d's ways.
  int64_t l1d = 0, l2 = 0, l3 = 0;
  int64_t l1dWays = 8;

  std::string timingSource; ///< "table: znver4" or "defaults for avx2"
  std::string cacheSource;  ///< a /sys path, "table: ..." or "defaults"

  /// f32 lanes of one vector register.
  int64_t lanes() const { return vectorBits / 32; }
};

/// Describes the requested target. Fails, with `error` naming the CPU,
/// feature or triple, on an unknown triple, a CPU LLVM does not know for
/// it, or a feature that is not one of the target's.
FailureOr<CpuTarget> describeTarget(const TargetRequest &request,
                                    std::string &error);

/// The feature string LLVM gets: the user's, after the host's own for the
/// host.
std::string llvmFeatures(const CpuTarget &target);

/// The host, as `describeTarget({})` gives it (computed once).
const CpuTarget &hostTarget();

/// Fails, naming each feature, if code for `target` may use an instruction
/// this machine lacks (a JIT must not run it: SIGILL). System features
/// (privileged, paging, power or tracing instructions, which compiled models
/// never contain) are not required.
LogicalResult checkRunsOnHost(const CpuTarget &target, std::string &error);

/// The LLVM target machine for `target` at `optLevel` (0-3).
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CpuTarget &target, unsigned optLevel,
                    std::string &error);

/// The `tfm.target` attribute of a module: the description as a dictionary.
constexpr llvm::StringLiteral kTargetAttrName = "tfm.target";
DictionaryAttr targetToAttr(MLIRContext *ctx, const CpuTarget &target);
/// Reads a `tfm.target` dictionary back; fails (with a diagnostic on `op`)
/// on a missing or ill-typed entry.
FailureOr<CpuTarget> targetFromAttr(Operation *op, DictionaryAttr attr);

/// The target of the module that holds `op`: its `tfm.target`, else the
/// host.
FailureOr<CpuTarget> targetOf(Operation *op);

/// Human-readable description, one fact per line (`tfmc --print-target`).
std::string printTarget(const CpuTarget &target);

} // namespace mlir::tfm

#endif // TFM_TARGET_TARGET_H
