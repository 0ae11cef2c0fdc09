// Every tfm op, traced with the DSL and compiled by the JIT, against the
// plain-loop reference (tests/support/reference.hpp), with and without
// vectorization, on shapes that do and do not divide the tile sizes.
// Tolerance: maxdiff <= 1e-5 (relative above 1, absolute below).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <tfm/dsl.hpp>
#include <tfm/jit.hpp>

#include "reference.hpp"

namespace {

using namespace tfm::dsl;
namespace ref = tfm::ref;

constexpr double kTolerance = 1e-5;

class OpNumerics : public ::testing::TestWithParam<bool> {
 protected:
  // Traces `model`, JIT-compiles it and runs it on `inputs` (in declaration
  // order); returns the outputs as float vectors.
  std::vector<std::vector<float>> run(const std::string& name, const ModelFn& model,
                                      const std::vector<tfm::TensorView>& inputs,
                                      bool fuse_rows = true, bool check_indices = true) {
    TraceResult traced = trace(name, model);
    EXPECT_TRUE(traced.ok()) << traced.error;
    tfm::jit::Options options;
    options.vectorize = GetParam();
    options.fuse_rows = fuse_rows;
    options.check_indices = check_indices;
    auto module = tfm::jit::Module::compile(traced.mlir, options, name);
    EXPECT_TRUE(module.ok()) << module.message();
    if (!module.ok()) return {};
    auto outputs = module->run(name, inputs);
    EXPECT_TRUE(outputs.ok()) << outputs.message();
    if (!outputs.ok()) return {};
    std::vector<std::vector<float>> result;
    for (const tfm::Tensor& t : *outputs) {
      auto v = t.values<float>();
      result.emplace_back(v.begin(), v.end());
    }
    return result;
  }

  static tfm::TensorView view(ref::Array& a) { return tfm::TensorView(a.data.data(), a.shape); }

  static void expect_close(const std::vector<float>& got, const ref::Array& want,
                           const std::string& what) {
    double d = ref::maxdiff(got, want.data);
    std::printf("  %-40s maxdiff %.3g\n", what.c_str(), d);
    EXPECT_LE(d, kTolerance) << what;
  }
};

INSTANTIATE_TEST_SUITE_P(Vectorized, OpNumerics, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "vector" : "scalar"; });

TEST_P(OpNumerics, Matmul) {
  auto check = [&]<class SA, class SB>(SA, SB, const char* what) {
    ref::Array a = ref::random_array({SA::dims.begin(), SA::dims.end()}, 1);
    ref::Array b = ref::random_array({SB::dims.begin(), SB::dims.end()}, 2);
    auto out = run("matmul",
                   [](Function& f) { f.output("c", matmul(f.input<SA>("a"), f.input<SB>("b"))); },
                   {view(a), view(b)});
    if (!out.empty()) expect_close(out[0], ref::matmul(a, b), what);
  };
  check(Shape<1, 6, 8>{}, Shape<8, 8>{}, "[1x6x8] x [8x8]");
  check(Shape<2, 3, 5, 7>{}, Shape<7, 9>{}, "[2x3x5x7] x [7x9]");
  check(Shape<3, 33, 64>{}, Shape<64, 48>{}, "[3x33x64] x [64x48]");
  check(Shape<64, 64>{}, Shape<64, 64>{}, "[64x64] x [64x64]");
  check(Shape<7, 13>{}, Shape<13, 29>{}, "[7x13] x [13x29]");
  check(Shape<4, 1, 16, 20>{}, Shape<1, 3, 20, 24>{}, "[4x1x16x20] x [1x3x20x24] broadcast");
  check(Shape<96, 128>{}, Shape<128, 160>{}, "[96x128] x [128x160]");
}

TEST_P(OpNumerics, MatmulTransposed) {
  ref::Array a = ref::random_array({2, 9, 16}, 3), b = ref::random_array({2, 11, 16}, 4);
  auto out = run("matmul_t",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 9, 16>>("a");
                   auto y = f.input<Shape<2, 11, 16>>("b");
                   f.output("abt", matmul(x, transpose(y)));  // a b^T
                   f.output("atb", matmul(transpose(x), x));  // a^T a
                 },
                 {view(a), view(b)});
  if (out.empty()) return;
  expect_close(out[0], ref::matmul(a, b, false, true), "a [2x9x16] x b^T [2x16x11]");
  expect_close(out[1], ref::matmul(a, a, true, false), "a^T [2x16x9] x a [2x9x16]");
}

