//===- Driver.cpp - the tfmc driver -----------------------------*- C++ -*-===//
//
// tfmc compiles a model to an object file and a header, or stops at a stage
// and prints it. A model is a .mlir file, or a C++ source using the tfm DSL:
// tfmc builds that source with clang++ against the DSL headers and runs it to
// trace the model, as Halide builds and runs a generator. Everything after
// tracing is in-process.
//
//===----------------------------------------------------------------------===//

#include "Driver.h"

#include "compiler/driver/Cache.h"
#include "compiler/driver/Compiler.h"
#include "compiler/driver/Header.h"
#include "compiler/driver/Trace.h"
#include "compiler/target/Schedule.h"

#include "compiler/pipelines/Pipelines.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class Emit { Tfm, TfmTransformed, Linalg, LlvmMlir, LlvmIr, Asm, Obj };

cl::OptionCategory category("tfmc options");
cl::OptionCategory mlirCategory(
    "MLIR pass-manager options (every pass manager tfmc runs; pass names as "
    "tfm-opt --help lists them)");

cl::opt<std::string> inputFile(cl::Positional, cl::Optional,
                               cl::desc("<model.cpp | model.mlir>"),
                               cl::cat(category));
cl::opt<std::string> outputFile(
    "o", cl::value_desc("file"),
    cl::desc("output file (default: <input>.o for objects, stdout otherwise)"),
    cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("what to produce"), cl::init(Emit::Obj),
    cl::values(clEnumValN(Emit::Tfm, "tfm", "tfm dialect, as traced or parsed"),
               clEnumValN(Emit::TfmTransformed, "tfm-transformed",
                          "tfm dialect after attention fusion and autodiff "
                          "(what is lowered)"),
               clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
               clEnumValN(Emit::LlvmMlir, "llvm-mlir", "MLIR llvm dialect"),
               clEnumValN(Emit::LlvmIr, "llvm-ir", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "assembly"),
               clEnumValN(Emit::Obj, "obj", "object file and C++ header")),
    cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::Prefix, cl::init(3), cl::value_desc("0-3"),
                           cl::desc("LLVM optimization level (default 3)"),
                           cl::cat(category));
cl::opt<std::string> target("target", cl::init(""), cl::value_desc("triple"),
                            cl::desc("LLVM target triple (default: this "
                                     "machine's), e.g. aarch64-linux-gnu"),
                            cl::cat(category));
cl::opt<std::string> mcpu("mcpu", cl::init(""), cl::value_desc("cpu"),
                          cl::desc("CPU to generate code for (default: this "
                                   "machine's), e.g. znver3, skylake-avx512, "
                                   "x86-64-v3, neoverse-n1"),
                          cl::cat(category));
cl::opt<std::string> mattr("mattr", cl::init(""), cl::value_desc("features"),
                           cl::desc("CPU features to add or remove, e.g. "
                                    "+avx2,-avx512f"),
                           cl::cat(category));
cl::opt<bool> printTargetInfo(
    "print-target", cl::init(false),
    cl::desc("print the target description and the schedules computed from "
             "it (register block, tiles), then stop"),
    cl::cat(category));
cl::opt<std::string>
    headerFile("header", cl::value_desc("file"),
               cl::desc("header to write with an object (default: <output>.h)"),
               cl::cat(category));
cl::opt<std::string>
    headerNamespace("namespace", cl::init("tfm_models"),
                    cl::desc("C++ namespace of the header's functions"),
                    cl::cat(category));
cl::opt<bool> noVectorize("no-vectorize", cl::init(false),
                          cl::desc("scalar loops instead of vector code"),
                          cl::cat(category));
cl::opt<bool> noFuse("no-fuse", cl::init(false),
                     cl::desc("keep attention unfused (the reference the fused "
                              "code is checked against)"),
                     cl::cat(category));
cl::opt<bool>
    fusionRemarks("fusion-remarks", cl::init(false),
                  cl::desc("say, at its source line, why an attention "
                           "was left unfused"),
                  cl::cat(category));
cl::opt<std::string> attentionTileFlag(
    "attention-tiles", cl::init(""), cl::value_desc("QxK"),
    cl::desc("query rows x keys per tile of fused attention (default: "
             "computed from the target, see --print-target)"),
    cl::cat(category));
