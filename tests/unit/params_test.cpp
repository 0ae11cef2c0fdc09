// Parameter trees (tfm/dsl/params.hpp, host_params.hpp): the names, order,
// shapes and counts that Boost.Hana's reflection of plain structs gives, the
// same as the traced model's params and a compiled module's signature;
// seeded initial values; and a save/load round trip through safetensors.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <tfm/dsl.hpp>
#include <tfm/dsl/host_params.hpp>
#include <tfm/jit.hpp>
#include <tfm/weights.hpp>

namespace {

using namespace tfm::dsl;
namespace hana = boost::hana;

template <dim_t In, dim_t Out, bool Bias = true>
struct Proj {
  BOOST_HANA_DEFINE_STRUCT(Proj, (Tensor<Shape<In, Out>>, w), (If<Bias, Tensor<Shape<Out>>>, b));
};
struct Gain {
  BOOST_HANA_DEFINE_STRUCT(Gain, (Tensor<Shape<8>>, gamma));
};
struct Block {
  BOOST_HANA_DEFINE_STRUCT(Block, (Proj<8, 16>, up), (Proj<16, 8, false>, down), (Gain, norm));
};
// Names of its own members at the enclosing level.
struct Shared {
  static constexpr bool inline_names = true;
  BOOST_HANA_DEFINE_STRUCT(Shared, (Tensor<Shape<10, 8>>, table));
};
struct Net {
  BOOST_HANA_DEFINE_STRUCT(Net, (Shared, shared), (std::array<Block, 2>, layers),
                           (hana::tuple<Proj<8, 4>, Proj<4, 2, false>>, heads),
                           (If<false, Proj<8, 8>>, unused));
};

constexpr std::int64_t kBlock = 8 * 16 + 16 + 16 * 8 + 8;
static_assert(param_count<Net>() == 10 * 8 + 2 * kBlock + (8 * 4 + 4) + 4 * 2);
static_assert(param_count<Proj<3, 5, false>>() == 15);
static_assert(param_count<If<false, Block>>() == 0);

std::vector<std::string> names_of(const tfm::Signature& sig) {
  std::vector<std::string> names;
  for (const tfm::TensorSpec& s : sig.args) names.push_back(s.name);
  return names;
}

TEST(ParamTrees, NamesAndOrderFromTheStructs) {
  tfm::Signature sig = param_signature<Net>("net");
  std::vector<std::string> want = {
      "net.table",           "net.layers.0.up.w",       "net.layers.0.up.b",
      "net.layers.0.down.w", "net.layers.0.norm.gamma", "net.layers.1.up.w",
      "net.layers.1.up.b",   "net.layers.1.down.w",     "net.layers.1.norm.gamma",
      "net.heads.0.w",       "net.heads.0.b",           "net.heads.1.w"};
  EXPECT_EQ(names_of(sig), want);
  EXPECT_EQ(sig.args[1].shape, (tfm::Shape{8, 16}));
  EXPECT_EQ(sig.args[11].shape, (tfm::Shape{4, 2}));
  std::int64_t total = 0;
  for (const tfm::TensorSpec& s : sig.args) {
    EXPECT_EQ(s.role, tfm::Role::param);
    total += std::accumulate(s.shape.begin(), s.shape.end(), std::int64_t{1},
                             std::multiplies<std::int64_t>());
  }
  EXPECT_EQ(total, param_count<Net>());
}

// declare() makes each tensor of the tree the traced function's param of that
// name, in that order; for_each_param visits them as param_signature lists.
TEST(ParamTrees, DeclareTracesTheParamsInOrder) {
  TraceResult traced = trace("net", [](Function& f) {
    auto x = f.input<Shape<2, 8>>("x");
    Net p = declare<Net>(f);
    auto h = matmul(x, p.layers[0].up.w) + *p.layers[0].up.b;
    f.output("y", matmul(matmul(h, p.layers[0].down.w), hana::at_c<0>(p.heads).w));
  });
  ASSERT_TRUE(traced.ok()) << traced.error;
  std::vector<std::string> traced_names;
  for (std::size_t at = traced.mlir.find("tfm.param = \""); at != std::string::npos;
       at = traced.mlir.find("tfm.param = \"", at + 1)) {
    std::size_t begin = at + 13;
    traced_names.push_back(traced.mlir.substr(begin, traced.mlir.find('"', begin) - begin));
  }
  EXPECT_EQ(traced_names, names_of(param_signature<Net>()));

  Net empty;
  std::vector<std::string> visited;
  for_each_param(empty, "", [&](const std::string& name, const auto&) { visited.push_back(name); });
  EXPECT_EQ(visited, traced_names);
}

// The families' trees are their models' params: the compiled signature holds
// exactly param_signature's names and shapes, in its order.
constexpr TransformerConfig kGpt{.vocab = 40,
                                 .d_model = 16,
                                 .heads = 4,
                                 .kv_heads = 2,
                                 .layers = 3,
                                 .d_ff = 32,
                                 .max_len = 12,
                                 .norm_placement = NormPlacement::pre,
                                 .norm = NormKind::rms_norm,
                                 .activation = Activation::swiglu,
                                 .positions = Positions::rope,
                                 .bias = false,
                                 .tie_embeddings = false};

TEST(ParamTrees, FamiliesSignatureIsTheTree) {
  TraceResult traced = trace("gpt", decoder_only<kGpt, 1, 6>);
  ASSERT_TRUE(traced.ok()) << traced.error;
  auto m = tfm::jit::Module::compile(traced.mlir, {}, "gpt");
  ASSERT_TRUE(m.ok()) << m.message();
  tfm::Signature compiled = *m->signature("gpt");
  std::vector<tfm::TensorSpec> params;
  for (const tfm::TensorSpec& s : compiled.args)
    if (s.role == tfm::Role::param) params.push_back(s);
  tfm::Signature tree = param_signature<DecoderOnlyParams<kGpt>>();
  ASSERT_EQ(params.size(), tree.args.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].name, tree.args[i].name);
    EXPECT_EQ(params[i].shape, tree.args[i].shape) << params[i].name;
  }
  EXPECT_EQ(tree.args.front().name, "embedding");
  EXPECT_EQ(tree.args[1].name, "layers.0.self_attn.q.w");
  EXPECT_EQ(tree.args.back().name, "lm_head.w");
  // Per layer: q [16, 16], k and v [16, 8] (2 of 4 heads), o [16, 16], the
  // SwiGLU's three [16, 32] / [32, 16], two RMS gains.
  constexpr std::int64_t layer = 16 * 16 * 2 + 16 * 8 * 2 + 16 * 32 * 3 + 16 * 2;
  static_assert(param_count<DecoderOnlyParams<kGpt>>() == 40 * 16 + 3 * layer + 16 + 16 * 40);
}

