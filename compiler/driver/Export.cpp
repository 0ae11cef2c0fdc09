//===- Export.cpp - LLVM code generation for the target ---------*- C++ -*-===//
//
// llvm dialect --> LLVM IR --> optimized LLVM IR --> assembly or object, all
// in-process through the LLVM libraries.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Compiler.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace mlir;

void mlir::tfm::forkOnlyWithThreads(llvm::Module &module) {
  llvm::Function *fork = module.getFunction("__kmpc_fork_call");
  if (!fork)
    return;
  llvm::LLVMContext &ctx = module.getContext();
  llvm::FunctionCallee maxThreads = module.getOrInsertFunction(
      "omp_get_max_threads", llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), false));
  SmallVector<llvm::CallInst *> calls;
  for (llvm::User *u : fork->users())
    if (auto *call = dyn_cast<llvm::CallInst>(u); call && call->getCalledFunction() == fork)
      calls.push_back(call);
  for (llvm::CallInst *call : calls) {
    // __kmpc_fork_call(loc, argc, outlined, args...); outlined(gtid*,
    // btid*, args...).
    auto *outlined = dyn_cast<llvm::Function>(call->getArgOperand(2)->stripPointerCasts());
    if (!outlined || outlined->arg_size() != call->arg_size() - 1)
      continue;
    llvm::IRBuilder<> b(call);
    llvm::Value *single = b.CreateICmpSLE(b.CreateCall(maxThreads), b.getInt32(1));
    llvm::Instruction *thenTerm = nullptr, *elseTerm = nullptr;
    llvm::SplitBlockAndInsertIfThenElse(single, call, &thenTerm, &elseTerm);
    call->moveBefore(elseTerm);
    // One thread: the outlined body called directly (thread 0 of 1).
    llvm::Function *caller = call->getFunction();
    llvm::IRBuilder<> entry(&caller->getEntryBlock(), caller->getEntryBlock().begin());
    llvm::AllocaInst *zero = entry.CreateAlloca(entry.getInt32Ty(), nullptr, "tfm.tid0");
    b.SetInsertPoint(thenTerm);
    b.CreateStore(b.getInt32(0), zero);
    SmallVector<llvm::Value *> args = {zero, zero};
    for (unsigned i = 3; i < call->arg_size(); ++i)
      args.push_back(call->getArgOperand(i));
    b.CreateCall(outlined, args);
  }
}

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
  forkOnlyWithThreads(*llvmModule);
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
