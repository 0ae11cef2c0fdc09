// The worked example's corpus, and its vocabulary size computed at compile
// time, so that the model's vocabulary dimension is the true one.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace seed {

inline constexpr std::array<std::string_view, 3> kCorpus = {
    "白日依山尽,黄河入海流。",
    "马无夜草不肥,人无横财不富。",
    "天行健,君子以自强不息,地势坤,君子以厚德载物。",
};

inline constexpr std::string_view kSource = "马无夜草不肥";
inline constexpr std::string_view kTarget = "人无横财不富";

// The number of distinct UTF-8 characters of the corpus.
constexpr std::size_t distinct_characters() {
  std::array<std::uint32_t, 256> seen{};
  std::size_t n = 0;
  for (std::string_view line : kCorpus)
    for (std::size_t i = 0; i < line.size();) {
      auto c = static_cast<unsigned char>(line[i]);
      std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      std::uint32_t code = 0;
      for (std::size_t k = 0; k < len; ++k)
        code = code << 8 | static_cast<unsigned char>(line[i + k]);
      bool known = false;
      for (std::size_t k = 0; k < n; ++k) known = known || seen[k] == code;
      if (!known) seen[n++] = code;
      i += len;
    }
  return n;
}

// <pad>, <start>, <end> and the characters.
inline constexpr std::int64_t kVocab = 3 + static_cast<std::int64_t>(distinct_characters());
static_assert(kVocab == 41, "the worked example's corpus has 38 distinct characters");

// Training pairs (--train): each line without its final 。, split at the
// comma that halves it: 白日依山尽 -> 黄河入海流, 马无夜草不肥 -> 人无横财不富,
// 天行健,君子以自强不息 -> 地势坤,君子以厚德载物. kMaxHalf is the longest half
// in characters (main checks it).
inline constexpr std::int64_t kPairs = static_cast<std::int64_t>(kCorpus.size());
inline constexpr std::int64_t kMaxHalf = 11;

}  // namespace seed
