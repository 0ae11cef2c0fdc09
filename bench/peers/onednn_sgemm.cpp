// The matmul bar: oneDNN's sgemm (libdnnl-dev, a peer: never linked into tfm)
// on the Q K^T shapes of the attention benchmark, one [T, 64] x [64, T]
// product per (batch, head). Threads: OMP_NUM_THREADS (oneDNN runs on GNU
// OpenMP). Prints one JSON object per shape.
//
//   OMP_NUM_THREADS=2 onednn_sgemm

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main() {
  const char* env = std::getenv("OMP_NUM_THREADS");
  int threads = env ? std::atoi(env) : 1;
  const long d = 64;
  std::printf("[\n");
  bool first = true;
  for (long b : {1L, 4L})
    for (long h : {8L, 12L})
      for (long t : {128L, 256L, 512L, 1024L, 2048L, 4096L}) {
        std::vector<float> q(static_cast<std::size_t>(t * d), 0.5f), k(q),
            s(static_cast<std::size_t>(t * t));
        auto once = [&] {
          for (long i = 0; i < b * h; ++i)
            dnnl_sgemm('N', 'T', t, t, d, 1.0f, q.data(), d, k.data(), d, 0.0f, s.data(), t);
        };
        once();
        double best = 1e30;
        int reps = t >= 2048 ? 3 : 10;
        for (int r = 0; r < reps; ++r) {
          auto a = std::chrono::steady_clock::now();
          once();
          best = std::min(
              best, std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
        }
        double gflops = 2.0 * b * h * t * t * d / best / 1e9;
        std::printf(
            "%s  {\"peer\": \"onednn_sgemm_qk\", \"B\": %ld, \"H\": %ld, \"T\": %ld, \"threads\": "
            "%d, "
            "\"ms\": %.4f, \"gflops\": %.2f}",
            first ? "" : ",\n", b, h, t, threads, best * 1e3, gflops);
        first = false;
      }
  std::printf("\n]\n");
}
