// The walkthrough's model: the paper's encoder-decoder with one layer each,
// at a width and head count chosen on the command line among those
// instantiated here (a Hana product of widths and head counts, filtered to
// the pairs where the heads divide the width).
#pragma once

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <optional>
#include <string>
#include <tfm/dsl.hpp>

#include "corpus.hpp"

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

// --train: the same architecture on every pair at once, with teacher
// forcing. Inputs src [3, 11], src_lengths [3], tgt [3, 12] (<start> +
// target, padded) and labels [3, 12] (target + <end>, padded); the loss is
// cross-entropy with label smoothing 0.1 that ignores <pad>, minimized by
// AdamW. The compiler adds seed_train_grad and seed_train_train_step.
inline constexpr dim_t kDecodeLength = kMaxHalf + 1;  // <start> + the longest half (or + <end>)

template <dim_t D, dim_t H>
void seed_train(Function& f) {
  auto logits = encoder_decoder_logits<config<D, H>(), kPairs, kMaxHalf, kDecodeLength>(f);
  auto labels = f.input<Shape<kPairs, kDecodeLength>, i32>("labels");
  auto loss = cross_entropy(logits, labels, {.label_smoothing = 0.1f, .ignore_index = 0});
  f.minimize("loss", loss,
             AdamW{.beta1 = 0.9f, .beta2 = 0.98f, .epsilon = 1e-9f, .weight_decay = 0.0f});
}

// The trained model for decoding one source: logits [1, 12, vocab] for the
// decoder input <start> + the tokens so far, padded.
template <dim_t D, dim_t H>
void seed_decode(Function& f) {
  encoder_decoder<config<D, H>(), 1, kMaxHalf, kDecodeLength>(f);
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

// --train's widths (any of kHeads that divides them).
inline constexpr auto kTrainWidths = hana::tuple_c<dim_t, 16, 32, 64>;

struct TrainModels {
  ModelFn train, decode;
};

inline std::optional<TrainModels> select_train_models(dim_t d, dim_t h) {
  std::optional<TrainModels> found;
  hana::for_each(kTrainWidths, [&](auto width) {
    hana::for_each(kHeads, [&](auto heads) {
      constexpr dim_t D = decltype(width)::value, H = decltype(heads)::value;
      if constexpr (D % H == 0)
        if (d == D && h == H) found = TrainModels{seed_train<D, H>, seed_decode<D, H>};
    });
  });
  return found;
}

inline std::string supported_widths() {
  std::string s;
  hana::for_each(
      kWidths, [&](auto w) { s += (s.empty() ? "" : ", ") + std::to_string(decltype(w)::value); });
  return s;
}

inline std::string supported_heads() {
  std::string s;
  hana::for_each(
      kHeads, [&](auto h) { s += (s.empty() ? "" : ", ") + std::to_string(decltype(h)::value); });
  return s;
}

}  // namespace seed
