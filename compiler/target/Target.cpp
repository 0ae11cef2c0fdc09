//===- Target.cpp - describe a CPU for code generation ----------*- C++ -*-===//
//
// LLVM says what a CPU can execute (its features, hence the vector unit); a
// table of microarchitectures says how fast (FMA units and latency) and, for
// a CPU other than the host, its caches. The host's caches come from /sys.
// Nothing here decides a schedule: that is Schedule.cpp's, from this.
//
//===----------------------------------------------------------------------===//

#include "compiler/target/Target.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using namespace mlir::tfm;

namespace {

/// Timing and caches of a known microarchitecture, by LLVM CPU name.
/// fmaUnits counts FMAs of the full register width the CPU is described
/// with (Zen 4's 512-bit FMAs run on 256-bit units, one per cycle); caches
/// are per core, L3 as one core's share of a full CCX/socket slice.
/// Sources: AMD's software optimization guides for families 17h, 19h and
/// 1Ah; Intel's optimization reference manual; Arm's Neoverse software
/// optimization guides. The Zen 3/4/5 rows agree with the FMA peaks
/// measured on the project's machines (../shared PERF.md: 92, 107-109 and
/// 232-259 GFLOP/s per core).
struct Microarchitecture {
  const char *cpu;
  int64_t fmaUnits, fmaLatency, l1d, l2, l3, l1dWays;
};

constexpr int64_t KiB = 1024, MiB = 1024 * 1024;

constexpr Microarchitecture kMicroarchitectures[] = {
    {"znver1", 1, 5, 32 * KiB, 512 * KiB, 2 * MiB, 8},
    {"znver2", 2, 5, 32 * KiB, 512 * KiB, 4 * MiB, 8},
    {"znver3", 2, 4, 32 * KiB, 512 * KiB, 4 * MiB, 8},
    {"znver4", 1, 4, 32 * KiB, 1 * MiB, 4 * MiB, 8},
    {"znver5", 2, 4, 48 * KiB, 1 * MiB, 4 * MiB, 12},
    {"haswell", 2, 5, 32 * KiB, 256 * KiB, 2 * MiB, 8},
    {"broadwell", 2, 4, 32 * KiB, 256 * KiB, 2 * MiB, 8},
    {"skylake", 2, 4, 32 * KiB, 256 * KiB, 2 * MiB, 8},
    {"alderlake", 2, 4, 48 * KiB, 1280 * KiB, 3 * MiB, 12},
    {"skylake-avx512", 2, 4, 32 * KiB, 1 * MiB, 1408 * KiB, 8},
    {"cascadelake", 2, 4, 32 * KiB, 1 * MiB, 1408 * KiB, 8},
    {"cooperlake", 2, 4, 32 * KiB, 1 * MiB, 1408 * KiB, 8},
    {"icelake-server", 2, 4, 48 * KiB, 1280 * KiB, 1536 * KiB, 12},
    {"icelake-client", 1, 4, 48 * KiB, 512 * KiB, 2 * MiB, 12},
    {"tigerlake", 1, 4, 48 * KiB, 1280 * KiB, 3 * MiB, 12},
    {"sapphirerapids", 2, 4, 48 * KiB, 2 * MiB, 1920 * KiB, 12},
    {"emeraldrapids", 2, 4, 48 * KiB, 2 * MiB, 5 * MiB, 12},
    {"graniterapids", 2, 4, 48 * KiB, 2 * MiB, 4 * MiB, 12},
    {"neoverse-n1", 2, 4, 64 * KiB, 1 * MiB, 1 * MiB, 4},
    {"neoverse-n2", 2, 4, 64 * KiB, 1 * MiB, 1 * MiB, 4},
    {"neoverse-v1", 4, 4, 64 * KiB, 1 * MiB, 1 * MiB, 4},
    {"neoverse-v2", 4, 4, 64 * KiB, 2 * MiB, 1 * MiB, 4},
    {"cortex-a72", 2, 7, 32 * KiB, 512 * KiB, 0, 2},
    {"cortex-a76", 2, 4, 64 * KiB, 512 * KiB, 1 * MiB, 4},
    {"apple-m1", 4, 4, 128 * KiB, 3 * MiB, 0, 8},
};

const Microarchitecture *findMicroarchitecture(StringRef cpu) {
  for (const Microarchitecture &m : kMicroarchitectures)
    if (cpu == m.cpu)
      return &m;
  return nullptr;
}

void initializeLlvmTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
}

