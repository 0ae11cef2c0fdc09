// embedding: a row of a [vocab, width] table per token id.
#pragma once

#include <tfm/dsl/elementwise.hpp>

namespace tfm::dsl {
namespace detail {

template <class Table, class ET, class EI>
struct EmbeddingCheck {
  static_assert(Table::rank == 2,
                "tfm::dsl::embedding(table, ids): table must have shape [vocab, width] "
                "[TFM_RANK_MISMATCH]");
  static_assert(
      ET::is_float,
      "tfm::dsl::embedding(table, ids): table must be floating point [TFM_DTYPE_MISMATCH]");
  static_assert(!EI::is_float,
                "tfm::dsl::embedding(table, ids): ids must be integers (i32 or i64) "
                "[TFM_DTYPE_MISMATCH]");
};

}  // namespace detail

// result[i..., :] = table[ids[i...], :]; ids out of range read the nearest row.
template <AnyTensor Table, AnyTensor Ids>
auto embedding(const Table& table, const Ids& ids,
               std::source_location loc = std::source_location::current()) {
  (void)detail::EmbeddingCheck<typename Table::shape, typename Table::elem, typename Ids::elem>{};
  static constexpr auto dims =
      shapes::concat(Ids::shape::dims, std::array<dim_t, 1>{Table::shape::dim(-1)});
  using R = Tensor<shape_from<dims>, typename Table::elem>;
  return R(detail::tracing(loc, "tfm.embedding")
               .emit("tfm.embedding", {&table.value(), &ids.value()}, "",
                     detail::tensor_type<typename R::shape, typename R::elem>(),
                     SourceLoc::from(loc)));
}

}  // namespace tfm::dsl
