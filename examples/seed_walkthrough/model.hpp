// The walkthrough's model: the paper's encoder-decoder with one layer each,
// at a width and head count chosen on the command line among those
// instantiated here (a Hana product of widths and head counts, filtered to
// the pairs where the heads divide the width).
#pragma once

#include "corpus.hpp"

#include <tfm/dsl.hpp>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <optional>
#include <string>

namespace seed {

using namespace tfm::dsl;
namespace hana = boost::hana;

inline constexpr dim_t kSourceLength = 6;  // 马无夜草不肥
inline constexpr dim_t kTargetLength = 1;  // <start>

template <dim_t D, dim_t H>
constexpr TransformerConfig config() {
  return {.vocab = kVocab, .d_model = D, .heads = H, .layers = 1, .d_ff = 4 * D, .max_len = 16};
}

template <dim_t D, dim_t H>
void seed_model(Function& f) {
  encoder_decoder<config<D, H>(), 1, kSourceLength, kTargetLength>(f);
}

inline constexpr auto kWidths = hana::tuple_c<dim_t, 6, 8, 12, 16, 24, 32, 48, 64, 128, 256, 512>;
inline constexpr auto kHeads = hana::tuple_c<dim_t, 1, 2, 3, 4, 6, 8>;

// The model for width d and h heads, if that pair is instantiated.
inline std::optional<ModelFn> select_model(dim_t d, dim_t h) {
  std::optional<ModelFn> found;
  hana::for_each(kWidths, [&](auto width) {
    hana::for_each(kHeads, [&](auto heads) {
      constexpr dim_t D = decltype(width)::value, H = decltype(heads)::value;
      if constexpr (D % H == 0)
        if (d == D && h == H) found = seed_model<D, H>;
    });
  });
  return found;
}

inline std::string supported_widths() {
  std::string s;
  hana::for_each(kWidths, [&](auto w) { s += (s.empty() ? "" : ", ") + std::to_string(decltype(w)::value); });
  return s;
}

inline std::string supported_heads() {
  std::string s;
  hana::for_each(kHeads, [&](auto h) { s += (s.empty() ? "" : ", ") + std::to_string(decltype(h)::value); });
  return s;
}

}  // namespace seed
