// The JIT: tfm MLIR --(the tfmc pipeline)--> llvm dialect --> objects, one per
// part, compiled on threads of their own --> linked in-process (ORC). Entry
// points are called through the packed forms of their C interface functions
// with one memref descriptor per tensor.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <tfm/jit.hpp>

#include "compiler/driver/Cache.h"
#include "compiler/driver/Compiler.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/RTDyldObjectLinkingLayer.h"
#include "llvm/ExecutionEngine/SectionMemoryManager.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

namespace tfm::jit {

namespace {

// Buffers not in use: a call takes one (allocating it only when none is
// free, i.e. on a first call per concurrent caller) and gives it back.
class Pool {
 public:
  std::unique_ptr<abi::Workspace> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty()) return std::make_unique<abi::Workspace>();
    std::unique_ptr<abi::Workspace> w = std::move(free_.back());
    free_.pop_back();
    return w;
  }
  void give_back(std::unique_ptr<abi::Workspace> w) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(w));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<abi::Workspace>> free_;
};

}  // namespace

struct Module::Impl {
  // Links `objects` into a JIT of its own and looks up the entry points of
  // `signatures`.
  Status load(const std::vector<std::string>& objects);

  std::vector<Signature> signatures;
  CompileStats stats;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  // The packed-argument wrapper of each entry point, in signature order:
  // looked up once, so that a call does no symbol lookup.
  std::vector<void (*)(void**)> entries;
  // Each entry point's `__pack` wrapper (null where it packs nothing once).
  std::vector<void (*)(void**)> packs;
  Pool workspaces;
  // Buffers of packed weights for calls that pack on the way (call()
  // without PackedParams).
  Pool packed;
  bool check_indices = true;  // Options::check_indices
};

Module::Module(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Module::Module(Module&&) noexcept = default;
Module& Module::operator=(Module&&) noexcept = default;
Module::~Module() = default;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs `body`, turning what it throws (std::bad_alloc, mostly) into a
// Status: no exception crosses the JIT's API.
template <class Body>
auto no_throw(const char* what, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Status::error(std::string("tfm: jit: ") + what + ": out of memory");
  } catch (const std::exception& e) {
    return Status::error(std::string("tfm: jit: ") + what + ": " + e.what());
  }
}

// A cache entry's payload: the signatures, then the objects.
using Writer = mlir::tfm::CacheEntryWriter;
using Reader = mlir::tfm::CacheEntryReader;

std::string serialize(const std::vector<Signature>& signatures,
                      const std::vector<std::string>& objects) {
  Writer w;
  w.u64(signatures.size());
  for (const Signature& sig : signatures) {
    w.str(sig.name);
    w.u64(static_cast<std::uint64_t>(sig.workspace_bytes));
    w.u64(static_cast<std::uint64_t>(sig.packed_bytes));
    w.u64(static_cast<std::uint64_t>(sig.pack_workspace_bytes));
    w.u64(sig.args.size());
    for (const TensorSpec& a : sig.args) {
      w.str(a.name);
      w.u64(static_cast<std::uint64_t>(a.role));
      w.u64(static_cast<std::uint64_t>(a.dtype));
      w.u64(a.shape.size());
      for (std::int64_t d : a.shape) w.u64(static_cast<std::uint64_t>(d));
      w.u64(static_cast<std::uint64_t>(a.index_bound));
    }
  }
  w.u64(objects.size());
  for (const std::string& o : objects) w.str(o);
  return w.take();
}

