// tfm::jit: compile tfm MLIR in-process (the tfmc pipeline, linked by LLVM's ORC JIT) and
// call its entry points on tensors. No MLIR header here: a program links tfm::jit alone.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tfm/signature.hpp>
#include <tfm/status.hpp>
#include <tfm/tensor.hpp>
#include <vector>

namespace tfm::jit {

struct Options {
  // The CPU to generate code for: "host" (this machine) or an LLVM CPU name
  // of this machine's architecture (znver3, x86-64-v3, ...), with LLVM
  // features to add or remove ("+avx2,-avx512f"). Every tile and vector
  // length follows from it. A CPU or feature this machine lacks is an error
  // at compile(), never an illegal instruction at call().
  std::string cpu = "host";
  std::string features;
  unsigned opt_level = 3;      // LLVM -O level, 0 to 3
  bool vectorize = true;       // false: scalar loops (a reference for the vector code)
  bool fuse_attention = true;  // false: unfused attention (the reference for fused)
  bool parallel = true;        // false: no threads
  bool fuse_rows = true;       // false: a norm's or softmax's row reductions in passes of their own
  bool fuse_epilogues = true;  // false: elementwise ops after matmuls in passes of their own
  // Weights (params) that matmuls read packed into their panels by an entry
  // point of their own (Module::pack), once, instead of on every call.
  // false: packed inside each call, as part of its workspace.
  bool pack_params = true;
  // With pack_params, a training step's weights (its states) too: packed by
  // Module::pack_call before the first step, and packed again by each step
  // from the weights it updated. It keeps a packed copy of every weight in
  // each layout its matmuls read across steps; false: each step packs them
  // inside (in its workspace), which costs the same packing per step.
  bool pack_states = false;
  // Each loop nest compiled as a function of its own, each distinct one
  // once (the layers of a model share theirs). false: every entry point one
  // function, each layer's code compiled again (the reference for compile
  // time and for the speed of outlined code).
  bool outline_kernels = true;
  long attention_query_tile = 0;  // fused attention tile: query rows (0: the target's)
  long attention_key_tile = 0;    // fused attention tile: keys (0: the target's)
  // The matmul register block (rows x columns) and k block; 0: computed
  // from the target (what tfmc --print-target shows).
  long matmul_mr = 0, matmul_nr = 0, matmul_kc = 0;
  // Threads that optimize and compile the module's parts (0: one per core).
  // The code is the same whatever the number.
  unsigned compile_threads = 0;
  // The on-disk cache of compiled modules: a module compiled before (the
  // same text, options and target, by the same tfm, MLIR and LLVM) is
  // loaded, not compiled. Its directory: `cache_dir`, else $TFM_CACHE_DIR,
  // else $XDG_CACHE_HOME/tfm, else ~/.cache/tfm. An entry that is not whole
  // (truncated, corrupted) is compiled again and replaced.
  bool cache = true;
  std::string cache_dir;
  // A call checks that each token-id input (an integer input that indexes
  // an embedding table) lies in the table's rows, and names the tensor and
  // the position of the first that does not. false: no scan (an id out of
  // range is clamped into the table, never read out of bounds).
  bool check_indices = true;
};

// How a module was compiled, and where the time went (seconds). With
// TFM_TIMING=1 in the environment, compile() prints it on stderr.
struct CompileStats {
  bool cache_hit = false;            // loaded from the cache: nothing compiled
  std::string cache_entry;           // the entry read or written ("" without one)
  std::size_t kernels = 0;           // distinct kernel functions (0 on a hit)
  std::size_t objects_compiled = 0;  // parts LLVM compiled (0 on a hit)
  unsigned threads = 0;              // threads that compiled them
  double mlir = 0;                   // the MLIR pipeline, to the llvm dialect
  double translate = 0;              // to LLVM IR, split into parts
  double llvm_optimize = 0;          // LLVM's optimization, summed over parts
  double codegen = 0;                // LLVM's code generation, summed over parts
  double load = 0;                   // reading the cache, linking the objects
  double total = 0;                  // all of compile(), wall time
};

class Module;

// An entry point's weights packed into the layout its matmuls read, by
// Module::pack, for calls that pass the same weights again and again:
// inference and decoding (its params), training (a training step's states:
// each step packs the weights it updated into it again, so that the next
// step reads them packed). It remembers which tensors it was packed from; a
// call given it checks that it gets the same ones. Weights written into by
// anything else must be packed again.
class PackedParams {
 public:
  PackedParams();
  PackedParams(PackedParams&&) noexcept;
  PackedParams& operator=(PackedParams&&) noexcept;
  ~PackedParams();

