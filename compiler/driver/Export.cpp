//===- Export.cpp - LLVM code generation for the target ---------*- C++ -*-===//
//
// llvm dialect --> LLVM IR --> parts of a few kernels each --> optimized
// (and, for the JIT, compiled to objects) on threads of their own, in
// contexts of their own --> assembly or objects, all in-process through the
// LLVM libraries. The parts depend on the module alone, so the output does
// not depend on the number of threads.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Compiler.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCAsmBackend.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCCodeEmitter.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCObjectFileInfo.h"
#include "llvm/MC/MCObjectWriter.h"
#include "llvm/MC/MCParser/MCAsmParser.h"
#include "llvm/MC/MCParser/MCTargetAsmParser.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCStreamer.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

using namespace mlir;

void mlir::tfm::forkOnlyWithThreads(llvm::Module &module) {
  llvm::Function *fork = module.getFunction("__kmpc_fork_call");
  if (!fork)
    return;
  llvm::LLVMContext &ctx = module.getContext();
  llvm::FunctionCallee maxThreads = module.getOrInsertFunction(
      "omp_get_max_threads",
      llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), false));
  SmallVector<llvm::CallInst *> calls;
  for (llvm::User *u : fork->users())
    if (auto *call = dyn_cast<llvm::CallInst>(u);
        call && call->getCalledFunction() == fork)
      calls.push_back(call);
  for (llvm::CallInst *call : calls) {
    // __kmpc_fork_call(loc, argc, outlined, args...); outlined(gtid*,
    // btid*, args...).
    auto *outlined =
        dyn_cast<llvm::Function>(call->getArgOperand(2)->stripPointerCasts());
    if (!outlined || outlined->arg_size() != call->arg_size() - 1)
      continue;
    llvm::IRBuilder<> b(call);
    llvm::Value *single =
        b.CreateICmpSLE(b.CreateCall(maxThreads), b.getInt32(1));
    llvm::Instruction *thenTerm = nullptr, *elseTerm = nullptr;
    llvm::SplitBlockAndInsertIfThenElse(single, call, &thenTerm, &elseTerm);
    call->moveBefore(elseTerm);
    // One thread: the outlined body called directly (thread 0 of 1).
    llvm::Function *caller = call->getFunction();
    llvm::IRBuilder<> entry(&caller->getEntryBlock(),
                            caller->getEntryBlock().begin());
    llvm::AllocaInst *zero =
        entry.CreateAlloca(entry.getInt32Ty(), nullptr, "tfm.tid0");
    b.SetInsertPoint(thenTerm);
    b.CreateStore(b.getInt32(0), zero);
    SmallVector<llvm::Value *> args = {zero, zero};
    for (unsigned i = 3; i < call->arg_size(); ++i)
      args.push_back(call->getArgOperand(i));
    b.CreateCall(outlined, args);
  }
}

namespace {

/// Seconds since `start`.
double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// llvm dialect --> LLVM IR for `tm`, with only the C interface exported
/// and OpenMP forks made direct calls on one thread.
FailureOr<std::unique_ptr<llvm::Module>>
translate(ModuleOp module, llvm::LLVMContext &llvmContext,
          llvm::TargetMachine &tm) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError("cannot translate the module to LLVM IR");
  // Export only the C interface: `_mlir_ciface_<name>`. The function it wraps
  // and the kernels become internal, so a model named like a C symbol
  // (`exp`, `main`) cannot clash with the program it is linked into.
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration() && !f.getName().starts_with("_mlir_ciface_"))
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  mlir::tfm::forkOnlyWithThreads(*llvmModule);
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple().getTriple());
  return llvmModule;
}

/// Adds `_mlir__mlir_ciface_<f>(void **args)` for each C interface function:
/// it calls `_mlir_ciface_<f>` with `*args[i]` as its i-th argument, the
/// packed form the JIT calls.
void addPackedWrappers(llvm::Module &module) {
  llvm::LLVMContext &ctx = module.getContext();
  SmallVector<llvm::Function *> cifaces;
  for (llvm::Function &f : module)
    if (!f.isDeclaration() && f.getName().starts_with("_mlir_ciface_"))
      cifaces.push_back(&f);
  llvm::IRBuilder<> b(ctx);
  for (llvm::Function *f : cifaces) {
    auto *type = llvm::FunctionType::get(b.getVoidTy(), b.getPtrTy(), false);
    auto *wrapper =
        llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                               "_mlir_" + f->getName(), module);
    b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "", wrapper));
    SmallVector<llvm::Value *> args;
    for (auto [i, arg] : llvm::enumerate(f->args())) {
      llvm::Value *slot =
          b.CreateConstGEP1_64(b.getPtrTy(), wrapper->getArg(0), i);
      llvm::Value *pointer = b.CreateLoad(b.getPtrTy(), slot);
      args.push_back(b.CreateLoad(arg.getType(), pointer));
    }
    b.CreateCall(f, args);
    b.CreateRetVoid();
  }
}