TEST_P(OpNumerics, AddMulBroadcast) {
  ref::Array x = ref::random_array({2, 3, 40}, 5), bias = ref::random_array({40}, 6);
  ref::Array col = ref::random_array({2, 1, 40}, 7), row = ref::random_array({1, 3, 1}, 8);
  ref::Array s = ref::random_array({}, 9);
  auto out = run("binary",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 3, 40>>("x");
                   auto bias = f.input<Shape<40>>("bias");
                   auto col = f.input<Shape<2, 1, 40>>("col");
                   auto row = f.input<Shape<1, 3, 1>>("row");
                   auto s = f.input<Shape<>>("s");
                   f.output("add", x + bias);
                   f.output("mul", col * row);
                   f.output("scalar", mul(x, s));
                   f.output("sum3", add(add(x, bias), x));
                 },
                 {view(x), view(bias), view(col), view(row), view(s)});
  if (out.empty()) return;
  expect_close(out[0], ref::add(x, bias), "[2x3x40] + [40]");
  expect_close(out[1], ref::mul(col, row), "[2x1x40] * [1x3x1]");
  expect_close(out[2], ref::mul(x, s), "[2x3x40] * []");
  expect_close(out[3], ref::add(ref::add(x, bias), x), "(x + bias) + x");
}

TEST_P(OpNumerics, ScaleRelu) {
  ref::Array x = ref::random_array({5, 37}, 10);
  auto out = run("unary",
                 [](Function& f) {
                   auto x = f.input<Shape<5, 37>>("x");
                   f.output("scaled", x * 0.125f);
                   f.output("relu", relu(x));
                 },
                 {view(x)});
  if (out.empty()) return;
  expect_close(out[0], ref::scale(x, 0.125f), "x * 0.125 [5x37]");
  expect_close(out[1], ref::relu(x), "relu [5x37]");
}

TEST_P(OpNumerics, Softmax) {
  ref::Array x = ref::random_array({3, 5, 70}, 11, -4.0f, 4.0f);
  ref::Array big = ref::random_array({4, 64}, 12, -1e4f, 1e4f);  // overflows without the max
  auto out = run("softmax",
                 [](Function& f) {
                   auto x = f.input<Shape<3, 5, 70>>("x");
                   auto big = f.input<Shape<4, 64>>("big");
                   f.output("last", softmax(x));
                   f.output("middle", softmax<1>(x));
                   f.output("first", softmax<0>(x));
                   f.output("big_softmax", softmax(big));
                 },
                 {view(x), view(big)});
  if (out.empty()) return;
  expect_close(out[0], ref::softmax(x, -1), "softmax axis -1 [3x5x70]");
  expect_close(out[1], ref::softmax(x, 1), "softmax axis 1 [3x5x70]");
  expect_close(out[2], ref::softmax(x, 0), "softmax axis 0 [3x5x70]");
  expect_close(out[3], ref::softmax(big, -1), "softmax of logits near 1e4 [4x64]");
}

TEST_P(OpNumerics, LayerNorm) {
  ref::Array x = ref::random_array({2, 5, 48}, 13, -3.0f, 5.0f);
  ref::Array g = ref::random_array({48}, 14), b = ref::random_array({48}, 15);
  ref::Array y = ref::random_array({1, 6, 6}, 16), g6 = ref::random_array({6}, 17),
             b6 = ref::random_array({6}, 18);
  auto out = run("layer_norm",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 5, 48>>("x");
                   auto g = f.input<Shape<48>>("g");
                   auto b = f.input<Shape<48>>("b");
                   auto y = f.input<Shape<1, 6, 6>>("y");
                   auto g6 = f.input<Shape<6>>("g6");
                   auto b6 = f.input<Shape<6>>("b6");
                   f.output("x_norm", layer_norm(x, g, b, 1e-5f));
                   f.output("y_norm", layer_norm(y, g6, b6, 1e-3f));
                 },
                 {view(x), view(g), view(b), view(y), view(g6), view(b6)});
  if (out.empty()) return;
  expect_close(out[0], ref::layer_norm(x, g, b, 1e-5f), "layer_norm [2x5x48]");
  expect_close(out[1], ref::layer_norm(y, g6, b6, 1e-3f), "layer_norm [1x6x6] eps 1e-3");
}

