// The compiled training step (tfm-autodiff's <f>_train_step) against a plain
// C++ reference of the same step: a linear classifier, logits = x w + b,
// cross-entropy with label smoothing, an ignored <pad> target and, for SGD,
// a loss mask; the reference computes the gradient by hand (softmax minus the
// smoothed target) and applies PyTorch's AdamW and SGD-with-momentum rules.
// Several steps in a row, so the moments carried in place are checked too.
// Tolerance: maxdiff <= 1e-5 (relative above 1, absolute below), f32.
// A two-layer perceptron whose weights its matmuls read packed checks that,
// with jit::Options::pack_states, they stay packed from one step to the next
// (each step packs the weights it updated), against its own reference.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <span>
#include <string>
#include <tfm/jit.hpp>
#include <vector>

namespace {

constexpr double kTolerance = 1e-5;
constexpr int kRows = 12, kIn = 8, kClasses = 6, kPad = 0;
constexpr double kSmoothing = 0.1;

struct Problem {
  std::vector<float> x, mask;  // [rows, in], [rows]
  std::vector<int> targets;    // [rows]
  std::vector<float> w, b;     // [in, classes], [classes]
};

Problem make_problem(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Problem p;
  for (int i = 0; i < kRows * kIn; ++i) p.x.push_back(u(rng));
  for (int i = 0; i < kIn * kClasses; ++i) p.w.push_back(0.5f * u(rng));
  for (int i = 0; i < kClasses; ++i) p.b.push_back(0.1f * u(rng));
  for (int r = 0; r < kRows; ++r) {
    p.targets.push_back(r % 5 == 4 ? kPad : 1 + static_cast<int>(rng() % (kClasses - 1)));
    p.mask.push_back(r % 3 == 2 ? 0.0f : 1.0f);
  }
  return p;
}

// The loss and its gradient in double: mean over counted rows of
// -sum_c q_c log softmax(z)_c, q = (1 - e) onehot + e / C; d/dz = (p - q) / n.
double reference_grad(const Problem& p, bool use_mask, std::vector<double>& gw,
                      std::vector<double>& gb) {
  gw.assign(p.w.size(), 0.0);
  gb.assign(p.b.size(), 0.0);
  double total = 0, count = 0;
  for (int r = 0; r < kRows; ++r)
    if (p.targets[r] != kPad) count += use_mask ? p.mask[r] : 1.0;
  for (int r = 0; r < kRows; ++r) {
    double weight = p.targets[r] == kPad ? 0.0 : use_mask ? p.mask[r] : 1.0;
    if (weight == 0.0) continue;
    std::vector<double> z(kClasses);
    for (int c = 0; c < kClasses; ++c) {
      z[c] = p.b[c];
      for (int k = 0; k < kIn; ++k) z[c] += double(p.x[r * kIn + k]) * p.w[k * kClasses + c];
    }
    double top = *std::max_element(z.begin(), z.end()), sum = 0;
    for (double v : z) sum += std::exp(v - top);
    for (int c = 0; c < kClasses; ++c) {
      double log_p = z[c] - top - std::log(sum);
      double q = (c == p.targets[r] ? 1 - kSmoothing : 0.0) + kSmoothing / kClasses;
      total -= weight * q * log_p;
      double dz = weight * (std::exp(log_p) - q) / count;
      gb[c] += dz;
      for (int k = 0; k < kIn; ++k) gw[k * kClasses + c] += p.x[r * kIn + k] * dz;
    }
  }
  return total / count;
}

double maxdiff(const std::vector<float>& got, const std::vector<double>& want) {
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - want[i]) / std::max(1.0, std::abs(want[i])));
  return worst;
}

std::string linear_model(const std::string& train_attr, bool use_mask) {
  std::string mask_arg = use_mask ? ", %mask: tensor<12xf32> {tfm.input = \"mask\"}" : "";
  std::string mask_operand = use_mask ? " mask %mask" : "";
  std::string mask_type = use_mask ? ", tensor<12xf32>" : "";
  return "func.func @linear(%x: tensor<12x8xf32> {tfm.input = \"x\"},\n"
         "    %w: tensor<8x6xf32> {tfm.param = \"w\"}, %b: tensor<6xf32> {tfm.param = \"b\"},\n"
         "    %t: tensor<12xi32> {tfm.input = \"t\"}" +
         mask_arg +
         ")\n"
         "    -> (tensor<f32> {tfm.output = \"loss\"}) attributes {tfm.train = {loss = \"loss\", " +
         train_attr +
         "}} {\n"
         "  %z = tfm.matmul %x, %w : (tensor<12x8xf32>, tensor<8x6xf32>) -> tensor<12x6xf32>\n"
         "  %zb = tfm.add %z, %b : (tensor<12x6xf32>, tensor<6xf32>) -> tensor<12x6xf32>\n"
         "  %l = tfm.cross_entropy %zb, %t" +
         mask_operand +
         " {label_smoothing = 0.1 : f32, ignore_index = 0 : i64} : (tensor<12x6xf32>, "
         "tensor<12xi32>" +
         mask_type +
         ") -> tensor<f32>\n"
         "  return %l : tensor<f32>\n}\n";
}