bool deserialize(std::string_view payload, std::vector<Signature>& signatures,
                 std::vector<std::string>& objects) {
  Reader r(payload);
  std::uint64_t n = 0;
  if (!r.u64(n) || n > payload.size()) return false;
  signatures.resize(n);
  for (Signature& sig : signatures) {
    std::uint64_t ws, packed, pack_ws, args;
    if (!r.str(sig.name) || !r.u64(ws) || !r.u64(packed) || !r.u64(pack_ws) || !r.u64(args) ||
        args > payload.size())
      return false;
    sig.workspace_bytes = static_cast<std::int64_t>(ws);
    sig.packed_bytes = static_cast<std::int64_t>(packed);
    sig.pack_workspace_bytes = static_cast<std::int64_t>(pack_ws);
    sig.args.resize(args);
    for (TensorSpec& a : sig.args) {
      std::uint64_t role, dtype, rank;
      if (!r.str(a.name) || !r.u64(role) || !r.u64(dtype) || !r.u64(rank) ||
          role > static_cast<std::uint64_t>(Role::output) || rank > 64)
        return false;
      a.role = static_cast<Role>(role);
      a.dtype = static_cast<DType>(dtype);
      a.shape.resize(rank);
      for (std::int64_t& d : a.shape) {
        std::uint64_t v;
        if (!r.u64(v)) return false;
        d = static_cast<std::int64_t>(v);
      }
      std::uint64_t bound;
      if (!r.u64(bound)) return false;
      a.index_bound = static_cast<std::int64_t>(bound);
    }
  }
  if (!r.u64(n) || n > payload.size()) return false;
  objects.resize(n);
  for (std::string& o : objects)
    if (!r.str(o)) return false;
  return r.done();
}

void print_timing(std::string_view source_name, const CompileStats& s) {
  if (s.cache_hit) {
    std::fprintf(stderr, "tfm: jit: %.*s: cache hit (%s): %.3f s\n",
                 static_cast<int>(source_name.size()), source_name.data(), s.cache_entry.c_str(),
                 s.total);
    return;
  }
  std::fprintf(stderr,
               "tfm: jit: %.*s: compiled in %.2f s: MLIR pipeline %.2f s (%zu kernels), "
               "LLVM IR %.2f s, LLVM optimization %.2f s + code generation %.2f s (summed over "
               "%zu part(s) on %u thread(s)), load %.3f s; cache %s\n",
               static_cast<int>(source_name.size()), source_name.data(), s.total, s.mlir, s.kernels,
               s.translate, s.llvm_optimize, s.codegen, s.objects_compiled, s.threads, s.load,
               s.cache_entry.empty() ? "off" : ("written: " + s.cache_entry).c_str());
}

}  // namespace

