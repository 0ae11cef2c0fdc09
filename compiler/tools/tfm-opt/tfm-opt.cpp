//===- tfm-opt.cpp - the tfm pass tester ------------------------*- C++ -*-===//
//
// MlirOptMain with the tfm dialect, every tfm pass and pipeline, and the
// upstream dialects and passes the pipelines use, for lit tests.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/TfmOps.h"
#include "compiler/pipelines/Pipelines.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::tfm::TfmDialect>();
  mlir::registerAllPasses();
  mlir::tfm::registerTfmPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "tfm pass tester\n", registry));
}
