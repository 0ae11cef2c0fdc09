// BM_Matmul: one tfm.matmul compiled by tfm, at the linear-layer shapes of
// the two training models (bench/train/models.hpp) in the three forms a
// training step runs them -- forward y = x W, input gradient dx = dy W^T
// (transposed rhs), weight gradient dW = x^T dy (transposed lhs) -- and at
// 1024^3, on 1 and 2 threads. Counters: GFLOP/s (2 M N K), pct_peak (against
// the FMA peak measured at start-up for the thread count), alloc_bytes (heap
// bytes a steady-state call allocates), peak_now. The peers (oneDNN sgemm,
// PyTorch matmul) run the same shapes from bench/run_matmul.sh.
// BM_MatmulPackedWeights (below) compares weights packed once, per call and
// not at all at inference row counts (1 to 2048).
//
//   matmul_bench [--cpu=<llvm cpu>] [--benchmark_filter=...] [--benchmark_format=json]
//
// --cpu compiles for another CPU of this machine's architecture (e.g.
// x86-64-v3 for AVX2 code on an AVX-512 machine); the JIT refuses a CPU
// whose features this machine lacks. --mr, --nr and --kc set the register
// block and k block instead of the target's (to explore the model).

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tfm/jit.hpp>
#include <tuple>

#include "alloc_counter.hpp"
#include "matmul_shapes.hpp"
#include "peak.hpp"

