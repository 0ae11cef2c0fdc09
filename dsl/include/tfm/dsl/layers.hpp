// Layers built from the primitive ops: linear, multi-head attention (unfused:
// the compiler's fusion pass finds the pattern), feed-forward, and the gated
// feed-forwards SwiGLU and GeGLU. Every op they
// trace carries the location of the layer's call in the user's model.
#pragma once

#include <cmath>
#include <tfm/dsl/layout.hpp>
#include <tfm/dsl/matmul.hpp>
#include <tfm/dsl/normalization.hpp>

namespace tfm::dsl {
namespace detail {

// Whether the checks pass, apart from the check classes (see layout.hpp).
template <class W, class B>
inline constexpr bool linear_ok = W::rank == 2 && B::rank == 1 && B::dims[0] == W::dim(-1);
template <class Q, class K, class V, dim_t Heads>
inline constexpr bool attention_ok = Q::rank == 3 && K::rank == 3 && V::rank == 3 &&
                                     Q::dim(-1) == K::dim(-1) && K::dim(-2) == V::dim(-2) &&
                                     Heads > 0 &&
                                     Q::dim(-1) % Heads == 0 && V::dim(-1) % Heads == 0;

template <class W, class B>
struct LinearCheck {
  static_assert(W::rank == 2,
                "tfm::dsl::linear(x, w, b): w must have shape [in, out] [TFM_RANK_MISMATCH]");
  static_assert(B::rank == 1 && B::dims[0] == W::dim(-1),
                "tfm::dsl::linear(x, w, b): b must have shape [out] = [w.shape[1]] "
                "[TFM_SHAPE_MISMATCH]");
};

template <class Q, class K, class V, dim_t Heads>
struct AttentionCheck {
  static constexpr bool ranks_ok = Q::rank == 3 && K::rank == 3 && V::rank == 3;
  static_assert(ranks_ok,
                "tfm::dsl::attention<H>(q, k, v): q, k and v must have shape [batch, seq, width] "
                "[TFM_RANK_MISMATCH]");
  static constexpr bool widths_ok = !ranks_ok || Q::dim(-1) == K::dim(-1);
  static_assert(
      widths_ok,
      "tfm::dsl::attention<H>(q, k, v): q and k must have one width [TFM_SHAPE_MISMATCH]");
  static constexpr bool seqs_ok = !ranks_ok || K::dim(-2) == V::dim(-2);
  static_assert(seqs_ok,
                "tfm::dsl::attention<H>(q, k, v): k and v must have one sequence length "
                "[TFM_SHAPE_MISMATCH]");
  static constexpr bool heads_ok =
      !ranks_ok || (Heads > 0 && Q::dim(-1) % Heads == 0 && V::dim(-1) % Heads == 0);
  static_assert(heads_ok,
                "tfm::dsl::attention<H>(q, k, v): H must divide the widths of q and v "
                "[TFM_NOT_DIVISIBLE]");
};

// The weights of a gated feed-forward: gate and up [in, hidden], down
// [hidden, in], x [..., in].
template <class X, class G, class U, class D>
inline constexpr bool gated_ok =
    X::rank >= 1 && G::rank == 2 && U::rank == 2 && D::rank == 2 && G::dim(0) == U::dim(0) &&
    G::dim(1) == U::dim(1) && G::dim(0) == X::dim(-1) && D::dim(0) == G::dim(1) &&
    D::dim(1) == G::dim(0);

template <class X, class G, class U, class D>
struct GatedCheck {
  static_assert(G::rank == 2 && U::rank == 2 && D::rank == 2,
                "tfm::dsl::swiglu/geglu(x, gate, up, down): the three weights must be matrices "
                "[TFM_RANK_MISMATCH]");
  static constexpr bool ranks_ok = X::rank >= 1 && G::rank == 2 && U::rank == 2 && D::rank == 2;
  static_assert(!ranks_ok ||
                    (G::dim(0) == U::dim(0) && G::dim(1) == U::dim(1) && G::dim(0) == X::dim(-1)),
                "tfm::dsl::swiglu/geglu(x, gate, up, down): gate and up must both have shape "
                "[in, hidden], in = x.shape[-1] [TFM_SHAPE_MISMATCH]");
  static_assert(!ranks_ok || (D::dim(0) == G::dim(1) && D::dim(1) == G::dim(0)),
                "tfm::dsl::swiglu/geglu(x, gate, up, down): down must have shape [hidden, in], "
                "the transpose of gate's [TFM_SHAPE_MISMATCH]");
};

template <class Act, AnyTensor X, AnyTensor G, AnyTensor U, AnyTensor D>
auto gated(Act act, const X& x, const G& gate, const U& up, const D& down,
           const std::source_location& loc) {
  (void)GatedCheck<typename X::shape, typename G::shape, typename U::shape, typename D::shape>{};
  if constexpr (!gated_ok<typename X::shape, typename G::shape, typename U::shape,
                          typename D::shape>)
    return x;  // after the failed check, no further errors
  else
    return matmul(mul(act(matmul(x, gate, loc), loc), matmul(x, up, loc), loc), down, loc);
}

}  // namespace detail

// x @ w: [..., in] x [in, out] -> [..., out].
template <AnyTensor X, AnyTensor W>
auto linear(const X& x, const W& w, std::source_location loc = std::source_location::current()) {
  static_assert(W::rank == 2,
                "tfm::dsl::linear(x, w): w must have shape [in, out] [TFM_RANK_MISMATCH]");
  return matmul(x, w, loc);
}

// x @ w + b.
template <AnyTensor X, AnyTensor W, AnyTensor B>
auto linear(const X& x, const W& w, const B& b,
            std::source_location loc = std::source_location::current()) {
  (void)detail::LinearCheck<typename W::shape, typename B::shape>{};
  if constexpr (!detail::linear_ok<typename W::shape, typename B::shape>)
    return x;  // after the failed check, no further errors
  else
    return add(matmul(x, w, loc), b, loc);
}

// Multi-head scaled dot-product attention without a mask:
// q: [B, Tq, D], k: [B, Tk, D], v: [B, Tk, Dv] -> [B, Tq, Dv], per head
// softmax(q_h k_h^T / sqrt(D / H)) v_h.
template <dim_t Heads, AnyTensor Q, AnyTensor K, AnyTensor V>
auto attention(const Q& q, const K& k, const V& v,
               std::source_location loc = std::source_location::current()) {
  (void)detail::AttentionCheck<typename Q::shape, typename K::shape, typename V::shape, Heads>{};
  if constexpr (!detail::attention_ok<typename Q::shape, typename K::shape, typename V::shape,
                                      Heads>) {
    return q;  // after the failed check, no further errors
  } else {
    auto qh = split_heads<Heads>(q, loc);  // [B, H, Tq, Dh]
    auto kh = split_heads<Heads>(k, loc);  // [B, H, Tk, Dh]
    auto vh = split_heads<Heads>(v, loc);  // [B, H, Tk, Dvh]
    constexpr dim_t head_width = Q::shape::dims[2] / Heads;
    const float inv_sqrt_dk = 1.0f / std::sqrt(static_cast<float>(head_width));
    auto scores = scale(matmul(qh, transpose(kh, loc), loc), inv_sqrt_dk, loc);  // [B, H, Tq, Tk]
    auto probs = softmax(scores, loc);
    return merge_heads(matmul(probs, vh, loc), loc);  // [B, Tq, Dv]
  }
}

// linear -> ReLU -> linear, with biases: [..., D] -> [..., D].
template <AnyTensor X, AnyTensor W1, AnyTensor B1, AnyTensor W2, AnyTensor B2>
auto feed_forward(const X& x, const W1& w1, const B1& b1, const W2& w2, const B2& b2,
                  std::source_location loc = std::source_location::current()) {
  return linear(relu(linear(x, w1, b1, loc), loc), w2, b2, loc);
}

// SwiGLU (Llama, Mistral, Qwen): (silu(x @ gate) * (x @ up)) @ down, no
// biases. gate, up: [in, hidden]; down: [hidden, in].
template <AnyTensor X, AnyTensor G, AnyTensor U, AnyTensor D>
auto swiglu(const X& x, const G& gate, const U& up, const D& down,
            std::source_location loc = std::source_location::current()) {
  return detail::gated([](const auto& h, const auto& l) { return silu(h, l); }, x, gate, up, down,
                       loc);
}

// GeGLU: (gelu(x @ gate) * (x @ up)) @ down, GELU exact (erf) or, with
// `tanh_approximation`, the tanh form (Gemma's).
template <AnyTensor X, AnyTensor G, AnyTensor U, AnyTensor D>
auto geglu(const X& x, const G& gate, const U& up, const D& down, bool tanh_approximation = false,
           std::source_location loc = std::source_location::current()) {
  return detail::gated(
      [&](const auto& h, const auto& l) {
        return tanh_approximation ? gelu_tanh(h, l) : gelu(h, l);
      },
      x, gate, up, down, loc);
}

}  // namespace tfm::dsl
