// Data movement: permute, transpose (of the last two dims), reshape, and the
// multi-head split [B, T, D] -> [B, H, T, D/H] and merge back.
#pragma once

#include <tfm/dsl/elementwise.hpp>

namespace tfm::dsl {
namespace detail {

template <class S, dim_t... P>
struct PermuteCheck {
  static constexpr std::array<dim_t, sizeof...(P)> perm{P...};
  static_assert(sizeof...(P) == S::rank,
                "tfm::dsl::permute<P...>(x): P must have one entry per dimension of x "
                "[TFM_BAD_PERMUTATION]");
  static_assert(shapes::is_permutation(perm),
                "tfm::dsl::permute<P...>(x): P must be a permutation of 0..rank-1 "
                "[TFM_BAD_PERMUTATION]");
  static constexpr auto dims = shapes::permute(S::dims, perm);
  using result = shape_from<dims>;
};

template <class From, class To>
struct ReshapeCheck {
  static_assert(From::size == To::size,
                "tfm::dsl::reshape<S>(x): S must have as many elements as x [TFM_SHAPE_MISMATCH]");
};

// Whether the checks below pass, apart from the check classes: clang treats
// a member of a class whose static_assert failed as unknown, so a guard on it
// would not stop the errors that follow.
template <class S, dim_t Heads>
inline constexpr bool split_heads_ok = S::rank == 3 && Heads > 0 && S::dim(-1) % Heads == 0;
template <class S>
inline constexpr bool merge_heads_ok = S::rank == 4;

template <class S, dim_t Heads>
struct SplitHeadsCheck {
  static_assert(S::rank == 3,
                "tfm::dsl::split_heads<H>(x): x must have shape [batch, seq, width] "
                "[TFM_RANK_MISMATCH]");
  static_assert(Heads > 0 && S::dim(-1) % Heads == 0,
                "tfm::dsl::split_heads<H>(x): H must divide the width x.shape[-1] "
                "[TFM_NOT_DIVISIBLE]");
};

template <class S>
struct MergeHeadsCheck {
  static_assert(S::rank == 4,
                "tfm::dsl::merge_heads(x): x must have shape [batch, heads, seq, head_width] "
                "[TFM_RANK_MISMATCH]");
};

template <std::size_t N>
std::string permutation_attr(const std::array<dim_t, N>& p) {
  std::string s = "permutation = array<i64";
  for (std::size_t i = 0; i < N; ++i) s += (i ? ", " : ": ") + std::to_string(p[i]);
  return s + ">";
}

}  // namespace detail

// result.shape[i] = x.shape[P[i]].
template <dim_t... P, AnyTensor T>
auto permute(const T& x, std::source_location loc = std::source_location::current()) {
  using Check = detail::PermuteCheck<typename T::shape, P...>;
  using R = Tensor<typename Check::result, typename T::elem>;
  return R(detail::tracing(loc, "tfm.transpose")
               .emit("tfm.transpose", {&x.value()}, detail::permutation_attr(Check::perm),
                     detail::tensor_type<typename R::shape, typename R::elem>(),
                     SourceLoc::from(loc)));
}

// Swaps the last two dimensions: the K^T of attention.
template <AnyTensor T>
auto transpose(const T& x, std::source_location loc = std::source_location::current()) {
  static_assert(T::rank >= 2, "tfm::dsl::transpose(x): x must have rank >= 2 [TFM_RANK_MISMATCH]");
  if constexpr (T::rank < 2) {
    return x;  // after the failed check, no further errors
  } else {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return permute<static_cast<dim_t>(I)..., static_cast<dim_t>(T::rank - 1),
                     static_cast<dim_t>(T::rank - 2)>(x, loc);
    }(std::make_index_sequence<T::rank - 2>{});
  }
}

