// Shapes and element types as types: tfm::dsl::Shape<1, 6, 8>, f32, i32.
// The shape algebra (broadcasting, products, permutations) is constexpr on
// std::array, turned back into Shape types by shape_from<array>.
#pragma once

#include <array>
#include <boost/hana/integral_constant.hpp>
#include <boost/hana/tuple.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace tfm::dsl {

using dim_t = std::int64_t;

template <dim_t... Dims>
struct Shape {
  static_assert(((Dims > 0) && ...),
                "tfm::dsl::Shape<...>: every dimension must be positive [TFM_BAD_SHAPE]");
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::array<dim_t, rank> dims{Dims...};
  static constexpr dim_t size = (dim_t{1} * ... * Dims);
  // The dimensions as a Hana sequence of integral constants.
  static constexpr auto dims_c = boost::hana::make_tuple(boost::hana::llong_c<Dims>...);

  // Dimension i, negative i counting from the end (-1: the last).
  static constexpr dim_t dim(std::ptrdiff_t i) {
    return dims[static_cast<std::size_t>(i < 0 ? i + static_cast<std::ptrdiff_t>(rank) : i)];
  }
};

template <class T>
inline constexpr bool is_shape_v = false;
template <dim_t... D>
inline constexpr bool is_shape_v<Shape<D...>> = true;

// The rank of a Shape; 0 for anything else (after a failed check).
template <class T>
inline constexpr std::size_t shape_rank_v = 0;
template <dim_t... D>
inline constexpr std::size_t shape_rank_v<Shape<D...>> = sizeof...(D);

namespace detail {
template <auto A, std::size_t... I>
auto shape_from_impl(std::index_sequence<I...>) -> Shape<A[I]...>;
}  // namespace detail

// Shape<A[0], A[1], ...> for a constexpr std::array A.
template <auto A>
using shape_from = decltype(detail::shape_from_impl<A>(std::make_index_sequence<A.size()>{}));

// "[2x6x4]": the notation of compiler diagnostics.
template <std::size_t N>
std::string format_dims(const std::array<dim_t, N>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < N; ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

struct f32 {
  static constexpr std::string_view mlir = "f32";
  static constexpr bool is_float = true;
};
struct f64 {
  static constexpr std::string_view mlir = "f64";
  static constexpr bool is_float = true;
};
struct i32 {
  static constexpr std::string_view mlir = "i32";
  static constexpr bool is_float = false;
};
struct i64 {
  static constexpr std::string_view mlir = "i64";
  static constexpr bool is_float = false;
};

//===----------------------------------------------------------------------===//
// Shape algebra
//===----------------------------------------------------------------------===//

namespace shapes {

template <std::size_t N, std::size_t M>
constexpr bool broadcastable(const std::array<dim_t, N>& a, const std::array<dim_t, M>& b) {
  constexpr std::size_t R = N > M ? N : M;
  for (std::size_t i = 0; i < R; ++i) {
    dim_t x = i < R - N ? 1 : a[i - (R - N)];
    dim_t y = i < R - M ? 1 : b[i - (R - M)];
    if (x != y && x != 1 && y != 1) return false;
  }
  return true;
}

// NumPy broadcasting; where the shapes do not broadcast, the larger dim wins
// (the caller has already failed a static_assert, this only limits the noise).
template <std::size_t N, std::size_t M>
constexpr auto broadcast(const std::array<dim_t, N>& a, const std::array<dim_t, M>& b) {
  constexpr std::size_t R = N > M ? N : M;
  std::array<dim_t, R> out{};
  for (std::size_t i = 0; i < R; ++i) {
    dim_t x = i < R - N ? 1 : a[i - (R - N)];
    dim_t y = i < R - M ? 1 : b[i - (R - M)];
    out[i] = x == 1 ? y : (y == 1 ? x : (x > y ? x : y));
  }
  return out;
}

template <std::size_t K, std::size_t N>
constexpr auto take_front(const std::array<dim_t, N>& a) {
  std::array<dim_t, K> out{};
  for (std::size_t i = 0; i < K; ++i) out[i] = a[i];
  return out;
}

template <std::size_t N, std::size_t M>
constexpr auto concat(const std::array<dim_t, N>& a, const std::array<dim_t, M>& b) {
  std::array<dim_t, N + M> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < M; ++i) out[N + i] = b[i];
  return out;
}

template <std::size_t N>
constexpr bool is_permutation(const std::array<dim_t, N>& p) {
  std::array<bool, N> seen{};
  for (dim_t v : p) {
    if (v < 0 || v >= static_cast<dim_t>(N) || seen[static_cast<std::size_t>(v)]) return false;
    seen[static_cast<std::size_t>(v)] = true;
  }
  return true;
}

// out[i] = a[p[i]]; out-of-range entries read 1 (after a failed check).
template <std::size_t N, std::size_t M>
constexpr auto permute(const std::array<dim_t, N>& a, const std::array<dim_t, M>& p) {
  std::array<dim_t, M> out{};
  for (std::size_t i = 0; i < M; ++i)
    out[i] = p[i] >= 0 && p[i] < static_cast<dim_t>(N) ? a[static_cast<std::size_t>(p[i])] : 1;
  return out;
}

}  // namespace shapes
}  // namespace tfm::dsl