Result<Module> Module::compile(std::string_view mlir_text, const Options& options,
                               std::string_view source_name) {
  return no_throw("compile", [&]() -> Result<Module> {
    const auto start = std::chrono::steady_clock::now();
    if (options.opt_level > 3)
      return Status::error("tfm: jit: opt_level " + std::to_string(options.opt_level) +
                           " is not an optimization level ---> HINT: use 0 to 3");
    if (options.attention_query_tile < 0 || options.attention_key_tile < 0)
      return Status::error("tfm: jit: attention tiles must be positive (or 0: the target's), got " +
                           std::to_string(options.attention_query_tile) + "x" +
                           std::to_string(options.attention_key_tile) +
                           " ---> HINT: leave them 0 to compute them from the CPU");
    if (options.matmul_mr < 0 || options.matmul_nr < 0 || options.matmul_kc < 0)
      return Status::error(
          "tfm: jit: matmul block sizes must be positive (or 0: the target's), got " +
          std::to_string(options.matmul_mr) + "x" + std::to_string(options.matmul_nr) + ", kc " +
          std::to_string(options.matmul_kc) +
          " ---> HINT: leave them 0 to compute them from the CPU");
    std::string target_error;
    auto target = mlir::tfm::describeTarget({"", options.cpu, options.features}, target_error);
    if (mlir::failed(target)) return Status::error("tfm: jit: " + target_error);
    if (mlir::failed(mlir::tfm::checkRunsOnHost(*target, target_error)))
      return Status::error("tfm: jit: " + target_error);
    const bool timing = [] {
      const char* t = std::getenv("TFM_TIMING");
      return t && *t && std::string_view(t) != "0";
    }();

    mlir::tfm::CpuPipelineOptions pipeline;
    pipeline.vectorize = options.vectorize;
    pipeline.fuseAttention = options.fuse_attention;
    pipeline.parallel = options.parallel;
    pipeline.fuseEpilogues = options.fuse_epilogues;
    pipeline.fuseRows = options.fuse_rows;
    pipeline.packParams = options.pack_params;
    pipeline.packStates = options.pack_states;
    pipeline.outlineKernels = options.outline_kernels;
    pipeline.flashQueryTile = options.attention_query_tile;
    pipeline.flashKeyTile = options.attention_key_tile;
    pipeline.matmulMr = options.matmul_mr;
    pipeline.matmulNr = options.matmul_nr;
    pipeline.matmulKc = options.matmul_kc;

    const std::string cache_dir =
        options.cache
            ? (options.cache_dir.empty() ? mlir::tfm::defaultCacheDir() : options.cache_dir)
            : "";
    std::string key;
    if (!cache_dir.empty()) {
      key = mlir::tfm::cacheKey({mlir::tfm::compilerIdentity(), "jit",
                                 mlir::tfm::codeIdentity(*target, pipeline, options.opt_level),
                                 std::string_view(mlir_text.data(), mlir_text.size())});
      if (auto payload = mlir::tfm::readCacheEntry(cache_dir, key)) {
        // A whole entry that does not load is compiled again and written over.
        auto cached = std::make_unique<Impl>();
        cached->check_indices = options.check_indices;
        std::vector<std::string> objects;
        if (deserialize(*payload, cached->signatures, objects) && cached->load(objects).ok()) {
          CompileStats& hit = cached->stats;
          hit.cache_hit = true;
          hit.cache_entry = mlir::tfm::cacheEntryPath(cache_dir, key);
          hit.load = hit.total = seconds_since(start);
          if (timing) print_timing(source_name, hit);
          return Module(std::move(cached));
        }
      }
    }
    auto impl = std::make_unique<Impl>();
    impl->check_indices = options.check_indices;
    CompileStats& stats = impl->stats;

    mlir::DialectRegistry registry;
    mlir::tfm::registerCompilerDialects(registry);
    mlir::MLIRContext ctx(registry);
    ctx.printOpOnDiagnostic(false);

    // Collect diagnostics as "file:line:col: error: message" lines.
    std::string diagnostics;
    llvm::raw_string_ostream diag_os(diagnostics);
    llvm::SourceMgr source_mgr;
    mlir::SourceMgrDiagnosticHandler handler(source_mgr, &ctx, diag_os);
    auto failed = [&](const std::string& what) {
      return Status::error("tfm: jit: " + what + " '" + std::string(source_name) + "':\n" +
                           diagnostics);
    };

    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::tfm::parseModule(ctx, source_mgr, llvm::StringRef(mlir_text.data(), mlir_text.size()),
                               llvm::StringRef(source_name.data(), source_name.size()));
    if (!module) return failed("cannot parse");

    if (mlir::failed(mlir::tfm::transformModule(*module, pipeline)))
      return failed("cannot compile");
    auto signatures = mlir::tfm::readEntrySignatures(*module);
    if (mlir::failed(signatures)) return failed("bad entry points in");
    impl->signatures = std::move(*signatures);
    mlir::tfm::setTarget(*module, *target);
    if (mlir::failed(mlir::tfm::lowerModule(*module, mlir::tfm::Stage::LlvmDialect, pipeline)))
      return failed("cannot compile");
    mlir::tfm::readWorkspaces(*module, impl->signatures);
    stats.mlir = seconds_since(start);
    for (auto func : module->getOps<mlir::LLVM::LLVMFuncOp>())
      stats.kernels += func.getNoInline().value_or(false);

    mlir::tfm::CodegenTimes times;
    auto objects = mlir::tfm::compileToObjects(*module, *target, options.opt_level,
                                               options.compile_threads, &times);
    if (mlir::failed(objects)) return failed("cannot compile");
    stats.translate = times.translate;
    stats.llvm_optimize = times.optimize;
    stats.codegen = times.codegen;
    stats.objects_compiled = times.parts;
    stats.threads = times.threads;
    auto load_start = std::chrono::steady_clock::now();
    if (Status s = impl->load(*objects); !s.ok()) return s;
    stats.load = seconds_since(load_start);
    if (!cache_dir.empty()) {
      std::string error;
      if (mlir::tfm::writeCacheEntry(cache_dir, key, serialize(impl->signatures, *objects), error))
        stats.cache_entry = mlir::tfm::cacheEntryPath(cache_dir, key);
      else if (timing)
        std::fprintf(stderr, "tfm: jit: cache not written: %s\n", error.c_str());
    }
    stats.total = seconds_since(start);
    if (timing) print_timing(source_name, stats);
    return Module(std::move(impl));
  });
}

