// A model whose parameters are a plain struct, reflected by Boost.Hana, and
// whose layers are a heterogeneous stack: a boost::hana::tuple of decoder
// layers of four configs (sliding-window local attention alternating with
// global attention, the feed-forward twice as wide in the second stage),
// traced with hana::for_each. Declaring the params, their names
// ("layers.2.ffn.up.w"), their count, their initial values and the file they
// are saved to and loaded from all come from the struct.
//
//   layer_stack [--corpus FILE] [--steps N] [--lr X] [--seed N] [--out DIR]
//
// It trains the model a few hundred steps on a text (the GPL-3 text that
// Debian's base-files installs, as char_gpt does), saves the trained params
// to DIR/layer_stack.safetensors through the struct's signature, loads them
// back and checks that the reloaded model's logits are the trained one's.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tfm/dsl.hpp>
#include <tfm/dsl/host_params.hpp>
#include <tfm/jit.hpp>
#include <tfm/weights.hpp>
#include <vector>

#include "cli_checks.hpp"
#include "text_corpus.hpp"

namespace {

namespace hana = boost::hana;
namespace dsl = tfm::dsl;
using dsl::dim_t;

constexpr dim_t kVocab = 128, kContext = 64, kBatch = 16;
constexpr dsl::TransformerConfig kBase{.vocab = kVocab,
                                       .d_model = 64,
                                       .heads = 4,
                                       .layers = 1,
                                       .d_ff = 128,
                                       .max_len = kContext,
                                       .norm_placement = dsl::NormPlacement::pre,
                                       .activation = dsl::Activation::gelu_tanh,
                                       .positions = dsl::Positions::learned};

// kBase with another window (0: global) and feed-forward width.
constexpr dsl::TransformerConfig stage(dim_t window, dim_t d_ff) {
  dsl::TransformerConfig c = kBase;
  c.sliding_window = window;
  c.d_ff = d_ff;
  return c;
}
constexpr auto kLocal1 = stage(16, 128), kGlobal1 = stage(0, 128);
constexpr auto kLocal2 = stage(16, 256), kGlobal2 = stage(0, 256);

// The parameter tree: embeddings named at the top ("embedding", "positions"),
// four unlike layers "layers.0" .. "layers.3", the final norm "norm".
struct StackedGpt {
  BOOST_HANA_DEFINE_STRUCT(StackedGpt, (dsl::Embeddings<kBase>, embed),
                           (hana::tuple<dsl::DecoderLayer<kLocal1>, dsl::DecoderLayer<kGlobal1>,
                                        dsl::DecoderLayer<kLocal2>, dsl::DecoderLayer<kGlobal2>>,
                            layers),
                           (dsl::Norm<kBase>, norm));
};
static_assert(dsl::param_count<StackedGpt>() > 0);

template <dim_t B>
auto logits(dsl::Function& f) {
  auto ids = f.input<dsl::Shape<B, kContext>, dsl::i32>("ids");
  StackedGpt p = dsl::declare<StackedGpt>(f);
  auto x = p.embed(ids, "embed");
  std::size_t i = 0;
  hana::for_each(p.layers,
                 [&](const auto& layer) { x = layer(x, "layers." + std::to_string(i++)); });
  return dsl::matmul(p.norm(x), dsl::transpose(p.embed.embedding));
}

void layer_stack_train(dsl::Function& f) {
  auto l = logits<kBatch>(f);
  auto next = f.input<dsl::Shape<kBatch, kContext>, dsl::i32>("next");
  f.minimize("loss", dsl::cross_entropy(l, next), dsl::AdamW{.beta2 = 0.99f});
}

void layer_stack(dsl::Function& f) { f.output("logits", logits<1>(f)); }

struct Options {
  std::string corpus = "/usr/share/common-licenses/GPL-3", out = ".";
  long steps = 300, seed = 1;
  double lr = 3e-3;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"A Hana-reflected model with a heterogeneous layer stack, trained, saved, reloaded.",
               "layer_stack"};
  app.add_option("--corpus", o.corpus, "the text to train on")->capture_default_str();
  app.add_option("--steps", o.steps, "training steps")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--lr", o.lr, "AdamW's learning rate")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the weights and the text windows")
      ->capture_default_str();
  app.add_option("--out", o.out, "where layer_stack.safetensors goes")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::optional<std::string> corpus =
      examples::read_ascii_corpus(o.corpus, static_cast<std::size_t>(kContext + 1));
  if (!corpus)
    return fail("layer_stack: cannot read a corpus of at least " + std::to_string(kContext + 1) +
                " bytes from '" + o.corpus + "'");
  const std::string& text = *corpus;

  // The struct's view of the model.
  tfm::Signature tree = dsl::param_signature<StackedGpt>();
  std::printf("layer_stack: %zu parameter tensors, %lld values, from the struct StackedGpt\n",
              tree.args.size(), static_cast<long long>(dsl::param_count<StackedGpt>()));
  for (const tfm::TensorSpec& s : tree.args)
    if (s.name.ends_with("ffn.up.w"))
      std::printf("  %-20s %s\n", s.name.c_str(), tfm::format_shape(s.shape).c_str());