/// Instructions per part of a split module: enough that a part's fixed
/// cost (its declarations, a pass pipeline and a code generator set up)
/// stays small beside its functions.
constexpr size_t kInstructionsPerPart = 2000;
constexpr size_t kMaxParts = 32;

/// A module split by function into parts that can be optimized and compiled
/// apart, as bitcode (each is read into a context of its own), and the
/// symbols that were local before the split.
struct SplitModule {
  std::vector<std::string> parts;
  std::vector<std::string> locals;
  /// The functions defined, in the module's order.
  std::vector<std::string> order;
};

/// Splits `module` into parts of about kInstructionsPerPart instructions
/// each: each function or global with whatever is local to it alone (an
/// OpenMP region's body, a constant only it reads), largest first, into the
/// part that has the fewest. Locals used by other parts become hidden
/// globals. The split depends on the module alone.
SplitModule splitModule(llvm::Module &module) {
  SplitModule split;
  // What each local global value is used by: if by one function alone, it
  // goes with that function.
  llvm::EquivalenceClasses<const llvm::GlobalValue *> clusters;
  auto userFunction = [](const llvm::User *user) -> const llvm::Function * {
    SmallVector<const llvm::User *> work = {user};
    const llvm::Function *only = nullptr;
    while (!work.empty()) {
      const llvm::User *u = work.pop_back_val();
      if (auto *inst = dyn_cast<llvm::Instruction>(u)) {
        const llvm::Function *f = inst->getFunction();
        if (only && only != f)
          return nullptr;
        only = f;
      } else if (isa<llvm::Constant>(u) && !isa<llvm::GlobalValue>(u)) {
        work.append(u->user_begin(), u->user_end());
      } else {
        return nullptr;
      }
    }
    return only;
  };
  for (llvm::GlobalValue &gv : module.global_values()) {
    if (gv.isDeclaration())
      continue;
    clusters.insert(&gv);
    if (!gv.hasLocalLinkage())
      continue;
    const llvm::Function *only = nullptr;
    bool one = true;
    for (const llvm::User *u : gv.users()) {
      const llvm::Function *f = userFunction(u);
      if (!f || (only && only != f)) {
        one = false;
        break;
      }
      only = f;
    }
    if (one && only && only != &gv)
      clusters.unionSets(&gv, only);
  }
  for (llvm::GlobalValue &gv : module.global_values()) {
    if (gv.isDeclaration())
      continue;
    if (!gv.hasName())
      gv.setName("tfm.unnamed");
    if (isa<llvm::Function>(gv))
      split.order.push_back(gv.getName().str());
    if (gv.hasLocalLinkage()) {
      split.locals.push_back(gv.getName().str());
      gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
      gv.setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
  }

  // Clusters by size, largest first (by leader's name on a tie).
  struct Cluster {
    const llvm::GlobalValue *leader;
    size_t size = 0;
  };
  std::vector<Cluster> sized;
  size_t total = 0;
  for (auto it = clusters.begin(); it != clusters.end(); ++it) {
    if (!it->isLeader())
      continue;
    Cluster c{it->getData()};
    for (auto m = clusters.member_begin(it); m != clusters.member_end(); ++m)
      if (auto *f = dyn_cast<llvm::Function>(*m))
        c.size += f->getInstructionCount();
    total += c.size;
    sized.push_back(c);
  }
  llvm::sort(sized, [](const Cluster &a, const Cluster &b) {
    if (a.size != b.size)
      return a.size > b.size;
    return a.leader->getName() < b.leader->getName();
  });
  size_t numParts = std::clamp<size_t>(total / kInstructionsPerPart, 1,
                                       std::min(kMaxParts, sized.size()));
  std::vector<size_t> load(numParts, 0);
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> partOf;
  for (const Cluster &c : sized) {
    unsigned part = std::min_element(load.begin(), load.end()) - load.begin();
    load[part] += c.size;
    auto leader = clusters.findValue(c.leader);
    for (auto m = clusters.member_begin(leader); m != clusters.member_end();
         ++m)
      partOf[*m] = part;
  }
  for (unsigned part = 0; part < numParts; ++part) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> piece =
        llvm::CloneModule(module, map, [&](const llvm::GlobalValue *gv) {
          auto it = partOf.find(gv);
          return it != partOf.end() && it->second == part;
        });
    std::string bitcode;
    llvm::raw_string_ostream os(bitcode);
    llvm::WriteBitcodeToFile(*piece, os);
    os.flush();
    split.parts.push_back(std::move(bitcode));
  }
  return split;
}