namespace detail {
template <class From, class To, dim_t... Offsets>
struct SliceCheck {
  static constexpr std::size_t rank = From::rank;
  static constexpr bool ranks_ok =
      To::rank == rank && (sizeof...(Offsets) == 0 || sizeof...(Offsets) == rank);
  static_assert(ranks_ok,
                "tfm::dsl::slice<S, Offsets...>(x): S and the offsets (if any) must have one entry "
                "per dimension of x [TFM_RANK_MISMATCH]");
  static constexpr bool in_bounds() {
    std::array<dim_t, sizeof...(Offsets)> offsets{Offsets...};
    for (std::size_t i = 0; i < rank; ++i) {
      dim_t offset = sizeof...(Offsets) == 0 ? 0 : offsets[i];
      if (offset < 0 || offset + To::dims[i] > From::dims[i]) return false;
    }
    return true;
  }
  static_assert(!ranks_ok || in_bounds(),
                "tfm::dsl::slice<S, Offsets...>(x): every offset + S's size must stay within x's "
                "dimension [TFM_SHAPE_MISMATCH]");
};
}  // namespace detail

// The box of shape S at Offsets (zeros if none given) of x, strides 1: e.g.
// slice<Shape<6, 8>>(positions) for the first 6 rows of a position table.
template <class S, dim_t... Offsets, AnyTensor T>
Tensor<S, typename T::elem> slice(const T& x,
                                  std::source_location loc = std::source_location::current()) {
  (void)detail::SliceCheck<typename T::shape, S, Offsets...>{};
  std::string offsets = "offsets = array<i64";
  if constexpr (sizeof...(Offsets) == 0) {
    for (std::size_t i = 0; i < T::rank; ++i) offsets += (i ? ", 0" : ": 0");
  } else {
    std::size_t i = 0;
    ((offsets += (i++ ? ", " : ": ") + std::to_string(Offsets)), ...);
  }
  offsets += ">";
  return Tensor<S, typename T::elem>(detail::tracing(loc, "tfm.slice")
                                         .emit("tfm.slice", {&x.value()}, offsets,
                                               detail::tensor_type<S, typename T::elem>(),
                                               SourceLoc::from(loc)));
}

// The same elements, row-major, as shape S.
template <class S, AnyTensor T>
Tensor<S, typename T::elem> reshape(const T& x,
                                    std::source_location loc = std::source_location::current()) {
  (void)detail::ReshapeCheck<typename T::shape, S>{};
  using R = Tensor<S, typename T::elem>;
  return R(detail::tracing(loc, "tfm.reshape")
               .emit("tfm.reshape", {&x.value()}, "", detail::tensor_type<S, typename T::elem>(),
                     SourceLoc::from(loc)));
}

// [B, T, D] -> [B, H, T, D/H]
template <dim_t Heads, AnyTensor T>
auto split_heads(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::SplitHeadsCheck<typename T::shape, Heads>{};
  if constexpr (!detail::split_heads_ok<typename T::shape, Heads>) {
    return x;  // after the failed check, no further errors
  } else {
    using S = typename T::shape;
    constexpr dim_t b = S::dims[0], t = S::dims[1], d = S::dims[2];
    auto r = reshape<Shape<b, t, Heads, d / Heads>>(x, loc);
    return permute<0, 2, 1, 3>(r, loc);
  }
}

// [B, H, T, Dh] -> [B, T, H * Dh]
template <AnyTensor T>
auto merge_heads(const T& x, std::source_location loc = std::source_location::current()) {
  (void)detail::MergeHeadsCheck<typename T::shape>{};
  if constexpr (!detail::merge_heads_ok<typename T::shape>) {
    return x;  // after the failed check, no further errors
  } else {
    using S = typename T::shape;
    constexpr dim_t b = S::dims[0], h = S::dims[1], t = S::dims[2], dh = S::dims[3];
    auto p = permute<0, 2, 1, 3>(x, loc);
    return reshape<Shape<b, t, h * dh>>(p, loc);
  }
}

}  // namespace tfm::dsl
