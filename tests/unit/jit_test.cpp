// The runtime's JIT and tensors: what a user sees when a call or a module is
// wrong (every message checked), and the tensors' alignment and layout.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <tfm/dsl.hpp>
#include <tfm/jit.hpp>
#include <vector>

#include "ffn_module.hpp"

namespace {

using tfm::test::kFfn;

TEST(Tensor, IsZeroedAndAligned) {
  tfm::Tensor t = tfm::Tensor::of<float>({3, 5});
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.raw()) % tfm::Tensor::alignment, 0u);
  EXPECT_EQ(t.size(), 15);
  EXPECT_EQ(t.bytes(), 60u);
  for (float v : t.values<float>()) EXPECT_EQ(v, 0.0f);
  tfm::Tensor scalar = tfm::Tensor::of<std::int64_t>({});
  EXPECT_EQ(scalar.size(), 1);
  EXPECT_EQ(tfm::format_shape(t.shape()), "[3x5]");
  EXPECT_EQ(tfm::format_shape(scalar.shape()), "[]");
}

TEST(Jit, SignatureNamesRolesAndShapes) {
  auto m = tfm::jit::Module::compile(kFfn);
  ASSERT_TRUE(m.ok()) << m.message();
  const tfm::Signature* sig = m->signature("ffn");
  ASSERT_NE(sig, nullptr);
  ASSERT_EQ(sig->args.size(), 3u);
  EXPECT_EQ(tfm::describe(sig->args[0]), "x: f32[2x3] input");
  EXPECT_EQ(tfm::describe(sig->args[1]), "w: f32[3x4] param");
  EXPECT_EQ(tfm::describe(sig->args[2]), "y: f32[2x4] output");
}

TEST(Jit, RunsAndWritesOutputsInPlace) {
  auto m = tfm::jit::Module::compile(kFfn);
  ASSERT_TRUE(m.ok()) << m.message();
  auto x = tfm::Tensor::from<float>({2, 3}, {1, -2, 3, 4, 5, -6});
  auto w = tfm::Tensor::from<float>({3, 4}, {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1});
  tfm::Tensor y = tfm::Tensor::of<float>({2, 4});
  const tfm::TensorView args[] = {x, w, y};
  ASSERT_TRUE(m->call("ffn", args).ok());
  // rows of x @ w: [1, -2, 3, 2] and [4, 5, -6, 3], then relu.
  const float want[] = {1, 0, 3, 2, 4, 5, 0, 3};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y.data<float>()[i], want[i]) << i;
  // Inputs are never written.
  EXPECT_EQ(x.data<float>()[1], -2.0f);
}

TEST(Jit, ReturnedArgumentsAndDuplicatesAreCopied) {
  // Each output has its own buffer even when the model returns an input, or
  // one value twice.
  const char* src = R"mlir(
func.func @f(%x: tensor<4xf32> {tfm.input = "x"})
    -> (tensor<4xf32> {tfm.output = "same"}, tensor<4xf32> {tfm.output = "r1"},
        tensor<4xf32> {tfm.output = "r2"}) {
  %0 = tfm.relu %x : tensor<4xf32>
  return %x, %0, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
)mlir";
  auto m = tfm::jit::Module::compile(src);
  ASSERT_TRUE(m.ok()) << m.message();
  auto x = tfm::Tensor::from<float>({4}, {-1, 2, -3, 4});
  const tfm::TensorView in[] = {x};
  auto out = m->run("f", in);
  ASSERT_TRUE(out.ok()) << out.message();
  const float relu[] = {0, 2, 0, 4};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*out)[0].data<float>()[i], x.data<float>()[i]);
    EXPECT_EQ((*out)[1].data<float>()[i], relu[i]);
    EXPECT_EQ((*out)[2].data<float>()[i], relu[i]);
  }
}