/// The threads that `parallelFor(n, threads, ...)` runs on.
unsigned threadsFor(size_t n, unsigned threads) {
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min<size_t>(threads, n));
}

/// Runs `work(i)` for i in [0, n) on up to `threads` threads (0: one per
/// core), each i once.
void parallelFor(size_t n, unsigned threads,
                 llvm::function_ref<void(size_t)> work) {
  threads = threadsFor(n, threads);
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i = next++; i < n; i = next++)
      work(i);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(run);
  run();
  for (std::thread &t : pool)
    t.join();
}

/// What each part's thread produced.
struct PartResult {
  std::string output; ///< bitcode or an object
  std::string error;
  double optimize = 0, codegen = 0;
};

/// Optimizes each part of `split` (and, with `type`, compiles it) on
/// `threads` threads, each in an LLVM context and with a target machine of
/// its own.
std::vector<PartResult>
optimizeParts(const SplitModule &split, const mlir::tfm::CpuTarget &target,
              unsigned optLevel, unsigned threads,
              std::optional<llvm::CodeGenFileType> type) {
  std::vector<PartResult> results(split.parts.size());
  parallelFor(split.parts.size(), threads, [&](size_t i) {
    PartResult &r = results[i];
    llvm::LLVMContext ctx;
    auto part = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(split.parts[i], "part"), ctx);
    if (!part) {
      r.error = llvm::toString(part.takeError());
      return;
    }
    auto tm = mlir::tfm::createTargetMachine(target, optLevel, r.error);
    if (failed(tm))
      return;
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error err =
            mlir::tfm::optimizeLlvmModule(**part, **tm, optLevel)) {
      r.error = "LLVM optimization failed: " + llvm::toString(std::move(err));
      return;
    }
    r.optimize = secondsSince(start);
    start = std::chrono::steady_clock::now();
    llvm::raw_string_ostream os(r.output);
    if (type) {
      llvm::SmallVector<char, 0> buffer;
      llvm::raw_svector_ostream objectOs(buffer);
      if (failed(mlir::tfm::emitMachineCode(**part, **tm, *type, objectOs,
                                            r.error)))
        return;
      os << llvm::StringRef(buffer.data(), buffer.size());
    } else {
      llvm::WriteBitcodeToFile(**part, os);
    }
    os.flush();
    r.codegen = secondsSince(start);
  });
  return results;
}

/// A module split and compiled: the split, and each part's output.
struct CompiledParts {
  SplitModule split;
  std::vector<PartResult> parts;
};

/// What the three ways out share: `module` translated for `tm` (with the
/// JIT's packed wrappers if `packedWrappers`), split, and its parts
/// optimized (and, with `type`, compiled) on `threads` threads, their times
/// added to `times`. Fails, with a diagnostic, on the first part that
/// failed.
FailureOr<CompiledParts> compileParts(ModuleOp module, llvm::TargetMachine &tm,
                                      const mlir::tfm::CpuTarget &target,
                                      unsigned optLevel, unsigned threads,
                                      std::optional<llvm::CodeGenFileType> type,
                                      bool packedWrappers,
                                      mlir::tfm::CodegenTimes *times) {
  auto start = std::chrono::steady_clock::now();
  CompiledParts compiled;
  {
    llvm::LLVMContext llvmContext;
    auto llvmModule = translate(module, llvmContext, tm);
    if (failed(llvmModule))
      return failure();
    if (packedWrappers)
      addPackedWrappers(**llvmModule);
    compiled.split = splitModule(**llvmModule);
  }
  if (times)
    times->translate += secondsSince(start);
  compiled.parts =
      optimizeParts(compiled.split, target, optLevel, threads, type);
  for (const PartResult &r : compiled.parts) {
    if (!r.error.empty())
      return module.emitError(r.error);
    if (times) {
      times->optimize += r.optimize;
      if (type)
        times->codegen += r.codegen;
    }
  }
  if (times) {
    times->parts = compiled.parts.size();
    times->threads = threadsFor(compiled.parts.size(), threads);
  }
  return compiled;
}

} // namespace

