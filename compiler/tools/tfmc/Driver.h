//===- Driver.h - the tfmc driver -------------------------------*- C++ -*-===//

#ifndef TFM_TOOLS_TFMC_DRIVER_H
#define TFM_TOOLS_TFMC_DRIVER_H

namespace mlir::tfm {

/// tfmc's main: parses the command line, compiles, returns the exit code.
int runTfmc(int argc, char **argv);

} // namespace mlir::tfm

#endif // TFM_TOOLS_TFMC_DRIVER_H
