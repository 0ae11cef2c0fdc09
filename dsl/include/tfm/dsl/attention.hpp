// The pieces of attention beyond matmul and softmax: masks (causal,
// padding), rotary position embedding, and the sinusoidal position table.
#pragma once

#include <tfm/dsl/elementwise.hpp>

namespace tfm::dsl {

// Mask kinds, as types: mask<causal>(s), mask<padding>(s, lengths),
// mask<causal, padding>(s, lengths), and sliding_window<W>: causal, each
// query seeing only its last W keys (itself included; Mistral's local
// attention), mask<sliding_window<4096>>(s).
struct causal {};
struct padding {};
template <dim_t W>
struct sliding_window {
  static constexpr dim_t window = W;
};

namespace detail {

template <class K>
inline constexpr bool is_window_v = false;
template <dim_t W>
inline constexpr bool is_window_v<sliding_window<W>> = true;

template <class K>
inline constexpr bool is_mask_kind_v =
    std::is_same_v<K, causal> || std::is_same_v<K, padding> || is_window_v<K>;

template <class K>
constexpr dim_t window_of() {
  if constexpr (is_window_v<K>)
    return K::window;
  else
    return 0;
}

template <class S, class L, class ES, class EL, bool HasLengths, class... Kinds>
struct MaskCheck {
  static constexpr int windows = (int{is_window_v<Kinds>} + ... + 0);
  static constexpr dim_t window = (window_of<Kinds>() + ... + 0);
  static constexpr bool has_causal = (std::is_same_v<Kinds, causal> || ...) || windows > 0;
  static constexpr bool has_padding = (std::is_same_v<Kinds, padding> || ...);
  static_assert(sizeof...(Kinds) >= 1 && (is_mask_kind_v<Kinds> && ...),
                "tfm::dsl::mask<Kinds...>(scores): Kinds are tfm::dsl::causal or "
                "tfm::dsl::sliding_window<W>, and/or tfm::dsl::padding [TFM_BAD_MASK]");
  static_assert(windows <= 1,
                "tfm::dsl::mask<Kinds...>(scores): at most one sliding_window [TFM_BAD_MASK]");
  static_assert(windows == 0 || (window >= 1 && S::rank >= 2 && window <= S::dim(-1)),
                "tfm::dsl::mask<sliding_window<W>>(scores): the window W must be 1 to the "
                "number of keys scores.shape[-1] [TFM_BAD_MASK]");
  static_assert(HasLengths == has_padding,
                "tfm::dsl::mask<Kinds...>(scores[, lengths]): a padding mask takes the lengths "
                "[batch] of the sequences, and only a padding mask does [TFM_BAD_MASK]");
  static_assert(ES::is_float,
                "tfm::dsl::mask(scores, ...): scores must be floating point [TFM_DTYPE_MISMATCH]");
  static_assert(S::rank >= (HasLengths ? 3 : 2),
                "tfm::dsl::mask(scores, ...): scores must have shape [..., queries, keys], and "
                "[batch, ..., queries, keys] with lengths [TFM_RANK_MISMATCH]");
  static_assert(!HasLengths || (!EL::is_float && L::rank == 1 && L::dims[0] == S::dims[0]),
                "tfm::dsl::mask<padding>(scores, lengths): lengths must be integers of shape "
                "[scores.shape[0]] [TFM_SHAPE_MISMATCH]");
};

// The attributes of the tfm.mask a MaskCheck describes.
template <class Check>
std::string mask_attrs() {
  if (!Check::has_causal) return "";
  if (Check::windows == 0) return "causal";
  return "causal, window = " + std::to_string(Check::window) + " : i64";
}

}  // namespace detail

// Scores [..., Tq, Tk] with disallowed keys set to -inf: with causal, key j
// is allowed for query i when j <= i + (Tk - Tq); with sliding_window<W>,
// when also j > i + (Tk - Tq) - W.
template <class... Kinds, AnyTensor S>
S mask(const S& scores, std::source_location loc = std::source_location::current()) {
  using Check =
      detail::MaskCheck<typename S::shape, Shape<1>, typename S::elem, i32, false, Kinds...>;
  (void)Check{};
  return S(detail::tracing(loc, "tfm.mask")
               .emit("tfm.mask", {&scores.value()}, detail::mask_attrs<Check>(),
                     scores.value().type, SourceLoc::from(loc)));
}

// Scores [B, ..., Tq, Tk] with keys j >= lengths[b] (padding) set to -inf, and
// with causal also the keys after each query.
template <class... Kinds, AnyTensor S, AnyTensor L>
S mask(const S& scores, const L& lengths,
       std::source_location loc = std::source_location::current()) {
  using Check = detail::MaskCheck<typename S::shape, typename L::shape, typename S::elem,
                                  typename L::elem, true, Kinds...>;
  (void)Check{};
  return S(detail::tracing(loc, "tfm.mask")
               .emit("tfm.mask", {&scores.value(), &lengths.value()}, detail::mask_attrs<Check>(),
                     scores.value().type, SourceLoc::from(loc)));
}

namespace detail {
template <class S, class E>
struct RopeCheck {
  static_assert(E::is_float, "tfm::dsl::rope(x): x must be floating point [TFM_DTYPE_MISMATCH]");
  static_assert(S::rank >= 2,
                "tfm::dsl::rope(x): x must have shape [..., positions, width] [TFM_RANK_MISMATCH]");
  static_assert(S::rank < 2 || S::dim(-1) % 2 == 0,
                "tfm::dsl::rope(x): the width x.shape[-1] must be even [TFM_NOT_DIVISIBLE]");
};
}  // namespace detail

// Which elements of a width D rotary embedding rotates together: (i, i + D/2)
// ("rotate half": GPT-NeoX, Llama, Mistral, Qwen) or (2i, 2i + 1) (GPT-J and
// the RoPE paper).
enum class RopePairs { half, interleaved };

// Rotary position embedding of queries or keys [..., T, D]: pair i rotated by
// angle (t + offset) * base^(-2i/D); base is a checkpoint's rope_theta.
template <AnyTensor T>
T rope(const T& x, float base = 10000.0f, dim_t offset = 0, RopePairs pairs = RopePairs::half,
       std::source_location loc = std::source_location::current()) {
  (void)detail::RopeCheck<typename T::shape, typename T::elem>{};
  if (!(base > 1.0f) || offset < 0)
    throw TraceError(SourceLoc::from(loc), "tfm.rope: base must be > 1 and offset >= 0, got base " +
                                               detail::f32_attr(base) + ", offset " +
                                               std::to_string(offset));
  std::string attrs =
      "base = " + detail::f32_attr(base) + ", offset = " + std::to_string(offset) + " : i64";
  if (pairs == RopePairs::interleaved) attrs += ", interleaved = true";
  return T(detail::tracing(loc, "tfm.rope")
               .emit("tfm.rope", {&x.value()}, attrs, x.value().type, SourceLoc::from(loc)));
}

// The [T, D] sinusoidal table PE(pos, 2i) = sin(pos / 10000^(2i/D)),
// PE(pos, 2i+1) = cos(pos / 10000^(2i/D)), pos = offset .. offset + T - 1.
template <dim_t T, dim_t D, class E = f32>
Tensor<Shape<T, D>, E> sinusoidal_positions(
    dim_t offset = 0, std::source_location loc = std::source_location::current()) {
  static_assert(
      E::is_float,
      "tfm::dsl::sinusoidal_positions<T, D, E>: E must be floating point [TFM_DTYPE_MISMATCH]");
  if (offset < 0)
    throw TraceError(SourceLoc::from(loc), "tfm.sinusoidal_positions: offset must be >= 0, got " +
                                               std::to_string(offset));
  return Tensor<Shape<T, D>, E>(
      detail::tracing(loc, "tfm.sinusoidal_positions")
          .emit("tfm.sinusoidal_positions", {}, "offset = " + std::to_string(offset) + " : i64",
                detail::tensor_type<Shape<T, D>, E>(), SourceLoc::from(loc)));
}

}  // namespace tfm::dsl