// Runs `steps` training steps of @linear_train_step on `p` (its w and b
// updated in place) and checks each against `update`, the reference rule
// applied to (param, grad, state, step) for w and b.
template <class Update>
void check_steps(const std::string& optimizer, const std::string& train_attr, bool use_mask,
                 float lr, const std::vector<std::string>& moment_prefixes, Update update) {
  auto module = tfm::jit::Module::compile(linear_model(train_attr, use_mask), {}, optimizer);
  ASSERT_TRUE(module.ok()) << module.message();
  const tfm::Signature* sig = module->signature("linear_train_step");
  ASSERT_NE(sig, nullptr);

  Problem p = make_problem(7);
  tfm::Tensor x = tfm::Tensor::of<float>({kRows, kIn}), t = tfm::Tensor::of<std::int32_t>({kRows});
  tfm::Tensor mask = tfm::Tensor::of<float>({kRows});
  std::copy(p.x.begin(), p.x.end(), x.data<float>());
  std::copy(p.targets.begin(), p.targets.end(), t.data<std::int32_t>());
  std::copy(p.mask.begin(), p.mask.end(), mask.data<float>());
  std::map<std::string, tfm::Tensor> tensors;
  tensors.emplace("w", tfm::Tensor::of<float>({kIn, kClasses}));
  tensors.emplace("b", tfm::Tensor::of<float>({kClasses}));
  std::copy(p.w.begin(), p.w.end(), tensors.at("w").data<float>());
  std::copy(p.b.begin(), p.b.end(), tensors.at("b").data<float>());
  tfm::Tensor lr_t = tfm::Tensor::from<float>({}, {lr}), step_t = tfm::Tensor::of<float>({});
  tfm::Tensor loss = tfm::Tensor::of<float>({});

  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& s : sig->args) {
    if (s.name == "x")
      args.push_back(x);
    else if (s.name == "t")
      args.push_back(t);
    else if (s.name == "mask")
      args.push_back(mask);
    else if (s.name == "lr")
      args.push_back(lr_t);
    else if (s.name == "step")
      args.push_back(step_t);
    else if (s.role == tfm::Role::output)
      args.push_back(loss);
    else {
      ASSERT_EQ(s.role, tfm::Role::state) << s.name;
      auto [it, fresh] = tensors.try_emplace(s.name, tfm::Tensor(s.dtype, s.shape));
      args.push_back(it->second);
    }
  }
  for (const std::string& prefix : moment_prefixes)
    for (const char* param : {"w", "b"})
      ASSERT_TRUE(tensors.count(prefix + param)) << "no state " << prefix << param;

  // The reference's parameters and moments, in double.
  std::map<std::string, std::vector<double>> ref;
  for (auto& [name, tensor] : tensors) {
    auto v = tensor.values<float>();
    ref[name].assign(v.begin(), v.end());
  }
  for (int step = 1; step <= 4; ++step) {
    *step_t.data<float>() = static_cast<float>(step);
    // The reference gradient at the reference's current parameters.
    Problem at = p;
    at.w.assign(ref["w"].begin(), ref["w"].end());
    at.b.assign(ref["b"].begin(), ref["b"].end());
    std::vector<double> gw, gb;
    double want_loss = reference_grad(at, use_mask, gw, gb);
    ASSERT_TRUE(module->call("linear_train_step", args).ok());
    update(ref, "w", gw, step);
    update(ref, "b", gb, step);

    double loss_diff = std::abs(*loss.data<float>() - want_loss);
    double worst = loss_diff;
    for (auto& [name, tensor] : tensors) {
      auto v = tensor.values<float>();
      worst = std::max(worst, maxdiff(std::vector<float>(v.begin(), v.end()), ref[name]));
    }
    std::printf("%s step %d: loss %.6f (reference %.6f), maxdiff %.3g over params and moments\n",
                optimizer.c_str(), step, *loss.data<float>(), want_loss, worst);
    EXPECT_LE(worst, kTolerance) << "step " << step;
  }
}