// Norms and softmax over enough rows that tfm-fuse-rows computes them in
// blocks of rows (and the residual add feeding a norm with them, its result
// used by nothing else), with and without row fusion; shapes whose rows do
// not divide the vector length.
TEST_P(OpNumerics, RowGroups) {
  ref::Array x = ref::random_array({4, 16, 300}, 21, -3.0f, 5.0f);
  ref::Array r = ref::random_array({4, 16, 300}, 22);
  ref::Array g = ref::random_array({300}, 23), b = ref::random_array({300}, 24);
  ref::Array s = ref::random_array({2, 30, 200}, 25, -4.0f, 4.0f);
  ref::Array y = ref::random_array({63, 520}, 26), gy = ref::random_array({520}, 27);
  for (bool fused : {true, false}) {
    auto out = run(
        "row_groups",
        [](Function& f) {
          auto x = f.input<Shape<4, 16, 300>>("x");
          auto r = f.input<Shape<4, 16, 300>>("r");
          auto g = f.input<Shape<300>>("g");
          auto b = f.input<Shape<300>>("b");
          auto s = f.input<Shape<2, 30, 200>>("s");
          auto y = f.input<Shape<63, 520>>("y");
          auto gy = f.input<Shape<520>>("gy");
          f.output("residual_norm", layer_norm(x + r, g, b, 1e-5f));
          f.output("softmax", softmax(s));
          f.output("log_softmax", log_softmax(s));
          f.output("rms", rms_norm(y, gy, 1e-6f));
        },
        {view(x), view(r), view(g), view(b), view(s), view(y), view(gy)}, fused);
    if (out.empty()) return;
    std::string how = fused ? " (rows fused)" : " (rows unfused)";
    expect_close(out[0], ref::layer_norm(ref::add(x, r), g, b, 1e-5f),
                 "layer_norm(x + r) [4x16x300]" + how);
    expect_close(out[1], ref::softmax(s, -1), "softmax [2x30x200]" + how);
    expect_close(out[2], ref::log_softmax(s, -1), "log_softmax [2x30x200]" + how);
    expect_close(out[3], ref::rms_norm(y, gy, 1e-6f), "rms_norm [63x520]" + how);
  }
}

TEST_P(OpNumerics, Embedding) {
  ref::Array table = ref::random_array({50, 24}, 19);
  std::vector<std::int64_t> ids = {0, 49, 7, 7, 13, -3, 60, 2};  // -3 and 60 clamp
  std::vector<std::int32_t> ids32(ids.begin(), ids.end());
  std::vector<std::int64_t> ids64 = ids;
  auto out = run(
      "embedding",
      [](Function& f) {
        auto table = f.input<Shape<50, 24>>("table");
        auto a = f.input<Shape<2, 4>, i32>("ids32");
        auto b = f.input<Shape<8>, i64>("ids64");
        f.output("e32", embedding(table, a));
        f.output("e64", embedding(table, b));
      },
      {view(table), tfm::TensorView(ids32.data(), {2, 4}), tfm::TensorView(ids64.data(), {8})},
      /*fuse_rows=*/true, /*check_indices=*/false);  // the clamp, with the call's check off
  if (out.empty()) return;
  expect_close(out[0], ref::embedding(table, ids, {2, 4}), "embedding i32 ids [2x4]");
  expect_close(out[1], ref::embedding(table, ids, {8}), "embedding i64 ids [8], clamped");
}

TEST_P(OpNumerics, PermuteReshape) {
  ref::Array x = ref::random_array({2, 3, 4, 5}, 20);
  auto out = run("layout",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 3, 4, 5>>("x");
                   f.output("p0213", permute<0, 2, 1, 3>(x));
                   f.output("p3102", permute<3, 1, 0, 2>(x));
                   f.output("r", reshape<Shape<6, 20>>(x));
                   f.output("split", split_heads<4>(reshape<Shape<2, 3, 20>>(x)));
                   f.output("roundtrip", merge_heads(split_heads<5>(reshape<Shape<6, 4, 5>>(x))));
                 },
                 {view(x)});
  if (out.empty()) return;
  expect_close(out[0], ref::permute(x, {0, 2, 1, 3}), "permute 0,2,1,3");
  expect_close(out[1], ref::permute(x, {3, 1, 0, 2}), "permute 3,1,0,2");
  expect_close(out[2], ref::reshape(x, {6, 20}), "reshape [6x20]");
  expect_close(out[3], ref::permute(ref::reshape(x, {2, 3, 4, 5}), {0, 2, 1, 3}),
               "split_heads<4> [2x3x20]");
  expect_close(out[4], ref::reshape(x, {6, 4, 5}), "merge_heads(split_heads<5>(x))");
}