namespace {

using tfm::bench::MatmulShape;

std::map<int, double> g_peak;  // threads -> GFLOP/s
std::string g_cpu = "host";
long g_mr = 0, g_nr = 0, g_kc = 0;  // 0: the target's

// tfm IR of one matmul with the operand layouts of `s`.
std::string matmul_ir(const MatmulShape& s) {
  auto ty = [](long r, long c) {
    return "tensor<" + std::to_string(r) + "x" + std::to_string(c) + "xf32>";
  };
  std::string a = s.ta ? ty(s.k, s.m) : ty(s.m, s.k), b = s.tb ? ty(s.n, s.k) : ty(s.k, s.n),
              c = ty(s.m, s.n);
  std::string attrs;
  if (s.ta || s.tb)
    attrs = std::string(" {") + (s.ta ? "transpose_a" : "") + (s.ta && s.tb ? ", " : "") +
            (s.tb ? "transpose_b" : "") + "}";
  return "func.func @mm(%a: " + a + " {tfm.input = \"a\"}, %b: " + b +
         " {tfm.param = \"b\"}) -> (" + c + " {tfm.output = \"c\"}) {\n" +
         "  %c = tfm.matmul %a, %b" + attrs + " : (" + a + ", " + b + ") -> " + c + "\n" +
         "  return %c : " + c + "\n}\n";
}

// Compiled modules by shape; emptied before main returns (a JIT module must
// not outlive LLVM's static state).
std::map<std::string, std::unique_ptr<tfm::jit::Module>> cache;

// The module of one matmul of shape `s`, compiled for --cpu with `options`
// once; null (the benchmark skipped with the compiler's message) if it
// does not compile.
const tfm::jit::Module* module_for(benchmark::State& state, const MatmulShape& s,
                                   tfm::jit::Options options) {
  options.cpu = g_cpu;
  std::string ir = matmul_ir(s);
  std::string key = ir + "/pack_params:" + std::to_string(options.pack_params) + "/" +
                    std::to_string(options.matmul_mr) + "x" + std::to_string(options.matmul_nr) +
                    "x" + std::to_string(options.matmul_kc);
  auto it = cache.find(key);
  if (it == cache.end()) {
    auto m = tfm::jit::Module::compile(ir, options, "matmul");
    if (!m.ok()) {
      state.SkipWithError(m.message().c_str());
      return nullptr;
    }
    it = cache.emplace(key, std::make_unique<tfm::jit::Module>(std::move(*m))).first;
  }
  return it->second.get();
}

void BM_Matmul(benchmark::State& state, MatmulShape s, int threads) {
  omp_set_num_threads(threads);
  tfm::jit::Options options;
  options.matmul_mr = g_mr;
  options.matmul_nr = g_nr;
  options.matmul_kc = g_kc;
  const tfm::jit::Module* compiled = module_for(state, s, options);
  if (!compiled) return;
  const tfm::jit::Module& m = *compiled;
  tfm::Tensor a(tfm::DType::f32, s.ta ? tfm::Shape{s.k, s.m} : tfm::Shape{s.m, s.k});
  tfm::Tensor b(tfm::DType::f32, s.tb ? tfm::Shape{s.n, s.k} : tfm::Shape{s.k, s.n});
  tfm::Tensor c(tfm::DType::f32, {s.m, s.n});
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (tfm::Tensor* x : {&a, &b})
    for (float& e : x->values<float>()) e = dist(rng);
  const tfm::TensorView args[] = {a, b, c};
  if (!tfm::bench::time_calls(state, [&] { return m.call("mm", args); })) return;
  tfm::bench::report_rate(state, 2.0 * s.m * s.n * s.k / 1e9, threads, g_peak);
}

// How an inference matmul y = x W gets its weight W in the register block's
// panels: packed once beforehand (Module::pack, what a decoding loop does),
// packed by each call on the way, or (pack_params = false) inside the call
// -- which below 4 register blocks of rows means not at all: the plain
// contraction the compiler chose before weights could be packed once.
enum class Packing { once, per_call, inside };

const char* name_of(Packing p) {
  return p == Packing::once ? "once" : p == Packing::per_call ? "per_call" : "inside";
}

// BM_MatmulPackedWeights: the forward linear layers of the GPT-2 block and of
// the small model at the row counts of a decoding step (1 and 8 sequences),
// a short prompt (64) and a training batch (2048).
void BM_MatmulPackedWeights(benchmark::State& state, MatmulShape s, Packing packing, int threads) {
  omp_set_num_threads(threads);
  tfm::jit::Options options;
  options.pack_params = packing != Packing::inside;
  const tfm::jit::Module* compiled = module_for(state, s, options);
  if (!compiled) return;
  const tfm::jit::Module& m = *compiled;
  tfm::Tensor a(tfm::DType::f32, {s.m, s.k}), b(tfm::DType::f32, {s.k, s.n}),
      c(tfm::DType::f32, {s.m, s.n});
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (tfm::Tensor* x : {&a, &b})
    for (float& e : x->values<float>()) e = dist(rng);
  const tfm::TensorView args[] = {a, b, c};
  const tfm::TensorView params[] = {b};
  auto packed = m.pack("mm", params);
  if (!packed.ok()) {
    state.SkipWithError(packed.message().c_str());
    return;
  }
  auto call = [&] {
    return packing == Packing::once ? m.call("mm", args, *packed) : m.call("mm", args);
  };
  if (!tfm::bench::time_calls(state, call)) return;
  state.counters["packed_bytes"] = static_cast<double>(packed->bytes());
  tfm::bench::report_rate(state, 2.0 * s.m * s.n * s.k / 1e9, threads, g_peak);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--list_shapes") == 0) {  // for the peers
      for (const MatmulShape& s : tfm::bench::matmul_shapes())
        std::printf("%s\n", s.json().c_str());
      return 0;
    }
  g_cpu = tfm::bench::take_flag(&argc, argv, "--cpu", g_cpu);
  g_mr = tfm::bench::take_count_flag(&argc, argv, "--mr", 0);
  g_nr = tfm::bench::take_count_flag(&argc, argv, "--nr", 0);
  g_kc = tfm::bench::take_count_flag(&argc, argv, "--kc", 0);
  g_peak = tfm::bench::startup_peaks();
  benchmark::AddCustomContext("tfm_cpu", g_cpu);
  for (const MatmulShape& s : tfm::bench::matmul_shapes())
    for (int threads : {1, 2}) {
      std::string name = "BM_Matmul/" + s.name() + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), BM_Matmul, s, threads)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(0.3);
    }
  for (const tfm::bench::TrainModel* model : {&tfm::bench::kGpt2Block, &tfm::bench::kSmall}) {
    long d = model->d_model, ff = model->d_ff;
    for (long rows : {1L, 8L, 64L, 2048L})
      for (auto [k, n, what] :
           {std::tuple{d, d, "attn"}, std::tuple{d, ff, "ff1"}, std::tuple{ff, d, "ff2"}})
        for (Packing packing : {Packing::once, Packing::per_call, Packing::inside})
          for (int threads : {1, 2}) {
            MatmulShape s{rows, k, n, false, false, std::string(model->name) + "_" + what + "_fwd"};
            std::string name = "BM_MatmulPackedWeights/" + s.name() +
                               "/packing:" + name_of(packing) +
                               "/threads:" + std::to_string(threads);
            benchmark::RegisterBenchmark(name.c_str(), BM_MatmulPackedWeights, s, packing, threads)
                ->Unit(benchmark::kMicrosecond)
                ->UseRealTime()
                ->MinTime(0.2);
          }
  }
  tfm::bench::run_benchmarks(&argc, argv, g_peak);
  cache.clear();
  return 0;
}