  auto traced = dsl::trace("layer_stack_train", layer_stack_train);
  if (!traced.ok()) return fail(traced.error);
  auto module = tfm::jit::Module::compile(traced.mlir, {}, "layer_stack_train");
  if (!module.ok()) return fail(module.message());
  const tfm::Signature& step_sig = *module->signature("layer_stack_train_train_step");

  // The compiled model's params are the struct's, in its order.
  std::size_t next_param = 0;
  bool same_params = true;
  for (const tfm::TensorSpec& s : module->signature("layer_stack_train")->args)
    if (s.role == tfm::Role::param)
      same_params &= next_param < tree.args.size() && tree.args[next_param].name == s.name &&
                     tree.args[next_param++].shape == s.shape;
  same_params &= next_param == tree.args.size();
  std::printf("the compiled model's params are the struct's: %s\n", same_params ? "yes" : "no");
  if (!same_params) return 1;

  // Initial values by the struct's rules (matrices N(0, 0.02), gains 1,
  // biases 0), then the training step's other tensors (AdamW's moments: 0).
  auto initial = dsl::init_params<StackedGpt>(static_cast<std::uint32_t>(o.seed));
  if (!initial.ok()) return fail(initial.message());
  std::map<std::string, tfm::Tensor> tensors;
  for (std::size_t i = 0; i < tree.args.size(); ++i)
    tensors.emplace(tree.args[i].name, std::move((*initial)[i]));
  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& s : step_sig.args)
    args.push_back(tensors.try_emplace(s.name, s.dtype, s.shape).first->second);

  std::mt19937 rng(static_cast<unsigned>(o.seed));
  std::uniform_int_distribution<std::size_t> start(0, text.size() - kContext - 1);
  double first = 0, last = 0;
  for (long s = 1; s <= o.steps; ++s) {
    std::int32_t* ids = tensors.at("ids").data<std::int32_t>();
    std::int32_t* next = tensors.at("next").data<std::int32_t>();
    for (long b = 0; b < kBatch; ++b) {
      std::size_t at = start(rng);
      for (long t = 0; t < kContext; ++t) {
        ids[b * kContext + t] = static_cast<unsigned char>(text[at + t]);
        next[b * kContext + t] = static_cast<unsigned char>(text[at + t + 1]);
      }
    }
    *tensors.at("lr").data<float>() = static_cast<float>(o.lr);
    *tensors.at("step").data<float>() = static_cast<float>(s);
    if (tfm::Status st = module->call("layer_stack_train_train_step", args); !st.ok())
      return fail(st.message());
    double loss = *tensors.at("loss").data<float>();
    if (s == 1) first = loss;
    last = loss;
    if (s % std::max(1L, o.steps / 5) == 0 || s == o.steps)
      std::printf("  step %4ld/%ld  loss %.4f\n", s, o.steps, loss);
  }
  std::printf("loss fell from %.4f to %.4f\n", first, last);

  // Saved and loaded through the struct's signature: names, dtypes and
  // shapes checked both ways.
  std::vector<tfm::TensorView> trained;
  for (const tfm::TensorSpec& s : tree.args) trained.push_back(tensors.at(s.name).view());
  std::string file = o.out + "/layer_stack.safetensors";
  if (tfm::Status st = tfm::save_params(file, tree, trained); !st.ok()) return fail(st.message());
  auto loaded = tfm::load_params(file, tree);
  if (!loaded.ok()) return fail(loaded.message());

  // The batch-1 model's logits with the trained and with the reloaded params.
  auto traced_fwd = dsl::trace("layer_stack", layer_stack);
  if (!traced_fwd.ok()) return fail(traced_fwd.error);
  auto forward = tfm::jit::Module::compile(traced_fwd.mlir, {}, "layer_stack");
  if (!forward.ok()) return fail(forward.message());
  tfm::Tensor prompt = tfm::Tensor::of<std::int32_t>({1, kContext});
  for (long t = 0; t < kContext; ++t) prompt.data<std::int32_t>()[t] = text[t];
  auto run_with = [&](const std::vector<tfm::TensorView>& params) {
    std::vector<tfm::TensorView> call{prompt.view()};
    call.insert(call.end(), params.begin(), params.end());
    return forward->run("layer_stack", call);
  };
  auto before = run_with(trained);
  auto after = run_with(std::vector<tfm::TensorView>(loaded->begin(), loaded->end()));
  if (!before.ok()) return fail(before.message());
  if (!after.ok()) return fail(after.message());
  auto a = (*before)[0].values<float>(), b = (*after)[0].values<float>();
  double maxdiff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    maxdiff = std::max(maxdiff, double(std::abs(a[i] - b[i])));
  std::printf("saved %s (%zu tensors); reloaded logits maxdiff %g\n", file.c_str(), loaded->size(),
              maxdiff);
  return maxdiff == 0 && last < first ? 0 : 1;
}
