// The matmul bar: oneDNN's sgemm (libdnnl-dev, a peer: never linked into
// tfm) on the shapes of BM_Matmul, read as JSON lines from stdin
// (`matmul_bench --list_shapes`), the transposed operands as oneDNN's
// transposes. Threads: OMP_NUM_THREADS (oneDNN runs on GNU OpenMP). Times
// the median of repetitions over at least 2 s per shape and prints one JSON
// object per shape.
//
//   matmul_bench --list_shapes | OMP_NUM_THREADS=2 onednn_matmul

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

// The integer after `"key": ` in a JSON line.
long field(const std::string& line, const std::string& key) {
  std::size_t at = line.find("\"" + key + "\": ");
  if (at == std::string::npos) {
    std::fprintf(stderr, "onednn_matmul: no %s in %s\n", key.c_str(), line.c_str());
    std::exit(1);
  }
  return std::atol(line.c_str() + at + key.size() + 4);
}

std::string name_of(const std::string& line) {
  std::size_t at = line.find("\"name\": \"") + 9;
  return line.substr(at, line.find('"', at) - at);
}

}  // namespace

int main() {
  const char* env = std::getenv("OMP_NUM_THREADS");
  int threads = env ? std::atoi(env) : 1;
  std::printf("[\n");
  bool first = true;
  std::string line;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    long m = field(line, "M"), k = field(line, "K"), n = field(line, "N");
    bool ta = field(line, "ta"), tb = field(line, "tb");
    std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n)),
        c(static_cast<std::size_t>(m * n));
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    // Row-major: lda is the stored row length.
    auto once = [&] {
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a.data(), ta ? m : k, b.data(),
                 tb ? k : n, 0.0f, c.data(), n);
    };
    once();
    std::vector<double> times;
    auto start = std::chrono::steady_clock::now();
    do {
      auto t0 = std::chrono::steady_clock::now();
      once();
      times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    } while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
                 2.0 ||
             times.size() < 5);
    std::sort(times.begin(), times.end());
    double median = times[times.size() / 2];
    double gflops = 2.0 * m * n * k / median / 1e9;
    std::printf(
        "%s  {\"peer\": \"onednn_sgemm\", \"name\": \"%s\", \"threads\": %d, \"ms\": %.4f, "
        "\"gflops\": %.2f}",
        first ? "" : ",\n", name_of(line).c_str(), threads, median * 1e3, gflops);
    std::fflush(stdout);
    first = false;
  }
  std::printf("\n]\n");
}
