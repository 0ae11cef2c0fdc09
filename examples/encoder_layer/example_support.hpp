// What the encoder example's programs share besides the model: the worked
// example's corpus and its character vocabulary, and seeded weights.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <tfm/signature.hpp>
#include <tfm/tensor.hpp>
#include <vector>

namespace encoder_example {

inline const std::vector<std::string> kCorpus = {
    "白日依山尽,黄河入海流。",
    "马无夜草不肥,人无横财不富。",
    "天行健,君子以自强不息,地势坤,君子以厚德载物。",
};

// Splits UTF-8 text into characters (each a string of 1 to 4 bytes).
inline std::vector<std::string> utf8_chars(std::string_view text) {
  std::vector<std::string> chars;
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    chars.emplace_back(text.substr(i, n));
    i += n;
  }
  return chars;
}

// <pad>, <start>, <end>, then each distinct character in order of first use.
struct Vocabulary {
  std::vector<std::string> tokens = {"<pad>", "<start>", "<end>"};
  std::map<std::string, std::int32_t> ids;

  explicit Vocabulary(const std::vector<std::string>& corpus) {
    for (const std::string& t : tokens) ids.emplace(t, static_cast<std::int32_t>(ids.size()));
    for (const std::string& line : corpus)
      for (const std::string& ch : utf8_chars(line))
        if (ids.emplace(ch, static_cast<std::int32_t>(tokens.size())).second) tokens.push_back(ch);
  }
  std::vector<std::int32_t> encode(std::string_view text) const {
    std::vector<std::int32_t> out;
    for (const std::string& ch : utf8_chars(text)) out.push_back(ids.at(ch));
    return out;
  }
};

// Seeded weights for every param of `sig`, in signature order: layer-norm
// gains 1, biases and shifts small, matrices uniform in +-1/sqrt(fan_in).
inline std::vector<tfm::Tensor> seeded_params(const tfm::Signature& sig, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<tfm::Tensor> params;
  for (const tfm::TensorSpec& spec : sig.args) {
    if (spec.role != tfm::Role::param) continue;
    tfm::Tensor t(spec.dtype, spec.shape);
    bool gain = spec.name.ends_with("gamma");
    float bound =
        spec.shape.size() == 2 ? 1.0f / std::sqrt(static_cast<float>(spec.shape[0])) : 0.1f;
    std::uniform_real_distribution<float> dist(-bound, bound);
    for (float& v : t.values<float>()) v = gain ? 1.0f : dist(rng);
    params.push_back(std::move(t));
  }
  return params;
}

}  // namespace encoder_example