Status Module::Impl::load(const std::vector<std::string>& objects) {
  // Objects linked in-process (RuntimeDyld), symbols they do not define
  // (libomp, libm) resolved in the process.
  auto built = llvm::orc::LLJITBuilder()
                   .setObjectLinkingLayerCreator([](llvm::orc::ExecutionSession& session,
                                                    const llvm::Triple&) {
                     return std::make_unique<llvm::orc::RTDyldObjectLinkingLayer>(
                         session, [] { return std::make_unique<llvm::SectionMemoryManager>(); });
                   })
                   .create();
  if (!built)
    return Status::error("tfm: jit: cannot create the JIT: " + llvm::toString(built.takeError()));
  jit = std::move(*built);
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit->getDataLayout().getGlobalPrefix());
  if (!process)
    return Status::error("tfm: jit: cannot search this process's symbols: " +
                         llvm::toString(process.takeError()));
  jit->getMainJITDylib().addGenerator(std::move(*process));
  for (const std::string& object : objects)
    if (llvm::Error err = jit->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object)))
      return Status::error("tfm: jit: cannot load compiled code: " +
                           llvm::toString(std::move(err)));
  // The packed forms of the C interface functions, looked up once.
  auto lookup = [&](const std::string& name, void (*&fn)(void**)) -> llvm::Error {
    auto address = jit->lookup("_mlir__mlir_ciface_" + name);
    if (!address) return address.takeError();
    fn = address->toPtr<void (*)(void**)>();
    return llvm::Error::success();
  };
  for (const Signature& sig : signatures) {
    void (*entry)(void**) = nullptr;
    if (llvm::Error err = lookup(sig.name, entry))
      return Status::error("tfm: jit: cannot find entry point '" + sig.name +
                           "': " + llvm::toString(std::move(err)));
    entries.push_back(entry);
    void (*pack)(void**) = nullptr;
    if (sig.packed_bytes > 0)
      if (llvm::Error err = lookup(pack_entry_name(sig.name), pack))
        return Status::error("tfm: jit: cannot find the weight packing of '" + sig.name +
                             "': " + llvm::toString(std::move(err)));
    packs.push_back(pack);
  }
  return Status();
}

const std::vector<Signature>& Module::signatures() const { return impl_->signatures; }

const CompileStats& Module::compile_stats() const { return impl_->stats; }

const Signature* Module::signature(std::string_view entry) const {
  for (const Signature& s : impl_->signatures)
    if (s.name == entry) return &s;
  return nullptr;
}

namespace {

// The packed-argument list of one call: a memref descriptor per tensor,
// {allocated, aligned, offset, sizes[r], strides[r]}, then those of byte
// buffers (packed weights, the workspace). Kept per thread, so that a call in
// the steady state allocates nothing.
class Descriptors {
 public:
  // Room for `tensors` and `buffers` more, so that adding never moves them.
  void reset(std::span<const TensorView> tensors, std::size_t buffers) {
    std::size_t words = 5 * buffers;
    for (const TensorView& a : tensors) words += 3 + 2 * static_cast<std::size_t>(a.rank());
    storage_.resize(words);
    pointers_.resize(tensors.size() + buffers);
    args_.resize(tensors.size() + buffers);
    used_ = 0;
    count_ = 0;
  }
  void add(const TensorView& a) {
    std::int64_t* d = storage_.data() + used_;
    std::int64_t rank = a.rank();
    d[0] = d[1] = reinterpret_cast<std::int64_t>(a.data());
    d[2] = 0;
    std::int64_t stride = 1;
    for (std::int64_t r = rank - 1; r >= 0; --r) {
      d[3 + r] = a.shape()[r];
      d[3 + rank + r] = stride;
      stride *= a.shape()[r];
    }
    push(d, 3 + 2 * static_cast<std::size_t>(rank));
  }
  void add(const abi::MemRef<std::uint8_t, 1>& buffer) {
    std::int64_t* d = storage_.data() + used_;
    std::memcpy(d, &buffer, sizeof(buffer));
    push(d, 5);
  }
  void** args() { return args_.data(); }

