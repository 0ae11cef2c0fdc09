// tfm::jit: compile tfm MLIR in-process (MLIR's ExecutionEngine) and call its
// entry points on tensors. The same pipeline as tfmc; no MLIR header here.
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
  unsigned opt_level = 3;        // LLVM -O level, 0 to 3
  bool vectorize = true;         // false: scalar loops (a reference for the vector code)
  bool fuse_attention = true;    // false: unfused attention (the reference for fused)
  bool parallel = true;          // false: no threads
  bool fuse_rows = true;         // false: a norm's or softmax's row reductions in passes of their own
  bool fuse_epilogues = true;    // false: elementwise ops after matmuls in passes of their own
  long attention_query_tile = 0;   // fused attention tile: query rows (0: the target's)
  long attention_key_tile = 0;     // fused attention tile: keys (0: the target's)
  // The matmul register block (rows x columns) and k block; 0: computed
  // from the target (what tfmc --print-target shows).
  long matmul_mr = 0, matmul_nr = 0, matmul_kc = 0;
};

// A compiled module: every public function of the source is an entry point.
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
  // The signature of `entry`, or null if there is no such entry point.
  const Signature* signature(std::string_view entry) const;

  // Calls `entry` on all its tensors in signature order (inputs and params,
  // then outputs, which are written in place). Checks count, element types
  // and shapes first; a mismatch is an error naming the tensor.
  Status call(std::string_view entry, std::span<const TensorView> args) const;

  // Calls `entry` on its inputs and params and returns new output tensors.
  Result<std::vector<Tensor>> run(std::string_view entry, std::span<const TensorView> inputs) const;

 private:
  struct Impl;
  explicit Module(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfm::jit
