// Elementwise ops: add and mul with NumPy broadcasting, scale, the
// activations relu, gelu, gelu_tanh, sigmoid and silu, and dropout. The operators a + b,
// a * b and a * c (tensor.hpp) call them.
#pragma once

#include <tfm/dsl/concepts.hpp>

namespace tfm::dsl {
namespace detail {

template <class A, class B, class EA, class EB>
struct BroadcastCheck {
  static_assert(std::is_same_v<EA, EB>,
                "tfm::dsl::add/mul(a, b): a and b must have one element type [TFM_DTYPE_MISMATCH]");
  static_assert(EA::is_float,
                "tfm::dsl::add/mul(a, b): operands must be floating point [TFM_DTYPE_MISMATCH]");
  static_assert(shapes::broadcastable(A::dims, B::dims),
                "tfm::dsl::add/mul(a, b): shapes must broadcast: aligned at the last dimension, "
                "each pair equal or 1 [TFM_SHAPE_MISMATCH]");
  static constexpr auto dims = shapes::broadcast(A::dims, B::dims);
  using result = shape_from<dims>;
};

template <class E>
struct FloatCheck {
  static_assert(E::is_float,
                "tfm::dsl: this op takes a floating-point tensor [TFM_DTYPE_MISMATCH]");
};

template <class A, class B>
auto broadcast_binary(std::string_view op, const A& a, const B& b,
                      const std::source_location& loc) {
  using Check =
      BroadcastCheck<typename A::shape, typename B::shape, typename A::elem, typename B::elem>;
  using R = Tensor<typename Check::result, typename A::elem>;
  return R(tracing(loc, op).emit(op, {&a.value(), &b.value()}, "",
                                 tensor_type<typename R::shape, typename R::elem>(),
                                 SourceLoc::from(loc)));
}

}  // namespace detail

template <AnyTensor A, AnyTensor B>
auto add(const A& a, const B& b, std::source_location loc = std::source_location::current()) {
  return detail::broadcast_binary("tfm.add", a, b, loc);
}

template <AnyTensor A, AnyTensor B>
auto mul(const A& a, const B& b, std::source_location loc = std::source_location::current()) {
  return detail::broadcast_binary("tfm.mul", a, b, loc);
}

// x * factor, with the factor a compile-time-visible constant of the IR.
template <AnyTensor T>
T scale(const T& x, float factor, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  return T(detail::tracing(loc, "tfm.scale")
               .emit("tfm.scale", {&x.value()}, "factor = " + detail::f32_attr(factor),
                     x.value().type, SourceLoc::from(loc)));
}

template <AnyTensor T>
T relu(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  return T(detail::tracing(loc, "tfm.relu")
               .emit("tfm.relu", {&x.value()}, "", x.value().type, SourceLoc::from(loc)));
}

// x * Phi(x), Phi the normal CDF through erf (the exact GELU).
template <AnyTensor T>
T gelu(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  return T(detail::tracing(loc, "tfm.gelu")
               .emit("tfm.gelu", {&x.value()}, "approximate = \"none\"", x.value().type,
                     SourceLoc::from(loc)));
}

// GELU with the tanh approximation of BERT and GPT-2.
template <AnyTensor T>
T gelu_tanh(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  return T(detail::tracing(loc, "tfm.gelu")
               .emit("tfm.gelu", {&x.value()}, "approximate = \"tanh\"", x.value().type,
                     SourceLoc::from(loc)));
}

// 1 / (1 + exp(-x)).
template <AnyTensor T>
T sigmoid(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  return T(detail::tracing(loc, "tfm.sigmoid")
               .emit("tfm.sigmoid", {&x.value()}, "", x.value().type, SourceLoc::from(loc)));
}

// x * sigmoid(x) (also called swish), the activation of SwiGLU.
template <AnyTensor T>
T silu(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  return T(detail::tracing(loc, "tfm.silu")
               .emit("tfm.silu", {&x.value()}, "", x.value().type, SourceLoc::from(loc)));
}

// Dropout for training: in the model's gradient and training step, each
// element zeroed with probability `rate` and the others scaled by
// 1 / (1 - rate), with masks drawn afresh at every step (seeded, the same on
// every run); in the model itself (inference), the identity.
template <AnyTensor T>
T dropout(const T& x, float rate, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  Function& f = detail::tracing(loc, "tfm.dropout");
  if (!(rate >= 0.0f && rate < 1.0f))
    throw TraceError(SourceLoc::from(loc),
                     "tfm.dropout: the rate must be in [0, 1), got " + detail::f32_attr(rate));
  return T(f.emit("tfm.dropout", {&x.value()},
                  "rate = " + detail::f32_attr(rate) +
                      ", seed = " + std::to_string(f.next_dropout_seed()) + " : i64",
                  x.value().type, SourceLoc::from(loc)));
}

namespace detail {
template <class A, class B>
struct ResidualCheck {
  static_assert(std::is_same_v<A, B>,
                "tfm::dsl::residual(x, f_x): x and f_x must have one shape and element type: a "
                "residual connection does not broadcast [TFM_SHAPE_MISMATCH]");
};
}  // namespace detail

// x + f_x for a residual connection: unlike add, both must have one shape.
template <AnyTensor A, AnyTensor B>
A residual(const A& x, const B& fx, std::source_location loc = std::source_location::current()) {
  (void)detail::ResidualCheck<A, B>{};
  if constexpr (std::is_same_v<A, B>)
    return add(x, fx, loc);
  else
    return x;  // after the failed check, no further errors
}

}  // namespace tfm::dsl
