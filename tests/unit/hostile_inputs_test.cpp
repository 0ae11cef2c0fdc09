// What a compiled call does with inputs a user or a file can get wrong: token
// ids outside the vocabulary (an error naming the tensor and the position,
// or clamped when the check is off), extreme logits and rows that count for
// nothing (finite results), memory that cannot be had (a Status, not an
// exception), and several threads compiling and calling at once. Numbers
// are checked against plain loops, printing maxdiff.
// (A fully masked attention row is in attention_test: "padding lengths {64,
// 0}: batch 1 has no key", fused and unfused, finite.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <tfm/jit.hpp>
#include <thread>
#include <tuple>
#include <vector>

#include "ffn_module.hpp"

// The allocation-failure tests ask for more memory than any machine has:
// under AddressSanitizer, that must give null as it does without it.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

namespace {

using ::testing::HasSubstr;

double maxdiff(std::span<const float> a, std::span<const double> b) {
  double d = a.size() == b.size() ? 0 : INFINITY;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    d = std::max(d, std::abs(double(a[i]) - b[i]));
  return d;
}

bool all_finite(std::span<const float> v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

constexpr const char* kEmbed = R"mlir(
func.func @embed(%ids: tensor<2x3xi32> {tfm.input = "ids"}, %pos: tensor<3xi64> {tfm.input = "pos"},
                 %table: tensor<5x4xf32> {tfm.param = "table"})
    -> (tensor<2x3x4xf32> {tfm.output = "e"}, tensor<3x4xf32> {tfm.output = "p"}) {
  %e = tfm.embedding %table, %ids : (tensor<5x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
  %p = tfm.embedding %table, %pos : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %e, %p : tensor<2x3x4xf32>, tensor<3x4xf32>
}
)mlir";

TEST(TokenIds, OutOfTheVocabularyIsAnErrorNamingTensorAndPosition) {
  auto m = tfm::jit::Module::compile(kEmbed);
  ASSERT_TRUE(m.ok()) << m.message();
  const tfm::Signature* sig = m->signature("embed");
  ASSERT_NE(sig, nullptr);
  EXPECT_EQ(sig->args[0].index_bound, 5);  // the table's rows
  EXPECT_EQ(sig->args[1].index_bound, 5);
  EXPECT_EQ(sig->args[2].index_bound, 0);  // the table itself

  tfm::Tensor table = tfm::Tensor::of<float>({5, 4});
  for (int i = 0; i < 20; ++i) table.data<float>()[i] = float(i);
  auto pos = tfm::Tensor::from<std::int64_t>({3}, {0, 1, 2});
  auto run = [&](std::initializer_list<std::int32_t> ids) {
    auto t = tfm::Tensor::from<std::int32_t>({2, 3}, ids);
    const tfm::TensorView in[] = {t, pos, table};
    return m->run("embed", in);
  };
  const std::string hint =
      " ---> HINT: token ids must come from the model's vocabulary of 5 tokens";
  EXPECT_EQ(run({0, 1, 2, 3, 100000, 4}).message(),
            "tfm: embed: tensor 'ids' (input, argument 0) holds 100000 at [1, 1], outside [0, 5) "
            "(the rows of the table it indexes)" +
                hint);
  EXPECT_EQ(run({-5, 1, 2, 3, 4, 4}).message(),
            "tfm: embed: tensor 'ids' (input, argument 0) holds -5 at [0, 0], outside [0, 5) "
            "(the rows of the table it indexes)" +
                hint);
  EXPECT_EQ(run({0, 1, 2, 3, 4, 5}).message(),
            "tfm: embed: tensor 'ids' (input, argument 0) holds 5 at [1, 2], outside [0, 5) "
            "(the rows of the table it indexes)" +
                hint);
  ASSERT_TRUE(run({0, 1, 2, 3, 4, 4}).ok());
  {  // i64 ids too.
    auto ids = tfm::Tensor::from<std::int32_t>({2, 3}, {0, 1, 2, 3, 4, 4});
    auto bad = tfm::Tensor::from<std::int64_t>({3}, {0, std::int64_t{1} << 40, 2});
    const tfm::TensorView in[] = {ids, bad, table};
    EXPECT_EQ(m->run("embed", in).message(),
              "tfm: embed: tensor 'pos' (input, argument 1) holds 1099511627776 at [1], outside "
              "[0, 5) (the rows of the table it indexes)" +
                  hint);
  }

  // With the check off, the compiled code clamps: the first and last rows.
  tfm::jit::Options unchecked;
  unchecked.check_indices = false;
  auto fast = tfm::jit::Module::compile(kEmbed, unchecked);
  ASSERT_TRUE(fast.ok()) << fast.message();
  auto ids = tfm::Tensor::from<std::int32_t>({2, 3}, {-5, 1, 2, 3, 100000, 4});
  const tfm::TensorView in[] = {ids, pos, table};
  auto out = fast->run("embed", in);
  ASSERT_TRUE(out.ok()) << out.message();
  std::vector<double> want;
  for (int id : {0, 1, 2, 3, 4, 4})
    for (int d = 0; d < 4; ++d) want.push_back(4.0 * id + d);
  double diff = maxdiff((*out)[0].values<float>(), want);
  std::printf("  ids clamped with the check off: maxdiff %g\n", diff);
  EXPECT_EQ(diff, 0.0);
}

// Logits of +-1e4 and a row whose scores are all alike: softmax and
// cross-entropy stay finite and exact (they subtract the row's maximum).
TEST(FiniteResults, LogitsOf1e4) {
  const char* src = R"mlir(
func.func @f(%z: tensor<3x4xf32> {tfm.input = "z"}, %t: tensor<3xi32> {tfm.input = "t"})
    -> (tensor<3x4xf32> {tfm.output = "p"}, tensor<f32> {tfm.output = "loss"}) {
  %p = tfm.softmax %z {axis = -1 : i64} : tensor<3x4xf32>
  %l = tfm.cross_entropy %z, %t : (tensor<3x4xf32>, tensor<3xi32>) -> tensor<f32>
  return %p, %l : tensor<3x4xf32>, tensor<f32>
}
)mlir";
  auto m = tfm::jit::Module::compile(src);
  ASSERT_TRUE(m.ok()) << m.message();
  auto z = tfm::Tensor::from<float>({3, 4}, {1e4f, -1e4f, 0, 1e4f,        //
                                             -1e4f, -1e4f, -1e4f, -1e4f,  //
                                             1e4f, 1e4f - 1, 0, -1e4f});
  auto t = tfm::Tensor::from<std::int32_t>({3}, {1, 2, 0});
  const tfm::TensorView in[] = {z, t};
  auto out = m->run("f", in);
  ASSERT_TRUE(out.ok()) << out.message();
  // In double: softmax and the mean of -log p[target].
  std::vector<double> p;
  double loss = 0;
  for (int r = 0; r < 3; ++r) {
    const float* row = z.data<float>() + 4 * r;
    double mx = *std::max_element(row, row + 4), sum = 0;
    for (int c = 0; c < 4; ++c) sum += std::exp(double(row[c]) - mx);
    for (int c = 0; c < 4; ++c) p.push_back(std::exp(double(row[c]) - mx) / sum);
    loss += (mx + std::log(sum) - row[t.data<std::int32_t>()[r]]) / 3;
  }
  double dp = maxdiff((*out)[0].values<float>(), p);
  double dl = std::abs(double((*out)[1].data<float>()[0]) - loss) / loss;
  std::printf("  logits 1e4: softmax maxdiff %.3g, loss %.6g (reference %.6g, relative %.3g)\n", dp,
              (*out)[1].data<float>()[0], loss, dl);
  EXPECT_TRUE(all_finite((*out)[0].values<float>()));
  EXPECT_TRUE(std::isfinite((*out)[1].data<float>()[0]));
  EXPECT_LE(dp, 1e-6);
  EXPECT_LE(dl, 1e-6);
}

// A batch in which no target counts (all <pad>, or a zero loss mask): the
// loss is 0 and the gradients are 0, not 0/0.
TEST(FiniteResults, AllIgnoredLabelsGiveLossZero) {
  const char* src = R"mlir(
func.func @lin(%x: tensor<4x3xf32> {tfm.input = "x"}, %w: tensor<3x5xf32> {tfm.param = "w"},
               %t: tensor<4xi32> {tfm.input = "t"}, %mask: tensor<4xf32> {tfm.input = "mask"})
    -> (tensor<f32> {tfm.output = "loss"}) attributes {tfm.train = {loss = "loss"}} {
  %z = tfm.matmul %x, %w : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %l = tfm.cross_entropy %z, %t mask %mask {label_smoothing = 0.1 : f32, ignore_index = 0 : i64}
      : (tensor<4x5xf32>, tensor<4xi32>, tensor<4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
)mlir";
  auto m = tfm::jit::Module::compile(src);
  ASSERT_TRUE(m.ok()) << m.message();
  auto x = tfm::Tensor::from<float>({4, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 1e4f, -1e4f, 0});
  tfm::Tensor w = tfm::Tensor::of<float>({3, 5});
  for (int i = 0; i < 15; ++i) w.data<float>()[i] = 0.1f * float(i - 7);
  auto ignored = tfm::Tensor::from<std::int32_t>({4}, {0, 0, 0, 0});
  auto counted = tfm::Tensor::from<std::int32_t>({4}, {1, 2, 3, 4});
  auto ones = tfm::Tensor::from<float>({4}, {1, 1, 1, 1});
  auto zeros = tfm::Tensor::of<float>({4});
  for (auto [t, mask, what] : {std::tuple{&ignored, &ones, "every target <pad>"},
                               std::tuple{&counted, &zeros, "a zero loss mask"}}) {
    const tfm::TensorView in[] = {x, w, *t, *mask};
    auto loss = m->run("lin", in);
    ASSERT_TRUE(loss.ok()) << loss.message();
    auto grad = m->run("lin_grad", in);
    ASSERT_TRUE(grad.ok()) << grad.message();
    float l = (*loss)[0].data<float>()[0];
    double g = 0;
    for (const tfm::Tensor& out : *grad)
      for (float v : out.values<float>())
        g = std::max(g, std::isfinite(v) ? std::abs(double(v)) : double(INFINITY));
    std::printf("  %s: loss %g, largest |gradient| %g\n", what, l, g);
    EXPECT_EQ(l, 0.0f) << what;
    EXPECT_EQ(g, 0.0) << what;
  }
}

// More memory than there is: a Status naming what could not be had, never
// an exception or a crash.
TEST(AllocationFailure, TensorCreateIsAStatus) {
  auto huge = tfm::Tensor::create(tfm::DType::f32, {std::int64_t{1} << 40});
  EXPECT_EQ(huge.message(),
            "tfm: cannot allocate a tensor f32[1099511627776] (4398046511104 bytes) ---> HINT: "
            "free memory, or use smaller shapes");
  auto overflow = tfm::Tensor::create(tfm::DType::f64, {std::int64_t{1} << 40, 1 << 30});
  EXPECT_EQ(overflow.message(),
            "tfm: cannot allocate a tensor f64[1099511627776x1073741824]: its size does not fit "
            "in 63 bits, or a dimension is negative");
  EXPECT_THAT(tfm::Tensor::create(tfm::DType::i32, {2, -1}).message(),
              HasSubstr("a dimension is negative"));
  auto ok = tfm::Tensor::create(tfm::DType::i64, {3, 0});
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(ok->size(), 0);
  // The throwing constructor, for sizes a program picks itself.
  EXPECT_THROW(tfm::Tensor(tfm::DType::f32, {std::int64_t{1} << 40}), std::bad_alloc);
}

TEST(AllocationFailure, RunWithAnOutputTooLargeIsAStatus) {
  // [2^19, 1] x [1, 2^19]: inputs of 2 MiB, an output of 1 TiB.
  const char* src = R"mlir(
func.func @outer(%a: tensor<524288x1xf32> {tfm.input = "a"}, %b: tensor<1x524288xf32> {tfm.input = "b"})
    -> (tensor<524288x524288xf32> {tfm.output = "c"}) {
  %c = tfm.matmul %a, %b : (tensor<524288x1xf32>, tensor<1x524288xf32>) -> tensor<524288x524288xf32>
  return %c : tensor<524288x524288xf32>
}
)mlir";
  auto m = tfm::jit::Module::compile(src);
  ASSERT_TRUE(m.ok()) << m.message();
  tfm::Tensor a = tfm::Tensor::of<float>({524288, 1}), b = tfm::Tensor::of<float>({1, 524288});
  const tfm::TensorView in[] = {a, b};
  EXPECT_EQ(m->run("outer", in).message(),
            "tfm: outer: output 'c': tfm: cannot allocate a tensor f32[524288x524288] "
            "(1099511627776 bytes) ---> HINT: free memory, or use smaller shapes");
}

// Several threads compile modules at once (each with its own MLIR context
// and JIT), then call them, and one module from several threads at once:
// every result equals the one-thread result.
TEST(Threads, CompileAndCallConcurrently) {
  constexpr int kThreads = 4, kCalls = 50;
  auto x = tfm::Tensor::from<float>({2, 3}, {1, -2, 3, 4, 5, -6});
  auto w = tfm::Tensor::from<float>({3, 4}, {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1});
  const std::vector<double> want = {1, 0, 3, 2, 4, 5, 0, 3};
  tfm::jit::Options options;
  options.cache = false;  // each compiles for real
  std::vector<std::string> errors(kThreads);
  std::vector<std::optional<tfm::jit::Module>> compiled(kThreads);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
      threads.emplace_back([&, i] {
        auto m = tfm::jit::Module::compile(tfm::test::kFfn, options, "ffn" + std::to_string(i));
        if (m.ok())
          compiled[i].emplace(std::move(*m));
        else
          errors[i] = m.message();
      });
    for (std::thread& t : threads) t.join();
  }
  for (int i = 0; i < kThreads; ++i) ASSERT_TRUE(compiled[i].has_value()) << errors[i];

  std::atomic<int> wrong{0}, failed{0};
  std::atomic<double> worst{0};
  auto calls = [&](const tfm::jit::Module& m) {
    for (int c = 0; c < kCalls; ++c) {
      const tfm::TensorView in[] = {x, w};
      auto out = m.run("ffn", in);
      if (!out.ok()) {
        ++failed;
        continue;
      }
      double d = maxdiff((*out)[0].values<float>(), want);
      if (d != 0) ++wrong;
      double seen = worst.load();
      while (d > seen && !worst.compare_exchange_weak(seen, d)) {
      }
    }
  };
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) threads.emplace_back(calls, std::cref(*compiled[i]));
    for (int i = 0; i < kThreads; ++i) threads.emplace_back(calls, std::cref(*compiled[0]));
    for (std::thread& t : threads) t.join();
  }
  std::printf("  %d threads compiled, %d called (%d calls each): maxdiff %g\n", kThreads,
              2 * kThreads, kCalls, worst.load());
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