/// Reads a /sys cache size such as "48K" or "32768K"; 0 if unreadable.
int64_t readCacheSize(const llvm::Twine &path) {
  auto buffer = llvm::MemoryBuffer::getFileAsStream(path);
  if (!buffer)
    return 0;
  StringRef text = (*buffer)->getBuffer().trim();
  int64_t scale = 1;
  if (text.consume_back("K"))
    scale = KiB;
  else if (text.consume_back("M"))
    scale = MiB;
  int64_t n = 0;
  if (text.getAsInteger(10, n))
    return 0;
  return n * scale;
}

std::string readText(const llvm::Twine &path) {
  auto buffer = llvm::MemoryBuffer::getFileAsStream(path);
  return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
}

/// CPUs in a /sys shared_cpu_list such as "0-1,4".
int64_t countCpus(StringRef list) {
  int64_t n = 0;
  SmallVector<StringRef> ranges;
  list.split(ranges, ',', -1, false);
  for (StringRef r : ranges) {
    auto [lo, hi] = r.split('-');
    int64_t a = 0, b = 0;
    if (lo.trim().getAsInteger(10, a))
      continue;
    if (hi.empty() || hi.trim().getAsInteger(10, b))
      b = a;
    n += b - a + 1;
  }
  return std::max<int64_t>(n, 1);
}

/// Fills the caches of `t` from /sys; false if they are not there.
bool readHostCaches(CpuTarget &t) {
  const char *base = "/sys/devices/system/cpu/cpu0/cache";
  bool any = false;
  for (int i = 0; i < 8; ++i) {
    std::string dir = llvm::formatv("{0}/index{1}", base, i).str();
    std::string level = readText(dir + "/level"),
                type = readText(dir + "/type");
    if (level.empty())
      break;
    int64_t size = readCacheSize(dir + "/size");
    if (!size)
      continue;
    if (level == "1" && type == "Data") {
      t.l1d = size;
      int64_t ways = 0;
      if (!StringRef(readText(dir + "/ways_of_associativity"))
               .getAsInteger(10, ways) &&
          ways > 0)
        t.l1dWays = ways;
    } else if (level == "2" && type != "Instruction")
      t.l2 = size;
    else if (level == "3")
      t.l3 = size / countCpus(readText(dir + "/shared_cpu_list"));
    else
      continue;
    any = true;
  }
  if (any)
    t.cacheSource = base;
  return any && t.l1d && t.l2;
}

/// The vector unit of a CPU with features `sti`.
void describeVectorUnit(CpuTarget &t, const llvm::Triple &triple,
                        const llvm::MCSubtargetInfo &sti) {
  auto has = [&](StringRef f) { return sti.checkFeatures(("+" + f).str()); };
  if (triple.isX86()) {
    if (has("avx512f")) {
      t.isa = "avx512", t.vectorBits = 512, t.vectorRegisters = 32;
    } else if (has("avx")) {
      t.isa = has("avx2") ? "avx2" : "avx";
      t.vectorBits = 256;
      t.vectorRegisters = 16;
    } else if (has("sse2")) {
      t.isa = "sse", t.vectorBits = 128, t.vectorRegisters = 16;
    } else {
      t.isa = "scalar", t.vectorBits = 32, t.vectorRegisters = 8;
    }
    t.fma = has("fma") || has("avx512f");
    // 64-bit mode has 16 xmm/ymm registers; 32-bit mode 8.
    if (!triple.isArch64Bit() && t.vectorRegisters > 8)
      t.vectorRegisters = 8;
  } else if (triple.isAArch64()) {
    bool neon = has("neon");
    t.isa = neon ? "neon" : "scalar";
    t.vectorBits = neon ? 128 : 32;
    t.vectorRegisters = 32;
    t.fma = true;
  } else {
    t.isa = "scalar", t.vectorBits = 32, t.vectorRegisters = 16;
    t.fma = false;
  }
}

