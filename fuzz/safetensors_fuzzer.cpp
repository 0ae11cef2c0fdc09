// libFuzzer target: the safetensors loader on arbitrary bytes. Whatever the
// file holds, a load gives tensors or a Status, never a crash, a hang or a
// read outside the file (AddressSanitizer checks). A file that loads must
// also load as a model's params when its tensors fit, and save again to the
// same tensors.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <tfm/weights.hpp>

namespace {

// One file per fuzzing process, rewritten for each input.
const std::filesystem::path& scratch(const char* suffix) {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() /
                              ("tfm-fuzz-safetensors-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  static std::filesystem::path in = dir / "in.safetensors", out = dir / "out.safetensors";
  return std::strcmp(suffix, "in") == 0 ? in : out;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "safetensors_fuzzer: %s: %s\n", what, detail.c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path& in = scratch("in");
  if (std::FILE* f = std::fopen(in.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    fail("cannot write the scratch file", in.string());
  }
  auto loaded = tfm::load_safetensors(in, {.check_finite = true});
  if (!loaded.ok()) {
    if (loaded.message().rfind("tfm: weights '", 0) != 0)
      fail("a message that does not name the file", loaded.message());
    return 0;
  }
  // What loads saves again, and loads back the same.
  std::vector<std::pair<std::string, tfm::TensorView>> entries;
  tfm::Signature sig{"fuzz", {}};
  for (const tfm::NamedTensor& t : loaded->tensors) {
    entries.emplace_back(t.name, t.tensor.view());
    sig.args.push_back({t.name, tfm::Role::param, t.tensor.dtype(), t.tensor.shape()});
  }
  const std::filesystem::path& out = scratch("out");
  if (tfm::Status s = tfm::save_safetensors(out, entries, loaded->metadata); !s.ok()) {
    // A name or metadata that is not UTF-8 text cannot be written back.
    if (s.message().find("must be UTF-8") == std::string::npos) fail("cannot save", s.message());
    return 0;
  }
  auto again = tfm::load_params(out, sig);
  if (!again.ok()) fail("cannot load what was saved", again.message());
  for (std::size_t i = 0; i < again->size(); ++i)
    if ((*again)[i].bytes() != loaded->tensors[i].tensor.bytes() ||
        std::memcmp((*again)[i].raw(), loaded->tensors[i].tensor.raw(), (*again)[i].bytes()) != 0)
      fail("a tensor changed in a round trip", loaded->tensors[i].name);
  return 0;
}