  // The entry point it was packed for ("" if default-constructed).
  const std::string& entry() const { return entry_; }
  // Bytes of packed weights (0: the entry point packs nothing once).
  std::int64_t bytes() const { return bytes_; }

 private:
  friend class Module;
  std::string entry_;
  std::int64_t bytes_ = 0;
  std::vector<const void*> params_;  // the data the weights were packed from
  std::unique_ptr<abi::Workspace> buffer_;
};

// A compiled module: every public function of the source is an entry point.
// No exception crosses this API: every failure, running out of memory
// included, is a Status.
// Destroy it before main returns (not from a static object's destructor):
// its code lives in LLVM's JIT, whose own static state is torn down at exit.
class Module {
 public:
  // Compiles tfm MLIR text. On failure the status holds the compiler's
  // diagnostics, each with the file:line:col of the op at fault.
  static Result<Module> compile(std::string_view mlir, const Options& options = {},
                                std::string_view source_name = "<jit>");

  Module(Module&&) noexcept;
  Module& operator=(Module&&) noexcept;
  ~Module();

  const std::vector<Signature>& signatures() const;
  const CompileStats& compile_stats() const;
  // The signature of `entry`, or null if there is no such entry point.
  const Signature* signature(std::string_view entry) const;

  // Calls `entry` on all its tensors in signature order (inputs and params,
  // then outputs, which are written in place). Checks count, element types
  // and shapes first; a mismatch is an error naming the tensor.
  // An entry point whose matmuls read weights packed once packs them first,
  // on every such call: for repeated calls on the same weights (or a
  // training loop), pack() them.
  Status call(std::string_view entry, std::span<const TensorView> args) const;

  // Calls `entry` on its inputs and params and returns new output tensors.
  Result<std::vector<Tensor>> run(std::string_view entry, std::span<const TensorView> inputs) const;

  // Packs `entry`'s weights (`params`: its params and states, in signature
  // order) into the layout its matmuls read: once, when the weights are
  // loaded, or before a training loop's first step.
  Result<PackedParams> pack(std::string_view entry, std::span<const TensorView> params) const;
  // As pack(), from the params and states among a whole call's tensors
  // (`args`, in signature order, as call() takes them): what a training loop
  // does before its first step.
  Result<PackedParams> pack_call(std::string_view entry, std::span<const TensorView> args) const;

  // As call() and run(), reading the weights from `packed` (made by pack()
  // for this entry point, from the same param and state tensors as `args`
  // holds). A training step writes its updated weights into it, packed.
  Status call(std::string_view entry, std::span<const TensorView> args,
              const PackedParams& packed) const;
  Result<std::vector<Tensor>> run(std::string_view entry, std::span<const TensorView> inputs,
                                  const PackedParams& packed) const;

 private:
  struct Impl;
  explicit Module(std::unique_ptr<Impl> impl);
  const Signature* find(std::string_view entry, Status& error) const;
  Status invoke(const Signature& sig, std::span<const TensorView> args,
                abi::Workspace* packed) const;
  // Packs the weights into `packed`: `tensors` are a whole call's (its
  // params and states picked out) or those alone.
  Status pack_into(const Signature& sig, std::span<const TensorView> tensors, bool whole_call,
                   abi::Workspace& packed) const;
  Result<std::vector<Tensor>> run_with(std::string_view entry, std::span<const TensorView> inputs,
                                       const PackedParams* packed) const;
  Result<PackedParams> packed_for(const Signature& sig, std::span<const TensorView> tensors,
                                  bool whole_call) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfm::jit
