//===- mlir_fuzzer.cpp - libFuzzer target: bytes through tfmc's pipeline --===//
//
// Arbitrary bytes as a .mlir model, through what tfmc runs on one: parse and
// verify, the tfm-level transforms (fusion, autodiff), the entry
// signatures, lowering to the llvm dialect for a fixed x86-64 target, and
// LLVM IR (unoptimized: LLVM's optimizer is LLVM's to fuzz, and an input
// that reaches it costs a second). Any input is compiled or refused with a diagnostic;
// none crashes, hangs or touches memory it should not (AddressSanitizer and
// UndefinedBehaviorSanitizer check).
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "compiler/driver/Compiler.h"
#include "compiler/target/Target.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/TargetSelect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

using namespace mlir;

namespace {

/// One context for the process, its diagnostics dropped: building one per
/// input would cost more than most inputs' compile.
MLIRContext& context() {
  static MLIRContext* ctx = [] {
    DialectRegistry registry;
    mlir::tfm::registerCompilerDialects(registry);
    auto* c = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    c->getDiagEngine().registerHandler([](Diagnostic&) { return success(); });
    return c;
  }();
  return *ctx;
}

const mlir::tfm::CpuTarget& target() {
  static mlir::tfm::CpuTarget* t = [] {
    std::string error;
    auto described = mlir::tfm::describeTarget({"", "x86-64-v3", ""}, error);
    if (failed(described)) {
      std::fprintf(stderr, "mlir_fuzzer: %s\n", error.c_str());
      std::abort();
    }
    return new mlir::tfm::CpuTarget(*described);
  }();
  return *t;
}

llvm::TargetMachine& targetMachine() {
  static llvm::TargetMachine* tm = [] {
    std::string error;
    auto made = mlir::tfm::createTargetMachine(target(), /*optLevel=*/1, error);
    if (failed(made)) {
      std::fprintf(stderr, "mlir_fuzzer: %s\n", error.c_str());
      std::abort();
    }
    return made->release();
  }();
  return *tm;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  (void)context();
  (void)targetMachine();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MLIRContext& ctx = context();
  llvm::SourceMgr sourceMgr;
  OwningOpRef<ModuleOp> module = mlir::tfm::parseModule(
      ctx, sourceMgr, llvm::StringRef(reinterpret_cast<const char*>(data), size), "fuzz.mlir");
  if (!module) return 0;
  mlir::tfm::CpuPipelineOptions pipeline;
  if (failed(mlir::tfm::transformModule(*module, pipeline))) return 0;
  auto signatures = mlir::tfm::readEntrySignatures(*module);
  if (failed(signatures)) return 0;
  mlir::tfm::setTarget(*module, target());
  if (failed(mlir::tfm::lowerModule(*module, mlir::tfm::Stage::LlvmDialect, pipeline))) return 0;
  mlir::tfm::readWorkspaces(*module, *signatures);
  llvm::LLVMContext llvmContext;
  (void)mlir::tfm::translateToLlvmIr(*module, llvmContext, targetMachine(), target(),
                                     /*optLevel=*/0, /*threads=*/1);
  return 0;
}
