// matmul and linear: [..., M, K] x [..., K, N] -> [..., M, N], batch
// dimensions broadcast (a [K, N] weight applies to every row of [B, T, K]).
#pragma once

#include <tfm/dsl/concepts.hpp>

namespace tfm::dsl {
namespace detail {

// Checks a matmul of shapes A and B; `result` is its shape. The failing
// instantiation names both shapes in the compiler's note.
template <class A, class B, class EA, class EB>
struct MatmulCheck {
  static_assert(std::is_same_v<EA, EB>,
                "tfm::dsl::matmul(a, b): a and b must have one element type [TFM_DTYPE_MISMATCH]");
  static_assert(EA::is_float,
                "tfm::dsl::matmul(a, b): operands must be floating point [TFM_DTYPE_MISMATCH]");
  static_assert(A::rank >= 2 && B::rank >= 2,
                "tfm::dsl::matmul(a, b): a and b must have rank >= 2 [TFM_RANK_MISMATCH]");
  static constexpr bool ranks_ok = A::rank >= 2 && B::rank >= 2;
  static constexpr std::size_t ra = ranks_ok ? A::rank : 2, rb = ranks_ok ? B::rank : 2;
  static constexpr std::array<dim_t, ra> a = ranks_ok ? A::dims : std::array<dim_t, ra>{1, 1};
  static constexpr std::array<dim_t, rb> b = ranks_ok ? B::dims : std::array<dim_t, rb>{1, 1};

  static_assert(a[ra - 1] == b[rb - 2],
                "tfm::dsl::matmul(a, b): a.shape[-1] must equal b.shape[-2] [TFM_SHAPE_MISMATCH]");
  static_assert(shapes::broadcastable(shapes::take_front<ra - 2>(a), shapes::take_front<rb - 2>(b)),
                "tfm::dsl::matmul(a, b): batch dimensions a.shape[:-2] and b.shape[:-2] must "
                "broadcast [TFM_SHAPE_MISMATCH]");

  static constexpr auto dims = shapes::concat(
      shapes::broadcast(shapes::take_front<ra - 2>(a), shapes::take_front<rb - 2>(b)),
      std::array<dim_t, 2>{a[ra - 2], b[rb - 1]});
  using result = shape_from<dims>;
};

}  // namespace detail

// a @ b. For a @ b^T write matmul(a, transpose(b)): the compiler folds the
// transpose into the matmul.
template <AnyTensor A, AnyTensor B>
auto matmul(const A& a, const B& b, std::source_location loc = std::source_location::current()) {
  using Check =
      detail::MatmulCheck<typename A::shape, typename B::shape, typename A::elem, typename B::elem>;
  using R = Tensor<typename Check::result, typename A::elem>;
  return R(detail::tracing(loc, "tfm.matmul")
               .emit("tfm.matmul", {&a.value(), &b.value()}, "",
                     detail::tensor_type<typename R::shape, typename R::elem>(),
                     SourceLoc::from(loc)));
}

}  // namespace tfm::dsl