cl::opt<std::string> matmulBlock(
    "matmul-block", cl::init(""), cl::value_desc("MRxNR"),
    cl::desc("matmul register block, rows x columns (default: computed from "
             "the target, see --print-target)"),
    cl::cat(category));
cl::opt<unsigned> matmulKc("matmul-kc", cl::init(0), cl::value_desc("K"),
                           cl::desc("matmul k block (default: computed from "
                                    "the target's L1)"),
                           cl::cat(category));
cl::opt<bool> noFuseEpilogues(
    "no-fuse-epilogues", cl::init(false),
    cl::desc("compute the elementwise op after a matmul in a pass of its own "
             "(the reference for the fused epilogue)"),
    cl::cat(category));
cl::opt<bool> noFuseRows(
    "no-fuse-rows", cl::init(false),
    cl::desc("compute a norm's or softmax's row reductions in passes of their "
             "own (the reference for row fusion)"),
    cl::cat(category));
cl::opt<bool> noPackParams(
    "no-pack-params", cl::init(false),
    cl::desc("pack weights inside each call (no <entry>__pack entry point, "
             "no buffer of packed weights)"),
    cl::cat(category));
cl::opt<bool> packStates(
    "pack-states", cl::init(false),
    cl::desc(
        "pack a training step's weights once too (<entry>__pack takes its "
        "states), and have each step pack the weights it updates for the next"),
    cl::cat(category));
cl::opt<bool> noParallel("no-parallel", cl::init(false),
                         cl::desc("no threads: parallel loops run serially "
                                  "(objects then need no OpenMP runtime)"),
                         cl::cat(category));
cl::opt<unsigned> compileThreads(
    "compile-threads", cl::init(0), cl::value_desc("n"),
    cl::desc("threads that optimize and compile the module's parts (default "
             "0: one per core); the output is the same whatever the number"),
    cl::cat(category));
cl::opt<bool> noCache(
    "no-cache", cl::init(false),
    cl::desc("compile even if the compile cache ($TFM_CACHE_DIR, else "
             "$XDG_CACHE_HOME/tfm, else ~/.cache/tfm) has this object, and "
             "do not store it there"),
    cl::cat(category));
cl::opt<bool>
    stripLocations("strip-locations", cl::init(false),
                   cl::desc("print IR without the source locations of its ops"),
                   cl::cat(category));
cl::list<std::string> includeDirs("I", cl::Prefix, cl::value_desc("dir"),
                                  cl::desc("include directory for a C++ model"),
                                  cl::cat(category));
cl::list<std::string>
    cxxFlags("Xcxx", cl::value_desc("flag"),
             cl::desc("extra flag for clang++ on a C++ model"),
             cl::cat(category));
cl::opt<std::string> cxx("cxx", cl::init(TFM_CXX), cl::value_desc("path"),
                         cl::desc("C++ compiler for a C++ model"),
                         cl::cat(category));
cl::opt<std::string>
    depfile("depfile", cl::value_desc("file"),
            cl::desc("write the headers a C++ model includes to <file>, as a "
                     "make-style dependency of the output (for build systems)"),
            cl::cat(category));
cl::opt<std::string> depfileTarget(
    "depfile-target", cl::value_desc("path"),
    cl::desc("the output as the depfile names it (default: -o's path)"),
    cl::cat(category));

/// Prints "tfmc: error: <message>" and returns the exit code 1.
int fail(const llvm::Twine &message) {
  llvm::errs() << "tfmc: error: " << message << "\n";
  return 1;
}

/// Opens `path` ("-": stdout) for writing.
std::unique_ptr<llvm::ToolOutputFile> openOutput(llvm::StringRef path,
                                                 bool binary) {
  std::error_code ec;
  auto file = std::make_unique<llvm::ToolOutputFile>(
      path, ec, binary ? llvm::sys::fs::OF_None : llvm::sys::fs::OF_Text);
  if (ec) {
    fail("cannot open '" + path + "' for writing: " + ec.message());
    return nullptr;
  }
  return file;
}

} // namespace