TEST(Jit, WrongCallsAreErrorsNamingTheTensor) {
  auto m = tfm::jit::Module::compile(kFfn);
  ASSERT_TRUE(m.ok()) << m.message();
  tfm::Tensor x = tfm::Tensor::of<float>({2, 3}), w = tfm::Tensor::of<float>({3, 4}),
              y = tfm::Tensor::of<float>({2, 4});

  tfm::Tensor wide = tfm::Tensor::of<float>({2, 5});
  const tfm::TensorView bad_shape[] = {wide, w, y};
  EXPECT_EQ(m->call("ffn", bad_shape).message(),
            "tfm: ffn: tensor 'x' (input, argument 0) has shape [2x5], expected [2x3] ---> HINT: "
            "shapes are fixed when the model is compiled; recompile for other sizes");

  tfm::Tensor ints = tfm::Tensor::of<std::int32_t>({3, 4});
  const tfm::TensorView bad_type[] = {x, ints, y};
  EXPECT_EQ(m->call("ffn", bad_type).message(),
            "tfm: ffn: tensor 'w' (param, argument 1) has element type i32, expected f32 ---> "
            "HINT: the model was traced with w: f32[3x4] param");

  const tfm::TensorView too_few[] = {x, w};
  EXPECT_EQ(m->call("ffn", too_few).message(),
            "tfm: ffn: expects 3 tensors, got 2 ---> HINT: pass them in this order: x, w, y");

  const tfm::TensorView null_data[] = {x, w, tfm::TensorView(static_cast<float*>(nullptr), {2, 4})};
  EXPECT_EQ(m->call("ffn", null_data).message(),
            "tfm: ffn: tensor 'y' (output, argument 2) has no data ---> HINT: pass a view of an "
            "allocated tensor");

  const tfm::TensorView args[] = {x, w, y};
  EXPECT_EQ(m->call("fnn", args).message(),
            "tfm: jit: no entry point 'fnn' ---> HINT: the module has: ffn");

  const tfm::TensorView with_output[] = {x, w, y};
  EXPECT_EQ(m->run("ffn", with_output).message(),
            "tfm: ffn: expects 2 inputs and params, got 3 ---> HINT: outputs are allocated by "
            "run(); use call() to pass them");
}

TEST(Jit, CompileErrorsCarryTheSourceLocation) {
  // A verifier failure (the parser verifies): the message names the buffer,
  // line and column.
  const char* bad = R"mlir(
func.func @f(%x: tensor<2x3xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = tfm.matmul %x, %w : (tensor<2x3xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
)mlir";
  auto m = tfm::jit::Module::compile(bad, {}, "bad.mlir");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("tfm: jit: cannot parse 'bad.mlir':\nbad.mlir:3:8: error:"),
            std::string::npos)
      << m.message();
  EXPECT_NE(
      m.message().find("bad.mlir:3:8: error: 'tfm.matmul' op expects contracting "
                       "dimensions to match, got lhs [2x3] with K = 3 and rhs [4x4] with K = 4"),
      std::string::npos)
      << m.message();

  auto syntax = tfm::jit::Module::compile("func.func @f( {", {}, "syntax.mlir");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.message().find("tfm: jit: cannot parse 'syntax.mlir':\nsyntax.mlir:1:14: error: "
                                  "expected non-function type"),
            std::string::npos)
      << syntax.message();

  tfm::jit::Options o3;
  o3.opt_level = 7;
  EXPECT_EQ(tfm::jit::Module::compile(kFfn, o3).message(),
            "tfm: jit: opt_level 7 is not an optimization level ---> HINT: use 0 to 3");
}

TEST(Jit, UnsupportedEntryPointTypesAreErrors) {
  // The C ABI takes f32, f64, i32 and i64 tensors only.
  const char* f16_input = R"mlir(
func.func @g(%x: tensor<2xf16> {tfm.input = "x"}) -> tensor<2xf16> {
  return %x : tensor<2xf16>
}
)mlir";
  auto m = tfm::jit::Module::compile(f16_input, {}, "g.mlir");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("g.mlir:2:1: error: 'func.func' op expects argument 0 to have "
                             "element type f32, f64, i32 or i64, got 'f16'"),
            std::string::npos)
      << m.message();
}