/// Features that only enable system instructions (privileged, paging,
/// enclaves, power, tracing, cache control) which LLVM emits only for their
/// own intrinsics, never in compiled models: a virtual machine often hides
/// them, and lacking them cannot make model code fault.
bool isSystemFeature(StringRef f) {
  static constexpr const char *kSystem[] = {
      "clflushopt", "clwb",     "clzero", "cldemote",  "enqcmd",    "fsgsbase",
      "hreset",     "invpcid",  "kl",     "lwp",       "movdir64b", "movdiri",
      "mwaitx",     "pconfig",  "pku",    "prefetchi", "ptwrite",   "rdpid",
      "rdpru",      "rdrnd",    "rdseed", "rtm",       "serialize", "sgx",
      "shstk",      "tsxldtrk", "uintr",  "usermsr",   "waitpkg",   "wbnoinvd",
      "widekl",     "xsave",    "xsavec", "xsaveopt",  "xsaves"};
  return llvm::is_contained(kSystem, f);
}

/// The features of `sti` that are also in `known` (an LLVM feature table).
SmallVector<std::string> enabledFeatures(const llvm::MCSubtargetInfo &sti,
                                         const llvm::StringMap<bool> &known) {
  SmallVector<std::string> out;
  for (const llvm::SubtargetFeatureKV &kv : sti.getAllProcessorFeatures())
    if (known.count(kv.Key) && sti.checkFeatures(std::string("+") + kv.Key))
      out.push_back(kv.Key);
  return out;
}

} // namespace

FailureOr<CpuTarget> mlir::tfm::describeTarget(const TargetRequest &request,
                                               std::string &error) {
  initializeLlvmTargets();
  llvm::Triple hostTriple(llvm::sys::getProcessTriple());
  std::string tripleName = request.triple.empty() || request.triple == "host"
                               ? hostTriple.str()
                               : llvm::Triple::normalize(request.triple);
  llvm::Triple triple(tripleName);
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(tripleName, lookupError);
  if (!target) {
    error = "unknown target triple '" + request.triple + "' (" + lookupError +
            ") ---> HINT: e.g. x86_64-linux-gnu or aarch64-linux-gnu";
    return failure();
  }
  bool sameArch = triple.getArch() == hostTriple.getArch();
  bool wantsHost = request.cpu.empty() || request.cpu == "host";
  if (wantsHost && !sameArch && request.cpu == "host") {
    error = "--mcpu=host names this machine's CPU, which cannot run " +
            tripleName +
            " code ---> HINT: name a CPU of that architecture, "
            "or leave --mcpu out for its generic CPU";
    return failure();
  }

  CpuTarget t;
  t.triple = tripleName;
  t.host = wantsHost && sameArch;
  t.cpu = t.host      ? llvm::sys::getHostCPUName().str()
          : wantsHost ? std::string("generic")
                      : request.cpu;

  // The CPU must be one LLVM knows for this triple.
  std::unique_ptr<llvm::MCSubtargetInfo> base(
      target->createMCSubtargetInfo(tripleName, "", ""));
  if (!base) {
    error = "cannot describe CPUs of " + tripleName;
    return failure();
  }
  if (!t.host && t.cpu != "generic" && !base->isCPUStringValid(t.cpu)) {
    SmallVector<StringRef> examples;
    for (const llvm::SubtargetSubTypeKV &kv :
         base->getAllProcessorDescriptions())
      if (findMicroarchitecture(kv.Key))
        examples.push_back(kv.Key);
    error = "unknown CPU '" + t.cpu + "' for " + tripleName +
            " ---> HINT: LLVM knows e.g. " + llvm::join(examples, ", ");
    return failure();
  }

  // The user's features are checked against the target's feature table;
  // the host's own come from LLVM's host detection (llvmFeatures).
  SmallVector<std::string> features;
  SmallVector<StringRef> requested;
  StringRef(request.features).split(requested, ',', -1, false);
  for (StringRef f : requested) {
    f = f.trim();
    StringRef name = f.drop_front();
    bool known = llvm::any_of(
        base->getAllProcessorFeatures(),
        [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; });
    if ((!f.starts_with("+") && !f.starts_with("-")) || !known) {
      error = "unknown feature '" + f.str() + "' for " + tripleName +
              " ---> HINT: features are +name or -name, e.g. +avx2,-avx512f";
      return failure();
    }
    features.push_back(f.str());
  }
  t.features = llvm::join(features, ",");

  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(tripleName, t.cpu, llvmFeatures(t)));
  describeVectorUnit(t, triple, *sti);

  const Microarchitecture *uarch = findMicroarchitecture(t.cpu);
  if (uarch) {
    t.fmaUnits = uarch->fmaUnits;
    t.fmaLatency = uarch->fmaLatency;
    t.timingSource = "table: " + t.cpu;
  } else {
    // An unknown microarchitecture: two vector pipes of four cycles, what
    // every CPU of the table with this vector unit has or exceeds.
    t.fmaUnits = 2;
    t.fmaLatency = 4;
    t.timingSource = "defaults for " + t.isa;
  }
  if (!(t.host && readHostCaches(t))) {
    if (uarch) {
      t.l1d = uarch->l1d, t.l2 = uarch->l2, t.l3 = uarch->l3;
      t.l1dWays = uarch->l1dWays;
      t.cacheSource = "table: " + t.cpu;
    } else {
      t.l1d = 32 * KiB, t.l2 = 512 * KiB, t.l3 = 2 * MiB;
      t.cacheSource = "defaults";
    }
  }
  return t;
}

