// What every JSON read of the runtime shares: files come from anywhere (a
// download, a damaged disk, an attacker), so their text is bounded before it
// is parsed, and values quoted in messages are cut short. Internal to
// tfm_runtime.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tfm::json_text {

// Arrays and objects nested deeper than this are refused before parsing:
// nlohmann's serializer and comparisons recurse once per level, so a file of
// a million '[' would overflow the stack. Real files nest a few levels.
inline constexpr int kMaxDepth = 64;

// The byte offset of the first '[' or '{' of `text` that opens level
// kMaxDepth + 1 (outside strings), or nothing if the text nests no deeper.
inline std::optional<std::size_t> too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// The message for too_deep()'s answer.
inline std::string too_deep_message(std::size_t offset) {
  return "JSON nests deeper than " + std::to_string(kMaxDepth) + " levels (at byte " +
         std::to_string(offset) + ") ---> HINT: the file is damaged or hostile; real files nest " +
         "a few levels";
}

// `value` as JSON text, cut to about `limit` characters ("..." after the cut):
// what a message quotes of a value it refuses.
template <class Json>
std::string excerpt(const Json& value, std::size_t limit = 80) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

// A parse error's text without nlohmann's "[json.exception.parse_error.101] ".
inline std::string parse_error(const std::exception& e) {
  std::string what = e.what();
  if (auto p = what.find("] "); p != std::string::npos) what.erase(0, p + 2);
  return what;
}

}  // namespace tfm::json_text
