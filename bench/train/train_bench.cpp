// BM_TrainStep: one training step (forward, cross-entropy loss, backward,
// AdamW update of every parameter in place) of the two models in
// bench/train/models.hpp, compiled by tfm from the DSL's trace with attention
// fused or not, on 1 or 2 threads. Counters: tokens/s (batch x sequence per
// second), GFLOP/s and pct_peak (matmul and attention FLOPs of forward and
// backward, see step_gflop), loss (after the last step: the step must
// really train), alloc_bytes (heap bytes a steady-state step allocates),
// peak_now (the FMA peak measured again right after the run).
//
// BM_TrainStepStatesPackedOnce: the fused step compiled with its weights
// packed once (tfm::jit::Options::pack_states: packed before the first step,
// kept packed by each step, which packs the weights it updated), against
// BM_TrainStep's default (each step packs them inside, as its matmuls need
// them). Counter packed_bytes: the packed copy kept across steps.
//
// BM_TrainStepNotOutlined: the fused step compiled with every entry point
// one function (tfm::jit::Options::outline_kernels = false), against
// BM_TrainStep's kernels as functions, each distinct one once.
//
// BM_Gpt2BlockMatmuls and BM_Gpt2BlockAttention time the GPT-2 block's parts
// alone at the same shapes, for the split of its step time: every linear
// layer's forward and both backward matmuls (the tied head's too), and the
// fused attention forward and backward. The rest of the step (norms, GELU,
// embedding, loss, AdamW, copies) is the step minus the two.
//
//   train_bench [--cpu=<llvm cpu>] [--benchmark_filter=...] [--benchmark_format=json]
//
// --cpu compiles for another CPU of this machine's architecture (znver3:
// AVX2 code on an AVX-512 machine).

#include <benchmark/benchmark.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tfm/jit.hpp>
#include <tuple>
#include <utility>
#include <vector>

#include "../alloc_counter.hpp"
#include "../peak.hpp"
#include "models.hpp"

namespace {

using tfm::bench::kGpt2Block;
using tfm::bench::kSmall;
using tfm::bench::TrainModel;

std::map<int, double> g_peak;  // threads -> GFLOP/s
std::string g_cpu = "host";    // --cpu: code for another CPU this machine can run

// The FLOPs of one step: each linear layer's forward matmul and its two
// backward ones (3 x 2MNK), the tied head likewise; causal attention forward
// and backward (3.5 x 4 B H T^2 d / 2).
double matmul_gflop(const TrainModel& m) {
  const double tokens = double(m.batch) * double(m.seq), d = double(m.d_model);
  const double weights =
      double(m.layers) * (4 * d * d + 2 * d * double(m.d_ff)) + d * double(m.vocab);
  return 3 * 2 * tokens * weights / 1e9;
}
double attention_gflop(const TrainModel& m) {
  return double(m.layers) * 3.5 * 4 * double(m.batch) * double(m.heads) * double(m.seq) *
         double(m.seq) * (double(m.d_model) / double(m.heads)) * 0.5 / 1e9;
}
double step_gflop(const TrainModel& m) { return matmul_gflop(m) + attention_gflop(m); }

// Compiled modules by name and variant; emptied before main returns (a JIT
// module must not outlive LLVM's static state).
std::map<std::tuple<std::string, bool, bool, bool>, std::unique_ptr<tfm::jit::Module>> cache;

const tfm::jit::Module* module_for(const std::string& name, const tfm::Result<std::string>& mlir,
                                   bool fused, benchmark::State& state, bool pack_states = false,
                                   bool outline_kernels = true) {
  auto key = std::make_tuple(name, fused, pack_states, outline_kernels);
  auto it = cache.find(key);
  if (it == cache.end()) {
    if (!mlir.ok()) {
      state.SkipWithError(mlir.message().c_str());
      return nullptr;
    }
    tfm::jit::Options options;
    options.fuse_attention = fused;
    options.pack_states = pack_states;
    options.outline_kernels = outline_kernels;
    options.cpu = g_cpu;
    auto m = tfm::jit::Module::compile(*mlir, options, name);
    if (!m.ok()) {
      state.SkipWithError(m.message().c_str());
      return nullptr;
    }
    it = cache.emplace(key, std::make_unique<tfm::jit::Module>(std::move(*m))).first;
  }
  return it->second.get();
}

void fill_normal(tfm::Tensor& t, std::mt19937& rng, float stddev) {
  std::normal_distribution<float> dist(0.0f, stddev);
  for (float& e : t.values<float>()) e = dist(rng);
}

void BM_TrainStep(benchmark::State& state, TrainModel model, bool fused, int threads,
                  bool pack_states, bool outline_kernels) {
  omp_set_num_threads(threads);
  const std::string name(model.name);
  const tfm::jit::Module* m = module_for(name, tfm::bench::train_model_mlir(model), fused, state,
                                         pack_states, outline_kernels);
  if (!m) return;
  const std::string entry = name + "_train_step";
  const tfm::Signature* sig = m->signature(entry);
  if (!sig) return state.SkipWithError(("no entry point " + entry).c_str());

  // GPT-2's initialization of the loss function's parameters: N(0, 0.02)
  // matrices, zero biases, unit norm gains. Random tokens and labels; the
  // step's other tensors (AdamW moments, lr, step, loss) start at zero.
  std::mt19937 rng(1);
  std::map<std::string, tfm::Tensor> tensors;
  for (const tfm::TensorSpec& spec : m->signature(name)->args) {
    tfm::Tensor t(spec.dtype, spec.shape);
    if (spec.dtype == tfm::DType::i32) {
      std::uniform_int_distribution<std::int32_t> token(0,
                                                        static_cast<std::int32_t>(model.vocab - 1));
      for (std::int32_t& e : t.values<std::int32_t>()) e = token(rng);
    } else if (spec.role == tfm::Role::param && spec.name.ends_with(".gamma")) {
      for (float& e : t.values<float>()) e = 1.0f;
    } else if (spec.role == tfm::Role::param && spec.shape.size() == 2) {
      fill_normal(t, rng, 0.02f);
    }
    if (spec.role != tfm::Role::output) tensors.emplace(spec.name, std::move(t));
  }
  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& spec : sig->args)
    args.push_back(tensors.try_emplace(spec.name, spec.dtype, spec.shape).first->second);
  for (const char* needed : {"lr", "step", "loss"})
    if (!tensors.contains(needed))
      return state.SkipWithError((entry + " has no tensor '" + needed + "'").c_str());
  *tensors.at("lr").data<float>() = 3e-4f;
  float* step = tensors.at("step").data<float>();
  const float* loss = tensors.at("loss").data<float>();