TEST(TrainStep, AdamWMatchesReference) {
  const double b1 = 0.9, b2 = 0.98, eps = 1e-8, wd = 0.01, lr = 0.05;
  check_steps(
      "adamw",
      "optimizer = \"adamw\", beta1 = 0.9 : f32, beta2 = 0.98 : f32, epsilon = 1.0e-8 : f32, "
      "weight_decay = 0.01 : f32",
      false, static_cast<float>(lr), {"adamw.m.", "adamw.v."},
      [&](auto& ref, const std::string& name, const std::vector<double>& g, int step) {
        auto& p = ref[name];
        auto& m = ref["adamw.m." + name];
        auto& v = ref["adamw.v." + name];
        for (std::size_t i = 0; i < p.size(); ++i) {
          p[i] -= lr * wd * p[i];
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          double mh = m[i] / (1 - std::pow(b1, step)), vh = v[i] / (1 - std::pow(b2, step));
          p[i] -= lr * mh / (std::sqrt(vh) + eps);
        }
      });
}

TEST(TrainStep, SgdMomentumWithLossMaskMatchesReference) {
  const double mu = 0.9, wd = 0.001, lr = 0.5;
  check_steps("sgd", "optimizer = \"sgd\", momentum = 0.9 : f32, weight_decay = 0.001 : f32", true,
              static_cast<float>(lr), {"sgd.momentum."},
              [&](auto& ref, const std::string& name, const std::vector<double>& g, int) {
                auto& p = ref[name];
                auto& buf = ref["sgd.momentum." + name];
                for (std::size_t i = 0; i < p.size(); ++i) {
                  double d = g[i] + wd * p[i];
                  buf[i] = mu * buf[i] + d;
                  p[i] -= lr * buf[i];
                }
              });
}

// logits = relu(x w1) w2 over 40 classes, SGD with momentum 0.9: large
// enough that the matmuls read w1, w2 and w2 transposed (the backward's)
// packed.
constexpr int kMlpRows = 128, kMlpIn = 256, kMlpHidden = 136, kMlpClasses = 40;

std::string mlp_model() {
  return "func.func @mlp(%x: tensor<128x256xf32> {tfm.input = \"x\"},\n"
         "    %w1: tensor<256x136xf32> {tfm.param = \"w1\"}, %w2: tensor<136x40xf32> {tfm.param = "
         "\"w2\"},\n"
         "    %t: tensor<128xi32> {tfm.input = \"t\"}) -> (tensor<f32> {tfm.output = \"loss\"})\n"
         "    attributes {tfm.train = {loss = \"loss\", optimizer = \"sgd\", momentum = 0.9 : "
         "f32}} {\n"
         "  %h = tfm.matmul %x, %w1 : (tensor<128x256xf32>, tensor<256x136xf32>) -> "
         "tensor<128x136xf32>\n"
         "  %a = tfm.relu %h : tensor<128x136xf32>\n"
         "  %z = tfm.matmul %a, %w2 : (tensor<128x136xf32>, tensor<136x40xf32>) -> "
         "tensor<128x40xf32>\n"
         "  %l = tfm.cross_entropy %z, %t : (tensor<128x40xf32>, tensor<128xi32>) -> tensor<f32>\n"
         "  return %l : tensor<f32>\n}\n";
}