TEST_P(OpNumerics, Attention) {
  // Multi-head attention, cross shapes (Tq = 5, Tk = 7), against its definition.
  ref::Array q = ref::random_array({2, 5, 12}, 21), k = ref::random_array({2, 7, 12}, 22),
             v = ref::random_array({2, 7, 12}, 23);
  auto out = run("attention",
                 [](Function& f) {
                   auto q = f.input<Shape<2, 5, 12>>("q");
                   auto k = f.input<Shape<2, 7, 12>>("k");
                   auto v = f.input<Shape<2, 7, 12>>("v");
                   f.output("o", attention<3>(q, k, v));
                 },
                 {view(q), view(k), view(v)});
  if (out.empty()) return;
  auto heads = [](const ref::Array& x, std::int64_t t) {
    return ref::permute(ref::reshape(x, {2, t, 3, 4}), {0, 2, 1, 3});
  };
  ref::Array s = ref::scale(ref::matmul(heads(q, 5), heads(k, 7), false, true), 0.5f);
  ref::Array o = ref::matmul(ref::softmax(s), heads(v, 7));
  expect_close(out[0], ref::reshape(ref::permute(o, {0, 2, 1, 3}), {2, 5, 12}),
               "attention<3> q [2x5x12] k,v [2x7x12]");
}

TEST_P(OpNumerics, Gelu) {
  ref::Array x = ref::random_array({4, 50}, 30, -6.0f, 6.0f);
  auto out = run("gelu",
                 [](Function& f) {
                   auto x = f.input<Shape<4, 50>>("x");
                   f.output("erf", gelu(x));
                   f.output("tanh", gelu_tanh(x));
                 },
                 {view(x)});
  if (out.empty()) return;
  expect_close(out[0], ref::gelu(x), "gelu (erf) [4x50] in [-6, 6]");
  expect_close(out[1], ref::gelu_tanh(x), "gelu (tanh) [4x50] in [-6, 6]");
}

TEST_P(OpNumerics, SigmoidSilu) {
  // Past +-88, exp(-x) overflows or underflows in f32: sigmoid must still
  // reach 0 and 1, and silu 0 and x.
  ref::Array x = ref::random_array({4, 50}, 32, -12.0f, 12.0f);
  x.data[0] = -100.0f;
  x.data[1] = 100.0f;
  x.data[2] = 0.0f;
  auto out = run("sigmoid_silu",
                 [](Function& f) {
                   auto x = f.input<Shape<4, 50>>("x");
                   f.output("sigmoid", sigmoid(x));
                   f.output("silu", silu(x));
                 },
                 {view(x)});
  if (out.empty()) return;
  expect_close(out[0], ref::sigmoid(x), "sigmoid [4x50] in [-12, 12], -100, 100");
  expect_close(out[1], ref::silu(x), "silu [4x50] in [-12, 12], -100, 100");
}

TEST_P(OpNumerics, GatedFeedForward) {
  ref::Array x = ref::random_array({2, 3, 8}, 33, -2.0f, 2.0f);
  ref::Array gate = ref::random_array({8, 12}, 34, -0.5f, 0.5f);
  ref::Array up = ref::random_array({8, 12}, 35, -0.5f, 0.5f);
  ref::Array down = ref::random_array({12, 8}, 36, -0.5f, 0.5f);
  auto out = run("gated",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 3, 8>>("x");
                   auto gate = f.input<Shape<8, 12>>("gate");
                   auto up = f.input<Shape<8, 12>>("up");
                   auto down = f.input<Shape<12, 8>>("down");
                   f.output("swiglu", swiglu(x, gate, up, down));
                   f.output("geglu", geglu(x, gate, up, down));
                   f.output("geglu_tanh", geglu(x, gate, up, down, /*tanh_approximation=*/true));
                 },
                 {view(x), view(gate), view(up), view(down)});
  if (out.empty()) return;
  ref::Array h_up = ref::matmul(x, up), h_gate = ref::matmul(x, gate);
  expect_close(out[0], ref::matmul(ref::mul(ref::silu(h_gate), h_up), down),
               "swiglu x [2x3x8], hidden 12");
  expect_close(out[1], ref::matmul(ref::mul(ref::gelu(h_gate), h_up), down),
               "geglu (erf) x [2x3x8], hidden 12");
  expect_close(out[2], ref::matmul(ref::mul(ref::gelu_tanh(h_gate), h_up), down),
               "geglu (tanh) x [2x3x8], hidden 12");
}