  // With pack_states, the weights packed once, before the first step, as a
  // training loop does; each step packs the weights it updates into the
  // buffer again. Without, there is nothing to pack (0 bytes).
  auto packed = m->pack_call(entry, args);
  if (!packed.ok()) return state.SkipWithError(packed.message().c_str());
  state.counters["packed_bytes"] = double(packed->bytes());
  auto call = [&] {
    *step += 1;
    return m->call(entry, args, *packed);
  };
  // alloc_bytes: 0 in the steady state (the memory plan's workspace is the
  // module's, allocated on the first call).
  if (!tfm::bench::time_calls(state, call)) return;
  state.counters["tokens/s"] = benchmark::Counter(double(model.batch * model.seq),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["loss"] = *loss;
  tfm::bench::report_rate(state, step_gflop(model), threads, g_peak);
}

// The GPT-2 block's linear layers as tfm IR: for each [M, K] x [K, N]
// layer, y = x W, dx = dy W^T and dW = x^T dy.
std::string block_matmuls_ir(const TrainModel& m) {
  const long tokens = m.batch * m.seq, d = m.d_model;
  const std::vector<std::pair<long, long>> layers = {{d, d},      {d, d},      {d, d},      {d, d},
                                                     {d, m.d_ff}, {m.d_ff, d}, {d, m.vocab}};
  auto ty = [](long r, long c) {
    return "tensor<" + std::to_string(r) + "x" + std::to_string(c) + "xf32>";
  };
  std::string args, results, body, ret, ret_types;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto [k, n] = layers[i];
    std::string x = "%x" + std::to_string(i), w = "%w" + std::to_string(i),
                dy = "%dy" + std::to_string(i), id = std::to_string(i);
    std::string tx = ty(tokens, k), tw = ty(k, n), tdy = ty(tokens, n);
    args += (i ? ", " : "") + x + ": " + tx + " {tfm.input = \"x" + id + "\"}, " + w + ": " + tw +
            " {tfm.input = \"w" + id + "\"}, " + dy + ": " + tdy + " {tfm.input = \"dy" + id +
            "\"}";
    body += "  %y" + id + " = tfm.matmul " + x + ", " + w + " : (" + tx + ", " + tw + ") -> " +
            tdy + "\n";
    body += "  %dx" + id + " = tfm.matmul " + dy + ", " + w + " {transpose_b} : (" + tdy + ", " +
            tw + ") -> " + tx + "\n";
    body += "  %dw" + id + " = tfm.matmul " + x + ", " + dy + " {transpose_a} : (" + tx + ", " +
            tdy + ") -> " + tw + "\n";
    for (auto [v, t] : {std::pair{"%y", tdy}, std::pair{"%dx", tx}, std::pair{"%dw", tw}}) {
      std::string out = std::string(v).substr(1) + id;
      results += std::string(results.empty() ? "" : ", ") + t + " {tfm.output = \"" + out + "\"}";
      ret += std::string(ret.empty() ? "" : ", ") + v + id;
      ret_types += std::string(ret_types.empty() ? "" : ", ") + t;
    }
  }
  return "func.func @matmuls(" + args + ")\n    -> (" + results + ") {\n" + body + "  return " +
         ret + " : " + ret_types + "\n}\n";
}