// One SGD-with-momentum step of the perceptron in double, by hand: the
// loss before it; w1, w2 and their momenta updated.
double mlp_reference_step(const std::vector<float>& x, const std::vector<int>& t, double lr,
                          std::map<std::string, std::vector<double>>& ref) {
  const int R = kMlpRows, I = kMlpIn, H = kMlpHidden, C = kMlpClasses;
  auto& w1 = ref["w1"];
  auto& w2 = ref["w2"];
  std::vector<double> h(R * H, 0.0), z(R * C, 0.0), dz(R * C), da(R * H, 0.0);
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < I; ++k)
      for (int j = 0; j < H; ++j) h[r * H + j] += x[r * I + k] * w1[k * H + j];
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < H; ++k)
      for (int c = 0; c < C; ++c) z[r * C + c] += std::max(h[r * H + k], 0.0) * w2[k * C + c];
  double loss = 0;
  for (int r = 0; r < R; ++r) {
    double top = *std::max_element(z.begin() + r * C, z.begin() + (r + 1) * C), sum = 0;
    for (int c = 0; c < C; ++c) sum += std::exp(z[r * C + c] - top);
    for (int c = 0; c < C; ++c) {
      double p = std::exp(z[r * C + c] - top) / sum;
      dz[r * C + c] = (p - (c == t[r] ? 1.0 : 0.0)) / R;
    }
    loss -= (z[r * C + t[r]] - top - std::log(sum)) / R;
  }
  std::vector<double> g1(I * H, 0.0), g2(H * C, 0.0);
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < H; ++k)
      for (int c = 0; c < C; ++c) {
        g2[k * C + c] += std::max(h[r * H + k], 0.0) * dz[r * C + c];
        da[r * H + k] += dz[r * C + c] * w2[k * C + c];
      }
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < I; ++k)
      for (int j = 0; j < H; ++j)
        if (h[r * H + j] > 0) g1[k * H + j] += x[r * I + k] * da[r * H + j];
  for (auto [name, g] : {std::pair{"w1", &g1}, std::pair{"w2", &g2}}) {
    auto& p = ref[name];
    auto& buf = ref[std::string("sgd.momentum.") + name];
    for (std::size_t i = 0; i < p.size(); ++i) {
      buf[i] = 0.9 * buf[i] + (*g)[i];
      p[i] -= lr * buf[i];
    }
  }
  return loss;
}

// Four steps of the perceptron on `cpu`, compiled with its states packed
// once (pack_states): packed before the first step (`once`) or by every
// call, against the reference.
void check_packed_steps(const std::string& cpu, bool once) {
  tfm::jit::Options options;
  options.cpu = cpu;
  options.pack_states = true;
  auto module = tfm::jit::Module::compile(mlp_model(), options, "mlp");
  ASSERT_TRUE(module.ok()) << module.message();
  const tfm::Signature* sig = module->signature("mlp_train_step");
  ASSERT_NE(sig, nullptr);
  // w1 and w2 packed for the forward, w2 transposed for the backward.
  EXPECT_GE(sig->packed_bytes, 4 * (kMlpIn * kMlpHidden + 2 * kMlpHidden * kMlpClasses));

  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  tfm::Tensor x = tfm::Tensor::of<float>({kMlpRows, kMlpIn});
  tfm::Tensor t = tfm::Tensor::of<std::int32_t>({kMlpRows});
  for (float& v : std::span(x.data<float>(), x.size())) v = u(rng);
  for (int r = 0; r < kMlpRows; ++r)
    t.data<std::int32_t>()[r] = static_cast<int>(rng() % kMlpClasses);
  const float lr = 0.5f;
  tfm::Tensor lr_t = tfm::Tensor::from<float>({}, {lr}), loss = tfm::Tensor::of<float>({});
  std::map<std::string, tfm::Tensor> tensors;
  std::vector<tfm::TensorView> args, weights;
  for (const tfm::TensorSpec& s : sig->args) {
    if (s.name == "x")
      args.push_back(x);
    else if (s.name == "t")
      args.push_back(t);
    else if (s.name == "lr")
      args.push_back(lr_t);
    else if (s.role == tfm::Role::output)
      args.push_back(loss);
    else {
      ASSERT_EQ(s.role, tfm::Role::state) << s.name;
      tfm::Tensor& w = tensors.emplace(s.name, tfm::Tensor(s.dtype, s.shape)).first->second;
      bool momentum = s.name.starts_with("sgd.");
      float scale = s.name == "w1" ? 0.1f : 0.2f;
      for (float& v : std::span(w.data<float>(), w.size())) v = momentum ? 0.0f : scale * u(rng);
      args.push_back(w);
      weights.push_back(w);
    }
  }
  std::map<std::string, std::vector<double>> ref;
  for (auto& [name, tensor] : tensors) {
    auto v = tensor.values<float>();
    ref[name].assign(v.begin(), v.end());
  }
  std::vector<float> xs(x.data<float>(), x.data<float>() + x.size());
  std::vector<int> ts(t.data<std::int32_t>(), t.data<std::int32_t>() + t.size());

  tfm::Result<tfm::jit::PackedParams> packed = tfm::Status::error("not packed");
  if (once) {
    packed = module->pack("mlp_train_step", weights);
    ASSERT_TRUE(packed.ok()) << packed.message();
    EXPECT_EQ(packed->bytes(), sig->packed_bytes);
  }
  for (int step = 1; step <= 4; ++step) {
    double want_loss = mlp_reference_step(xs, ts, lr, ref);
    tfm::Status s =
        once ? module->call("mlp_train_step", args, *packed) : module->call("mlp_train_step", args);
    ASSERT_TRUE(s.ok()) << s.message();
    double worst = std::abs(*loss.data<float>() - want_loss);
    for (auto& [name, tensor] : tensors) {
      auto v = tensor.values<float>();
      worst = std::max(worst, maxdiff(std::vector<float>(v.begin(), v.end()), ref[name]));
    }
    std::printf(
        "%s, %s: step %d: loss %.6f (reference %.6f), maxdiff %.3g over weights and "
        "momenta\n",
        cpu.c_str(), once ? "packed once" : "packed by each call", step, *loss.data<float>(),
        want_loss, worst);
    EXPECT_LE(worst, 1e-4) << "step " << step;
  }
}