std::string mlir::tfm::llvmFeatures(const CpuTarget &t) {
  if (!t.host)
    return t.features;
  SmallVector<std::string> features;
  for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
    features.push_back((enabled ? "+" : "-") + name.str());
  if (!t.features.empty())
    features.push_back(t.features);
  return llvm::join(features, ",");
}

const CpuTarget &mlir::tfm::hostTarget() {
  static const CpuTarget host = [] {
    std::string error;
    FailureOr<CpuTarget> t = describeTarget({}, error);
    if (failed(t))
      llvm::report_fatal_error(
          llvm::Twine("tfm: cannot describe this machine: ") + error);
    return *t;
  }();
  return host;
}

LogicalResult mlir::tfm::checkRunsOnHost(const CpuTarget &t,
                                         std::string &error) {
  initializeLlvmTargets();
  llvm::Triple hostTriple(llvm::sys::getProcessTriple()), triple(t.triple);
  if (triple.getArch() != hostTriple.getArch()) {
    error = "code for " + t.triple + " cannot run on this " + hostTriple.str() +
            " machine";
    return failure();
  }
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(t.triple, lookupError);
  if (!target) {
    error = lookupError;
    return failure();
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(t.triple, t.cpu, llvmFeatures(t)));
  llvm::StringMap<bool> hostFeatures;
  for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
    hostFeatures[name] = enabled;
  SmallVector<std::string> missing;
  for (const std::string &f : enabledFeatures(*sti, hostFeatures))
    if (!hostFeatures.lookup(f) && !isSystemFeature(f))
      missing.push_back(f);
  if (missing.empty())
    return success();
  error = "CPU '" + t.cpu + "'" +
          (t.features.empty() ? "" : " with features '" + t.features + "'") +
          " needs " + llvm::join(missing, ", ") +
          ", which this machine's CPU (" + llvm::sys::getHostCPUName().str() +
          ") lacks ---> HINT: compile for this machine (the default), or "
          "for that CPU with tfmc --mcpu and run the object there";
  return failure();
}

FailureOr<std::unique_ptr<llvm::TargetMachine>>
mlir::tfm::createTargetMachine(const CpuTarget &t, unsigned optLevel,
                               std::string &error) {
  initializeLlvmTargets();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(t.triple, error);
  if (!target)
    return failure();
  llvm::CodeGenOptLevel level = llvm::CodeGenOpt::getLevel(optLevel).value_or(
      llvm::CodeGenOptLevel::Default);
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      t.triple, t.cpu, llvmFeatures(t), llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm) {
    error =
        "cannot create a target machine for " + t.triple + " (" + t.cpu + ")";
    return failure();
  }
  return std::move(tm);
}

DictionaryAttr mlir::tfm::targetToAttr(MLIRContext *ctx, const CpuTarget &t) {
  Builder b(ctx);
  SmallVector<NamedAttribute> entries = {
      b.getNamedAttr("triple", b.getStringAttr(t.triple)),
      b.getNamedAttr("cpu", b.getStringAttr(t.cpu)),
      b.getNamedAttr("features", b.getStringAttr(t.features)),
      b.getNamedAttr("host", b.getBoolAttr(t.host)),
      b.getNamedAttr("isa", b.getStringAttr(t.isa)),
      b.getNamedAttr("vector_bits", b.getI64IntegerAttr(t.vectorBits)),
      b.getNamedAttr("vector_registers",
                     b.getI64IntegerAttr(t.vectorRegisters)),
      b.getNamedAttr("fma", b.getBoolAttr(t.fma)),
      b.getNamedAttr("fma_units", b.getI64IntegerAttr(t.fmaUnits)),
      b.getNamedAttr("fma_latency", b.getI64IntegerAttr(t.fmaLatency)),
      b.getNamedAttr("l1d", b.getI64IntegerAttr(t.l1d)),
      b.getNamedAttr("l2", b.getI64IntegerAttr(t.l2)),
      b.getNamedAttr("l3", b.getI64IntegerAttr(t.l3)),
      b.getNamedAttr("l1d_ways", b.getI64IntegerAttr(t.l1dWays)),
      b.getNamedAttr("timing_source", b.getStringAttr(t.timingSource)),
      b.getNamedAttr("cache_source", b.getStringAttr(t.cacheSource)),
  };
  return b.getDictionaryAttr(entries);
}