// The block's causal attention, forward and backward, as the fused ops.
std::string block_attention_ir(const TrainModel& m) {
  const std::string dims =
      std::to_string(m.batch) + "x" + std::to_string(m.heads) + "x" + std::to_string(m.seq);
  const std::string t = "tensor<" + dims + "x" + std::to_string(m.d_model / m.heads) + "xf32>",
                    lse = "tensor<" + dims + "xf32>";
  const std::string scale = std::to_string(1.0 / std::sqrt(double(m.d_model / m.heads)));
  std::string s = "func.func @attention(%q: " + t + " {tfm.input = \"q\"}, %k: " + t +
                  " {tfm.input = \"k\"}, %v: " + t + " {tfm.input = \"v\"}, %do: " + t +
                  " {tfm.input = \"do\"})\n    -> (" + t + " {tfm.output = \"o\"}, " + t +
                  " {tfm.output = \"dq\"}, " + t + " {tfm.output = \"dk\"}, " + t +
                  " {tfm.output = \"dv\"}) {\n";
  s += "  %o, %lse = tfm.flash_attention %q, %k, %v {causal, scale = " + scale + " : f32} : (" + t +
       ", " + t + ", " + t + ") -> (" + t + ", " + lse + ")\n";
  s += "  %dq, %dk, %dv = tfm.flash_attention_grad %q, %k, %v, %o, %lse, %do {causal, scale = " +
       scale + " : f32} : (" + t + ", " + t + ", " + t + ", " + t + ", " + lse + ", " + t +
       ") -> (" + t + ", " + t + ", " + t + ")\n";
  s += "  return %o, %dq, %dk, %dv : " + t + ", " + t + ", " + t + ", " + t + "\n}\n";
  return s;
}

// Times one entry point of a part's module on random inputs.
void BM_Part(benchmark::State& state, std::string part, int threads) {
  omp_set_num_threads(threads);
  const TrainModel& model = kGpt2Block;
  const bool matmuls = part == "matmuls";
  const tfm::jit::Module* m = module_for(
      part, matmuls ? block_matmuls_ir(model) : block_attention_ir(model), /*fused=*/true, state);
  if (!m) return;
  const tfm::Signature& sig = *m->signature(part);
  std::mt19937 rng(2);
  std::vector<tfm::Tensor> tensors;
  tensors.reserve(sig.args.size());
  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& spec : sig.args) {
    tfm::Tensor& t = tensors.emplace_back(spec.dtype, spec.shape);
    if (spec.role != tfm::Role::output) fill_normal(t, rng, 1.0f);
    args.push_back(t);
  }
  if (tfm::Status st = m->call(part, args); !st.ok())
    return state.SkipWithError(st.message().c_str());
  for (auto _ : state) {
    tfm::Status st = m->call(part, args);
    benchmark::DoNotOptimize(st);
  }
  const double gflop = matmuls ? matmul_gflop(model) : attention_gflop(model);
  tfm::bench::report_rate(state, gflop, threads, g_peak);
}

}  // namespace

int main(int argc, char** argv) {
  g_cpu = tfm::bench::take_flag(&argc, argv, "--cpu", g_cpu);
  g_peak = tfm::bench::startup_peaks();
  benchmark::AddCustomContext("tfm_cpu", g_cpu);
  for (const TrainModel& model : {kSmall, kGpt2Block})
    for (bool fused : {true, false})
      for (int threads : {1, 2}) {
        std::string name = "BM_TrainStep/model:" + std::string(model.name) +
                           "/fused:" + std::to_string(fused) +
                           "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), BM_TrainStep, model, fused, threads, false, true)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(2.0);
      }
  // The fused step's variants: weights packed across steps; not outlined.
  struct Variant {
    const char* name;
    bool pack_states, outline_kernels;
  };
  for (Variant v : {Variant{"BM_TrainStepStatesPackedOnce", true, true},
                    Variant{"BM_TrainStepNotOutlined", false, false}})
    for (const TrainModel& model : {kSmall, kGpt2Block})
      for (int threads : {1, 2}) {
        std::string name = std::string(v.name) + "/model:" + std::string(model.name) +
                           "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), BM_TrainStep, model, true, threads,
                                     v.pack_states, v.outline_kernels)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(2.0);
      }
  for (const char* part : {"matmuls", "attention"})
    for (int threads : {1, 2}) {
      std::string name =
          std::string(part[0] == 'm' ? "BM_Gpt2BlockMatmuls" : "BM_Gpt2BlockAttention") +
          "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), BM_Part, std::string(part), threads)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(1.0);
    }
  tfm::bench::run_benchmarks(&argc, argv, g_peak);
  cache.clear();
  return 0;
}
