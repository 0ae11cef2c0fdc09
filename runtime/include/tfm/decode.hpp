// Decoding: greedy, beam search and sampling over a model's next-token
// logits, stopping at <end> or a maximum length. The model is a function of
// the tokens so far; `forward_logits` makes one from a compiled entry point
// whose token input has a fixed length (the prefix is padded, and only its
// last position's logits are read, so a causal model sees just the prefix).
//
//   auto run = [&](std::span<const tfm::TensorView> in) { return module.run("model", in); };
//   auto next = tfm::decode::forward_logits(run, {src, lengths, {}, params...}, 2, 16, pad);
//   auto ids = tfm::decode::greedy(next, {start}, {.end_id = end, .max_tokens = 15});
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <tfm/status.hpp>
#include <tfm/tensor.hpp>
#include <vector>

namespace tfm::decode {

// The logits over the vocabulary of the token that follows `prefix`.
using NextLogits = std::function<Result<std::vector<float>>(std::span<const std::int32_t> prefix)>;

struct Stop {
  std::int32_t end_id = 2;      // stop after this token (it is kept in the result)
  std::size_t max_tokens = 32;  // stop after this many new tokens
};

// The prefix followed by the most likely token at each step.
Result<std::vector<std::int32_t>> greedy(const NextLogits& next, std::vector<std::int32_t> prefix,
                                         const Stop& stop);

struct Hypothesis {
  std::vector<std::int32_t> tokens;  // the prefix and the generated tokens
  double log_prob = 0;               // sum of the generated tokens' log-probabilities
  double score = 0;                  // log_prob / (generated tokens)^length_penalty
};

struct BeamOptions {
  std::size_t width = 4;        // hypotheses kept per step
  double length_penalty = 1.0;  // 0: raw log-probability; 1: per-token average
};

// The `width` best finished hypotheses (ended by <end> or the length limit),
// best first. Each step extends every live hypothesis by each of its `width`
// most likely tokens and keeps the `width` best; it stops when the best live
// hypothesis scores below the worst of `width` finished ones.
Result<std::vector<Hypothesis>> beam_search(const NextLogits& next,
                                            std::vector<std::int32_t> prefix, const Stop& stop,
                                            const BeamOptions& options);

struct SampleOptions {
  float temperature = 1.0f;  // > 0; below 1 sharpens, above 1 flattens
  std::size_t top_k = 0;     // 0: the whole vocabulary; k: only the k most likely tokens
  std::uint64_t seed = 0;    // the same seed gives the same text
};

// The prefix followed by tokens drawn from softmax(logits / temperature),
// restricted to the top k.
Result<std::vector<std::int32_t>> sample(const NextLogits& next, std::vector<std::int32_t> prefix,
                                         const Stop& stop, const SampleOptions& options);

// A runner of a compiled entry point: given all its input tensors in
// signature order, returns its outputs (e.g. jit::Module::run bound to an
// entry, or a tfmc header's function). Decoding calls it once per token on
// the same weights: pack them once (jit::Module::pack, bound as
// `module.run(entry, inputs, packed)`; `<entry>_pack` in a header), or every
// step packs them again.
using Run = std::function<Result<std::vector<Tensor>>(std::span<const TensorView> inputs)>;

// NextLogits over an entry point whose input `tokens` is [1, T] and whose
// first output is logits [1, T, V]. `others` are its other inputs in
// signature order, with a null view where `tokens` goes. A prefix longer
// than T is cut to its last T tokens (a sliding window).
NextLogits forward_logits(Run run, std::vector<TensorView> others, std::size_t tokens_index,
                          std::int64_t length, std::int32_t pad_id);

}  // namespace tfm::decode