/// What every run of the driver in a process shares: pass and option
/// registration, done once.
static void registerOnce() {
  using namespace mlir::tfm;
  static const bool registered = [] {
    // Pass names for --mlir-print-ir-before/after=<pass>.
    registerAllPasses();
    registerTfmPassesAndPipelines();
    registerMLIRContextCLOptions();
    registerPassManagerCLOptions();
    registerDefaultTimingManagerCLOptions();
    registerAsmPrinterCLOptions();
    cl::HideUnrelatedOptions({&category, &mlirCategory});
    // MLIR's pass-manager options (IR printing before and after passes,
    // statistics, crash reproducers, --mlir-timing) apply to every pass
    // manager tfmc runs, and --help lists them.
    for (auto &entry : cl::getRegisteredOptions()) {
      llvm::StringRef name = entry.getKey();
      if (name.starts_with("mlir-print-ir") || name.starts_with("mlir-pass-") ||
          name.starts_with("mlir-timing") || name == "mlir-print-local-scope" ||
          name == "mlir-disable-threading") {
        entry.getValue()->addCategory(mlirCategory);
        entry.getValue()->setHiddenFlag(cl::NotHidden);
      }
    }
    // LLVM's own --time-passes (llvm::TimePassesIsEnabled, which also times
    // LLVM's code generation passes), shown among tfmc's.
    if (auto *option = cl::getRegisteredOptions().lookup("time-passes")) {
      option->addCategory(category);
      option->setHiddenFlag(cl::NotHidden);
      option->setDescription("print where compile time went: each MLIR pass, "
                             "LLVM's optimization, each code generation pass");
    }
    return true;
  }();
  (void)registered;
}

