// Every vector-Jacobian product of tfm-autodiff against central finite
// differences, in f64: for an op y = op(a, ...), the loss is
// sum(y * r) for a fixed random r (so every element of dy differs), the
// compiled <f>_grad gives d loss / d a, and (loss(a + h e) - loss(a - h e))
// / 2h with h = 1e-5 gives it element by element. Tolerance: maxdiff <=
// 1e-6 (relative above 1, absolute below); the f64 difference quotient is
// good to about 1e-9 here.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <tfm/jit.hpp>
#include <vector>

namespace {

constexpr double kTolerance = 1e-6;
constexpr double kStep = 1e-5;

// "tensor<2x3xf64>"
std::string type_of(const std::vector<long>& shape, const char* elem = "f64") {
  std::string s = "tensor<";
  for (long d : shape) s += std::to_string(d) + "x";
  return s + elem + ">";
}

struct Arg {
  std::string name;
  std::vector<long> shape;
  bool param = true;             // differentiated
  const char* elem = "f64";      // or "i32" (ids, lengths, targets)
  std::vector<double> values{};  // default: uniform in [-1, 1]
  int vocab = 0;                 // for i32: values in [0, vocab)
};

class Gradients : public ::testing::Test {
 protected:
  // Compiles `func.func @f(args..., %r) -> loss = sum(body's %y * %r)`,
  // where `body` computes %y of type `y` from the arguments (by name), and
  // checks the gradient of every param against finite differences.
  void check(const std::string& what, std::vector<Arg> args, const std::string& body,
             const std::vector<long>& y, bool parallel = true) {
    std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(what)));
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    std::string sig, ytype = type_of(y);
    std::vector<tfm::Tensor> tensors;
    for (Arg& a : args) {
      bool ids = std::string(a.elem) == "i32";
      sig += "%" + a.name + ": " + type_of(a.shape, a.elem) + " {" +
             (a.param ? "tfm.param" : "tfm.input") + " = \"" + a.name + "\"}, ";
      tfm::Tensor t(ids ? tfm::DType::i32 : tfm::DType::f64,
                    tfm::Shape(a.shape.begin(), a.shape.end()));
      if (ids) {
        auto v = t.values<std::int32_t>();
        for (std::size_t i = 0; i < v.size(); ++i)
          v[i] = a.values.empty() ? static_cast<std::int32_t>(rng() % a.vocab)
                                  : static_cast<std::int32_t>(a.values[i]);
      } else {
        auto v = t.values<double>();
        for (std::size_t i = 0; i < v.size(); ++i)
          v[i] = a.values.empty() ? uniform(rng) : a.values[i];
      }
      tensors.push_back(std::move(t));
    }
    tfm::Tensor r(tfm::DType::f64, tfm::Shape(y.begin(), y.end()));
    for (double& e : r.values<double>()) e = uniform(rng);
    std::string mlir = "func.func @f(" + sig + "%r: " + ytype +
                       " {tfm.input = \"r\"}) -> (tensor<f64> {tfm.output = \"loss\"})\n" +
                       "    attributes {tfm.train = {loss = \"loss\"}} {\n" + body +
                       "  %yr = tfm.mul %y, %r : (" + ytype + ", " + ytype + ") -> " + ytype +
                       "\n  %loss = tfm.reduce_to %yr : " + ytype + " -> tensor<f64>\n" +
                       "  return %loss : tensor<f64>\n}\n";
    tfm::jit::Options options;
    options.parallel = parallel;
    auto module = tfm::jit::Module::compile(mlir, options, what);
    ASSERT_TRUE(module.ok()) << module.message() << "\n" << mlir;

    std::vector<tfm::TensorView> inputs;
    for (tfm::Tensor& t : tensors) inputs.push_back(t.view());
    inputs.push_back(r.view());
    auto loss = [&]() {
      auto out = module->run("f", inputs);
      EXPECT_TRUE(out.ok()) << out.message();
      return out.ok() ? (*out)[0].values<double>()[0] : NAN;
    };
    auto grads = module->run("f_grad", inputs);
    ASSERT_TRUE(grads.ok()) << grads.message();

