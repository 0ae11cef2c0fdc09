//===- Driver.h - the tfmc driver -------------------------------*- C++ -*-===//

#ifndef TFM_TOOLS_TFMC_DRIVER_H
#define TFM_TOOLS_TFMC_DRIVER_H

namespace mlir::tfm {

/// tfmc's main: parses the command line, compiles, returns the exit code.
/// Options start from their defaults on each call, so a process may call it
/// more than once (the command-line fuzzer does); main owns llvm::InitLLVM.
int runTfmc(int argc, char **argv);

} // namespace mlir::tfm

#endif // TFM_TOOLS_TFMC_DRIVER_H
