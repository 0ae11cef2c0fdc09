// The FMA peak of this machine, measured: independent chains of the widest
// FMA the CPU has (AVX-512, else AVX2 + FMA, else SSE multiply-adds) on each
// of n threads for a fixed time. Benchmarks report pct_peak against it for
// their thread count (../shared PERF.md: "every benchmark program measures
// the FMA peak of the machine it runs on at start-up"). Each kernel is
// compiled for its own ISA and only called when __builtin_cpu_supports says
// the CPU has it: nothing here executes an instruction the CPU lacks.
#pragma once

#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace tfm::bench {

// Each kernel below runs its independent FMA chains in batches of 1000
// steps until `seconds` have passed and returns GFLOP/s. (The loops are
// written out in each: a lambda would not be compiled for the kernel's ISA.)
#define TFM_BENCH_TIME_CHAINS(seconds, flops_per_step, step)                                   \
  long iterations = 0;                                                                         \
  auto start = std::chrono::steady_clock::now();                                               \
  double elapsed = 0;                                                                          \
  do {                                                                                         \
    for (int r = 0; r < 1000; ++r) {                                                           \
      step;                                                                                    \
    }                                                                                          \
    iterations += 1000;                                                                        \
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); \
  } while (elapsed < (seconds));                                                               \
  double gflops = iterations * (flops_per_step) / elapsed / 1e9

// 16 independent zmm FMA chains: 16 chains x 16 lanes x 2 flops per step.
__attribute__((target("avx512f"))) inline double fma_thread_avx512(double seconds) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  TFM_BENCH_TIME_CHAINS(seconds, 16.0 * 16 * 2,
                        for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b));
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = _mm512_add_ps(sum, acc[i]);
  volatile float sink = _mm512_reduce_add_ps(sum);
  (void)sink;
  return gflops;
}

// 12 independent ymm FMA chains (of AVX2's 16 registers, leaving the two
// operands): 12 chains x 8 lanes x 2 flops per step.
__attribute__((target("avx2,fma"))) inline double fma_thread_avx2(double seconds) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(1.0f + i * 1e-3f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  TFM_BENCH_TIME_CHAINS(seconds, 12.0 * 8 * 2,
                        for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b));
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  volatile float sink = lanes[0];
  (void)sink;
  return gflops;
}

// SSE has no FMA: 6 independent multiply and add chains on xmm registers,
// 6 x 4 lanes x 2 flops per step (every x86-64 CPU has SSE2).
inline double fma_thread_sse(double seconds) {
  __m128 acc[6];
  for (int i = 0; i < 6; ++i) acc[i] = _mm_set1_ps(1.0f + i * 1e-3f);
  const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
  TFM_BENCH_TIME_CHAINS(seconds, 6.0 * 4 * 2,
                        for (int i = 0; i < 6; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b));
  __m128 sum = acc[0];
  for (int i = 1; i < 6; ++i) sum = _mm_add_ps(sum, acc[i]);
  volatile float sink = _mm_cvtss_f32(sum);
  (void)sink;
  return gflops;
}
#undef TFM_BENCH_TIME_CHAINS

// The widest FMA this CPU has, by name: "avx512f", "avx2+fma" or "sse";
// or a narrower one named by TFM_PEAK_ISA (to rate code compiled for an
// older ISA against that ISA's peak), never one the CPU lacks.
inline const char* fma_isa() {
  const char* widest = "sse";
  if (__builtin_cpu_supports("avx512f"))
    widest = "avx512f";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    widest = "avx2+fma";
  const char* asked = std::getenv("TFM_PEAK_ISA");
  if (!asked) return widest;
  std::string a = asked, w = widest;
  if (a == "sse") return "sse";
  if (a == "avx2+fma" && w != "sse") return "avx2+fma";
  return widest;
}

// GFLOP/s of one thread running independent chains of the widest FMA.
inline double fma_thread(double seconds) {
  std::string isa = fma_isa();
  if (isa == "avx512f") return fma_thread_avx512(seconds);
  if (isa == "avx2+fma") return fma_thread_avx2(seconds);
  return fma_thread_sse(seconds);
}

// Total GFLOP/s of `threads` threads running fma_thread at once; the best of
// three tries, since the machine is shared.
inline double fma_peak(int threads, double seconds = 0.3) {
  double best = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::vector<double> each(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        // One thread per core, whatever the caller's affinity (a thread
        // OpenMP pinned would pass its single core on to these).
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(t % CPU_SETSIZE, &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
        each[t] = fma_thread(seconds);
      });
    for (auto& th : pool) th.join();
    double total = 0;
    for (double g : each) total += g;
    best = std::max(best, total);
  }
  return best;
}

// The FMA peak on 1 and 2 threads, measured at start-up and printed:
// threads -> GFLOP/s.
inline std::map<int, double> startup_peaks() {
  std::map<int, double> peaks;
  for (int threads : {1, 2}) {
    peaks[threads] = fma_peak(threads);
    std::fprintf(stderr, "measured FMA peak (%s), %d thread(s): %.1f GFLOP/s\n", fma_isa(), threads,
                 peaks[threads]);
  }
  return peaks;
}

// The counters every benchmark here reports: GFLOP (per iteration), GFLOP/s,
// pct_peak against the start-up peak for that thread count, threads, and
// peak_now, the FMA peak measured again right after the run (the machine is
// shared: a slow run under a low peak_now is the host, not the code).
inline void report_rate(benchmark::State& state, double gflop, int threads,
                        const std::map<int, double>& peaks) {
  state.counters["GFLOP"] = gflop;
  state.counters["GFLOP/s"] =
      benchmark::Counter(gflop, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["pct_peak"] = benchmark::Counter(gflop * 100.0 / peaks.at(threads),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
  state.counters["peak_now"] = fma_peak(threads, /*seconds=*/0.05);
}

// Takes every `<name>=<value>` argument out of argv (the benchmark's own
// flags, before Google Benchmark reads the rest) and returns the last value
// given, else `fallback`.
inline std::string take_flag(int* argc, char** argv, const std::string& name,
                             std::string fallback = "") {
  const std::string prefix = name + "=";
  for (int i = 1; i < *argc; ++i)
    if (std::string(argv[i]).starts_with(prefix)) {
      fallback = argv[i] + prefix.size();
      for (int j = i; j + 1 < *argc; ++j) argv[j] = argv[j + 1];
      --*argc;
      --i;
    }
  return fallback;
}

// take_flag's value as a non-negative integer; anything else ends the
// program with a message naming the flag (never an uncaught exception).
inline long take_count_flag(int* argc, char** argv, const std::string& name, long fallback) {
  std::string text = take_flag(argc, argv, name, std::to_string(fallback));
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || value < 0) {
    std::fprintf(stderr, "%s: %s=%s is not a count ---> HINT: give a non-negative integer\n",
                 argv[0], name.c_str(), text.c_str());
    std::exit(2);
  }
  return value;
}

// Runs the registered benchmarks with the start-up peaks in the JSON
// context (peak_gflops_1_thread, peak_gflops_2_threads).
inline void run_benchmarks(int* argc, char** argv, const std::map<int, double>& peaks) {
  benchmark::AddCustomContext("peak_gflops_1_thread", std::to_string(peaks.at(1)));
  benchmark::AddCustomContext("peak_gflops_2_threads", std::to_string(peaks.at(2)));
  benchmark::AddCustomContext("peak_isa", fma_isa());
  benchmark::Initialize(argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

}  // namespace tfm::bench
