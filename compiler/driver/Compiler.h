//===- Compiler.h - tfm compilation as a library ----------------*- C++ -*-===//
//
// What tfmc and the JIT share: the dialects, parsing, the entry signatures,
// lowering to a stage, and LLVM code generation for the host. Errors are
// reported as MLIR diagnostics on the context; callers choose the handler.
//
//===----------------------------------------------------------------------===//

#ifndef TFM_DRIVER_COMPILER_H
#define TFM_DRIVER_COMPILER_H

#include "compiler/pipelines/Pipelines.h"
#include "compiler/target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/Timing.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Target/TargetMachine.h"

#include <tfm/signature.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::tfm {

/// Every dialect, interface and translation the pipeline touches.
void registerCompilerDialects(DialectRegistry &registry);

/// Parses MLIR text, added to `sourceMgr` as `bufferName` (a file name) so
/// that a SourceMgrDiagnosticHandler on it can quote the offending line.
OwningOpRef<ModuleOp> parseModule(MLIRContext &ctx, llvm::SourceMgr &sourceMgr,
                                  llvm::StringRef text,
                                  llvm::StringRef bufferName);

/// The entry points of a tensor-level module: every public function with a
/// body, its tensors named by `tfm.input`/`tfm.param`/`tfm.output` (or
/// `argN`/`resultN`). Fails with a diagnostic on a non-tensor or dynamic
/// argument, an unsupported element type, a duplicate name, or a function
/// name that is not a C identifier.
FailureOr<std::vector<::tfm::Signature>> readEntrySignatures(ModuleOp module);

/// Verifies a tfm module and runs the tfm-level passes on it: folds,
/// attention fusion, gradients and training steps. Read the entry
/// signatures after it: it adds entry points (<f>_grad, <f>_train_step).
/// With `passManagerCLOptions`, MLIR's pass-manager command-line options
/// (registerPassManagerCLOptions: IR printing, statistics, crash
/// reproducers) apply to its pass manager.
LogicalResult transformModule(ModuleOp module,
                              const CpuPipelineOptions &options,
                              TimingScope *timing = nullptr,
                              bool passManagerCLOptions = false);

/// Attaches `target` to the module as its `tfm.target`: what code
/// generation computes its schedules from.
void setTarget(ModuleOp module, const CpuTarget &target);

/// How far `lowerModule` goes.
enum class Stage { Tfm, Linalg, LlvmDialect };

/// Lowers a transformed tfm module up to `stage` (Tfm: nothing).
/// With `timing`, each pass's time is recorded under it; with
/// `passManagerCLOptions`, as transformModule.
LogicalResult lowerModule(ModuleOp module, Stage stage,
                          const CpuPipelineOptions &options,
                          TimingScope *timing = nullptr,
                          bool passManagerCLOptions = false);

/// Makes each OpenMP fork (`__kmpc_fork_call`) call its outlined region
/// directly when the program runs on one thread (`omp_get_max_threads() ==
/// 1`): a serialized parallel region in Debian's libomp allocates and
/// formats trace strings on every entry.
void forkOnlyWithThreads(llvm::Module &module);

/// Where LLVM code generation spent its time, in seconds: translation,
/// splitting and linking on the calling thread; optimization and code
/// generation summed over the parts (which run on threads of their own).
struct CodegenTimes {
  double translate = 0, optimize = 0, codegen = 0, assemble = 0;
  size_t parts = 0;
  unsigned threads = 0;
};

/// Optimizes `module` for `tm` at `optLevel` (0-3).
llvm::Error optimizeLlvmModule(llvm::Module &module, llvm::TargetMachine &tm,
                               unsigned optLevel);

/// Translates an llvm-dialect module to LLVM IR for `tm` (made for
/// `target`) and optimizes it at `optLevel` (0-3): split into parts by
/// kernel, optimized on `threads` threads (0: one per core), and linked back
/// into one module.
FailureOr<std::unique_ptr<llvm::Module>>
translateToLlvmIr(ModuleOp module, llvm::LLVMContext &llvmContext,
                  llvm::TargetMachine &tm, const CpuTarget &target,
                  unsigned optLevel, unsigned threads = 0,
                  CodegenTimes *times = nullptr);

/// Compiles an llvm-dialect module for `tm` (made for `target`) at
/// `optLevel` into one object (or assembly) on `os`: split into parts by
/// kernel, each optimized and compiled to assembly on one of `threads`
/// threads (0: one per core), the parts' assembly then assembled as one file
/// in-process. The output depends on the module alone.
LogicalResult emitInParts(ModuleOp module, llvm::TargetMachine &tm,
                          const CpuTarget &target, unsigned optLevel,
                          unsigned threads, llvm::CodeGenFileType type,
                          llvm::raw_pwrite_stream &os,
                          CodegenTimes *times = nullptr);

/// Compiles an llvm-dialect module for `target` at `optLevel` into objects,
/// one per part, each optimized and compiled on one of `threads` threads
/// (0: one per core). The parts, and so the objects, depend on the module
/// alone. Each C interface function `_mlir_ciface_<f>` gets a packed form,
/// `_mlir__mlir_ciface_<f>(void **args)`, which the JIT calls.
FailureOr<std::vector<std::string>>
compileToObjects(ModuleOp module, const CpuTarget &target, unsigned optLevel,
                 unsigned threads = 0, CodegenTimes *times = nullptr);

/// Reads the workspace and packed-weight sizes the memory plan recorded (the
/// module's `tfm.workspace` and `tfm.packed`) into `signatures`, after
/// lowering to the llvm dialect.
void readWorkspaces(ModuleOp module, std::vector<::tfm::Signature> &signatures);

/// Emits assembly or an object file for `module`.
LogicalResult emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                              llvm::CodeGenFileType type,
                              llvm::raw_pwrite_stream &os, std::string &error);

} // namespace mlir::tfm

#endif // TFM_DRIVER_COMPILER_H