int mlir::tfm::runTfmc(int argc, char **argv) {
  registerOnce();
  // Each run starts from the options' defaults (a process may run the
  // driver more than once: the command-line fuzzer does).
  cl::ResetAllOptionOccurrences();
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "tfmc: compile a tfm model to an object file and a C++ header\n\n"
          "  tfmc model.cpp -o model.o       # traces the DSL model, writes "
          "model.o + model.h\n"
          "  tfmc model.mlir --emit=linalg   # prints linalg IR with source "
          "locations\n",
          &llvm::errs()))
    return 1;

  std::string targetError;
  FailureOr<CpuTarget> cpuTarget =
      describeTarget({target, mcpu, mattr}, targetError);
  if (failed(cpuTarget))
    return fail(targetError);
  if (printTargetInfo) {
    llvm::outs() << printTarget(*cpuTarget) << printSchedules(*cpuTarget);
    return 0;
  }
  if (inputFile.empty())
    return fail("no input file ---> HINT: tfmc <model.cpp | model.mlir> "
                "[-o model.o]; tfmc --help lists the options");
  if (optLevel > 3)
    return fail("-O" + std::to_string(optLevel) +
                " is not an optimization "
                "level; use -O0 to -O3");
  if (!llvm::sys::fs::exists(inputFile))
    return fail("no such file: '" + inputFile + "'");

  // --time-passes or --mlir-timing: a report on stderr when `timing` goes
  // out of scope.
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  if (llvm::TimePassesIsEnabled)
    timing.setEnabled(true);
  TimingScope rootTimer = timing.getRootScope();

  // Read or trace the tfm module.
  std::string text, bufferName = inputFile;
  if (isCppSource(inputFile)) {
    TimingScope traceTimer = rootTimer.nest("C++ model traced (built and run)");
    std::string error;
    std::optional<TraceToolchain> toolchain = findTraceToolchain(
        llvm::sys::fs::getMainExecutable(argv[0], (void *)&runTfmc), cxx,
        error);
    if (!toolchain)
      return fail(error);
    TraceOptions trace{includeDirs, cxxFlags, depfile,
                       depfileTarget.empty() ? outputFile : depfileTarget};
    if (!depfile.empty() && outputFile.empty())
      return fail("--depfile needs -o: the depfile names the output");
    std::optional<std::string> traced =
        traceCppModel(*toolchain, inputFile, trace, error);
    if (!traced)
      return fail(error);
    text = std::move(*traced);
    bufferName = inputFile + " (traced)";
  } else {
    auto buffer = llvm::MemoryBuffer::getFile(inputFile);
    if (!buffer)
      return fail("cannot read '" + inputFile +
                  "': " + buffer.getError().message());
    text = (*buffer)->getBuffer().str();
  }

  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext ctx(registry);
  ctx.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &ctx);
  OwningOpRef<ModuleOp> module = parseModule(ctx, sourceMgr, text, bufferName);
  if (!module)
    return 1;

  CpuPipelineOptions pipeline;
  pipeline.vectorize = !noVectorize;
  pipeline.fuseAttention = !noFuse;
  pipeline.fusionRemarks = fusionRemarks.getValue();
  pipeline.parallel = !noParallel;
  pipeline.fuseEpilogues = !noFuseEpilogues;
  pipeline.fuseRows = !noFuseRows;
  pipeline.packParams = !noPackParams;
  pipeline.packStates = packStates.getValue();
  if (!attentionTileFlag.empty()) {
    long long tq = 0, tk = 0;
    char x = 0, extra = 0;
    if (std::sscanf(attentionTileFlag.c_str(), "%lld%c%lld%c", &tq, &x, &tk,
                    &extra) != 3 ||
        x != 'x' || tq <= 0 || tk <= 0)
      return fail("--attention-tiles=" + attentionTileFlag +
                  " is not two positive sizes QxK, e.g. 32x64");
    pipeline.flashQueryTile = tq;
    pipeline.flashKeyTile = tk;
  }
  if (!matmulBlock.empty()) {
    long long mr = 0, nr = 0;
    char x = 0, extra = 0;
    if (std::sscanf(matmulBlock.c_str(), "%lld%c%lld%c", &mr, &x, &nr,
                    &extra) != 3 ||
        x != 'x' || mr <= 0 || nr <= 0)
      return fail("--matmul-block=" + matmulBlock +
                  " is not two positive sizes MRxNR, e.g. 8x32");
    pipeline.matmulMr = mr;
    pipeline.matmulNr = nr;
  }
  pipeline.matmulKc = matmulKc;

  bool toObject = emit == Emit::Obj;
  std::string output = outputFile;
  if (output.empty())
    output = toObject ? llvm::sys::path::stem(inputFile).str() + ".o" : "-";
  std::string header = headerFile;
  if (header.empty()) {
    llvm::SmallString<128> path(output);
    llvm::sys::path::replace_extension(path, ".h");
    header = path.str().str();
  }
  const std::string headerSource = llvm::sys::path::filename(inputFile).str();
  // An object and its header: written from the cache or once compiled.
  auto writeObject = [&](llvm::StringRef object,
                         llvm::StringRef headerText) -> int {
    auto out = openOutput(output, /*binary=*/true);
    auto headerOut = out ? openOutput(header, /*binary=*/false) : nullptr;
    if (!out || !headerOut)
      return 1;
    out->os() << object;
    headerOut->os() << headerText;
    out->keep();
    headerOut->keep();
    return 0;
  };
  // The compile cache: an object compiled before from the same text, with
  // the same options and target, by the same compiler, is written again.
  // (Not with remarks, which only a compile prints.)
  std::string cacheDir = noCache || fusionRemarks ? "" : defaultCacheDir(), key;
  if (toObject && !cacheDir.empty()) {
    key = cacheKey({compilerIdentity(), "tfmc object and header",
                    codeIdentity(*cpuTarget, pipeline, optLevel),
                    headerNamespace, headerSource, text});
    if (std::optional<std::string> entry = readCacheEntry(cacheDir, key)) {
      CacheEntryReader reader(*entry);
      std::string object, headerText;
      if (reader.str(object) && reader.str(headerText) && reader.done()) {
        if (llvm::TimePassesIsEnabled)
          llvm::errs() << "tfmc: cache hit (" << cacheEntryPath(cacheDir, key)
                       << ")\n";
        return writeObject(object, headerText);
      }
    }
  }

  // The entry points are those of the transformed module: autodiff adds
  // <f>_grad and <f>_train_step.
  if (emit == Emit::Tfm
          ? failed(verify(*module))
          : failed(transformModule(*module, pipeline, &rootTimer,
                                   /*passManagerCLOptions=*/true)))
    return 1;
  auto signatures = readEntrySignatures(*module);
  if (failed(signatures))
    return 1;
  if (signatures->empty() && emit >= Emit::LlvmIr)
    return fail("'" + inputFile +
                "' defines no entry point: a public func.func "
                "with a body");
  Stage stage = emit <= Emit::TfmTransformed ? Stage::Tfm
                : emit == Emit::Linalg       ? Stage::Linalg
                                             : Stage::LlvmDialect;
  if (stage != Stage::Tfm)
    setTarget(*module, *cpuTarget);
  if (failed(lowerModule(*module, stage, pipeline, &rootTimer,
                         /*passManagerCLOptions=*/true)))
    return 1;
  readWorkspaces(*module, *signatures);
  // The header names an entry point's packing <name>_pack: no entry point
  // may be called that.
  for (const ::tfm::Signature &packs : *signatures)
    for (const ::tfm::Signature &other : *signatures)
      if (packs.packed_bytes > 0 && other.name == packs.name + "_pack")
        return fail("entry point '" + other.name + "' has the name of " +
                    packs.name +
                    "'s weight packing in the header ---> HINT: rename it");

  if (emit <= Emit::LlvmMlir) {
    auto out = openOutput(output, /*binary=*/false);
    if (!out)
      return 1;
    OpPrintingFlags flags;
    if (!stripLocations)
      flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false)
          .useLocalScope();
    module->print(out->os(), flags);
    out->keep();
    return 0;
  }

  std::string error;
  auto tm = createTargetMachine(*cpuTarget, optLevel, error);
  if (failed(tm))
    return fail("cannot target " + cpuTarget->triple + ": " + error);
  CodegenTimes times;
  if (emit == Emit::LlvmIr) {
    llvm::LLVMContext llvmContext;
    TimingScope llvmTimer =
        rootTimer.nest("LLVM IR, optimized (parts on threads)");
    auto llvmModule = translateToLlvmIr(*module, llvmContext, **tm, *cpuTarget,
                                        optLevel, compileThreads, &times);
    if (failed(llvmModule))
      return 1;
    auto out = openOutput(output, /*binary=*/false);
    if (!out)
      return 1;
    (*llvmModule)->print(out->os(), nullptr);
    out->keep();
    return 0;
  }
  // Assembly or an object: the parts optimized and compiled on threads,
  // assembled as one.
  auto printTimes = [&] {
    if (llvm::TimePassesIsEnabled)
      llvm::errs() << llvm::format(
          "tfmc: LLVM: translation and split %.3f s; optimization %.3f s and "
          "code generation %.3f s, summed over %zu parts on %u threads; "
          "assembly %.3f s\n",
          times.translate, times.optimize, times.codegen, times.parts,
          times.threads, times.assemble);
  };
  TimingScope llvmTimer = rootTimer.nest(
      "LLVM: optimization and code generation (parts on threads), assembly");
  if (!toObject) {
    auto out = openOutput(output, /*binary=*/false);
    if (!out)
      return 1;
    if (failed(emitInParts(*module, **tm, *cpuTarget, optLevel, compileThreads,
                           llvm::CodeGenFileType::AssemblyFile, out->os(),
                           &times)))
      return 1;
    printTimes();
    out->keep();
    return 0;
  }
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream objectOs(object);
  if (failed(emitInParts(*module, **tm, *cpuTarget, optLevel, compileThreads,
                         llvm::CodeGenFileType::ObjectFile, objectOs, &times)))
    return 1;
  llvmTimer.stop();
  printTimes();
  std::string headerText =
      generateHeader(*signatures, headerNamespace, headerSource);
  llvm::StringRef objectBytes(object.data(), object.size());
  if (!cacheDir.empty()) {
    CacheEntryWriter payload;
    payload.str(objectBytes);
    payload.str(headerText);
    if (!writeCacheEntry(cacheDir, key, payload.take(), error) &&
        llvm::TimePassesIsEnabled)
      llvm::errs() << "tfmc: cache not written: " << error << "\n";
  }
  return writeObject(objectBytes, headerText);
}
