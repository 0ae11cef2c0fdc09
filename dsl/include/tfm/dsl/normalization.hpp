// softmax along an axis and layer_norm over the last axis.
#pragma once

#include <tfm/dsl/elementwise.hpp>

namespace tfm::dsl {
namespace detail {

template <class S, std::ptrdiff_t Axis>
struct AxisCheck {
  static_assert(-static_cast<std::ptrdiff_t>(S::rank) <= Axis &&
                    Axis < static_cast<std::ptrdiff_t>(S::rank),
                "tfm::dsl::softmax<Axis>(x): Axis must be in [-rank, rank) [TFM_BAD_AXIS]");
};

template <class X, class G, class B, class EX, class EG, class EB>
struct LayerNormCheck {
  static_assert(EX::is_float && std::is_same_v<EX, EG> && std::is_same_v<EX, EB>,
                "tfm::dsl::layer_norm(x, gamma, beta): x, gamma and beta must be floating point "
                "of one element type [TFM_DTYPE_MISMATCH]");
  static_assert(X::rank >= 1,
                "tfm::dsl::layer_norm(x, gamma, beta): x must have rank >= 1 "
                "[TFM_RANK_MISMATCH]");
  static_assert(G::rank == 1 && G::dims[0] == X::dim(-1),
                "tfm::dsl::layer_norm(x, gamma, beta): gamma must have shape [x.shape[-1]] "
                "[TFM_SHAPE_MISMATCH]");
  static_assert(B::rank == 1 && B::dims[0] == X::dim(-1),
                "tfm::dsl::layer_norm(x, gamma, beta): beta must have shape [x.shape[-1]] "
                "[TFM_SHAPE_MISMATCH]");
};

}  // namespace detail

// exp(x - max) / sum(exp(x - max)) along Axis (default: the last).
template <std::ptrdiff_t Axis = -1, AnyTensor T>
T softmax(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  (void)detail::AxisCheck<typename T::shape, Axis>{};
  return T(detail::tracing(loc, "tfm.softmax")
               .emit("tfm.softmax", {&x.value()}, "axis = " + std::to_string(Axis) + " : i64",
                     x.value().type, SourceLoc::from(loc)));
}

// log(softmax(x)) along Axis, computed as x - max - log(sum(exp(x - max))).
template <std::ptrdiff_t Axis = -1, AnyTensor T>
T log_softmax(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::FloatCheck<typename T::elem>{};
  (void)detail::AxisCheck<typename T::shape, Axis>{};
  return T(detail::tracing(loc, "tfm.log_softmax")
               .emit("tfm.log_softmax", {&x.value()}, "axis = " + std::to_string(Axis) + " : i64",
                     x.value().type, SourceLoc::from(loc)));
}

namespace detail {
inline void check_eps(float eps, const char* op, const std::source_location& loc) {
  if (!(eps > 0.0f)) {
    char got[32];
    std::snprintf(got, sizeof got, "%g", static_cast<double>(eps));
    throw TraceError(SourceLoc::from(loc), std::string(op) + ": eps must be positive, got " + got);
  }
}

template <class X, class G, class EX, class EG>
struct RmsNormCheck {
  static_assert(EX::is_float && std::is_same_v<EX, EG>,
                "tfm::dsl::rms_norm(x, gamma): x and gamma must be floating point of one element "
                "type [TFM_DTYPE_MISMATCH]");
  static_assert(X::rank >= 1,
                "tfm::dsl::rms_norm(x, gamma): x must have rank >= 1 [TFM_RANK_MISMATCH]");
  static_assert(G::rank == 1 && G::dims[0] == X::dim(-1),
                "tfm::dsl::rms_norm(x, gamma): gamma must have shape [x.shape[-1]] "
                "[TFM_SHAPE_MISMATCH]");
};
}  // namespace detail

// x / sqrt(mean(x^2) + eps) * gamma over the last axis.
template <AnyTensor X, AnyTensor G>
X rms_norm(const X& x, const G& gamma, float eps = 1e-6f,
           std::source_location loc = std::source_location::current()) {
  (void)detail::RmsNormCheck<typename X::shape, typename G::shape, typename X::elem,
                             typename G::elem>{};
  detail::check_eps(eps, "tfm.rms_norm", loc);
  return X(detail::tracing(loc, "tfm.rms_norm")
               .emit("tfm.rms_norm", {&x.value(), &gamma.value()},
                     "epsilon = " + detail::f32_attr(eps), x.value().type, SourceLoc::from(loc)));
}

// (x - mean) / sqrt(var + eps) * gamma + beta over the last axis.
template <AnyTensor X, AnyTensor G, AnyTensor B>
X layer_norm(const X& x, const G& gamma, const B& beta, float eps = 1e-5f,
             std::source_location loc = std::source_location::current()) {
  (void)detail::LayerNormCheck<typename X::shape, typename G::shape, typename B::shape,
                               typename X::elem, typename G::elem, typename B::elem>{};
  detail::check_eps(eps, "tfm.layer_norm", loc);
  return X(detail::tracing(loc, "tfm.layer_norm")
               .emit("tfm.layer_norm", {&x.value(), &gamma.value(), &beta.value()},
                     "epsilon = " + detail::f32_attr(eps), x.value().type, SourceLoc::from(loc)));
}

}  // namespace tfm::dsl
