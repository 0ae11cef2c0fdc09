// The FMA peak of this machine, measured: independent chains of 512-bit FMAs
// on each of n threads for a fixed time. Benchmarks report pct_peak against
// it for their thread count (../shared PERF.md: "every benchmark program
// measures the FMA peak of the machine it runs on at start-up").
#pragma once

#include <immintrin.h>
#include <pthread.h>
#include <sched.h>

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace tfm::bench {

// GFLOP/s of one thread running 16 independent zmm FMA chains.
__attribute__((target("avx512f"))) inline double fma_thread(double seconds) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(1.0f + i * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  long iterations = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (int r = 0; r < 1000; ++r)
      for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    iterations += 1000;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  __m512 sum = acc[0];
  for (int i = 1; i < 16; ++i) sum = _mm512_add_ps(sum, acc[i]);
  volatile float sink = _mm512_reduce_add_ps(sum);
  (void)sink;
  return iterations * 16.0 * 16 * 2 / elapsed / 1e9;
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
    std::fprintf(stderr, "measured FMA peak, %d thread(s): %.1f GFLOP/s\n", threads, peaks[threads]);
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
  state.counters["GFLOP/s"] = benchmark::Counter(gflop, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["pct_peak"] = benchmark::Counter(gflop * 100.0 / peaks.at(threads),
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
  state.counters["peak_now"] = fma_peak(threads, /*seconds=*/0.05);
}

// Runs the registered benchmarks with the start-up peaks in the JSON
// context (peak_gflops_1_thread, peak_gflops_2_threads).
inline void run_benchmarks(int* argc, char** argv, const std::map<int, double>& peaks) {
  benchmark::AddCustomContext("peak_gflops_1_thread", std::to_string(peaks.at(1)));
  benchmark::AddCustomContext("peak_gflops_2_threads", std::to_string(peaks.at(2)));
  benchmark::Initialize(argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

}  // namespace tfm::bench
