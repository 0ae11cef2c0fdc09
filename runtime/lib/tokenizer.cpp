// CharTokenizer: one id per Unicode code point of a UTF-8 corpus, with strict
// UTF-8 decoding (no overlong forms, surrogates or code points past U+10FFFF).

#include <cstdio>
#include <optional>
#include <tfm/tokenizer.hpp>

#include "no_throw.hpp"

namespace tfm {
namespace {

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

std::string code_point_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

// The UTF-8 sequence at s[i]: its code point and length, or why it is invalid.
struct Decoded {
  char32_t cp = 0;
  std::size_t length = 0;
  std::string error;  // empty: valid
};

Decoded decode_utf8(std::string_view s, std::size_t i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, {}};
  std::size_t n;
  char32_t cp, min;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2, cp = b0 & 0x1f, min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3, cp = b0 & 0x0f, min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else if (b0 >= 0x80 && b0 <= 0xbf) {
    return {0, 0, "byte " + hex_byte(b0) + " continues a character that did not start"};
  } else {
    return {0, 0, "byte " + hex_byte(b0) + " never occurs in UTF-8"};
  }
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= s.size())
      return {0, 0, "the character starting with " + hex_byte(b0) + " is cut short"};
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80)
      return {0, 0,
              "the character starting with " + hex_byte(b0) + " lacks a continuation byte (" +
                  hex_byte(b) + " at byte " + std::to_string(i + k) + ")"};
    cp = cp << 6 | (b & 0x3f);
  }
  if (cp < min) return {0, 0, "overlong encoding of " + code_point_name(cp)};
  if (cp >= 0xd800 && cp <= 0xdfff) return {0, 0, "surrogate " + code_point_name(cp)};
  if (cp > 0x10ffff) return {0, 0, "code point beyond U+10FFFF"};
  return {cp, n, {}};
}

// "'马' (U+9A6C)", or just "U+000A" for a control character.
std::string describe_char(std::string_view utf8, char32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) return code_point_name(cp);
  return "'" + std::string(utf8) + "' (" + code_point_name(cp) + ")";
}

constexpr const char* kUtf8Hint =
    " ---> HINT: tfm reads text as UTF-8; re-encode it (e.g. iconv -t UTF-8)";

}  // namespace

Result<CharTokenizer> CharTokenizer::from_corpus(std::span<const std::string_view> corpus) {
  return no_throw("tfm: char tokenizer: ", [&]() -> Result<CharTokenizer> {
    CharTokenizer t;
    for (std::string_view s : {pad_token, start_token, end_token}) {
      t.ids_.emplace(std::string(s), static_cast<std::int32_t>(t.tokens_.size()));
      t.tokens_.emplace_back(s);
    }
    for (std::size_t line = 0; line < corpus.size(); ++line) {
      std::string_view s = corpus[line];
      for (std::size_t i = 0; i < s.size();) {
        Decoded d = decode_utf8(s, i);
        if (!d.error.empty())
          return Status::error("tfm: char tokenizer: corpus line " + std::to_string(line + 1) +
                               ", byte " + std::to_string(i) + ": invalid UTF-8: " + d.error +
                               kUtf8Hint);
        std::string c(s.substr(i, d.length));
        if (t.ids_.emplace(c, static_cast<std::int32_t>(t.tokens_.size())).second)
          t.tokens_.push_back(std::move(c));
        i += d.length;
      }
    }
    return t;
  });
}

Result<CharTokenizer> CharTokenizer::from_corpus(std::span<const std::string> corpus) {
  std::vector<std::string_view> views(corpus.begin(), corpus.end());
  return from_corpus(std::span<const std::string_view>(views));
}

Result<CharTokenizer> CharTokenizer::from_corpus(std::initializer_list<std::string_view> corpus) {
  return from_corpus(std::span<const std::string_view>(corpus.begin(), corpus.size()));
}

Result<std::string_view> CharTokenizer::token(std::int32_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size())
    return Status::error("tfm: char tokenizer: no token with id " + std::to_string(id) +
                         " ---> HINT: ids run from 0 to " + std::to_string(tokens_.size() - 1));
  return std::string_view(tokens_[static_cast<std::size_t>(id)]);
}

Result<std::int32_t> CharTokenizer::id(std::string_view token) const {
  auto it = ids_.find(std::string(token));
  if (it == ids_.end())
    return Status::error("tfm: char tokenizer: no token '" + std::string(token) +
                         "' in the vocabulary ---> HINT: tokens are single characters of the "
                         "corpus and <pad>, <start>, <end>");
  return it->second;
}

Result<std::vector<std::int32_t>> CharTokenizer::encode(std::string_view text) const {
  return no_throw("tfm: char tokenizer: ", [&]() -> Result<std::vector<std::int32_t>> {
    std::vector<std::int32_t> ids;
    ids.reserve(text.size());
    std::size_t position = 0;  // in characters
    for (std::size_t i = 0; i < text.size(); ++position) {
      Decoded d = decode_utf8(text, i);
      if (!d.error.empty())
        return Status::error("tfm: char tokenizer: text byte " + std::to_string(i) +
                             ": invalid UTF-8: " + d.error + kUtf8Hint);
      std::string_view c = text.substr(i, d.length);
      auto it = ids_.find(std::string(c));
      // A special token's name is never a single character, so `it` is one.
      if (it == ids_.end())
        return Status::error("tfm: char tokenizer: character " + describe_char(c, d.cp) +
                             " at position " + std::to_string(position) + " (byte " +
                             std::to_string(i) + ") is not in the vocabulary ---> HINT: the " +
                             std::to_string(tokens_.size() - 3) +
                             " characters come from the corpus; build the tokenizer from a corpus "
                             "that holds this one");
      ids.push_back(it->second);
      i += d.length;
    }
    return ids;
  });
}

Result<std::string> CharTokenizer::decode(std::span<const std::int32_t> ids,
                                          bool keep_special) const {
  return no_throw("tfm: char tokenizer: ", [&]() -> Result<std::string> {
    std::string text;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::int32_t id = ids[i];
      if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size())
        return Status::error("tfm: char tokenizer: id " + std::to_string(id) + " at position " +
                             std::to_string(i) + " is out of range ---> HINT: the vocabulary has " +
                             std::to_string(tokens_.size()) + " tokens, ids 0 to " +
                             std::to_string(tokens_.size() - 1));
      if (id < 3 && !keep_special) continue;
      text += tokens_[static_cast<std::size_t>(id)];
    }
    return text;
  });
}

}  // namespace tfm
