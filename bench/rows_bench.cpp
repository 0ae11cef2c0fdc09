// BM_Rows: the row ops of the two training models (bench/train/models.hpp)
// compiled by tfm with row fusion (fused:1, a norm's statistics computed in
// the loop that applies them, a block of rows in L1 at a time) and without
// (fused:0, one pass over memory per linalg op), on 1 and 2 threads:
// layer_norm and its backward over [batch x seq, d_model] of "small" (2048 x
// 256) and "gpt2_block" (2048 x 768), rms_norm of the latter, and softmax
// over the unfused attention scores of "small" (8 x 4 x 256 rows of 256).
// Counters: GB/s (the bytes the op must move: its row inputs read once, its
// row outputs written once), alloc_bytes (heap bytes a steady-state call
// allocates). The PyTorch peer (bench/peers/rows_torch.py) runs the same
// shapes from bench/run_rows.sh.
//
//   rows_bench [--cpu=<llvm cpu>] [--list_shapes] [--benchmark_filter=...]

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tfm/jit.hpp>
#include <vector>

#include "alloc_counter.hpp"
#include "peak.hpp"

namespace {

struct RowShape {
  std::string op;  // layer_norm, layer_norm_grad, rms_norm, softmax
  std::string model;
  long rows, d;
  std::string name() const {
    return op + "/" + model + "/" + std::to_string(rows) + "x" + std::to_string(d);
  }
  std::string json() const {
    return "{\"name\": \"" + name() + "\", \"op\": \"" + op +
           "\", \"rows\": " + std::to_string(rows) + ", \"d\": " + std::to_string(d) + "}";
  }
  // Tensors of rows read and written (each rows x d floats).
  int row_arrays() const { return op == "layer_norm_grad" ? 3 : 2; }
};

std::vector<RowShape> row_shapes() {
  return {{"layer_norm", "small", 2048, 256},      {"layer_norm", "gpt2_block", 2048, 768},
          {"layer_norm_grad", "small", 2048, 256}, {"layer_norm_grad", "gpt2_block", 2048, 768},
          {"rms_norm", "gpt2_block", 2048, 768},   {"softmax", "small_scores", 8192, 256}};
}

std::string row_ir(const RowShape& s) {
  std::string x = "tensor<" + std::to_string(s.rows) + "x" + std::to_string(s.d) + "xf32>";
  std::string v = "tensor<" + std::to_string(s.d) + "xf32>";
  if (s.op == "layer_norm")
    return "func.func @f(%x: " + x + " {tfm.input = \"x\"}, %g: " + v +
           " {tfm.param = \"g\"}, %b: " + v + " {tfm.param = \"b\"}) -> (" + x +
           " {tfm.output = \"y\"}) {\n" +
           "  %y = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : (" + x + ", " + v + ", " +
           v + ") -> " + x + "\n  return %y : " + x + "\n}\n";
  if (s.op == "rms_norm")
    return "func.func @f(%x: " + x + " {tfm.input = \"x\"}, %g: " + v +
           " {tfm.param = \"g\"}) -> (" + x + " {tfm.output = \"y\"}) {\n" +
           "  %y = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (" + x + ", " + v + ") -> " + x +
           "\n  return %y : " + x + "\n}\n";
  if (s.op == "softmax")
    return "func.func @f(%x: " + x + " {tfm.input = \"x\"}) -> (" + x +
           " {tfm.output = \"y\"}) {\n  %y = tfm.softmax %x {axis = -1 : i64} : " + x +
           "\n  return %y : " + x + "\n}\n";
  // layer_norm_grad: dx, dgamma, dbeta.
  return "func.func @f(%x: " + x + " {tfm.input = \"x\"}, %g: " + v +
         " {tfm.param = \"g\"}, %dy: " + x + " {tfm.input = \"dy\"}) -> (" + x +
         " {tfm.output = \"dx\"}, " + v + " {tfm.output = \"dg\"}, " + v +
         " {tfm.output = \"db\"}) {\n" +
         "  %dx, %dg, %db = tfm.layer_norm_grad %x, %g, %dy {epsilon = 1.0e-5 : f32} : (" + x +
         ", " + v + ", " + x + ") -> (" + x + ", " + v + ", " + v + ")\n" +
         "  return %dx, %dg, %db : " + x + ", " + v + ", " + v + "\n}\n";
}

std::map<int, double> g_peak;
std::string g_cpu = "host";
// Compiled modules by IR and fusion; emptied before main returns.
std::map<std::string, std::unique_ptr<tfm::jit::Module>> cache;

void BM_Rows(benchmark::State& state, RowShape s, bool fused, int threads) {
  omp_set_num_threads(threads);
  std::string ir = row_ir(s);
  std::string key = ir + (fused ? "fused" : "unfused");
  auto it = cache.find(key);
  if (it == cache.end()) {
    tfm::jit::Options options;
    options.cpu = g_cpu;
    options.fuse_rows = fused;
    auto m = tfm::jit::Module::compile(ir, options, "rows");
    if (!m.ok()) {
      state.SkipWithError(m.message().c_str());
      return;
    }
    it = cache.emplace(key, std::make_unique<tfm::jit::Module>(std::move(*m))).first;
  }
  const tfm::jit::Module& m = *it->second;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto random = [&](tfm::Shape shape) {
    tfm::Tensor t(tfm::DType::f32, shape);
    for (float& e : t.values<float>()) e = dist(rng);
    return t;
  };
  std::vector<tfm::Tensor> tensors;
  tensors.push_back(random({s.rows, s.d}));                                 // x
  if (s.op != "softmax") tensors.push_back(random({s.d}));                  // gamma
  if (s.op == "layer_norm") tensors.push_back(random({s.d}));               // beta
  if (s.op == "layer_norm_grad") tensors.push_back(random({s.rows, s.d}));  // dy
  tensors.emplace_back(tfm::DType::f32, tfm::Shape{s.rows, s.d});           // y or dx
  if (s.op == "layer_norm_grad") {
    tensors.emplace_back(tfm::DType::f32, tfm::Shape{s.d});
    tensors.emplace_back(tfm::DType::f32, tfm::Shape{s.d});
  }
  std::vector<tfm::TensorView> args(tensors.begin(), tensors.end());
  if (!tfm::bench::time_calls(state, [&] { return m.call("f", args); })) return;
  double bytes = 4.0 * s.rows * s.d * s.row_arrays();
  state.counters["GB/s"] =
      benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--list_shapes") == 0) {  // for the peer
      for (const RowShape& s : row_shapes()) std::printf("%s\n", s.json().c_str());
      return 0;
    }
  g_cpu = tfm::bench::take_flag(&argc, argv, "--cpu", g_cpu);
  g_peak = tfm::bench::startup_peaks();
  benchmark::AddCustomContext("tfm_cpu", g_cpu);
  for (const RowShape& s : row_shapes())
    for (int fused : {1, 0})
      for (int threads : {1, 2}) {
        std::string name = "BM_Rows/" + s.name() + "/fused:" + std::to_string(fused) +
                           "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), BM_Rows, s, fused != 0, threads)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime()
            ->MinTime(0.3);
      }
  tfm::bench::run_benchmarks(&argc, argv, g_peak);
  cache.clear();
  return 0;
}