    std::size_t g = 1;  // (*grads)[0] is the loss
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (!args[k].param) continue;
      auto analytic = (*grads)[g++].values<double>();
      auto p = tensors[k].values<double>();
      double worst = 0;
      for (std::size_t i = 0; i < p.size(); ++i) {
        double saved = p[i];
        p[i] = saved + kStep;
        double up = loss();
        p[i] = saved - kStep;
        double down = loss();
        p[i] = saved;
        double numeric = (up - down) / (2 * kStep);
        worst = std::max(worst, std::abs(analytic[i] - numeric) / std::max(1.0, std::abs(numeric)));
      }
      std::printf("  %-44s d/d%-6s maxdiff %.3g\n", what.c_str(), args[k].name.c_str(), worst);
      EXPECT_LE(worst, kTolerance) << what << ": d loss / d " << args[k].name;
    }
  }
};

TEST_F(Gradients, Matmul) {
  check("matmul", {{"a", {3, 4}}, {"b", {4, 5}}},
        "  %y = tfm.matmul %a, %b : (tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>\n",
        {3, 5});
  check("matmul transpose_a", {{"a", {4, 3}}, {"b", {4, 5}}},
        "  %y = tfm.matmul %a, %b {transpose_a} : (tensor<4x3xf64>, tensor<4x5xf64>) -> "
        "tensor<3x5xf64>\n",
        {3, 5});
  check("matmul transpose_b", {{"a", {3, 4}}, {"b", {5, 4}}},
        "  %y = tfm.matmul %a, %b {transpose_b} : (tensor<3x4xf64>, tensor<5x4xf64>) -> "
        "tensor<3x5xf64>\n",
        {3, 5});
  check(
      "matmul both transposed", {{"a", {4, 3}}, {"b", {5, 4}}},
      "  %y = tfm.matmul %a, %b {transpose_a, transpose_b} : (tensor<4x3xf64>, tensor<5x4xf64>) -> "
      "tensor<3x5xf64>\n",
      {3, 5});
  check("matmul batch x weight", {{"x", {2, 3, 4}}, {"w", {4, 5}}},
        "  %y = tfm.matmul %x, %w : (tensor<2x3x4xf64>, tensor<4x5xf64>) -> tensor<2x3x5xf64>\n",
        {2, 3, 5});
  check("matmul batch x weight^T", {{"x", {2, 3, 4}}, {"w", {5, 4}}},
        "  %y = tfm.matmul %x, %w {transpose_b} : (tensor<2x3x4xf64>, tensor<5x4xf64>) -> "
        "tensor<2x3x5xf64>\n",
        {2, 3, 5});
  check("matmul broadcast batch", {{"a", {2, 1, 3, 4}}, {"b", {1, 3, 4, 2}}},
        "  %y = tfm.matmul %a, %b : (tensor<2x1x3x4xf64>, tensor<1x3x4x2xf64>) -> "
        "tensor<2x3x3x2xf64>\n",
        {2, 3, 3, 2});
}

