// The text the character-level examples train on: a file read whole, its
// bytes past ASCII made '?', so that each byte is a token id below 128.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace examples {

// The file's text, or nothing when it cannot be read or holds fewer than
// `min_bytes` bytes.
inline std::optional<std::string> read_ascii_corpus(const std::string& path,
                                                    std::size_t min_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (!in || text.size() < min_bytes) return std::nullopt;
  for (char& c : text)
    if (static_cast<unsigned char>(c) >= 128) c = '?';
  return text;
}

}  // namespace examples
