//===- Export.cpp - LLVM code generation for the target ---------*- C++ -*-===//
//
// llvm dialect --> LLVM IR --> optimized LLVM IR --> assembly or object, all
// in-process through the LLVM libraries.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Compiler.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"

using namespace mlir;

FailureOr<std::unique_ptr<llvm::Module>>
mlir::tfm::translateToLlvmIr(ModuleOp module, llvm::LLVMContext &llvmContext,
                             llvm::TargetMachine &tm, unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError("cannot translate the module to LLVM IR");
  // Export only the C interface: `_mlir_ciface_<name>`. The function it wraps
  // becomes internal, so a model named like a C symbol (`exp`, `main`) cannot
  // clash with the program it is linked into.
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration() && !f.getName().starts_with("_mlir_ciface_") &&
        llvmModule->getFunction(("_mlir_ciface_" + f.getName()).str()))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple().getTriple());
  auto optimize = makeOptimizingTransformer(optLevel, /*sizeLevel=*/0, &tm);
  if (llvm::Error err = optimize(llvmModule.get())) {
    std::string message = llvm::toString(std::move(err));
    return module.emitError("LLVM optimization failed: ") << message;
  }
  return llvmModule;
}

LogicalResult mlir::tfm::emitMachineCode(llvm::Module &module,
                                         llvm::TargetMachine &tm,
                                         llvm::CodeGenFileType type,
                                         llvm::raw_pwrite_stream &os,
                                         std::string &error) {
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, type)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  return success();
}
