// The JIT: tfm MLIR --(the tfmc pipeline)--> llvm dialect --> ExecutionEngine.
// Entry points are called through their packed C-interface wrappers with one
// memref descriptor per tensor.

#include <tfm/jit.hpp>

#include <cstring>
#include <mutex>

#include "compiler/driver/Compiler.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

namespace tfm::jit {

struct Module::Impl {
  std::vector<Signature> signatures;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  // The packed-argument wrapper of each entry point, in signature order:
  // looked up once, so that a call does no symbol lookup.
  std::vector<void (*)(void**)> entries;
  // Workspaces not in use: a call takes one (allocating it only when none
  // is free, i.e. on a first call per concurrent caller) and gives it back.
  std::mutex mutex;
  std::vector<std::unique_ptr<abi::Workspace>> free_workspaces;

  std::unique_ptr<abi::Workspace> take_workspace() {
    std::lock_guard<std::mutex> lock(mutex);
    if (free_workspaces.empty()) return std::make_unique<abi::Workspace>();
    std::unique_ptr<abi::Workspace> w = std::move(free_workspaces.back());
    free_workspaces.pop_back();
    return w;
  }
  void give_back(std::unique_ptr<abi::Workspace> w) {
    std::lock_guard<std::mutex> lock(mutex);
    free_workspaces.push_back(std::move(w));
  }
};

Module::Module(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Module::Module(Module&&) noexcept = default;
Module& Module::operator=(Module&&) noexcept = default;
Module::~Module() = default;

Result<Module> Module::compile(std::string_view mlir_text, const Options& options,
                               std::string_view source_name) {
  if (options.opt_level > 3)
    return Status::error("tfm: jit: opt_level " + std::to_string(options.opt_level) +
                         " is not an optimization level ---> HINT: use 0 to 3");
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

  auto impl = std::make_unique<Impl>();
  if (options.attention_query_tile < 0 || options.attention_key_tile < 0)
    return Status::error("tfm: jit: attention tiles must be positive (or 0: the target's), got " +
                         std::to_string(options.attention_query_tile) + "x" +
                         std::to_string(options.attention_key_tile) +
                         " ---> HINT: leave them 0 to compute them from the CPU");
  std::string target_error;
  auto target = mlir::tfm::describeTarget({"", options.cpu, options.features}, target_error);
  if (mlir::failed(target)) return Status::error("tfm: jit: " + target_error);
  if (mlir::failed(mlir::tfm::checkRunsOnHost(*target, target_error)))
    return Status::error("tfm: jit: " + target_error);
  mlir::tfm::CpuPipelineOptions pipeline;
  pipeline.vectorize = options.vectorize;
  pipeline.fuseAttention = options.fuse_attention;
  pipeline.parallel = options.parallel;
  pipeline.fuseEpilogues = options.fuse_epilogues;
  pipeline.fuseRows = options.fuse_rows;
  pipeline.flashQueryTile = options.attention_query_tile;
  pipeline.flashKeyTile = options.attention_key_tile;
  if (options.matmul_mr < 0 || options.matmul_nr < 0 || options.matmul_kc < 0)
    return Status::error("tfm: jit: matmul block sizes must be positive (or 0: the target's), got " +
                         std::to_string(options.matmul_mr) + "x" + std::to_string(options.matmul_nr) +
                         ", kc " + std::to_string(options.matmul_kc) +
                         " ---> HINT: leave them 0 to compute them from the CPU");
  pipeline.matmulMr = options.matmul_mr;
  pipeline.matmulNr = options.matmul_nr;
  pipeline.matmulKc = options.matmul_kc;
  if (mlir::failed(mlir::tfm::transformModule(*module, pipeline)))
    return failed("cannot compile");
  auto signatures = mlir::tfm::readEntrySignatures(*module);
  if (mlir::failed(signatures)) return failed("bad entry points in");
  impl->signatures = std::move(*signatures);
  mlir::tfm::setTarget(*module, *target);
  if (mlir::failed(mlir::tfm::lowerModule(*module, mlir::tfm::Stage::LlvmDialect, pipeline)))
    return failed("cannot compile");
  mlir::tfm::readWorkspaces(*module, impl->signatures);

  std::string error;
  auto tm = mlir::tfm::createTargetMachine(*target, options.opt_level, error);
  if (mlir::failed(tm)) return Status::error("tfm: jit: cannot target this machine: " + error);
  auto optimize = mlir::makeOptimizingTransformer(options.opt_level, 0, tm->get());
  auto transformer = [optimize](llvm::Module* m) -> llvm::Error {
    mlir::tfm::forkOnlyWithThreads(*m);
    return optimize(m);
  };
  mlir::ExecutionEngineOptions engine_options;
  engine_options.transformer = transformer;
  engine_options.jitCodeGenOptLevel = llvm::CodeGenOpt::getLevel(options.opt_level);
  auto engine = mlir::ExecutionEngine::create(*module, engine_options, std::move(*tm));
  if (!engine)
    return Status::error("tfm: jit: cannot create the execution engine: " +
                         llvm::toString(engine.takeError()));
  impl->engine = std::move(*engine);
  for (const Signature& sig : impl->signatures) {
    auto entry = impl->engine->lookupPacked("_mlir_ciface_" + sig.name);
    if (!entry)
      return Status::error("tfm: jit: cannot find entry point '" + sig.name +
                           "': " + llvm::toString(entry.takeError()));
    impl->entries.push_back(*entry);
  }
  return Module(std::move(impl));
}

const std::vector<Signature>& Module::signatures() const { return impl_->signatures; }

const Signature* Module::signature(std::string_view entry) const {
  for (const Signature& s : impl_->signatures)
    if (s.name == entry) return &s;
  return nullptr;
}

Status Module::call(std::string_view entry, std::span<const TensorView> args) const {
  const Signature* sig = signature(entry);
  if (!sig) {
    std::string names;
    for (const Signature& s : impl_->signatures) names += (names.empty() ? "" : ", ") + s.name;
    return Status::error("tfm: jit: no entry point '" + std::string(entry) +
                         "' ---> HINT: the module has: " + names);
  }
  if (Status s = check_call(*sig, args); !s.ok()) return s;

  // One descriptor per tensor, {allocated, aligned, offset, sizes[r],
  // strides[r]}, then the workspace's; kept per thread, so that a call in
  // the steady state allocates nothing.
  thread_local std::vector<std::int64_t> storage;
  thread_local std::vector<void*> descriptor_ptrs, packed;
  std::size_t words = 0;
  for (const TensorView& a : args) words += 3 + 2 * static_cast<std::size_t>(a.rank());
  storage.resize(words + 5);
  descriptor_ptrs.resize(args.size() + 1);
  packed.resize(args.size() + 1);
  std::int64_t* d = storage.data();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const TensorView& a = args[i];
    std::int64_t rank = a.rank();
    d[0] = d[1] = reinterpret_cast<std::int64_t>(a.data());
    d[2] = 0;
    std::int64_t stride = 1;
    for (std::int64_t r = rank - 1; r >= 0; --r) {
      d[3 + r] = a.shape()[r];
      d[3 + rank + r] = stride;
      stride *= a.shape()[r];
    }
    descriptor_ptrs[i] = d;
    packed[i] = &descriptor_ptrs[i];
    d += 3 + 2 * rank;
  }
  std::size_t n = args.size();
  std::unique_ptr<abi::Workspace> workspace;
  if (sig->workspace_bytes > 0) {
    workspace = impl_->take_workspace();
    abi::MemRef<std::uint8_t, 1> w = workspace->view(sig->workspace_bytes);
    if (!w.aligned)
      return Status::error("tfm: jit: " + sig->name + ": cannot allocate its " +
                           std::to_string(sig->workspace_bytes) +
                           "-byte workspace ---> HINT: free memory for it");
    std::memcpy(d, &w, sizeof(w));
    descriptor_ptrs[n] = d;
    packed[n] = &descriptor_ptrs[n];
    ++n;
  }
  impl_->entries[static_cast<std::size_t>(sig - impl_->signatures.data())](packed.data());
  if (workspace) impl_->give_back(std::move(workspace));
  return Status();
}

Result<std::vector<Tensor>> Module::run(std::string_view entry,
                                        std::span<const TensorView> inputs) const {
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
      outputs.emplace_back(spec.dtype, spec.shape);
      args.push_back(outputs.back().view());
    }
  if (Status s = call(entry, args); !s.ok()) return s;
  return outputs;
}

}  // namespace tfm::jit