TEST(Jit, OptLevelsAndScalarCodeAgree) {
  // -O0 scalar code and -O3 vector code compute the same matmul.
  tfm::dsl::TraceResult traced = tfm::dsl::trace("mm", [](tfm::dsl::Function& f) {
    using namespace tfm::dsl;
    f.output("c", matmul(f.input<Shape<33, 40>>("a"), f.input<Shape<40, 48>>("b")));
  });
  ASSERT_TRUE(traced.ok()) << traced.error;
  tfm::Tensor a = tfm::Tensor::of<float>({33, 40}), b = tfm::Tensor::of<float>({40, 48});
  for (std::int64_t i = 0; i < a.size(); ++i) a.data<float>()[i] = static_cast<float>(i % 7) - 3;
  for (std::int64_t i = 0; i < b.size(); ++i) b.data<float>()[i] = static_cast<float>(i % 5) - 2;
  const tfm::TensorView in[] = {a, b};
  tfm::jit::Options slow{.opt_level = 0, .vectorize = false};
  auto m0 = tfm::jit::Module::compile(traced.mlir, slow);
  auto m3 = tfm::jit::Module::compile(traced.mlir);
  ASSERT_TRUE(m0.ok() && m3.ok());
  auto c0 = m0->run("mm", in);
  auto c3 = m3->run("mm", in);
  ASSERT_TRUE(c0.ok() && c3.ok());
  for (std::int64_t i = 0; i < 33 * 48; ++i)  // small integers: exact in any order
    ASSERT_EQ((*c0)[0].data<float>()[i], (*c3)[0].data<float>()[i]) << i;
}

TEST(Jit, TargetsAreCheckedBeforeCompiling) {
  // A CPU or feature LLVM does not know is an error naming it.
  tfm::jit::Options bad_cpu;
  bad_cpu.cpu = "znver9";
  auto m = tfm::jit::Module::compile(kFfn, bad_cpu);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("tfm: jit: unknown CPU 'znver9' for "), std::string::npos)
      << m.message();
  tfm::jit::Options bad_feature;
  bad_feature.features = "+avx9000";
  m = tfm::jit::Module::compile(kFfn, bad_feature);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find("tfm: jit: unknown feature '+avx9000' for "), std::string::npos)
      << m.message();
  // Code for a CPU with features this machine lacks is refused at compile
  // time (it would die of SIGILL at the call), naming the features.
  struct Candidate {
    const char* cpu;
    const char* feature;
    bool host_has;
  };
  const Candidate candidates[] = {
      {"znver4", "avx512f", static_cast<bool>(__builtin_cpu_supports("avx512f"))},
      {"sapphirerapids", "amx-tile", static_cast<bool>(__builtin_cpu_supports("amx-tile"))},
  };
  const Candidate* lacking = nullptr;
  for (const Candidate& c : candidates)
    if (!c.host_has) {
      lacking = &c;
      break;
    }
  if (!lacking) GTEST_SKIP() << "this CPU has every feature the test would ask for";
  tfm::jit::Options foreign;
  foreign.cpu = lacking->cpu;
  m = tfm::jit::Module::compile(kFfn, foreign);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.message().find(std::string("tfm: jit: CPU '") + lacking->cpu + "' needs "),
            std::string::npos)
      << m.message();
  EXPECT_NE(m.message().find(lacking->feature), std::string::npos) << m.message();
  EXPECT_NE(m.message().find("which this machine's CPU ("), std::string::npos) << m.message();
}

TEST(Jit, OlderIsasComputeTheSameMatmul) {
  // Code generated for the host, for AVX2 (x86-64-v3, where the host has it)
  // and for plain SSE2 (x86-64) computes the same packed, blocked matmul:
  // each ISA's register block and edge kernels run here, not only print.
  tfm::dsl::TraceResult traced = tfm::dsl::trace("mm", [](tfm::dsl::Function& f) {
    using namespace tfm::dsl;
    f.output("c", matmul(f.input<Shape<130, 72>>("a"), transpose(f.input<Shape<100, 72>>("b"))));
  });
  ASSERT_TRUE(traced.ok()) << traced.error;
  tfm::Tensor a = tfm::Tensor::of<float>({130, 72}), b = tfm::Tensor::of<float>({100, 72});
  for (std::int64_t i = 0; i < a.size(); ++i) a.data<float>()[i] = static_cast<float>(i % 7) - 3;
  for (std::int64_t i = 0; i < b.size(); ++i) b.data<float>()[i] = static_cast<float>(i % 5) - 2;
  const tfm::TensorView in[] = {a, b};
  std::vector<float> want(130 * 100, 0.0f);  // plain loops: the reference
  for (int i = 0; i < 130; ++i)
    for (int j = 0; j < 100; ++j)
      for (int k = 0; k < 72; ++k)
        want[i * 100 + j] += a.data<float>()[i * 72 + k] * b.data<float>()[j * 72 + k];
  std::vector<std::string> cpus = {"host", "x86-64"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) cpus.push_back("x86-64-v3");
  for (const std::string& cpu : cpus) {
    tfm::jit::Options options;
    options.cpu = cpu;
    auto m = tfm::jit::Module::compile(traced.mlir, options);
    ASSERT_TRUE(m.ok()) << cpu << ": " << m.message();
    auto c = m->run("mm", in);
    ASSERT_TRUE(c.ok()) << cpu << ": " << c.message();
    float maxdiff = 0;
    for (std::int64_t i = 0; i < 130 * 100; ++i)
      maxdiff = std::max(maxdiff, std::abs((*c)[0].data<float>()[i] - want[i]));
    std::printf("cpu %s: maxdiff %g\n", cpu.c_str(), maxdiff);
    EXPECT_EQ(maxdiff, 0.0f) << cpu;  // small integers: exact in any order
  }
}