llvm::Error mlir::tfm::optimizeLlvmModule(llvm::Module &module,
                                          llvm::TargetMachine &tm,
                                          unsigned optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The loops arrive vectorized and register-blocked for the target by
  // MLIR: LLVM's loop and SLP vectorizers and its loop unroller have nothing
  // left to do but grow the code. Off, LLVM's optimization takes 45% less
  // time (small model 1.29 -> 0.71 s, GPT-2 block 1.53 -> 0.81 s, summed over
  // parts) and the code runs as fast (training steps, fused attention, row
  // ops side by side; bench/RESULTS.md).
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = false;
  tuning.SLPVectorization = false;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = false;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel == 0
                                    ? pb.buildO0DefaultPipeline(level)
                                    : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
  return llvm::Error::success();
}

FailureOr<std::unique_ptr<llvm::Module>>
mlir::tfm::translateToLlvmIr(ModuleOp module, llvm::LLVMContext &llvmContext,
                             llvm::TargetMachine &tm, const CpuTarget &target,
                             unsigned optLevel, unsigned threads,
                             CodegenTimes *times) {
  auto compiled = compileParts(module, tm, target, optLevel, threads,
                               std::nullopt, /*packedWrappers=*/false, times);
  if (failed(compiled))
    return failure();
  // The optimized parts back in one module, their locals local again.
  auto start = std::chrono::steady_clock::now();
  auto whole = std::make_unique<llvm::Module>("LLVMDialectModule", llvmContext);
  whole->setDataLayout(tm.createDataLayout());
  whole->setTargetTriple(tm.getTargetTriple().getTriple());
  llvm::Linker linker(*whole);
  for (PartResult &r : compiled->parts) {
    auto part = llvm::parseBitcodeFile(llvm::MemoryBufferRef(r.output, "part"),
                                       llvmContext);
    if (!part)
      return module.emitError(llvm::toString(part.takeError()));
    if (linker.linkInModule(std::move(*part)))
      return module.emitError("cannot link the optimized parts");
  }
  for (const std::string &name : compiled->split.locals)
    if (llvm::GlobalValue *gv = whole->getNamedValue(name);
        gv && !gv->isDeclaration())
      gv->setLinkage(llvm::GlobalValue::InternalLinkage);
  // In the order they had before the split (what --emit=asm shows).
  for (const std::string &name : compiled->split.order)
    if (llvm::Function *f = whole->getFunction(name)) {
      f->removeFromParent();
      whole->getFunctionList().push_back(f);
    }
  if (times)
    times->translate += secondsSince(start);
  return whole;
}

namespace {

/// True for a character that may continue an assembler symbol.
bool isSymbolChar(char c) {
  return llvm::isAlnum(c) || c == '_' || c == '.' || c == '$' || c == '@';
}

/// Part `index`'s assembly, ready to be assembled after the parts before
/// it: after the first part, its assembler-local labels (`.L...`, numbered
/// per module) renamed `.Lp<index>_...` and its `.file` line dropped; the
/// `.globl`/`.hidden` lines of the symbols that were local before the split
/// dropped (local again).
std::string mergeablePart(llvm::StringRef text, size_t index,
                          const llvm::StringSet<> &locals) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  const std::string prefix = ".Lp" + std::to_string(index) + "_";
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    llvm::StringRef directive = line.ltrim();
    if (directive.consume_front(".globl") ||
        directive.consume_front(".hidden")) {
      if (locals.contains(directive.trim().trim('"')))
        continue;
    } else if (index > 0 && line.ltrim().starts_with(".file")) {
      continue;
    }
    for (size_t i = 0; i < line.size(); ++i) {
      if (index > 0 && line[i] == '.' && i + 2 < line.size() &&
          line[i + 1] == 'L' && isSymbolChar(line[i + 2]) &&
          (i == 0 || !isSymbolChar(line[i - 1]))) {
        out += prefix;
        ++i;
        continue;
      }
      out += line[i];
    }
    out += '\n';
  }
  return out;
}

