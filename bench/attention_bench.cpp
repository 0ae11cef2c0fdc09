// BM_AttentionFused vs BM_AttentionUnfused: scaled dot-product attention
// forward, softmax(q k^T / sqrt(d) [causal]) v, compiled by tfm from the
// unfused chain the DSL traces, with tfm-fuse-attention on (fused) or off
// (unfused). B in {1, 4}, H in {8, 12}, d = 64, T in {128 .. 4096}, causal
// or not, 1 or 2 threads. Counters: GFLOP/s (4 B H T^2 d, halved when
// causal), pct_peak (against the FMA peak measured at start-up for that
// thread count), extra_MiB (peak heap the call allocates beyond its inputs
// and output, which the caller owns), peak_now (the FMA peak measured again
// right after the run, GFLOP/s: the shared machine's state at the time).
//
//   attention_bench [--cpu=<llvm cpu>] [--benchmark_filter=...] [--benchmark_format=json]
//
// --cpu compiles for another CPU of this machine's architecture (x86-64-v3:
// AVX2 code on an AVX-512 machine); --attention-tiles=QxK sets the fused
// attention's tiles instead of the target's.

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tfm/jit.hpp>
#include <tuple>

#include "alloc_counter.hpp"
#include "peak.hpp"

namespace {

constexpr long kHeadWidth = 64;

std::map<int, double> g_peak;     // threads -> GFLOP/s
std::string g_cpu = "host";       // --cpu: code for another CPU this machine can run
long g_tile_q = 0, g_tile_k = 0;  // --attention-tiles=QxK (0: the target's)

// The tfm IR of attention as the DSL traces it: matmul(q, k^T), scale,
// optional causal mask, softmax, matmul(., v).
std::string attention_ir(long b, long h, long t, bool causal) {
  auto ty = [&](long last) {
    return "tensor<" + std::to_string(b) + "x" + std::to_string(h) + "x" + std::to_string(t) + "x" +
           std::to_string(last) + "xf32>";
  };
  std::string qkv = ty(kHeadWidth), scores = ty(t);
  std::string s = "func.func @attention(%q: " + qkv + " {tfm.input = \"q\"}, %k: " + qkv +
                  " {tfm.input = \"k\"}, %v: " + qkv + " {tfm.input = \"v\"})\n    -> (" + qkv +
                  " {tfm.output = \"o\"}) {\n";
  s += "  %s = tfm.matmul %q, %k {transpose_b} : (" + qkv + ", " + qkv + ") -> " + scores + "\n";
  s += "  %c = tfm.scale %s {factor = 1.250000e-01 : f32} : " + scores + "\n";
  std::string last = "%c";
  if (causal) {
    s += "  %m = tfm.mask %c {causal} : (" + scores + ") -> " + scores + "\n";
    last = "%m";
  }
  s += "  %p = tfm.softmax " + last + " {axis = -1 : i64} : " + scores + "\n";
  s += "  %o = tfm.matmul %p, %v : (" + scores + ", " + qkv + ") -> " + qkv + "\n";
  s += "  return %o : " + qkv + "\n}\n";
  return s;
}

// Compiled modules, one per shape and variant (thread count is a run-time
// setting of the OpenMP runtime). Emptied before main returns: a JIT module
// must not outlive LLVM's own static state.
std::map<std::tuple<bool, long, long, long, bool>, std::unique_ptr<tfm::jit::Module>> cache;

const tfm::jit::Module& module_for(bool fused, long b, long h, long t, bool causal) {
  auto key = std::make_tuple(fused, b, h, t, causal);
  auto it = cache.find(key);
  if (it == cache.end()) {
    tfm::jit::Options options;
    options.fuse_attention = fused;
    options.cpu = g_cpu;
    if (g_tile_q > 0) options.attention_query_tile = g_tile_q;
    if (g_tile_k > 0) options.attention_key_tile = g_tile_k;
    auto m = tfm::jit::Module::compile(attention_ir(b, h, t, causal), options, "attention");
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.message().c_str());
      std::exit(1);
    }
    it = cache.emplace(key, std::make_unique<tfm::jit::Module>(std::move(*m))).first;
  }
  return *it->second;
}

void BM_Attention(benchmark::State& state, bool fused, long b, long h, long t, bool causal,
                  int threads) {
  omp_set_num_threads(threads);
  const tfm::jit::Module& m = module_for(fused, b, h, t, causal);
  tfm::Shape shape = {b, h, t, kHeadWidth};
  tfm::Tensor q(tfm::DType::f32, shape), k(tfm::DType::f32, shape), v(tfm::DType::f32, shape),
      o(tfm::DType::f32, shape);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (tfm::Tensor* x : {&q, &k, &v})
    for (float& e : x->values<float>()) e = dist(rng);
  const tfm::TensorView args[] = {q, k, v, o};
  if (tfm::Status s = m.call("attention", args); !s.ok()) {  // warm-up
    state.SkipWithError(s.message().c_str());
    return;
  }
  long long baseline = tfm::bench::reset_peak();
  for (auto _ : state) {
    tfm::Status s = m.call("attention", args);
    benchmark::DoNotOptimize(s);
  }
  double extra = static_cast<double>(tfm::bench::peak_bytes.load() - baseline);
  double gflop = 4.0 * b * h * t * t * kHeadWidth * (causal ? 0.5 : 1.0) / 1e9;
  state.counters["extra_MiB"] = extra / (1024.0 * 1024.0);
  tfm::bench::report_rate(state, gflop, threads, g_peak);
}

}  // namespace

int main(int argc, char** argv) {
  g_cpu = tfm::bench::take_flag(&argc, argv, "--cpu", g_cpu);
  if (std::string tiles = tfm::bench::take_flag(&argc, argv, "--attention-tiles"); !tiles.empty())
    std::sscanf(tiles.c_str(), "%ldx%ld", &g_tile_q, &g_tile_k);
  g_peak = tfm::bench::startup_peaks();
  benchmark::AddCustomContext("tfm_cpu", g_cpu);
  for (bool fused : {true, false})
    for (long b : {1L, 4L})
      for (long h : {8L, 12L})
        for (long t : {128L, 256L, 512L, 1024L, 2048L, 4096L})
          for (bool causal : {false, true})
            for (int threads : {1, 2}) {
              std::string name = std::string(fused ? "BM_AttentionFused" : "BM_AttentionUnfused") +
                                 "/B:" + std::to_string(b) + "/H:" + std::to_string(h) +
                                 "/T:" + std::to_string(t) + "/causal:" + std::to_string(causal) +
                                 "/threads:" + std::to_string(threads);
              benchmark::RegisterBenchmark(name.c_str(), BM_Attention, fused, b, h, t, causal,
                                           threads)
                  ->Unit(benchmark::kMillisecond)
                  ->UseRealTime()
                  ->MinTime(0.3);
            }
  tfm::bench::run_benchmarks(&argc, argv, g_peak);
  cache.clear();
  return 0;
}
