//===- tfmc_cli_fuzzer.cpp - libFuzzer target: tfmc's command line -------===//
//
// Arbitrary bytes as tfmc's arguments (one per line) on a small model in a
// scratch folder: every command line compiles, prints, or exits with an
// error, and none crashes. The driver runs in-process, again for each input.
// Arguments that would leave the scratch folder (absolute or .. paths,
// response files) or end the process on purpose (--help, --version) are
// dropped, as are C++ inputs (tracing one runs clang++).
//
//===----------------------------------------------------------------------===//

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/tools/tfmc/Driver.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

namespace {

constexpr const char* kModel = R"mlir(
func.func @ffn(%x: tensor<2x8xf32> {tfm.input = "x"},
               %w: tensor<8x8xf32> {tfm.param = "w"})
    -> (tensor<2x8xf32> {tfm.output = "y"}) {
  %h = tfm.matmul %x, %w : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  %y = tfm.relu %h : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
)mlir";

bool allowed(std::string_view arg) {
  auto has = [&](std::string_view s) { return arg.find(s) != std::string_view::npos; };
  // LLVM prints the help and exits for -h (its alias of --help, registered
  // under the name "h"), and for an unknown option whose letters it reads as
  // grouped one-letter options with an h among them (--hx, --WWheader): not
  // a crash, but the end of the fuzzing process. Options are kept only if
  // they name a registered one other than h (their values are fuzzed; an
  // unknown option's error is tested in lit).
  if (arg.starts_with('-') && arg != "-") {
    std::string_view name = arg.substr(std::min(arg.find_first_not_of('-'), arg.size()));
    name = name.substr(0, name.find('='));
    if (name.empty() || name == "h" ||
        !llvm::cl::getRegisteredOptions().count(llvm::StringRef(name.data(), name.size())))
      return false;
  }
  if (arg.empty() || arg.front() == '@' || arg.front() == '/' || has("..") || has("/") ||
      has("help") || has("version") || has("print-options") || has("print-all-options") ||
      arg.ends_with(".cpp") || arg.ends_with(".cc") || arg.ends_with(".cxx"))
    return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  static llvm::InitLLVM init(*argc, *argv);
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tfm-fuzz-tfmc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
  std::ofstream("model.mlir") << kModel;
  ::setenv("TFM_CACHE_DIR", (dir / "cache").c_str(), 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args = {"tfmc"};
  for (std::size_t at = 0; at < bytes.size() && args.size() < 12;) {
    std::size_t end = std::min(bytes.find('\n', at), bytes.size());
    std::string_view arg = bytes.substr(at, end - at);
    if (arg.find('\0') == std::string_view::npos && allowed(arg)) args.emplace_back(arg);
    at = end + 1;
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  (void)mlir::tfm::runTfmc(static_cast<int>(args.size()), argv.data());
  return 0;
}
