//===- tfmc.cpp - the tfm compiler driver -----------------------*- C++ -*-===//
#include "Driver.h"

#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  return mlir::tfm::runTfmc(argc, argv);
}