TEST_P(OpNumerics, LogSoftmax) {
  ref::Array x = ref::random_array({3, 7, 41}, 31, -8.0f, 8.0f);
  auto out = run("log_softmax",
                 [](Function& f) {
                   auto x = f.input<Shape<3, 7, 41>>("x");
                   f.output("last", log_softmax(x));
                   f.output("middle", log_softmax<1>(x));
                 },
                 {view(x)});
  if (out.empty()) return;
  expect_close(out[0], ref::log_softmax(x, -1), "log_softmax axis -1 [3x7x41]");
  expect_close(out[1], ref::log_softmax(x, 1), "log_softmax axis 1 [3x7x41]");
}

TEST_P(OpNumerics, RmsNorm) {
  ref::Array x = ref::random_array({2, 5, 48}, 32, -3.0f, 3.0f), g = ref::random_array({48}, 33);
  auto out = run("rms_norm",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 5, 48>>("x");
                   auto g = f.input<Shape<48>>("g");
                   f.output("y", rms_norm(x, g, 1e-6f));
                 },
                 {view(x), view(g)});
  if (out.empty()) return;
  expect_close(out[0], ref::rms_norm(x, g, 1e-6f), "rms_norm [2x5x48]");
}

TEST_P(OpNumerics, Masks) {
  ref::Array s = ref::random_array({2, 3, 5, 7}, 34);
  std::vector<std::int32_t> lengths = {7, 3};
  std::vector<std::int64_t> lengths64(lengths.begin(), lengths.end());
  auto out = run("masks",
                 [](Function& f) {
                   auto s = f.input<Shape<2, 3, 5, 7>>("s");
                   auto len = f.input<Shape<2>, i32>("len");
                   f.output("causal", mask<causal>(s));
                   f.output("padding", mask<padding>(s, len));
                   f.output("both", mask<causal, padding>(s, len));
                   f.output("probs", softmax(mask<causal, padding>(s, len)));
                 },
                 {view(s), tfm::TensorView(lengths.data(), {2})});
  if (out.empty()) return;
  expect_close(out[0], ref::mask(s, true), "causal, Tq 5 < Tk 7 (j <= i + 2)");
  expect_close(out[1], ref::mask(s, false, lengths64), "padding, lengths {7, 3}");
  expect_close(out[2], ref::mask(s, true, lengths64), "causal and padding");
  expect_close(out[3], ref::softmax(ref::mask(s, true, lengths64)), "softmax after both masks");
}

TEST_P(OpNumerics, RopeAndPositions) {
  ref::Array x = ref::random_array({2, 3, 9, 16}, 35);
  ref::Array table = ref::random_array({20, 6}, 36);
  auto out = run("positions",
                 [](Function& f) {
                   auto x = f.input<Shape<2, 3, 9, 16>>("x");
                   auto table = f.input<Shape<20, 6>>("table");
                   f.output("rope", rope(x));
                   f.output("rope_offset", rope(x, 500.0f, 3));
                   f.output("rope_interleaved", rope(x, 1.0e6f, 2, RopePairs::interleaved));
                   f.output("sinusoid", sinusoidal_positions<9, 6>());
                   f.output("sinusoid_long", sinusoidal_positions<1024, 64>());
                   f.output("slice", slice<Shape<4, 3>, 5, 2>(table));
                   f.output("prefix", slice<Shape<9, 6>>(table));
                 },
                 {view(x), view(table)});
  if (out.empty()) return;
  expect_close(out[0], ref::rope(x), "rope [2x3x9x16]");
  expect_close(out[1], ref::rope(x, 500.0, 3), "rope base 500, offset 3");
  expect_close(out[2], ref::rope(x, 1.0e6, 2, true), "rope interleaved, base 1e6, offset 2");
  expect_close(out[3], ref::sinusoidal_positions(9, 6), "sinusoidal positions [9x6]");
  expect_close(out[4], ref::sinusoidal_positions(1024, 64), "sinusoidal positions [1024x64]");
  expect_close(out[5], ref::slice(table, {5, 2}, {4, 3}), "slice [4x3] at (5, 2) of [20x6]");
  expect_close(out[6], ref::slice(table, {0, 0}, {9, 6}), "slice [9x6] at 0 of [20x6]");
}