// GPT-2 small's tree counts what Hugging Face's checkpoint holds (its tied
// head counted once).
constexpr TransformerConfig kGpt2Small{.vocab = 50257,
                                       .d_model = 768,
                                       .heads = 12,
                                       .layers = 12,
                                       .d_ff = 3072,
                                       .max_len = 1024,
                                       .norm_placement = NormPlacement::pre,
                                       .activation = Activation::gelu_tanh,
                                       .positions = Positions::learned};
static_assert(param_count<DecoderOnlyParams<kGpt2Small>>() == 124'439'808);

TEST(ParamTrees, InitialValuesAreSeededByRule) {
  auto a = init_params<Net>(7), b = init_params<Net>(7), c = init_params<Net>(8);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.message();
  tfm::Signature sig = param_signature<Net>();
  ASSERT_EQ(a->size(), sig.args.size());
  double sum = 0, squares = 0;
  std::size_t n = 0;
  bool same = true, differs = false;
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto va = (*a)[i].values<float>(), vb = (*b)[i].values<float>(), vc = (*c)[i].values<float>();
    ASSERT_EQ((*a)[i].shape(), sig.args[i].shape);
    for (std::size_t j = 0; j < va.size(); ++j) {
      same &= va[j] == vb[j];
      differs |= va[j] != vc[j];
    }
    if (sig.args[i].shape.size() >= 2) {
      for (float v : va) sum += v, squares += double(v) * v, ++n;
    } else {
      float want = sig.args[i].name.ends_with("gamma") ? 1.0f : 0.0f;
      for (float v : va) EXPECT_EQ(v, want) << sig.args[i].name;
    }
  }
  EXPECT_TRUE(same) << "one seed, two draws";
  EXPECT_TRUE(differs) << "two seeds, one draw";
  double mean = sum / n, stddev = std::sqrt(squares / n - mean * mean);
  std::printf("  %zu matrix values: mean %.4g, stddev %.4g (want 0, 0.02)\n", n, mean, stddev);
  EXPECT_LT(std::abs(mean), 0.003);
  EXPECT_NEAR(stddev, 0.02, 0.002);
}

struct Other {
  BOOST_HANA_DEFINE_STRUCT(Other, (Tensor<Shape<3>>, extra));
};
struct Huge {
  BOOST_HANA_DEFINE_STRUCT(Huge, (Tensor<Shape<(dim_t{1} << 40), (dim_t{1} << 22)>>, table));
};

TEST(ParamTrees, SaveAndLoadThroughTheSignature) {
  auto values = init_params<Net>(3);
  ASSERT_TRUE(values.ok()) << values.message();
  std::vector<tfm::TensorView> views(values->begin(), values->end());
  auto path = std::filesystem::temp_directory_path() / "tfm_params_test.safetensors";
  ASSERT_TRUE(tfm::save_params(path, param_signature<Net>(), views).ok());
  auto loaded = tfm::load_params(path, param_signature<Net>());
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  ASSERT_EQ(loaded->size(), values->size());
  double maxdiff = 0;
  for (std::size_t i = 0; i < values->size(); ++i) {
    auto want = (*values)[i].values<float>(), got = (*loaded)[i].values<float>();
    for (std::size_t j = 0; j < want.size(); ++j)
      maxdiff = std::max(maxdiff, double(std::abs(want[j] - got[j])));
  }
  std::printf("  round trip of %zu tensors: maxdiff %g\n", values->size(), maxdiff);
  EXPECT_EQ(maxdiff, 0.0);

  // A file of another tree is refused, naming what it lacks.
  auto wrong = tfm::load_params(path, param_signature<Other>());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.message().find("extra"), std::string::npos) << wrong.message();
  std::filesystem::remove(path);
}

// A parameter too large to allocate is a Status naming it, not an exception.
TEST(ParamTrees, AllocationFailureIsAStatus) {
  auto values = init_params<Huge>(1, {}, "model");
  ASSERT_FALSE(values.ok());
  EXPECT_NE(values.message().find("tfm: cannot allocate a tensor f32[1099511627776x4194304]"),
            std::string::npos)
      << values.message();
  EXPECT_NE(values.message().find("(parameter 'model.table')"), std::string::npos)
      << values.message();
}

}  // namespace