TEST(TrainStep, WeightsStayPackedAcrossSteps) {
  std::vector<std::string> cpus = {"host"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) cpus.push_back("x86-64-v3");
  for (const std::string& cpu : cpus) {
    check_packed_steps(cpu, /*once=*/true);
    check_packed_steps(cpu, /*once=*/false);
  }
}

TEST(TrainStep, StatesArePackedInsideTheStepByDefault) {
  auto module = tfm::jit::Module::compile(mlp_model(), {}, "mlp");
  ASSERT_TRUE(module.ok()) << module.message();
  EXPECT_EQ(module->signature("mlp_train_step")->packed_bytes, 0);
  // The loss alone reads its params packed once.
  EXPECT_GT(module->signature("mlp")->packed_bytes, 0);
}

TEST(TrainStep, PackedWeightsAreTheStatesTheStepUpdates) {
  tfm::jit::Options options;
  options.pack_states = true;
  auto module = tfm::jit::Module::compile(mlp_model(), options, "mlp");
  ASSERT_TRUE(module.ok()) << module.message();
  const tfm::Signature* sig = module->signature("mlp_train_step");
  ASSERT_NE(sig, nullptr);
  std::vector<tfm::Tensor> tensors;
  std::vector<tfm::TensorView> args, weights;
  for (const tfm::TensorSpec& s : sig->args) {
    tensors.emplace_back(s.dtype, s.shape);
    if (tfm::packs_from(s.role)) weights.push_back(tensors.back());
  }
  for (const tfm::Tensor& t : tensors) args.push_back(t);
  auto packed = module->pack("mlp_train_step", weights);
  ASSERT_TRUE(packed.ok()) << packed.message();
  // Packed from a whole call's tensors: the same weights.
  auto from_call = module->pack_call("mlp_train_step", args);
  ASSERT_TRUE(from_call.ok()) << from_call.message();
  EXPECT_EQ(from_call->bytes(), packed->bytes());
  EXPECT_TRUE(module->call("mlp_train_step", args, *from_call).ok());
  // The step's first state is w1: another tensor of its shape is refused.
  std::size_t w1 = 0;
  while (sig->args[w1].name != "w1") ++w1;
  tfm::Tensor other(sig->args[w1].dtype, sig->args[w1].shape);
  args[w1] = other;
  tfm::Status s = module->call("mlp_train_step", args, *packed);
  EXPECT_EQ(s.message(),
            "tfm: jit: mlp_train_step: state 'w1' is not the tensor its packed weights were "
            "packed from ---> HINT: pack() the params and states this call passes");
  // A whole call's tensors are checked as a call's.
  tfm::Tensor wrong(sig->args[w1].dtype, {sig->args[w1].shape[1], sig->args[w1].shape[0]});
  args[w1] = wrong;
  auto bad_call = module->pack_call("mlp_train_step", args);
  ASSERT_FALSE(bad_call.ok());
  EXPECT_NE(bad_call.message().find("tfm: mlp_train_step: tensor 'w1' (state, argument " +
                                    std::to_string(w1) + ") has shape [136x256]"),
            std::string::npos)
      << bad_call.message();
  // Its packing takes every state, moments too, in signature order.
  weights.pop_back();
  auto short_pack = module->pack("mlp_train_step", weights);
  ASSERT_FALSE(short_pack.ok());
  EXPECT_NE(short_pack.message().find("mlp_train_step (its params and states, to pack): expects 4"),
            std::string::npos)
      << short_pack.message();
}

}  // namespace