TEST_F(Gradients, Elementwise) {
  check("add broadcast", {{"a", {2, 3, 4}}, {"b", {4}}},
        "  %y = tfm.add %a, %b : (tensor<2x3x4xf64>, tensor<4xf64>) -> tensor<2x3x4xf64>\n",
        {2, 3, 4});
  check("mul broadcast", {{"a", {2, 3, 4}}, {"b", {3, 1}}},
        "  %y = tfm.mul %a, %b : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> tensor<2x3x4xf64>\n",
        {2, 3, 4});
  check("scale", {{"a", {3, 4}}}, "  %y = tfm.scale %a {factor = 0.375 : f32} : tensor<3x4xf64>\n",
        {3, 4});
  check("relu", {{"a", {4, 6}}}, "  %y = tfm.relu %a : tensor<4x6xf64>\n", {4, 6});
  check("gelu", {{"a", {4, 6}}}, "  %y = tfm.gelu %a : tensor<4x6xf64>\n", {4, 6});
  check("gelu tanh", {{"a", {4, 6}}},
        "  %y = tfm.gelu %a {approximate = \"tanh\"} : tensor<4x6xf64>\n", {4, 6});
  check("sigmoid", {{"a", {4, 6}}}, "  %y = tfm.sigmoid %a : tensor<4x6xf64>\n", {4, 6});
  check("silu", {{"a", {4, 6}}}, "  %y = tfm.silu %a : tensor<4x6xf64>\n", {4, 6});
  check(
      "select", {{"a", {2, 3}}, {"b", {3}}},
      "  %c = arith.constant dense<[[true, false, true], [false, false, true]]> : tensor<2x3xi1>\n"
      "  %y = tfm.select %c, %a, %b : (tensor<2x3xi1>, tensor<2x3xf64>, tensor<3xf64>) -> "
      "tensor<2x3xf64>\n",
      {2, 3});
}

TEST_F(Gradients, Normalizations) {
  check("softmax last axis", {{"a", {3, 7}}},
        "  %y = tfm.softmax %a {axis = -1 : i64} : tensor<3x7xf64>\n", {3, 7});
  check("softmax axis 0", {{"a", {3, 7}}},
        "  %y = tfm.softmax %a {axis = 0 : i64} : tensor<3x7xf64>\n", {3, 7});
  check("log_softmax", {{"a", {3, 7}}},
        "  %y = tfm.log_softmax %a {axis = -1 : i64} : tensor<3x7xf64>\n", {3, 7});
  check("layer_norm", {{"x", {2, 3, 8}}, {"g", {8}}, {"b", {8}}},
        "  %y = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : (tensor<2x3x8xf64>, "
        "tensor<8xf64>, "
        "tensor<8xf64>) -> tensor<2x3x8xf64>\n",
        {2, 3, 8});
  check(
      "rms_norm", {{"x", {2, 3, 8}}, {"g", {8}}},
      "  %y = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<2x3x8xf64>, tensor<8xf64>) -> "
      "tensor<2x3x8xf64>\n",
      {2, 3, 8});
}

// Rows enough that tfm-fuse-rows computes each norm and its backward in
// blocks of rows (64 rows of 96 doubles: several blocks of half an L1d).
TEST_F(Gradients, NormalizationsInRowBlocks) {
  check("layer_norm, row blocks", {{"x", {16, 4, 96}}, {"g", {96}}, {"b", {96}}},
        "  %y = tfm.layer_norm %x, %g, %b {epsilon = 1.0e-5 : f32} : (tensor<16x4x96xf64>, "
        "tensor<96xf64>, tensor<96xf64>) -> tensor<16x4x96xf64>\n",
        {16, 4, 96});
  check("rms_norm, row blocks", {{"x", {64, 96}}, {"g", {96}}},
        "  %y = tfm.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<64x96xf64>, tensor<96xf64>) "
        "-> "
        "tensor<64x96xf64>\n",
        {64, 96});
  check("log_softmax, row blocks", {{"a", {64, 96}}},
        "  %y = tfm.log_softmax %a {axis = -1 : i64} : tensor<64x96xf64>\n", {64, 96});
}

