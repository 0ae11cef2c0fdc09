// The signature of a compiled entry point: its tensors in ABI order (inputs,
// parameters and states as the model declared them, then outputs), and the
// check that a call's tensors fit it. Header-only: generated headers include
// it. A state (a training step's parameters and optimizer moments) is read
// and updated in place by the call.
#pragma once

#include <span>
#include <string>
#include <tfm/status.hpp>
#include <tfm/tensor.hpp>
#include <vector>

namespace tfm {

enum class Role : std::uint8_t { input, param, state, output };

constexpr std::string_view name_of(Role r) {
  switch (r) {
    case Role::input:
      return "input";
    case Role::param:
      return "param";
    case Role::state:
      return "state";
    case Role::output:
      return "output";
  }
  return "?";
}

struct TensorSpec {
  std::string name;
  Role role = Role::input;
  DType dtype = DType::f32;
  Shape shape;
  // For an integer input that indexes a table (token ids into an embedding
  // of this many rows): each value must lie in [0, index_bound), which a
  // call checks. 0: not an index.
  std::int64_t index_bound = 0;
};

struct Signature {
  std::string name;
  std::vector<TensorSpec> args;  // ABI order: inputs/params/states, then outputs
  // Bytes of the workspace the entry point takes after its tensors (its
  // temporaries, placed by the compiler's memory plan); 0: none.
  std::int64_t workspace_bytes = 0;
  // Bytes of the entry point's weights packed once (in the layout its
  // matmuls read), a buffer it takes after its tensors and before its
  // workspace, which its `<name>__pack` entry point writes from the tensors
  // it packs from (packs_from: its params and states, in signature order); 0:
  // none. A training step reads its packed weights and writes them again
  // from the weights it updates, so that they stay packed from one step to
  // the next. With it, `pack_workspace_bytes` of the packing's own workspace.
  std::int64_t packed_bytes = 0;
  std::int64_t pack_workspace_bytes = 0;

  std::size_t count(Role r) const {
    std::size_t n = 0;
    for (const TensorSpec& a : args) n += a.role == r;
    return n;
  }
};

// Whether the weights packed once are packed from a tensor of this role: a
// param, or a state (a training step's parameters, which it updates).
constexpr bool packs_from(Role r) { return r == Role::param || r == Role::state; }

// The entry point that packs `entry`'s weights once (where its packed_bytes
// is not 0): it takes its params and states in signature order, then the
// packed buffer.
inline std::string pack_entry_name(std::string_view entry) { return std::string(entry) + "__pack"; }

// The signature of what `sig`'s packing takes (its params and states, in
// order), checked (and its mismatches named) as a call's tensors are.
inline Signature pack_signature(const Signature& sig) {
  Signature packed{sig.name + " (its params and states, to pack)", {}};
  for (const TensorSpec& spec : sig.args)
    if (packs_from(spec.role)) packed.args.push_back(spec);
  return packed;
}

// "ids: i32[1x6] input"
inline std::string describe(const TensorSpec& s) {
  return s.name + ": " + std::string(name_of(s.dtype)) + format_shape(s.shape) + " " +
         std::string(name_of(s.role));
}

// The position of the first value of `ids` outside [0, bound), or -1.
template <class T>
std::int64_t first_out_of_range(const TensorView& ids, std::int64_t bound) {
  const T* v = ids.data_as<const T>();
  const std::int64_t n = ids.size();
  for (std::int64_t i = 0; i < n; ++i)
    if (v[i] < 0 || static_cast<std::int64_t>(v[i]) >= bound) return i;
  return -1;
}

// "[0, 3]": the index of element `flat` of a row-major `shape`.
inline std::string format_position(std::span<const std::int64_t> shape, std::int64_t flat) {
  std::string s;
  for (std::size_t d = shape.size(); d-- > 0;) {
    std::int64_t size = shape[d] > 0 ? shape[d] : 1;
    s = std::to_string(flat % size) + (s.empty() ? "" : ", ") + s;
    flat /= size;
  }
  return "[" + s + "]";
}

// Checks that `args` fit `sig` one by one: count, dtype, shape, non-null
// data, and (unless check_indices is false) that each index input's values
// lie in their table. Compiled code clamps an index into its table either
// way: a value out of range reads a wrong row, never outside memory.
inline Status check_call(const Signature& sig, std::span<const TensorView> args,
                         bool check_indices = true) {
  auto fail = [&](std::string what, std::string hint) {
    return Status::error("tfm: " + sig.name + ": " + std::move(what) +
                         " ---> HINT: " + std::move(hint));
  };
  if (args.size() != sig.args.size()) {
    std::string names;
    for (const TensorSpec& s : sig.args) names += (names.empty() ? "" : ", ") + s.name;
    return fail("expects " + std::to_string(sig.args.size()) + " tensors, got " +
                    std::to_string(args.size()),
                "pass them in this order: " + names);
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const TensorSpec& s = sig.args[i];
    const TensorView& a = args[i];
    // Named only on failure: a call that fits allocates nothing.
    auto which = [&] {
      return "tensor '" + s.name + "' (" + std::string(name_of(s.role)) + ", argument " +
             std::to_string(i) + ")";
    };
    if (a.dtype() != s.dtype)
      return fail(which() + " has element type " + std::string(name_of(a.dtype())) + ", expected " +
                      std::string(name_of(s.dtype)),
                  "the model was traced with " + describe(s));
    if (a.shape() != s.shape)
      return fail(
          which() + " has shape " + format_shape(a.shape()) + ", expected " + format_shape(s.shape),
          "shapes are fixed when the model is compiled; recompile for other sizes");
    if (a.data() == nullptr && a.size() != 0)
      return fail(which() + " has no data", "pass a view of an allocated tensor");
    if (check_indices && s.index_bound > 0 && s.role == Role::input) {
      std::int64_t at = s.dtype == DType::i32   ? first_out_of_range<std::int32_t>(a, s.index_bound)
                        : s.dtype == DType::i64 ? first_out_of_range<std::int64_t>(a, s.index_bound)
                                                : -1;
      if (at >= 0) {
        std::int64_t value = s.dtype == DType::i32
                                 ? a.data_as<const std::int32_t>()[at]
                                 : static_cast<std::int64_t>(a.data_as<const std::int64_t>()[at]);
        return fail(which() + " holds " + std::to_string(value) + " at " +
                        format_position(s.shape, at) + ", outside [0, " +
                        std::to_string(s.index_bound) + ") (the rows of the table it indexes)",
                    "token ids must come from the model's vocabulary of " +
                        std::to_string(s.index_bound) + " tokens");
      }
    }
  }
  return Status();
}

}  // namespace tfm
