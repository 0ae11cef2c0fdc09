// Tokenizers: text <-> token ids. CharTokenizer gives each character of a corpus
// an id (the worked example's vocabulary); BpeTokenizer is byte-level BPE, so any
// text encodes. Neither normalizes text nor adds <start>/<end>: callers do that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <tfm/status.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tfm {

// The special tokens both tokenizers start with, at ids 0, 1 and 2.
inline constexpr std::string_view pad_token = "<pad>";
inline constexpr std::string_view start_token = "<start>";
inline constexpr std::string_view end_token = "<end>";

// One token per character (Unicode code point) of a UTF-8 corpus: ids 0, 1, 2
// are <pad>, <start>, <end>, then each distinct character in order of first
// appearance. Text is matched code point by code point, without normalization.
class CharTokenizer {
 public:
  // Each string of the corpus is a "line" in error messages, counted from 1.
  // Invalid UTF-8 is an error naming the line and the byte offset in it.
  static Result<CharTokenizer> from_corpus(std::span<const std::string> corpus);
  static Result<CharTokenizer> from_corpus(std::span<const std::string_view> corpus);
  static Result<CharTokenizer> from_corpus(std::initializer_list<std::string_view> corpus);

  std::size_t size() const { return tokens_.size(); }
  // Every token by id: "<pad>", "<start>", "<end>", then the characters.
  const std::vector<std::string>& tokens() const { return tokens_; }
  Result<std::string_view> token(std::int32_t id) const;
  // The id of a special token's name or of a single character.
  Result<std::int32_t> id(std::string_view token) const;

  std::int32_t pad_id() const { return 0; }
  std::int32_t start_id() const { return 1; }
  std::int32_t end_id() const { return 2; }

  // One id per character. A character outside the vocabulary is an error
  // naming it and its position (in characters, and in bytes). "<end>" in the
  // text is five characters, never the special token.
  Result<std::vector<std::int32_t>> encode(std::string_view text) const;
  // The characters of `ids`; special tokens are dropped unless keep_special,
  // which writes their names. An id out of range is an error naming it.
  Result<std::string> decode(std::span<const std::int32_t> ids, bool keep_special = false) const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int32_t> ids_;
};

// Byte-level BPE. Ids 0, 1, 2 are <pad>, <start>, <end>; ids 3..258 are the
// bytes 0..255 (byte b is id 3 + b); merge r (rank r, learned r-th) makes id
// 259 + r from two earlier tokens. Any byte string encodes, so nothing is
// unknown; special tokens never come out of encode().
//
// Pre-splitting (training and encoding alike; merges never cross a chunk):
// bytes fall in four classes: whitespace (ASCII space, \t, \n, \v, \f, \r),
// letters (ASCII letters and every byte >= 0x80, so every non-ASCII character
// counts as a letter and is never cut), digits, and other ASCII (punctuation).
// A chunk is a maximal run of one non-whitespace class, with at most one space
// (U+0020) before it attached to it, as in GPT-2: "Hi, 2 cats" -> "Hi" ","
// " 2" " cats". A run of whitespace is a chunk of its own, less its last byte
// when that is a space followed by a non-whitespace byte: "a  b\n" -> "a" " "
// " b" "\n". Chunks cover the text: concatenated, they give it back.
class BpeTokenizer {
 public:
  static constexpr std::int32_t num_special = 3;
  static constexpr std::int32_t num_base = num_special + 256;  // 259
  static constexpr std::int32_t byte_id(std::uint8_t b) { return num_special + b; }

  // The base vocabulary alone: no merges, one id per byte.
  BpeTokenizer();

  // Learns merges until size() == vocab_size, or earlier when no pair of
  // adjacent tokens occurs at least twice (size() then says how far it got).
  // Each step merges the most frequent pair in the corpus; a tie goes to the
  // pair with the smaller left id, then the smaller right id, so training is
  // deterministic. A merge replaces the pair's occurrences left to right,
  // without overlap ("aaa" -> "aa" "a"). vocab_size below 259 is an error.
  static Result<BpeTokenizer> train(std::span<const std::string> corpus, std::size_t vocab_size);
  static Result<BpeTokenizer> train(std::span<const std::string_view> corpus,
                                    std::size_t vocab_size);
  static Result<BpeTokenizer> train(std::initializer_list<std::string_view> corpus,
                                    std::size_t vocab_size);

  // JSON: {"type": "tfm.bpe_tokenizer", "version": 1, "specials": [...],
  // "merges": [[left, right], ...]} with the merges in rank order.
  Status save(const std::filesystem::path& path) const;
  static Result<BpeTokenizer> load(const std::filesystem::path& path);

  std::size_t size() const { return tokens_.size(); }
  // The merges in rank order: merge r made id 259 + r.
  const std::vector<std::pair<std::int32_t, std::int32_t>>& merges() const { return merges_; }
  // The bytes a token stands for; a special token's name.
  Result<std::string_view> token_bytes(std::int32_t id) const;

  std::int32_t pad_id() const { return 0; }
  std::int32_t start_id() const { return 1; }
  std::int32_t end_id() const { return 2; }

  // Never fails. Each chunk costs O(n log n) in its length n: merges are
  // applied by rank through a heap of candidate pairs, not by scanning the
  // merge list.
  std::vector<std::int32_t> encode(std::string_view text) const;
  // The bytes of `ids` (not necessarily valid UTF-8 if the ids are arbitrary);
  // special tokens are dropped unless keep_special, which writes their names.
  Result<std::string> decode(std::span<const std::int32_t> ids, bool keep_special = false) const;

  // The chunks of `text` under the rule above (views into it).
  static std::vector<std::string_view> pre_split(std::string_view text);

 private:
  static std::uint64_t key(std::int32_t left, std::int32_t right) {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32 |
           static_cast<std::uint32_t>(right);
  }
  // load(), which catches what this throws (out of memory).
  static Result<BpeTokenizer> load_impl(const std::filesystem::path& path);
  // Appends merge (left, right) as the next rank.
  void add_merge(std::int32_t left, std::int32_t right);
  void encode_chunk(std::string_view chunk, std::vector<std::int32_t>& out) const;

  std::vector<std::string> tokens_;
  std::vector<std::pair<std::int32_t, std::int32_t>> merges_;
  std::unordered_map<std::uint64_t, std::int32_t> rank_;  // key(left, right) -> rank
};

}  // namespace tfm