// y = (x w) v^T: two weights that matmuls read packed, w [256, 136] read
// along its rows and v [256, 136] transposed (136: a column edge on every
// register block), at the row counts of a decoding step (1), a short prompt
// (3) and a batch (130).
template <int M>
tfm::dsl::TraceResult traceTwoLayers() {
  return tfm::dsl::trace("layers", [](tfm::dsl::Function& f) {
    using namespace tfm::dsl;
    auto x = f.input<Shape<M, 256>>("x");
    auto w = f.param<Shape<256, 136>>("w");
    auto v = f.param<Shape<256, 136>>("v");
    f.output("y", matmul(matmul(x, w), transpose(v)));
  });
}

// Small integers, so that any summation order is exact.
void fill(tfm::Tensor& t, int mod, int shift) {
  for (std::int64_t i = 0; i < t.size(); ++i)
    t.data<float>()[i] = static_cast<float>(i % mod - shift);
}

std::vector<float> twoLayersReference(const tfm::Tensor& x, const tfm::Tensor& w,
                                      const tfm::Tensor& v, int m) {
  std::vector<float> h(m * 136, 0.0f), y(m * 256, 0.0f);
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < 256; ++k)
      for (int j = 0; j < 136; ++j)
        h[i * 136 + j] += x.data<float>()[i * 256 + k] * w.data<float>()[k * 136 + j];
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < 256; ++j)
      for (int k = 0; k < 136; ++k) y[i * 256 + j] += h[i * 136 + k] * v.data<float>()[j * 136 + k];
  return y;
}

template <int M>
void checkPackedOnce(const std::string& cpu) {
  std::printf("cpu %s\n", cpu.c_str());
  tfm::dsl::TraceResult traced = traceTwoLayers<M>();
  ASSERT_TRUE(traced.ok()) << traced.error;
  tfm::jit::Options options;
  options.cpu = cpu;
  auto m = tfm::jit::Module::compile(traced.mlir, options);
  ASSERT_TRUE(m.ok()) << m.message();
  const tfm::Signature* sig = m->signature("layers");
  ASSERT_NE(sig, nullptr);
  // Both weights, packed into panels: at least their own size.
  EXPECT_GE(sig->packed_bytes, 2 * 256 * 136 * 4) << "M " << M;
  tfm::Tensor x = tfm::Tensor::of<float>({M, 256}), w = tfm::Tensor::of<float>({256, 136}),
              v = tfm::Tensor::of<float>({256, 136});
  fill(x, 7, 3);
  fill(w, 5, 2);
  fill(v, 3, 1);
  const tfm::TensorView params[] = {w, v};
  auto packed = m->pack("layers", params);
  ASSERT_TRUE(packed.ok()) << packed.message();
  EXPECT_EQ(packed->entry(), "layers");
  EXPECT_EQ(packed->bytes(), sig->packed_bytes);
  const tfm::TensorView in[] = {x, w, v};
  std::vector<float> want = twoLayersReference(x, w, v, M);
  auto maxdiff = [&](const tfm::Tensor& y) {
    float d = 0;
    for (std::int64_t i = 0; i < y.size(); ++i)
      d = std::max(d, std::abs(y.data<float>()[i] - want[i]));
    return d;
  };
  // Packed once, called twice; packed on the way; packed inside the call.
  for (int call = 0; call < 2; ++call) {
    auto y = m->run("layers", in, *packed);
    ASSERT_TRUE(y.ok()) << y.message();
    std::printf("M %d, packed once, call %d: maxdiff %g\n", M, call, maxdiff((*y)[0]));
    EXPECT_EQ(maxdiff((*y)[0]), 0.0f);
  }
  auto plain = m->run("layers", in);
  ASSERT_TRUE(plain.ok()) << plain.message();
  std::printf("M %d, packed by the call: maxdiff %g\n", M, maxdiff((*plain)[0]));
  EXPECT_EQ(maxdiff((*plain)[0]), 0.0f);
  tfm::jit::Options inline_packs = options;
  inline_packs.pack_params = false;
  auto unpacked = tfm::jit::Module::compile(traced.mlir, inline_packs);
  ASSERT_TRUE(unpacked.ok()) << unpacked.message();
  EXPECT_EQ(unpacked->signature("layers")->packed_bytes, 0);
  auto y0 = unpacked->run("layers", in);
  ASSERT_TRUE(y0.ok()) << y0.message();
  std::printf("M %d, packed inside the call: maxdiff %g\n", M, maxdiff((*y0)[0]));
  EXPECT_EQ(maxdiff((*y0)[0]), 0.0f);
  // New weights written in place: packed again, the call sees them.
  fill(w, 4, 1);
  want = twoLayersReference(x, w, v, M);
  packed = m->pack("layers", params);
  ASSERT_TRUE(packed.ok()) << packed.message();
  auto y1 = m->run("layers", in, *packed);
  ASSERT_TRUE(y1.ok()) << y1.message();
  std::printf("M %d, packed again: maxdiff %g\n", M, maxdiff((*y1)[0]));
  EXPECT_EQ(maxdiff((*y1)[0]), 0.0f);
}