 private:
  void push(std::int64_t* d, std::size_t words) {
    pointers_[count_] = d;
    args_[count_] = &pointers_[count_];
    ++count_;
    used_ += words;
  }
  std::vector<std::int64_t> storage_;
  std::vector<void*> pointers_, args_;
  std::size_t used_ = 0, count_ = 0;
};

Status no_memory(const Signature& sig, std::int64_t bytes, const char* what) {
  return Status::error("tfm: jit: " + sig.name + ": cannot allocate its " + std::to_string(bytes) +
                       "-byte " + what + " ---> HINT: free memory for it");
}

// Calls `fn` on `descriptors`, followed by a `bytes`-byte workspace from
// `pool` where it takes one.
Status run_with_workspace(void (*fn)(void**), Descriptors& descriptors, const Signature& sig,
                          std::int64_t bytes, Pool& pool) {
  std::unique_ptr<abi::Workspace> workspace;
  if (bytes > 0) {
    workspace = pool.take();
    abi::MemRef<std::uint8_t, 1> w = workspace->view(bytes);
    if (!w.aligned) return no_memory(sig, bytes, "workspace");
    descriptors.add(w);
  }
  fn(descriptors.args());
  if (workspace) pool.give_back(std::move(workspace));
  return Status();
}

}  // namespace

PackedParams::PackedParams() = default;
PackedParams::PackedParams(PackedParams&&) noexcept = default;
PackedParams& PackedParams::operator=(PackedParams&&) noexcept = default;
PackedParams::~PackedParams() = default;

const Signature* Module::find(std::string_view entry, Status& error) const {
  const Signature* sig = signature(entry);
  if (!sig) {
    std::string names;
    for (const Signature& s : impl_->signatures) names += (names.empty() ? "" : ", ") + s.name;
    error = Status::error("tfm: jit: no entry point '" + std::string(entry) +
                          "' ---> HINT: the module has: " + names);
  }
  return sig;
}

Status Module::invoke(const Signature& sig, std::span<const TensorView> args,
                      abi::Workspace* packed) const {
  thread_local Descriptors descriptors;
  descriptors.reset(args, 2);
  for (const TensorView& a : args) descriptors.add(a);
  if (sig.packed_bytes > 0) descriptors.add(packed->view(sig.packed_bytes));
  return run_with_workspace(
      impl_->entries[static_cast<std::size_t>(&sig - impl_->signatures.data())], descriptors, sig,
      sig.workspace_bytes, impl_->workspaces);
}

Status Module::pack_into(const Signature& sig, std::span<const TensorView> tensors, bool whole_call,
                         abi::Workspace& packed) const {
  abi::MemRef<std::uint8_t, 1> buffer = packed.view(sig.packed_bytes);
  if (!buffer.aligned) return no_memory(sig, sig.packed_bytes, "buffer of packed weights");
  thread_local Descriptors descriptors;
  descriptors.reset(tensors, 2);
  // The params and states of a whole call's tensors (not copied: a view
  // owns its shape).
  for (std::size_t i = 0; i < tensors.size(); ++i)
    if (!whole_call || packs_from(sig.args[i].role)) descriptors.add(tensors[i]);
  descriptors.add(buffer);
  return run_with_workspace(impl_->packs[static_cast<std::size_t>(&sig - impl_->signatures.data())],
                            descriptors, sig, sig.pack_workspace_bytes, impl_->workspaces);
}

Status Module::call(std::string_view entry, std::span<const TensorView> args) const {
  return no_throw("call", [&]() -> Status {
    Status error;
    const Signature* sig = find(entry, error);
    if (!sig) return error;
    if (Status s = check_call(*sig, args, impl_->check_indices); !s.ok()) return s;
    if (sig->packed_bytes == 0) return invoke(*sig, args, nullptr);
    // Packed on this call, into a buffer of the module's.
    std::unique_ptr<abi::Workspace> packed = impl_->packed.take();
    Status s = pack_into(*sig, args, /*whole_call=*/true, *packed);
    if (s.ok()) s = invoke(*sig, args, packed.get());
    impl_->packed.give_back(std::move(packed));
    return s;
  });
}

Result<PackedParams> Module::pack(std::string_view entry,
                                  std::span<const TensorView> params) const {
  return no_throw("pack", [&]() -> Result<PackedParams> {
    Status error;
    const Signature* sig = find(entry, error);
    if (!sig) return error;
    if (Status s = check_call(pack_signature(*sig), params); !s.ok()) return s;
    return packed_for(*sig, params, /*whole_call=*/false);
  });
}

