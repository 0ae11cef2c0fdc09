// Whole-model gradients: a tiny encoder-decoder (post-norm, ReLU, sinusoidal
// positions, padding masks, cross-attention, tied embeddings, label
// smoothing, ignored <pad>) and a tiny decoder-only model (pre-norm RMS norm,
// SwiGLU, rotary positions, grouped-query attention, untied head, a loss mask),
// each with fused and with unfused attention. The compiled <f>_grad is
// checked against central differences of the compiled loss <f>, along one
// random direction per parameter tensor (so every tensor's gradient is
// checked) and along one direction over all of them. Both are traced from the
// DSL and compiled in f64 (the traced f32 types rewritten), where the
// difference quotient with h = 1e-5 is good to about 1e-9.
// Tolerance: |difference quotient - grad . u| <= 1e-6 max(1, |grad . u|).
//
// Also: the f32 training step of both models is deterministic (two runs
// from the same seed give bit-identical parameters and moments, with threads
// on), and the loss falls.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <regex>
#include <tfm/dsl.hpp>
#include <tfm/jit.hpp>

namespace {

using namespace tfm::dsl;

constexpr double kTolerance = 1e-6;
constexpr double kStep = 1e-5;

constexpr TransformerConfig kTinyPaper{
    .vocab = 11, .d_model = 8, .heads = 2, .layers = 1, .d_ff = 16, .max_len = 8};
constexpr TransformerConfig kTinyGpt{.vocab = 13,
                                     .d_model = 8,
                                     .heads = 4,
                                     .kv_heads = 2,
                                     .layers = 2,
                                     .d_ff = 16,
                                     .max_len = 8,
                                     .norm_placement = NormPlacement::pre,
                                     .norm = NormKind::rms_norm,
                                     .activation = Activation::swiglu,
                                     .positions = Positions::rope,
                                     .tie_embeddings = false};

void paper_loss(Function& f) {
  auto logits = encoder_decoder_logits<kTinyPaper, 2, 5, 4>(f);
  auto labels = f.input<Shape<2, 4>, i32>("labels");
  f.minimize("loss", cross_entropy(logits, labels, {.label_smoothing = 0.1f, .ignore_index = 0}),
             AdamW{});
}

void gpt_loss(Function& f) {
  auto logits = decoder_only_logits<kTinyGpt, 2, 6>(f);
  auto labels = f.input<Shape<2, 6>, i32>("labels");
  auto mask = f.input<Shape<2, 6>>("loss_mask");
  f.minimize("loss", cross_entropy(logits, labels, mask, {.label_smoothing = 0.05f}),
             Sgd{.momentum = 0.9f});
}

// The traced model with every f32 tensor made f64.
std::string as_f64(const std::string& mlir) {
  return std::regex_replace(mlir, std::regex(R"(((tensor<|x)f32>))"), "$2f64>");
}

// Values for a model's inputs and params by name: ids in [1, vocab), the
// lengths below the sequence length, the loss mask 0/1, params small.
struct Values {
  std::map<std::string, tfm::Tensor> tensors;
};

Values make_values(const tfm::Signature& sig, long vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  Values v;
  for (const tfm::TensorSpec& s : sig.args) {
    if (s.role == tfm::Role::output) continue;
    tfm::Tensor t(s.dtype, s.shape);
    if (s.dtype == tfm::DType::i32) {
      auto ids = t.values<std::int32_t>();
      for (std::size_t i = 0; i < ids.size(); ++i)
        ids[i] = s.name == "src_lengths" ? static_cast<std::int32_t>(5 - 2 * i)  // 5 and 3
                 : s.name == "labels" && i % 7 == 3
                     ? 0  // some <pad> targets
                     : 1 + static_cast<std::int32_t>(rng() % (vocab - 1));
    } else {
      auto set = [&](auto values) {
        for (std::size_t i = 0; i < values.size(); ++i) {
          double x = s.name == "loss_mask"        ? (i % 3 == 1 ? 0.0 : 1.0)
                     : s.name.ends_with(".gamma") ? 1.0 + 0.2 * u(rng)
                                                  : 0.5 * u(rng);
          values[i] = static_cast<typename decltype(values)::value_type>(x);
        }
      };
      if (s.dtype == tfm::DType::f64)
        set(t.values<double>());
      else
        set(t.values<float>());
    }
    v.tensors.emplace(s.name, std::move(t));
  }
  return v;
}

std::vector<tfm::TensorView> args_of(const tfm::Signature& sig, Values& v,
                                     std::vector<tfm::Tensor>& outputs) {
  std::vector<tfm::TensorView> args;
  outputs.clear();
  outputs.reserve(sig.args.size());
  for (const tfm::TensorSpec& s : sig.args) {
    if (s.role == tfm::Role::output) {
      outputs.emplace_back(s.dtype, s.shape);
      args.push_back(outputs.back());
    } else {
      auto [it, fresh] = v.tensors.try_emplace(s.name, tfm::Tensor(s.dtype, s.shape));
      args.push_back(it->second);
    }
  }
  return args;
}

void check_gradient(const std::string& name, const ModelFn& model, long vocab, bool fuse) {
  TraceResult traced = trace(name, model);
  ASSERT_TRUE(traced.ok()) << traced.error;
  tfm::jit::Options options;
  options.fuse_attention = fuse;
  auto module = tfm::jit::Module::compile(as_f64(traced.mlir), options, name);
  ASSERT_TRUE(module.ok()) << module.message();
  const tfm::Signature& fsig = *module->signature(name);
  const tfm::Signature& gsig = *module->signature(name + "_grad");
  Values v = make_values(fsig, vocab, 3);

  std::vector<tfm::Tensor> grads;
  std::vector<tfm::TensorView> gargs = args_of(gsig, v, grads);
  ASSERT_TRUE(module->call(name + "_grad", gargs).ok());
  std::map<std::string, const tfm::Tensor*> grad;  // param -> its gradient
  std::size_t k = 0;
  for (const tfm::TensorSpec& s : gsig.args)
    if (s.role == tfm::Role::output) {
      if (s.name.starts_with("grad.")) grad[s.name.substr(5)] = &grads[k];
      ++k;
    }

  std::vector<tfm::Tensor> loss_out;
  std::vector<tfm::TensorView> fargs = args_of(fsig, v, loss_out);
  auto loss = [&] {
    EXPECT_TRUE(module->call(name, fargs).ok());
    return *loss_out[0].data<double>();
  };

  // Directions: one per param tensor, then one over all of them.
  std::vector<std::string> params;
  for (const tfm::TensorSpec& s : fsig.args)
    if (s.role == tfm::Role::param) params.push_back(s.name);
  ASSERT_EQ(grad.size(), params.size()) << "a gradient per param";
  std::mt19937 rng(11);
  std::normal_distribution<double> normal;
  double worst = 0;
  std::size_t directions = params.size() + 1;
  for (std::size_t d = 0; d < directions; ++d) {
    std::map<std::string, std::vector<double>> u;
    double predicted = 0;
    for (const std::string& p : params) {
      if (d < params.size() && params[d] != p) continue;
      auto g = grad.at(p)->values<double>();
      std::vector<double>& dir = u[p];
      for (double gi : g) {
        dir.push_back(normal(rng));
        predicted += gi * dir.back();
      }
    }
    auto shift = [&](double h) {
      for (auto& [p, dir] : u) {
        auto vals = v.tensors.at(p).values<double>();
        for (std::size_t i = 0; i < dir.size(); ++i) vals[i] += h * dir[i];
      }
    };
    shift(kStep);
    double up = loss();
    shift(-2 * kStep);
    double down = loss();
    shift(kStep);
    double quotient = (up - down) / (2 * kStep);
    double diff = std::abs(quotient - predicted) / std::max(1.0, std::abs(predicted));
    worst = std::max(worst, diff);
    EXPECT_LE(diff, kTolerance) << (d < params.size() ? "param " + params[d] : "all params")
                                << ": difference quotient " << quotient << ", grad . u "
                                << predicted;
  }
  std::printf("%s (%s): %zu params, %zu directions, maxdiff %.3g\n", name.c_str(),
              fuse ? "fused" : "unfused", params.size(), directions, worst);
}

TEST(ModelGradient, EncoderDecoderFused) { check_gradient("paper_loss", paper_loss, 11, true); }
TEST(ModelGradient, EncoderDecoderUnfused) { check_gradient("paper_loss", paper_loss, 11, false); }
TEST(ModelGradient, DecoderOnlyFused) { check_gradient("gpt_loss", gpt_loss, 13, true); }
TEST(ModelGradient, DecoderOnlyUnfused) { check_gradient("gpt_loss", gpt_loss, 13, false); }

// Runs 5 training steps from seeded values; returns every state's bytes and
// the losses.
std::pair<std::map<std::string, std::vector<std::byte>>, std::vector<float>> train_run(
    const tfm::jit::Module& module, const std::string& name, long vocab) {
  const tfm::Signature& sig = *module.signature(name + "_train_step");
  Values v = make_values(*module.signature(name), vocab, 5);
  v.tensors.insert_or_assign("lr", tfm::Tensor::from<float>({}, {0.01f}));
  std::vector<tfm::Tensor> outputs;
  std::vector<tfm::TensorView> args = args_of(sig, v, outputs);
  std::vector<float> losses;
  for (int step = 1; step <= 5; ++step) {
    if (v.tensors.count("step")) *v.tensors.at("step").data<float>() = static_cast<float>(step);
    EXPECT_TRUE(module.call(name + "_train_step", args).ok());
    losses.push_back(*outputs[0].data<float>());
  }
  std::map<std::string, std::vector<std::byte>> bytes;
  for (const tfm::TensorSpec& s : sig.args)
    if (s.role == tfm::Role::state) {
      const tfm::Tensor& t = v.tensors.at(s.name);
      const auto* p = t.data<std::byte>();
      bytes[s.name].assign(p, p + t.bytes());
    }
  return {bytes, losses};
}

void check_deterministic(const std::string& name, const ModelFn& model, long vocab) {
  TraceResult traced = trace(name, model);
  ASSERT_TRUE(traced.ok()) << traced.error;
  auto module = tfm::jit::Module::compile(traced.mlir, {}, name);
  ASSERT_TRUE(module.ok()) << module.message();
  auto [first, losses] = train_run(*module, name, vocab);
  auto [second, losses2] = train_run(*module, name, vocab);
  ASSERT_FALSE(first.empty());
  std::size_t differing = 0;
  for (const auto& [state, b] : first) differing += b != second.at(state);
  std::printf("%s: %zu states after 5 steps, %zu differ between two runs; loss %.4f -> %.4f\n",
              name.c_str(), first.size(), differing, losses.front(), losses.back());
  EXPECT_EQ(differing, 0u);
  EXPECT_EQ(losses, losses2);
  EXPECT_LT(losses.back(), losses.front());
}

TEST(TrainStep, EncoderDecoderDeterministic) { check_deterministic("paper_loss", paper_loss, 11); }
TEST(TrainStep, DecoderOnlyDeterministic) { check_deterministic("gpt_loss", gpt_loss, 13); }

}  // namespace