TEST_F(Gradients, AttentionPieces) {
  // Masked scores go through a softmax (a masked -inf times r would be NaN).
  check("mask causal + lengths, softmax", {{"s", {2, 2, 5, 5}}, {"len", {2}, false, "i32", {3, 5}}},
        "  %m = tfm.mask %s, %len {causal} : (tensor<2x2x5x5xf64>, tensor<2xi32>) -> "
        "tensor<2x2x5x5xf64>\n"
        "  %y = tfm.softmax %m {axis = -1 : i64} : tensor<2x2x5x5xf64>\n",
        {2, 2, 5, 5});
  check("mask sliding window 2, softmax", {{"s", {2, 2, 5, 5}}},
        "  %m = tfm.mask %s {causal, window = 2 : i64} : (tensor<2x2x5x5xf64>) -> "
        "tensor<2x2x5x5xf64>\n"
        "  %y = tfm.softmax %m {axis = -1 : i64} : tensor<2x2x5x5xf64>\n",
        {2, 2, 5, 5});
  // The forward and its gradient read one step, so one mask.
  check("dropout at step 7", {{"x", {4, 6}}, {"s", {}, false, "f64", {7}}},
        "  %y = tfm.dropout %x step %s {rate = 4.0e-01 : f32, seed = 3 : i64} : "
        "(tensor<4x6xf64>, tensor<f64>) -> tensor<4x6xf64>\n",
        {4, 6});
  check("rope", {{"x", {1, 2, 5, 8}}},
        "  %y = tfm.rope %x {offset = 2 : i64} : tensor<1x2x5x8xf64>\n", {1, 2, 5, 8});
  check("rope interleaved", {{"x", {2, 5, 8}}},
        "  %y = tfm.rope %x {base = 5.0e+05 : f32, interleaved = true} : tensor<2x5x8xf64>\n",
        {2, 5, 8});
  check("transpose", {{"x", {2, 3, 4}}},
        "  %y = tfm.transpose %x, [2, 0, 1] : tensor<2x3x4xf64> -> tensor<4x2x3xf64>\n", {4, 2, 3});
  check("reshape", {{"x", {2, 3, 4}}},
        "  %y = tfm.reshape %x : tensor<2x3x4xf64> -> tensor<6x4xf64>\n", {6, 4});
  check("slice", {{"x", {6, 4}}},
        "  %y = tfm.slice %x [1, 2] : tensor<6x4xf64> -> tensor<3x2xf64>\n", {3, 2});
  check("reduce_to", {{"x", {2, 3, 4}}},
        "  %y = tfm.reduce_to %x : tensor<2x3x4xf64> -> tensor<3x1xf64>\n", {3, 1});
  check("embedding (repeated ids)",
        {{"t", {5, 3}}, {"ids", {2, 3}, false, "i32", {4, 0, 4, 1, 4, 0}}},
        "  %y = tfm.embedding %t, %ids : (tensor<5x3xf64>, tensor<2x3xi32>) -> tensor<2x3x3xf64>\n",
        {2, 3, 3});
}

