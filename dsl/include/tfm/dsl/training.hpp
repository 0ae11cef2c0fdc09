// Training: the cross-entropy loss, and Function::minimize, which asks the
// compiler for the gradient and the training step of a model:
//
//   auto loss = cross_entropy(logits, targets, {.label_smoothing = 0.1f, .ignore_index = pad});
//   f.minimize("loss", loss, AdamW{.weight_decay = 0.01f});
//
// compiles to <model> (the loss), <model>_grad (the loss and the gradient of
// every parameter) and <model>_train_step (forward, loss, backward and the
// update of the parameters and the optimizer's moments, in place; inputs
// `lr` and, for AdamW, `step`, the 1-based step count).
#pragma once

#include <optional>
#include <tfm/dsl/elementwise.hpp>
#include <tfm/dsl/optimizer.hpp>

namespace tfm::dsl {

struct CrossEntropyOptions {
  float label_smoothing = 0.0f;      // e in [0, 1): (1 - e) on the target, e / V everywhere
  std::optional<long> ignore_index;  // a target that does not count, e.g. <pad>
};

namespace detail {

// Whether `t` is `l` without its last dimension.
template <std::size_t N, std::size_t M>
constexpr bool drops_last(const std::array<dim_t, N>& l, const std::array<dim_t, M>& t) {
  if (N != M + 1) return false;
  for (std::size_t i = 0; i < M; ++i)
    if (l[i] != t[i]) return false;
  return true;
}

template <std::size_t N, std::size_t M>
constexpr bool same_dims(const std::array<dim_t, N>& a, const std::array<dim_t, M>& b) {
  if (N != M) return false;
  for (std::size_t i = 0; i < N; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

template <class L, class T, class EL, class ET>
struct CrossEntropyCheck {
  static_assert(EL::is_float,
                "tfm::dsl::cross_entropy(logits, targets): logits must be floating point "
                "[TFM_DTYPE_MISMATCH]");
  static_assert(!ET::is_float,
                "tfm::dsl::cross_entropy(logits, targets): targets must be token ids (i32 or "
                "i64) [TFM_DTYPE_MISMATCH]");
  static_assert(L::rank >= 1 && drops_last(L::dims, T::dims),
                "tfm::dsl::cross_entropy(logits, targets): targets must have the shape of logits "
                "without its last (vocabulary) dimension [TFM_SHAPE_MISMATCH]");
};

template <class T, class M, class EL, class EM>
struct LossMaskCheck {
  static_assert(std::is_same_v<EL, EM>,
                "tfm::dsl::cross_entropy(logits, targets, mask): mask must have the element "
                "type of logits [TFM_DTYPE_MISMATCH]");
  static_assert(same_dims(T::dims, M::dims),
                "tfm::dsl::cross_entropy(logits, targets, mask): mask must have the shape of "
                "targets [TFM_SHAPE_MISMATCH]");
};

inline std::string cross_entropy_attrs(const CrossEntropyOptions& o, long vocab,
                                       const std::source_location& loc) {
  if (!(o.label_smoothing >= 0.0f && o.label_smoothing < 1.0f))
    throw TraceError(SourceLoc::from(loc),
                     "tfm.cross_entropy: label_smoothing must be in [0, 1), got " +
                         std::to_string(o.label_smoothing));
  std::string attrs = "label_smoothing = " + f32_attr(o.label_smoothing);
  if (o.ignore_index) {
    if (*o.ignore_index < 0 || *o.ignore_index >= vocab)
      throw TraceError(SourceLoc::from(loc), "tfm.cross_entropy: ignore_index " +
                                                 std::to_string(*o.ignore_index) +
                                                 " is not a token id of the vocabulary [0, " +
                                                 std::to_string(vocab) + ")");
    attrs += ", ignore_index = " + std::to_string(*o.ignore_index) + " : i64";
  }
  return attrs;
}

}  // namespace detail

// The mean cross-entropy of `logits` [..., V] against `targets` [...], with
// label smoothing; targets equal to ignore_index do not count. A scalar.
template <AnyTensor L, AnyTensor T>
auto cross_entropy(const L& logits, const T& targets, CrossEntropyOptions options = {},
                   std::source_location loc = std::source_location::current()) {
  (void)detail::CrossEntropyCheck<typename L::shape, typename T::shape, typename L::elem,
                                  typename T::elem>{};
  using R = Tensor<Shape<>, typename L::elem>;
  return R(detail::tracing(loc, "tfm.cross_entropy")
               .emit("tfm.cross_entropy", {&logits.value(), &targets.value()},
                     detail::cross_entropy_attrs(options, L::shape::dim(-1), loc),
                     detail::tensor_type<Shape<>, typename L::elem>(), SourceLoc::from(loc)));
}

// The same, where only positions with mask 1 count (e.g. answers only).
template <AnyTensor L, AnyTensor T, AnyTensor M>
auto cross_entropy(const L& logits, const T& targets, const M& mask,
                   CrossEntropyOptions options = {},
                   std::source_location loc = std::source_location::current()) {
  (void)detail::CrossEntropyCheck<typename L::shape, typename T::shape, typename L::elem,
                                  typename T::elem>{};
  (void)detail::LossMaskCheck<typename T::shape, typename M::shape, typename L::elem,
                              typename M::elem>{};
  using R = Tensor<Shape<>, typename L::elem>;
  // The mask is the op's third operand, written `mask %m` in its syntax;
  // operandSegmentSizes is not needed (one optional operand).
  return R(detail::tracing(loc, "tfm.cross_entropy")
               .emit("tfm.cross_entropy", {&logits.value(), &targets.value(), &mask.value()},
                     detail::cross_entropy_attrs(options, L::shape::dim(-1), loc),
                     detail::tensor_type<Shape<>, typename L::elem>(), SourceLoc::from(loc)));
}

// Marks `loss` (a scalar) as the output `name` to minimize with `optimizer`
// over every param: the compiler adds <model>_grad and <model>_train_step.
template <class T>
void Function::minimize(std::string_view name, const T& loss, Optimizer optimizer,
                        std::source_location loc) {
  static_assert(T::shape::rank == 0,
                "tfm::dsl::Function::minimize(name, loss, optimizer): the loss must be a scalar "
                "[TFM_SHAPE_MISMATCH]");
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) throw TraceError(SourceLoc::from(loc), "Function::minimize: " + what);
  };
  std::visit(
      [&](const auto& o) {
        using O = std::decay_t<decltype(o)>;
        check(o.weight_decay >= 0.0f, "weight_decay must be >= 0");
        if constexpr (std::is_same_v<O, AdamW>) {
          check(o.beta1 >= 0.0f && o.beta1 < 1.0f, "AdamW beta1 must be in [0, 1)");
          check(o.beta2 >= 0.0f && o.beta2 < 1.0f, "AdamW beta2 must be in [0, 1)");
          check(o.epsilon > 0.0f, "AdamW epsilon must be positive");
        } else {
          check(o.momentum >= 0.0f && o.momentum < 1.0f, "Sgd momentum must be in [0, 1)");
        }
      },
      optimizer);
  output(name, loss, loc);
  std::string attrs = "loss = \"" + std::string(name) + "\"";
  std::visit(
      [&](const auto& o) {
        using O = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<O, AdamW>) {
          attrs += ", optimizer = \"adamw\", beta1 = " + detail::f32_attr(o.beta1) +
                   ", beta2 = " + detail::f32_attr(o.beta2) +
                   ", epsilon = " + detail::f32_attr(o.epsilon) +
                   ", weight_decay = " + detail::f32_attr(o.weight_decay);
        } else {
          attrs += ", optimizer = \"sgd\", momentum = " + detail::f32_attr(o.momentum) +
                   ", weight_decay = " + detail::f32_attr(o.weight_decay);
        }
      },
      optimizer);
  set_train(attrs, SourceLoc::from(loc));
}

}  // namespace tfm::dsl
