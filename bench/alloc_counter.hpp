// Counts the heap bytes live at once and the bytes allocated in all: malloc
// and free are interposed, so the counts include what compiled code
// allocates (its buffers are malloc'ed).
// Include in exactly one translation unit of a benchmark executable linked
// with -rdynamic, so that JIT-compiled code binds to these definitions.
#pragma once

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <atomic>
#include <cstddef>

extern "C" void* __libc_malloc(std::size_t);
extern "C" void __libc_free(void*);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void* __libc_memalign(std::size_t, std::size_t);

namespace tfm::bench {

inline std::atomic<long long> live_bytes{0}, peak_bytes{0}, allocated_bytes{0};

inline void count_alloc(void* p) {
  if (!p) return;
  long long size = static_cast<long long>(malloc_usable_size(p));
  allocated_bytes += size;
  long long now = live_bytes += size;
  long long peak = peak_bytes.load();
  while (now > peak && !peak_bytes.compare_exchange_weak(peak, now)) {
  }
}
inline void count_free(void* p) {
  if (p) live_bytes -= static_cast<long long>(malloc_usable_size(p));
}

// Calls `call` (which returns a tfm::Status) once to warm up, then in the
// benchmark's timed loop, and sets the counter alloc_bytes: the heap bytes
// the last timed call allocated (0 in a steady state). False, the benchmark
// skipped with the message, if the warm-up call fails.
template <class Call>
bool time_calls(benchmark::State& state, Call&& call) {
  if (auto st = call(); !st.ok()) {
    state.SkipWithError(st.message().c_str());
    return false;
  }
  long long allocated = 0;
  for (auto _ : state) {
    long long before = allocated_bytes.load();
    auto st = call();
    allocated = allocated_bytes.load() - before;
    benchmark::DoNotOptimize(st);
  }
  state.counters["alloc_bytes"] = static_cast<double>(allocated);
  return true;
}

// Restarts the peak at what is live now; returns that baseline.
inline long long reset_peak() {
  long long now = live_bytes.load();
  peak_bytes = now;
  return now;
}

}  // namespace tfm::bench

extern "C" {
void* malloc(std::size_t n) noexcept {
  void* p = __libc_malloc(n);
  tfm::bench::count_alloc(p);
  return p;
}
void free(void* p) noexcept {
  tfm::bench::count_free(p);
  __libc_free(p);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
  void* p = __libc_calloc(n, size);
  tfm::bench::count_alloc(p);
  return p;
}
void* realloc(void* old, std::size_t n) noexcept {
  tfm::bench::count_free(old);
  void* p = __libc_realloc(old, n);
  tfm::bench::count_alloc(p);
  return p;
}
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
  void* p = __libc_memalign(alignment, n);
  tfm::bench::count_alloc(p);
  return p;
}
}