FailureOr<CpuTarget> mlir::tfm::targetFromAttr(Operation *op,
                                               DictionaryAttr attr) {
  CpuTarget t;
  bool ok = true;
  auto str = [&](StringRef key, std::string &out) {
    auto a = attr.getAs<StringAttr>(key);
    if (!a) {
      op->emitError("tfm.target: expects a string '") << key << "'";
      ok = false;
      return;
    }
    out = a.str();
  };
  auto num = [&](StringRef key, int64_t &out, int64_t min) {
    auto a = attr.getAs<IntegerAttr>(key);
    if (!a || a.getInt() < min) {
      op->emitError("tfm.target: expects an integer '")
          << key << "' of at least " << min;
      ok = false;
      return;
    }
    out = a.getInt();
  };
  auto flag = [&](StringRef key, bool &out) {
    auto a = attr.getAs<BoolAttr>(key);
    if (!a) {
      op->emitError("tfm.target: expects a bool '") << key << "'";
      ok = false;
      return;
    }
    out = a.getValue();
  };
  str("triple", t.triple);
  str("cpu", t.cpu);
  str("features", t.features);
  flag("host", t.host);
  str("isa", t.isa);
  num("vector_bits", t.vectorBits, 32);
  num("vector_registers", t.vectorRegisters, 1);
  flag("fma", t.fma);
  num("fma_units", t.fmaUnits, 1);
  num("fma_latency", t.fmaLatency, 1);
  num("l1d", t.l1d, 1);
  num("l2", t.l2, 1);
  num("l3", t.l3, 0);
  num("l1d_ways", t.l1dWays, 1);
  str("timing_source", t.timingSource);
  str("cache_source", t.cacheSource);
  if (ok && t.vectorBits % 32 != 0) {
    op->emitError(
        "tfm.target: expects vector_bits to be a multiple of 32, got ")
        << t.vectorBits;
    ok = false;
  }
  if (!ok)
    return failure();
  return t;
}

FailureOr<CpuTarget> mlir::tfm::targetOf(Operation *op) {
  ModuleOp module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  if (module)
    if (Attribute a = module->getAttr(kTargetAttrName)) {
      auto dict = dyn_cast<DictionaryAttr>(a);
      if (!dict)
        return module.emitError("tfm.target: expects a dictionary, got ") << a;
      return targetFromAttr(module, dict);
    }
  return hostTarget();
}

std::string mlir::tfm::printTarget(const CpuTarget &t) {
  auto size = [](int64_t bytes) -> std::string {
    if (bytes >= MiB && bytes % MiB == 0)
      return llvm::formatv("{0} MiB", bytes / MiB).str();
    return llvm::formatv("{0} KiB", bytes / KiB).str();
  };
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "target:        " << t.triple << ", cpu " << t.cpu
     << (t.host ? " (this machine)" : "") << "\n";
  os << "vector unit:   " << t.isa << ": " << t.vectorBits << "-bit registers ("
     << t.lanes() << " f32 lanes), " << t.vectorRegisters << " of them, "
     << (t.fma ? "FMA" : "no FMA") << " (from the CPU's LLVM features)\n";
  os << "FMA timing:    " << t.fmaUnits << " per cycle, latency "
     << t.fmaLatency << " cycles (" << t.timingSource << ")\n";
  os << "caches/core:   L1d " << size(t.l1d) << " (" << t.l1dWays
     << "-way), L2 " << size(t.l2) << ", L3 "
     << (t.l3 ? size(t.l3) : std::string("none")) << " (" << t.cacheSource
     << ")\n";
  return os.str();
}