// Dropout with a step against its definition (ref::dropout): the same kept
// elements and scale, about `rate` of them zeroed, other masks at other steps
// and seeds; and the DSL's dropout, with no step in the model itself
// (inference), the identity.
TEST(Dropout, StepMasksMatchTheDefinition) {
  const std::string mlir = R"(
func.func @drop(%x: tensor<64x96xf32> {tfm.input = "x"}, %s: tensor<f32> {tfm.input = "step"})
    -> (tensor<64x96xf32> {tfm.output = "y"}, tensor<64x96xf32> {tfm.output = "other_seed"}) {
  %y = tfm.dropout %x step %s {rate = 3.0e-01 : f32, seed = 11 : i64}
      : (tensor<64x96xf32>, tensor<f32>) -> tensor<64x96xf32>
  %z = tfm.dropout %x step %s {rate = 3.0e-01 : f32, seed = 12 : i64}
      : (tensor<64x96xf32>, tensor<f32>) -> tensor<64x96xf32>
  return %y, %z : tensor<64x96xf32>, tensor<64x96xf32>
}
)";
  auto module = tfm::jit::Module::compile(mlir, {}, "dropout");
  ASSERT_TRUE(module.ok()) << module.message();
  ref::Array x = ref::random_array({64, 96}, 41, 0.5f, 1.5f);  // no zeros of its own
  std::vector<std::vector<float>> at_step;
  for (float step : {5.0f, 6.0f}) {
    ref::Array s{ref::Shape{}};
    s.data[0] = step;
    const tfm::TensorView in[] = {tfm::TensorView(x.data.data(), x.shape),
                                  tfm::TensorView(s.data.data(), s.shape)};
    auto out = module->run("drop", in);
    ASSERT_TRUE(out.ok()) << out.message();
    auto y = (*out)[0].values<float>(), z = (*out)[1].values<float>();
    ref::Array want = ref::dropout(x, 0.3, 11, static_cast<std::int64_t>(step));
    double d = ref::maxdiff(std::vector<float>(y.begin(), y.end()), want.data);
    std::size_t zeros = std::count(y.begin(), y.end(), 0.0f);
    std::size_t same_as_other_seed = 0;
    for (std::size_t i = 0; i < y.size(); ++i) same_as_other_seed += (y[i] == 0) == (z[i] == 0);
    std::printf("  dropout 0.3 at step %.0f: maxdiff %.3g, %.4f zeroed, %.3f agree with seed 12\n",
                step, d, double(zeros) / y.size(), double(same_as_other_seed) / y.size());
    EXPECT_LE(d, 1e-6);
    EXPECT_NEAR(double(zeros) / y.size(), 0.3, 0.02);
    EXPECT_LT(double(same_as_other_seed) / y.size(), 0.7);  // independent masks agree on ~58%
    at_step.emplace_back(y.begin(), y.end());
  }
  EXPECT_NE(at_step[0], at_step[1]) << "steps 5 and 6 drew one mask";

  ref::Array in = ref::random_array({2, 3, 8}, 42);
  TraceResult traced = trace(
      "inference", [](Function& f) { f.output("y", dropout(f.input<Shape<2, 3, 8>>("x"), 0.5f)); });
  ASSERT_TRUE(traced.ok()) << traced.error;
  auto inference = tfm::jit::Module::compile(traced.mlir, {}, "inference");
  ASSERT_TRUE(inference.ok()) << inference.message();
  const tfm::TensorView args[] = {tfm::TensorView(in.data.data(), in.shape)};
  auto out = inference->run("inference", args);
  ASSERT_TRUE(out.ok()) << out.message();
  auto y = (*out)[0].values<float>();
  double d = ref::maxdiff(std::vector<float>(y.begin(), y.end()), in.data);
  std::printf("  dropout in the model itself (inference): maxdiff %.3g from its input\n", d);
  EXPECT_EQ(d, 0.0);
}

}  // namespace