TEST(Jit, WeightsPackedOnceComputeTheSame) {
  // The host's register block, and AVX2's where the host has it.
  std::vector<std::string> cpus = {"host"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) cpus.push_back("x86-64-v3");
  for (const std::string& cpu : cpus) {
    checkPackedOnce<1>(cpu);
    checkPackedOnce<3>(cpu);
    checkPackedOnce<130>(cpu);
  }
}

TEST(Jit, PackedWeightsAreCheckedAtEachCall) {
  tfm::dsl::TraceResult traced = traceTwoLayers<3>();
  ASSERT_TRUE(traced.ok()) << traced.error;
  auto m = tfm::jit::Module::compile(traced.mlir);
  ASSERT_TRUE(m.ok()) << m.message();
  tfm::Tensor x = tfm::Tensor::of<float>({3, 256}), w = tfm::Tensor::of<float>({256, 136}),
              v = tfm::Tensor::of<float>({256, 136}), other = tfm::Tensor::of<float>({256, 136}),
              y = tfm::Tensor::of<float>({3, 256}), wrong = tfm::Tensor::of<float>({136, 256});
  const tfm::TensorView params[] = {w, v};
  auto packed = m->pack("layers", params);
  ASSERT_TRUE(packed.ok()) << packed.message();

  const tfm::TensorView swapped[] = {x, other, v, y};
  tfm::Status s = m->call("layers", swapped, *packed);
  EXPECT_EQ(s.message(),
            "tfm: jit: layers: param 'w' is not the tensor its packed weights were packed from"
            " ---> HINT: pack() the params and states this call passes");
  const tfm::TensorView args[] = {x, w, v, y};
  s = m->call("layers", args, tfm::jit::PackedParams());
  EXPECT_EQ(s.message(),
            "tfm: jit: layers: given weights packed for no entry point"
            " ---> HINT: pack them with pack(\"layers\", params)");
  EXPECT_TRUE(m->call("layers", args, *packed).ok());

  const tfm::TensorView bad[] = {wrong, v};
  auto p = m->pack("layers", bad);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.message().find("layers (its params and states, to pack)"), std::string::npos)
      << p.message();
  EXPECT_NE(p.message().find("'w'"), std::string::npos) << p.message();
  const tfm::TensorView one[] = {w};
  p = m->pack("layers", one);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.message().find("expects 2"), std::string::npos) << p.message();
  p = m->pack("layer", params);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.message(), "tfm: jit: no entry point 'layer' ---> HINT: the module has: layers");
}

}  // namespace
