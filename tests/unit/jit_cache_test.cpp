// The JIT's on-disk cache and compile statistics: a second compile of the
// same module loads it and compiles nothing (counted); an entry that is not
// whole is compiled again and replaced; another option, target or text is
// another entry; threads filling one cache at once leave it whole; the
// objects do not depend on the number of compile threads.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tfm/jit.hpp>
#include <thread>
#include <vector>

#include "ffn_module.hpp"

namespace {

namespace fs = std::filesystem;

using tfm::test::kFfn;

// Fused causal attention and two projections: kernels enough for several
// parts.
const char* kAttention = R"mlir(
func.func @attn(%q: tensor<1x4x128x64xf32> {tfm.input = "q"}, %k: tensor<1x4x128x64xf32> {tfm.input = "k"},
                %v: tensor<1x4x128x64xf32> {tfm.input = "v"}, %w: tensor<64x64xf32> {tfm.param = "w"},
                %u: tensor<64x32xf32> {tfm.param = "u"}, %gamma: tensor<64xf32> {tfm.param = "gamma"},
                %beta: tensor<64xf32> {tfm.param = "beta"}) -> (tensor<1x4x128x32xf32> {tfm.output = "o"}) {
  %s = tfm.matmul %q, %k {transpose_b} : (tensor<1x4x128x64xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x128xf32>
  %c = tfm.scale %s {factor = 0.125 : f32} : tensor<1x4x128x128xf32>
  %m = tfm.mask %c {causal} : (tensor<1x4x128x128xf32>) -> tensor<1x4x128x128xf32>
  %p = tfm.softmax %m {axis = -1 : i64} : tensor<1x4x128x128xf32>
  %a = tfm.matmul %p, %v : (tensor<1x4x128x128xf32>, tensor<1x4x128x64xf32>) -> tensor<1x4x128x64xf32>
  %h = tfm.matmul %a, %w : (tensor<1x4x128x64xf32>, tensor<64x64xf32>) -> tensor<1x4x128x64xf32>
  %g = tfm.gelu %h : tensor<1x4x128x64xf32>
  %n = tfm.layer_norm %g, %gamma, %beta {epsilon = 1.0e-5 : f32} : (tensor<1x4x128x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x4x128x64xf32>
  %o = tfm.matmul %n, %u : (tensor<1x4x128x64xf32>, tensor<64x32xf32>) -> tensor<1x4x128x32xf32>
  return %o : tensor<1x4x128x32xf32>
}
)mlir";

// A fresh directory under the test's temporary directory.
std::string fresh_dir(const std::string& name) {
  fs::path dir = fs::path(testing::TempDir()) / ("tfm_cache_" + name);
  fs::remove_all(dir);
  return dir.string();
}

tfm::jit::Options cached_in(const std::string& dir) {
  tfm::jit::Options options;
  options.cache_dir = dir;
  return options;
}

std::vector<fs::path> files_in(const std::string& dir) {
  std::vector<fs::path> files;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  return files;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs ffn on fixed tensors and returns the largest difference from the
// plain-loop reference relu(x @ w).
float ffn_maxdiff(const tfm::jit::Module& m) {
  auto x = tfm::Tensor::from<float>({2, 3}, {1, -2, 3, 4, 5, -6});
  auto w = tfm::Tensor::from<float>({3, 4}, {1, 0.5f, 0, 1, 0, 1, -2, 1, 0.25f, 0, 1, 1});
  tfm::Tensor y = tfm::Tensor::of<float>({2, 4});
  const tfm::TensorView args[] = {x, w, y};
  EXPECT_TRUE(m.call("ffn", args).ok());
  float maxdiff = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      float acc = 0;
      for (int k = 0; k < 3; ++k) acc += x.data<float>()[i * 3 + k] * w.data<float>()[k * 4 + j];
      maxdiff = std::max(maxdiff, std::abs(std::max(acc, 0.0f) - y.data<float>()[i * 4 + j]));
    }
  std::printf("maxdiff %g\n", maxdiff);
  return maxdiff;
}

TEST(JitCache, HitCompilesNothing) {
  const std::string dir = fresh_dir("hit");
  auto cold = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(cold.ok()) << cold.message();
  const tfm::jit::CompileStats& first = cold->compile_stats();
  EXPECT_FALSE(first.cache_hit);
  EXPECT_GE(first.objects_compiled, 1u);
  EXPECT_GE(first.kernels, 1u);
  ASSERT_FALSE(first.cache_entry.empty());
  EXPECT_TRUE(fs::exists(first.cache_entry));
  EXPECT_EQ(files_in(dir).size(), 1u);

  auto warm = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(warm.ok()) << warm.message();
  const tfm::jit::CompileStats& second = warm->compile_stats();
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(second.objects_compiled, 0u);
  EXPECT_EQ(second.kernels, 0u);
  EXPECT_EQ(second.mlir, 0.0);
  EXPECT_EQ(second.cache_entry, first.cache_entry);
  // The loaded module is the compiled one: same signatures, same numbers.
  ASSERT_EQ(warm->signatures().size(), cold->signatures().size());
  EXPECT_EQ(tfm::describe(warm->signature("ffn")->args[1]), "w: f32[3x4] param");
  EXPECT_EQ(ffn_maxdiff(*cold), 0.0f);
  EXPECT_EQ(ffn_maxdiff(*warm), 0.0f);
}

TEST(JitCache, EntryThatIsNotWholeIsRebuilt) {
  const std::string dir = fresh_dir("corrupt");
  auto made = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(made.ok()) << made.message();
  const std::string entry = made->compile_stats().cache_entry;
  const std::string whole = read_file(entry);
  ASSERT_GT(whole.size(), 200u);

  // One byte flipped in the middle: the checksum does not match.
  {
    std::string bad = whole;
    bad[bad.size() / 2] ^= 0x5a;
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << bad;
  }
  auto rebuilt = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.message();
  EXPECT_FALSE(rebuilt->compile_stats().cache_hit);
  EXPECT_GE(rebuilt->compile_stats().objects_compiled, 1u);
  EXPECT_EQ(ffn_maxdiff(*rebuilt), 0.0f);
  EXPECT_EQ(read_file(entry), whole) << "the entry was not written again";

  // Cut short: shorter than its header says.
  std::ofstream(entry, std::ios::binary | std::ios::trunc) << whole.substr(0, whole.size() / 3);
  auto again = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_FALSE(again->compile_stats().cache_hit);
  EXPECT_EQ(ffn_maxdiff(*again), 0.0f);
  auto hit = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(hit.ok()) << hit.message();
  EXPECT_TRUE(hit->compile_stats().cache_hit);
}

TEST(JitCache, OtherOptionsTargetOrTextMiss) {
  const std::string dir = fresh_dir("miss");
  auto compile = [&](const char* text, tfm::jit::Options options) {
    options.cache_dir = dir;
    auto m = tfm::jit::Module::compile(text, options);
    EXPECT_TRUE(m.ok()) << m.message();
    return m.ok() ? m->compile_stats().cache_hit : true;
  };
  EXPECT_FALSE(compile(kFfn, {}));
  EXPECT_TRUE(compile(kFfn, {}));
  tfm::jit::Options o2;
  o2.opt_level = 2;
  EXPECT_FALSE(compile(kFfn, o2));
  tfm::jit::Options rows;
  rows.fuse_rows = false;
  EXPECT_FALSE(compile(kFfn, rows));
  tfm::jit::Options block;
  block.matmul_mr = 2;
  block.matmul_nr = 4;
  EXPECT_FALSE(compile(kFfn, block));
  // Another CPU: the baseline x86-64 runs on every machine these tests do.
  tfm::jit::Options generic;
  generic.cpu = "x86-64";
  EXPECT_FALSE(compile(kFfn, generic));
  EXPECT_TRUE(compile(kFfn, generic));
  // The number of compile threads changes no code: the same entry.
  tfm::jit::Options one_thread;
  one_thread.compile_threads = 1;
  EXPECT_TRUE(compile(kFfn, one_thread));
  const std::string other = std::string(kFfn) + "// another text\n";
  EXPECT_FALSE(compile(other.c_str(), {}));
  EXPECT_EQ(files_in(dir).size(), 6u);
}

TEST(JitCache, OffWritesNothing) {
  const std::string dir = fresh_dir("off");
  tfm::jit::Options options = cached_in(dir);
  options.cache = false;
  for (int i = 0; i < 2; ++i) {
    auto m = tfm::jit::Module::compile(kFfn, options);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_FALSE(m->compile_stats().cache_hit);
    EXPECT_TRUE(m->compile_stats().cache_entry.empty());
    EXPECT_GE(m->compile_stats().objects_compiled, 1u);
  }
  EXPECT_FALSE(fs::exists(dir));
}

TEST(JitCache, ConcurrentWritersLeaveOneWholeEntry) {
  const std::string dir = fresh_dir("concurrent");
  constexpr int kWriters = 4;
  std::vector<std::thread> writers;
  std::vector<int> ok(kWriters, 0);
  for (int t = 0; t < kWriters; ++t)
    writers.emplace_back([&, t] {
      tfm::jit::Options options = cached_in(dir);
      options.compile_threads = 1;
      auto m = tfm::jit::Module::compile(kFfn, options);
      ok[t] = m.ok() && ffn_maxdiff(*m) == 0.0f;
    });
  for (std::thread& w : writers) w.join();
  for (int t = 0; t < kWriters; ++t) EXPECT_TRUE(ok[t]) << "writer " << t;
  // One entry, no temporary file left, and it loads.
  std::vector<fs::path> files = files_in(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].extension(), ".tfmjit");
  auto hit = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(hit.ok()) << hit.message();
  EXPECT_TRUE(hit->compile_stats().cache_hit);
  EXPECT_EQ(ffn_maxdiff(*hit), 0.0f);
}

TEST(JitCache, ObjectsDoNotDependOnCompileThreads) {
  std::string entries[2];
  std::size_t parts = 0;
  for (unsigned threads : {1u, 3u}) {
    const std::string dir = fresh_dir("threads" + std::to_string(threads));
    tfm::jit::Options options = cached_in(dir);
    options.compile_threads = threads;
    auto m = tfm::jit::Module::compile(kAttention, options);
    ASSERT_TRUE(m.ok()) << m.message();
    EXPECT_EQ(m->compile_stats().threads,
              std::min<std::size_t>(threads, m->compile_stats().objects_compiled));
    parts = m->compile_stats().objects_compiled;
    entries[threads == 1 ? 0 : 1] = read_file(m->compile_stats().cache_entry);
  }
  EXPECT_GE(parts, 2u) << "one part: nothing compiled in parallel";
  EXPECT_FALSE(entries[0].empty());
  EXPECT_TRUE(entries[0] == entries[1]) << "the objects differ with the number of threads";
}

TEST(JitCache, LeastRecentlyUsedEntriesGoPastTheLimit) {
  const std::string dir = fresh_dir("evict");
  // Room for about one entry: each write leaves the newest alone.
  ::setenv("TFM_CACHE_MAX_BYTES", "1000", 1);
  auto first = tfm::jit::Module::compile(kFfn, cached_in(dir));
  const std::string other = std::string(kFfn) + "// another text\n";
  auto second = tfm::jit::Module::compile(other, cached_in(dir));
  ::unsetenv("TFM_CACHE_MAX_BYTES");
  ASSERT_TRUE(first.ok() && second.ok());
  std::vector<fs::path> files = files_in(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].string(), second->compile_stats().cache_entry);
  EXPECT_FALSE(fs::exists(first->compile_stats().cache_entry));
  // Under the default limit both stay.
  auto again = tfm::jit::Module::compile(kFfn, cached_in(dir));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->compile_stats().cache_hit);
  EXPECT_EQ(files_in(dir).size(), 2u);
}

TEST(JitCache, TimingSaysWhereTimeWent) {
  const std::string dir = fresh_dir("timing");
  ::setenv("TFM_TIMING", "1", 1);
  testing::internal::CaptureStderr();
  auto cold = tfm::jit::Module::compile(kFfn, cached_in(dir), "ffn.mlir");
  auto warm = tfm::jit::Module::compile(kFfn, cached_in(dir), "ffn.mlir");
  const std::string printed = testing::internal::GetCapturedStderr();
  ::unsetenv("TFM_TIMING");
  ASSERT_TRUE(cold.ok() && warm.ok());
  std::printf("%s", printed.c_str());
  EXPECT_NE(printed.find("tfm: jit: ffn.mlir: compiled in "), std::string::npos);
  EXPECT_NE(printed.find(" s: MLIR pipeline "), std::string::npos);
  EXPECT_NE(printed.find("LLVM optimization "), std::string::npos);
  EXPECT_NE(printed.find("code generation "), std::string::npos);
  EXPECT_NE(printed.find("cache written: " + cold->compile_stats().cache_entry), std::string::npos);
  EXPECT_NE(printed.find("tfm: jit: ffn.mlir: cache hit (" + cold->compile_stats().cache_entry),
            std::string::npos);
}

}  // namespace