Result<PackedParams> Module::pack_call(std::string_view entry,
                                       std::span<const TensorView> args) const {
  return no_throw("pack_call", [&]() -> Result<PackedParams> {
    Status error;
    const Signature* sig = find(entry, error);
    if (!sig) return error;
    if (Status s = check_call(*sig, args, impl_->check_indices); !s.ok()) return s;
    return packed_for(*sig, args, /*whole_call=*/true);
  });
}

Result<PackedParams> Module::packed_for(const Signature& sig, std::span<const TensorView> tensors,
                                        bool whole_call) const {
  PackedParams packed;
  packed.entry_ = sig.name;
  packed.bytes_ = sig.packed_bytes;
  for (std::size_t i = 0; i < tensors.size(); ++i)
    if (!whole_call || packs_from(sig.args[i].role)) packed.params_.push_back(tensors[i].data());
  if (sig.packed_bytes > 0) {
    packed.buffer_ = std::make_unique<abi::Workspace>();
    if (Status s = pack_into(sig, tensors, whole_call, *packed.buffer_); !s.ok()) return s;
  }
  return packed;
}

Status Module::call(std::string_view entry, std::span<const TensorView> args,
                    const PackedParams& packed) const {
  return no_throw("call", [&]() -> Status {
    Status error;
    const Signature* sig = find(entry, error);
    if (!sig) return error;
    if (Status s = check_call(*sig, args, impl_->check_indices); !s.ok()) return s;
    if (packed.entry_ != sig->name)
      return Status::error(
          "tfm: jit: " + sig->name + ": given weights packed for " +
          (packed.entry_.empty() ? std::string("no entry point") : "'" + packed.entry_ + "'") +
          " ---> HINT: pack them with pack(\"" + sig->name + "\", params)");
    std::size_t k = 0;
    for (std::size_t i = 0; i < sig->args.size(); ++i) {
      if (!packs_from(sig->args[i].role)) continue;
      if (args[i].data() != packed.params_[k++])
        return Status::error("tfm: jit: " + sig->name + ": " +
                             std::string(name_of(sig->args[i].role)) + " '" + sig->args[i].name +
                             "' is not the tensor its packed weights were packed from"
                             " ---> HINT: pack() the params and states this call passes");
    }
    return invoke(*sig, args, packed.buffer_.get());
  });
}

Result<std::vector<Tensor>> Module::run(std::string_view entry,
                                        std::span<const TensorView> inputs) const {
  return run_with(entry, inputs, nullptr);
}

Result<std::vector<Tensor>> Module::run(std::string_view entry, std::span<const TensorView> inputs,
                                        const PackedParams& packed) const {
  return run_with(entry, inputs, &packed);
}

Result<std::vector<Tensor>> Module::run_with(std::string_view entry,
                                             std::span<const TensorView> inputs,
                                             const PackedParams* packed) const {
  return no_throw("run", [&]() -> Result<std::vector<Tensor>> {
    const Signature* sig = signature(entry);
    if (!sig) return call(entry, inputs);  // names the entry points
    std::size_t num_inputs = sig->args.size() - sig->count(Role::output);
    if (inputs.size() != num_inputs)
      return Status::error("tfm: " + sig->name + ": expects " + std::to_string(num_inputs) +
                           " inputs and params, got " + std::to_string(inputs.size()) +
                           " ---> HINT: outputs are allocated by run(); use call() to pass them");
    std::vector<Tensor> outputs;
    std::vector<TensorView> args(inputs.begin(), inputs.end());
    for (const TensorSpec& spec : sig->args)
      if (spec.role == Role::output) {
        Result<Tensor> t = Tensor::create(spec.dtype, spec.shape);
        if (!t)
          return Status::error("tfm: " + sig->name + ": output '" + spec.name +
                               "': " + t.message());
        outputs.push_back(std::move(*t));
        args.push_back(outputs.back().view());
      }
    Status s = packed ? call(entry, args, *packed) : call(entry, args);
    if (!s.ok()) return s;
    return outputs;
  });
}

}  // namespace tfm::jit