/// Assembles `text` for `tm`'s target into an object on `os`, in-process.
LogicalResult assemble(llvm::StringRef text, llvm::TargetMachine &tm,
                       llvm::raw_pwrite_stream &os, std::string &error) {
  const llvm::Target &target = tm.getTarget();
  const llvm::Triple &triple = tm.getTargetTriple();
  llvm::MCTargetOptions options;
  std::unique_ptr<llvm::MCRegisterInfo> registers(
      target.createMCRegInfo(triple.str()));
  std::unique_ptr<llvm::MCAsmInfo> asmInfo(
      target.createMCAsmInfo(*registers, triple.str(), options));
  std::unique_ptr<llvm::MCInstrInfo> instructions(target.createMCInstrInfo());
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(target.createMCSubtargetInfo(
      triple.str(), tm.getTargetCPU(), tm.getTargetFeatureString()));
  llvm::SourceMgr sources;
  sources.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(text, "parts.s", false), llvm::SMLoc());
  std::string diagnostics;
  llvm::raw_string_ostream diagnosticsOs(diagnostics);
  sources.setDiagHandler(
      [](const llvm::SMDiagnostic &d, void *os) {
        d.print("tfm", *static_cast<llvm::raw_ostream *>(os));
      },
      &diagnosticsOs);
  llvm::MCContext ctx(triple, asmInfo.get(), registers.get(), subtarget.get(),
                      &sources, &options);
  std::unique_ptr<llvm::MCObjectFileInfo> fileInfo(
      target.createMCObjectFileInfo(ctx, tm.isPositionIndependent()));
  ctx.setObjectFileInfo(fileInfo.get());
  std::unique_ptr<llvm::MCAsmBackend> backend(
      target.createMCAsmBackend(*subtarget, *registers, options));
  std::unique_ptr<llvm::MCCodeEmitter> emitter(
      target.createMCCodeEmitter(*instructions, ctx));
  if (!backend || !emitter) {
    error = "the target cannot assemble objects";
    return failure();
  }
  std::unique_ptr<llvm::MCObjectWriter> writer =
      backend->createObjectWriter(os);
  std::unique_ptr<llvm::MCStreamer> streamer(target.createMCObjectStreamer(
      triple, ctx, std::move(backend), std::move(writer), std::move(emitter),
      *subtarget));
  std::unique_ptr<llvm::MCAsmParser> parser(
      llvm::createMCAsmParser(sources, ctx, *streamer, *asmInfo));
  std::unique_ptr<llvm::MCTargetAsmParser> targetParser(
      target.createMCAsmParser(*subtarget, *parser, *instructions, options));
  if (!targetParser) {
    error = "the target has no assembly parser";
    return failure();
  }
  parser->setTargetParser(*targetParser);
  if (parser->Run(/*NoInitialTextSection=*/false)) {
    error = "cannot assemble the compiled parts:\n" + diagnostics;
    return failure();
  }
  return success();
}

} // namespace

LogicalResult mlir::tfm::emitInParts(ModuleOp module, llvm::TargetMachine &tm,
                                     const CpuTarget &target, unsigned optLevel,
                                     unsigned threads,
                                     llvm::CodeGenFileType type,
                                     llvm::raw_pwrite_stream &os,
                                     CodegenTimes *times) {
  auto compiled = compileParts(module, tm, target, optLevel, threads,
                               llvm::CodeGenFileType::AssemblyFile,
                               /*packedWrappers=*/false, times);
  if (failed(compiled))
    return failure();
  auto start = std::chrono::steady_clock::now();
  llvm::StringSet<> locals;
  for (const std::string &name : compiled->split.locals)
    locals.insert(name);
  std::string merged;
  for (auto [i, r] : llvm::enumerate(compiled->parts))
    merged += mergeablePart(r.output, i, locals);
  std::string error;
  if (type == llvm::CodeGenFileType::AssemblyFile)
    os << merged;
  else if (failed(assemble(merged, tm, os, error)))
    return module.emitError(error);
  if (times)
    times->assemble += secondsSince(start);
  return success();
}

FailureOr<std::vector<std::string>>
mlir::tfm::compileToObjects(ModuleOp module, const CpuTarget &target,
                            unsigned optLevel, unsigned threads,
                            CodegenTimes *times) {
  std::string error;
  auto tm = createTargetMachine(target, optLevel, error);
  if (failed(tm))
    return module.emitError(error);
  auto compiled = compileParts(module, **tm, target, optLevel, threads,
                               llvm::CodeGenFileType::ObjectFile,
                               /*packedWrappers=*/true, times);
  if (failed(compiled))
    return failure();
  std::vector<std::string> objects;
  for (PartResult &r : compiled->parts)
    objects.push_back(std::move(r.output));
  return objects;
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
