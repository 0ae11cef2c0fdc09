// BM_Compile: the JIT's compile time of the training benchmark's two models
// (bench/train/models.hpp; each module holds the forward, the gradient and
// the training step), side by side in one run:
//   cache:cold   kernels outlined and deduplicated, parts compiled on all
//                cores, into an empty cache (a fresh directory per
//                iteration): what a first run costs;
//   cache:warm   the same module again from the cache it filled: what every
//                later run costs;
//   reference    no outlining (each entry point one LLVM function), one
//                compile thread, no cache: the code generation of before.
// Counters (seconds): mlir (the pipeline to the llvm dialect), llvm_opt and
// codegen (summed over parts), load; kernels and parts.
//
//   compile_bench [--benchmark_filter=...] [--benchmark_repetitions=N]
//   compile_bench --print-mlir=small|gpt2_block   (the module, for tfmc)

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <tfm/jit.hpp>

#include "train/models.hpp"

namespace {

using tfm::bench::TrainModel;

enum class Variant { cold, warm, reference };

std::string fresh_dir() {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("tfm_compile_bench_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  return dir.string();
}

void BM_Compile(benchmark::State& state, TrainModel model, Variant variant) {
  auto mlir = tfm::bench::train_model_mlir(model);
  if (!mlir.ok()) return state.SkipWithError(mlir.message().c_str());
  tfm::jit::Options options;
  std::string warm_dir;
  if (variant == Variant::reference) {
    options.outline_kernels = false;
    options.compile_threads = 1;
    options.cache = false;
  } else if (variant == Variant::warm) {
    warm_dir = fresh_dir();
    options.cache_dir = warm_dir;
    auto filled = tfm::jit::Module::compile(*mlir, options, model.name);
    if (!filled.ok()) return state.SkipWithError(filled.message().c_str());
  }
  tfm::jit::CompileStats stats;
  for (auto _ : state) {
    std::string cold_dir;
    if (variant == Variant::cold) options.cache_dir = cold_dir = fresh_dir();
    auto m = tfm::jit::Module::compile(*mlir, options, model.name);
    if (!m.ok()) return state.SkipWithError(m.message().c_str());
    stats = m->compile_stats();
    if (variant == Variant::warm && !stats.cache_hit)
      return state.SkipWithError("the warm compile missed the cache");
    if (!cold_dir.empty()) std::filesystem::remove_all(cold_dir);
  }
  if (!warm_dir.empty()) std::filesystem::remove_all(warm_dir);
  state.counters["mlir"] = stats.mlir;
  state.counters["llvm_opt"] = stats.llvm_optimize;
  state.counters["codegen"] = stats.codegen;
  state.counters["load"] = stats.load;
  state.counters["kernels"] = static_cast<double>(stats.kernels);
  state.counters["parts"] = static_cast<double>(stats.objects_compiled);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]).starts_with("--print-mlir=")) {
    std::string_view name = std::string_view(argv[1]).substr(13);
    for (const TrainModel& model : {tfm::bench::kSmall, tfm::bench::kGpt2Block})
      if (model.name == name) {
        auto mlir = tfm::bench::train_model_mlir(model);
        if (!mlir.ok()) return std::fprintf(stderr, "%s\n", mlir.message().c_str()), 1;
        std::fputs(mlir->c_str(), stdout);
        return 0;
      }
    return std::fprintf(stderr, "compile_bench: no model '%.*s' ---> HINT: small or gpt2_block\n",
                        static_cast<int>(name.size()), name.data()),
           2;
  }
  for (const TrainModel& model : {tfm::bench::kSmall, tfm::bench::kGpt2Block})
    for (auto [variant, name] :
         {std::pair{Variant::cold, "cache:cold"}, std::pair{Variant::warm, "cache:warm"},
          std::pair{Variant::reference, "reference"}}) {
      std::string label = "BM_Compile/model:" + std::string(model.name) + "/" + name;
      benchmark::RegisterBenchmark(label.c_str(), BM_Compile, model, variant)
          ->Unit(benchmark::kSecond)
          ->UseRealTime()
          ->Iterations(1);
    }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
