// Measures the FMA peak with each kernel of peak.hpp that this CPU can run
// (never one it lacks) and the one benchmarks use, for 1 and 2 threads.
// ctest runs it so that every ISA path of the peak measurement is executed
// on the machine at hand.
//
//   peak_probe

#include <cstdio>

#include "peak.hpp"

int main() {
  using namespace tfm::bench;
  std::printf("widest FMA: %s\n", fma_isa());
  std::printf("sse: %.1f GFLOP/s per thread\n", fma_thread_sse(0.05));
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    std::printf("avx2+fma: %.1f GFLOP/s per thread\n", fma_thread_avx2(0.05));
  if (__builtin_cpu_supports("avx512f"))
    std::printf("avx512f: %.1f GFLOP/s per thread\n", fma_thread_avx512(0.05));
  for (int threads : {1, 2})
    std::printf("measured FMA peak (%s), %d thread(s): %.1f GFLOP/s\n", fma_isa(), threads,
                fma_peak(threads, 0.05));
  return 0;
}