TEST_F(Gradients, FlashAttention) {
  const std::string qkv = "(tensor<2x2x7x8xf64>, tensor<2x2x7x8xf64>, tensor<2x2x7x8xf64>";
  check("flash_attention causal", {{"q", {2, 2, 7, 8}}, {"k", {2, 2, 7, 8}}, {"v", {2, 2, 7, 8}}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.35 : f32} : " + qkv +
            ") -> (tensor<2x2x7x8xf64>, tensor<2x2x7xf64>)\n",
        {2, 2, 7, 8});
  check("flash_attention lengths",
        {{"q", {2, 2, 7, 8}},
         {"k", {2, 2, 7, 8}},
         {"v", {2, 2, 7, 8}},
         {"len", {2}, false, "i32", {4, 7}}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v lengths %len {scale = 0.35 : f32} : " + qkv +
            ", tensor<2xi32>) -> (tensor<2x2x7x8xf64>, tensor<2x2x7xf64>)\n",
        {2, 2, 7, 8});
  check("flash_attention cross (Tq 3, Tk 9) + bias",
        {{"q", {2, 3, 8}}, {"k", {2, 9, 8}}, {"v", {2, 9, 4}}, {"bias", {3, 9}, false}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v bias %bias {scale = 0.5 : f32} : "
        "(tensor<2x3x8xf64>, "
        "tensor<2x9x8xf64>, tensor<2x9x4xf64>, tensor<3x9xf64>) -> (tensor<2x3x4xf64>, "
        "tensor<2x3xf64>)\n",
        {2, 3, 4});
  check("flash_attention grouped-query",
        {{"q", {1, 2, 2, 5, 8}}, {"k", {1, 2, 1, 5, 8}}, {"v", {1, 2, 1, 5, 8}}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.35 : f32} : "
        "(tensor<1x2x2x5x8xf64>, "
        "tensor<1x2x1x5x8xf64>, tensor<1x2x1x5x8xf64>) -> (tensor<1x2x2x5x8xf64>, "
        "tensor<1x2x2x5xf64>)\n",
        {1, 2, 2, 5, 8});
  // More queries and keys than one tile (32 x 64), not multiples of it.
  check("flash_attention 70 x 70 causal, serial",
        {{"q", {1, 70, 4}}, {"k", {1, 70, 4}}, {"v", {1, 70, 4}}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.5 : f32} : "
        "(tensor<1x70x4xf64>, "
        "tensor<1x70x4xf64>, tensor<1x70x4xf64>) -> (tensor<1x70x4xf64>, tensor<1x70xf64>)\n",
        {1, 70, 4}, /*parallel=*/false);
  // A window of 20 over 150 keys: key tiles before each query tile's window
  // are skipped in both directions, and the backward's query tiles past a key
  // tile's last window.
  check("flash_attention 150 x 150 sliding window 20, serial",
        {{"q", {1, 150, 4}}, {"k", {1, 150, 4}}, {"v", {1, 150, 4}}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v {causal, scale = 0.5 : f32, window = 20 : "
        "i64} : (tensor<1x150x4xf64>, tensor<1x150x4xf64>, tensor<1x150x4xf64>) -> "
        "(tensor<1x150x4xf64>, tensor<1x150xf64>)\n",
        {1, 150, 4}, /*parallel=*/false);
  check("flash_attention window 3, Tq 5 < Tk 9 + lengths",
        {{"q", {2, 5, 8}}, {"k", {2, 9, 8}}, {"v", {2, 9, 8}}, {"len", {2}, false, "i32", {7, 9}}},
        "  %y, %lse = tfm.flash_attention %q, %k, %v lengths %len {causal, scale = 0.35 : f32, "
        "window = 3 : i64} : (tensor<2x5x8xf64>, tensor<2x9x8xf64>, tensor<2x9x8xf64>, "
        "tensor<2xi32>) -> (tensor<2x5x8xf64>, tensor<2x5xf64>)\n",
        {2, 5, 8});
}

TEST_F(Gradients, CrossEntropy) {
  // The loss is the scalar itself here: y = cross_entropy, r a scalar.
  check("cross_entropy smoothing + ignore_index",
        {{"l", {2, 4, 6}}, {"t", {2, 4}, false, "i32", {1, 2, 0, 5, 2, 2, 3, 4}}},
        "  %ce = tfm.cross_entropy %l, %t {ignore_index = 2 : i64, label_smoothing = 0.1 : f32} : "
        "(tensor<2x4x6xf64>, tensor<2x4xi32>) -> tensor<f64>\n"
        "  %y = tfm.reshape %ce : tensor<f64> -> tensor<1xf64>\n",
        {1});
  check("cross_entropy loss mask",
        {{"l", {5, 6}},
         {"t", {5}, false, "i32", {1, 2, 0, 5, 3}},
         {"m", {5}, false, "f64", {1, 0, 1, 1, 0}}},
        "  %ce = tfm.cross_entropy %l, %t mask %m : (tensor<5x6xf64>, tensor<5xi32>, "
        "tensor<5xf64>) -> "
        "tensor<f64>\n"
        "  %y = tfm.reshape %ce : tensor<f64> -> tensor<1xf64>\n",
        {1});
}

}  // namespace
