//===- SetTarget.cpp - attach the target description ------------*- C++ -*-===//
//
// The first code generation step: the module learns which CPU it is for,
// as a `tfm.target` attribute that later passes read. It decides no
// schedule itself.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/Passes.h"
#include "compiler/target/Target.h"

#define DEBUG_TYPE "tfm-set-target"

namespace mlir::tfm {
#define GEN_PASS_DEF_TFMSETTARGETPASS
#include "compiler/codegen/Passes.h.inc"
} // namespace mlir::tfm

using namespace mlir;

namespace {
struct TfmSetTargetPass : tfm::impl::TfmSetTargetPassBase<TfmSetTargetPass> {
  using TfmSetTargetPassBase::TfmSetTargetPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool asked = !triple.empty() || !cpu.empty() || !features.empty();
    if (!asked && module->hasAttr(tfm::kTargetAttrName)) {
      // Keep the module's own, once it reads back.
      if (failed(tfm::targetOf(module)))
        signalPassFailure();
      return;
    }
    std::string error;
    FailureOr<tfm::CpuTarget> target =
        tfm::describeTarget({triple, cpu, features}, error);
    if (failed(target)) {
      module.emitError("tfm-set-target: ") << error;
      return signalPassFailure();
    }
    LLVM_DEBUG(llvm::dbgs() << tfm::printTarget(*target));
    module->setAttr(tfm::kTargetAttrName,
                    tfm::targetToAttr(&getContext(), *target));
  }
};
} // namespace
