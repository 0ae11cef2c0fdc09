// libFuzzer target: the tokenizers on arbitrary bytes, as a file (a BPE
// tokenizer that BpeTokenizer::save would write) and as text (a corpus for
// the character tokenizer, and text to encode). A load gives a tokenizer or
// a Status, never a crash; every tokenizer decodes what it encodes.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <tfm/tokenizer.hpp>

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "tokenizer_fuzzer: %s: %s\n", what, detail.c_str());
  __builtin_trap();
}

const std::filesystem::path& scratch() {
  static const std::filesystem::path p =
      std::filesystem::temp_directory_path() /
      ("tfm-fuzz-tokenizer-" + std::to_string(::getpid()) + ".json");
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // As a BPE file: loads or says why not; a tokenizer that loads round-trips
  // its own file's text.
  if (std::FILE* f = std::fopen(scratch().c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    fail("cannot write the scratch file", scratch().string());
  }
  auto bpe = tfm::BpeTokenizer::load(scratch());
  if (!bpe.ok() && bpe.message().rfind("tfm: tokenizer '", 0) != 0)
    fail("a message that does not name the tokenizer", bpe.message());
  const tfm::BpeTokenizer tokenizer = bpe.ok() ? std::move(*bpe) : tfm::BpeTokenizer();
  std::vector<std::int32_t> ids = tokenizer.encode(bytes);
  auto text = tokenizer.decode(ids);
  if (!text.ok()) fail("BPE cannot decode what it encoded", text.message());
  if (*text != bytes) fail("BPE decode(encode(x)) != x", std::string(bytes));

  // As a corpus of lines for the character tokenizer: valid UTF-8 makes a
  // vocabulary that encodes and decodes its own corpus.
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at <= bytes.size();) {
    std::size_t end = std::min(bytes.find('\n', at), bytes.size());
    lines.push_back(bytes.substr(at, end - at));
    at = end + 1;
  }
  auto chars = tfm::CharTokenizer::from_corpus(std::span<const std::string_view>(lines));
  if (!chars.ok()) return 0;
  for (std::string_view line : lines) {
    auto encoded = chars->encode(line);
    if (!encoded.ok()) fail("a line of the corpus does not encode", encoded.message());
    auto decoded = chars->decode(*encoded);
    if (!decoded.ok() || *decoded != line)
      fail("char decode(encode(line)) != line", std::string(line));
  }
  return 0;
}
