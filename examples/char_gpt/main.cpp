// A character-level GPT: a decoder-only Transformer trained to predict the
// next character of a text, through the compiled training step (forward,
// loss, backward and AdamW in one call), then sampled with temperature and
// top-k. The corpus is the GNU GPL version 3 as Debian's base-files package
// installs it (/usr/share/common-licenses/GPL-3, 35 KB of ASCII); the text
// is licensed to be copied verbatim, and is only read here.
//
//   char_gpt [--corpus FILE] [--steps N] [--lr X] [--temperature T] [--top-k K]
//            [--seed N] [--out DIR] [--expect-below F]
//            [--checkpoint DIR [--every N] [--resume]]
//
// --checkpoint DIR saves the training state (parameters, AdamW moments, the
// step, the RNG that draws the text's windows, the losses so far) in
// DIR/checkpoint.safetensors every N steps (100) and after the last; with
// --resume, a run continues from there and ends as the uninterrupted run
// would have, bit for bit (tests/checkpoint).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <tfm/decode.hpp>
#include <tfm/dsl.hpp>
#include <tfm/jit.hpp>
#include <tfm/metrics.hpp>
#include <vector>

#include "checkpoints.hpp"
#include "cli_checks.hpp"
#include "text_corpus.hpp"

namespace {

using namespace tfm::dsl;

// Token ids are ASCII codes; other bytes become '?'.
constexpr dim_t kVocab = 128, kContext = 64, kBatch = 16;
constexpr TransformerConfig kConfig{.vocab = kVocab,
                                    .d_model = 64,
                                    .heads = 4,
                                    .layers = 2,
                                    .d_ff = 256,
                                    .max_len = kContext,
                                    .norm_placement = NormPlacement::pre,
                                    .activation = Activation::gelu_tanh,
                                    .positions = Positions::learned};

void char_gpt_train(Function& f) {
  auto logits = decoder_only_logits<kConfig, kBatch, kContext>(f);
  auto next = f.input<Shape<kBatch, kContext>, i32>("next");  // ids shifted left by one
  f.minimize("loss", cross_entropy(logits, next), AdamW{.beta2 = 0.99f, .weight_decay = 0.01f});
}

void char_gpt(Function& f) { decoder_only<kConfig, 1, kContext>(f); }

struct Options {
  std::string corpus = "/usr/share/common-licenses/GPL-3", out = ".";
  long steps = 600, top_k = 10, seed = 1;
  double lr = 3e-3, temperature = 0.8, expect_below = 0;
  examples::CheckpointOptions checkpoints;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"A character-level GPT, trained on a text file, then sampled.", "char_gpt"};
  app.add_option("--corpus", o.corpus, "the text to train on")->capture_default_str();
  app.add_option("--steps", o.steps, "training steps")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--lr", o.lr, "AdamW's peak learning rate")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--temperature", o.temperature, "sampling temperature")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--top-k", o.top_k, "sample from the k likeliest characters (0: all)")
      ->check(examples::kNonNegative)
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the weights and the sampling")->capture_default_str();
  app.add_option("--out", o.out, "where char_gpt_loss.csv goes")->capture_default_str();
  app.add_option("--expect-below", o.expect_below,
                 "exit 1 unless the final loss is below this fraction of the unigram entropy");
  examples::add_checkpoint_options(app, o.checkpoints);
  CLI11_PARSE(app, argc, argv);

  std::optional<std::string> corpus =
      examples::read_ascii_corpus(o.corpus, static_cast<std::size_t>(kContext + 1));
  if (!corpus)
    return std::fprintf(stderr, "char_gpt: cannot read a corpus of at least %ld bytes from '%s'\n",
                        long(kContext + 1), o.corpus.c_str()),
           1;
  std::string text = std::move(*corpus);

  // The unigram entropy: the loss of the best model that ignores context.
  std::vector<double> counts(kVocab, 0.0);
  for (char c : text) counts[static_cast<unsigned char>(c)] += 1;
  double entropy = 0;
  for (double n : counts)
    if (n > 0) entropy -= n / double(text.size()) * std::log(n / double(text.size()));
  std::printf("char_gpt: %s, %zu characters, unigram entropy %.4f nats\n", o.corpus.c_str(),
              text.size(), entropy);

  auto traced = trace("char_gpt_train", char_gpt_train);
  if (!traced.ok()) return std::fprintf(stderr, "%s\n", traced.error.c_str()), 1;
  auto module = tfm::jit::Module::compile(traced.mlir, {}, "char_gpt_train");
  if (!module.ok()) return std::fprintf(stderr, "%s\n", module.message().c_str()), 1;
  const tfm::Signature& step_sig = *module->signature("char_gpt_train_train_step");

  // Parameters: matrices N(0, 0.02) (GPT-2's), norm gains 1, biases 0.
  std::mt19937 rng(static_cast<unsigned>(o.seed));
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::map<std::string, tfm::Tensor> tensors;
  std::size_t values = 0;
  for (const tfm::TensorSpec& s : module->signature("char_gpt_train")->args) {
    if (s.role != tfm::Role::param) continue;
    tfm::Tensor t(s.dtype, s.shape);
    for (float& x : t.values<float>())
      x = s.name.ends_with(".gamma") ? 1.0f : s.shape.size() == 2 ? normal(rng) : 0.0f;
    values += static_cast<std::size_t>(t.size());
    tensors.emplace(s.name, std::move(t));
  }
  tensors.emplace("ids", tfm::Tensor::of<std::int32_t>({kBatch, kContext}));
  tensors.emplace("next", tfm::Tensor::of<std::int32_t>({kBatch, kContext}));
  tensors.emplace("lr", tfm::Tensor::of<float>({}));
  tensors.emplace("step", tfm::Tensor::of<float>({}));
  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& s : step_sig.args)
    args.push_back(tensors.try_emplace(s.name, s.dtype, s.shape).first->second);
  std::printf(
      "model: decoder-only, d_model 64, 4 heads, 2 layers, context %ld, %zu parameters; "
      "batch %ld, %ld steps of AdamW\n\n",
      long(kContext), values, long(kBatch), o.steps);

  // The training state: every state of the step (parameters and AdamW
  // moments), the RNG (where the next windows are) and the losses so far. A
  // checkpoint is resumed only by the same model, text and training flags.
  std::vector<examples::Checkpoints::Named> state;
  for (const tfm::TensorSpec& s : step_sig.args)
    if (s.role == tfm::Role::state) state.emplace_back(s.name, tensors.at(s.name).view());
  examples::Checkpoints checkpoints("char_gpt", o.checkpoints, std::move(state),
                                    {{"model", step_sig.name},
                                     {"batch", std::to_string(kBatch)},
                                     {"corpus", o.corpus},
                                     {"corpus_bytes", std::to_string(text.size())},
                                     {"steps", std::to_string(o.steps)},
                                     {"lr", examples::exact(o.lr)},
                                     {"seed", std::to_string(o.seed)}});
  auto rng_text = [&] {
    std::ostringstream out;
    out << rng;
    return tfm::Metadata{{"rng", out.str()}};
  };
  std::vector<double> losses;
  tfm::Metadata resumed;
  auto done = checkpoints.start(losses, resumed);
  if (!done.ok()) return std::fprintf(stderr, "%s\n", done.message().c_str()), 1;
  if (*done > 0 && !(std::istringstream(resumed["rng"]) >> rng))
    return std::fprintf(stderr, "char_gpt: --resume: '%s' holds no RNG state\n",
                        checkpoints.file().c_str()),
           1;

  // Random windows of the text; lr: warm-up over 10% of the steps, then a
  // cosine decay to a tenth.
  std::uniform_int_distribution<std::size_t> start(0, text.size() - kContext - 1);
  for (long s = *done + 1; s <= o.steps; ++s) {
    std::int32_t* ids = tensors.at("ids").data<std::int32_t>();
    std::int32_t* next = tensors.at("next").data<std::int32_t>();
    for (long b = 0; b < kBatch; ++b) {
      std::size_t at = start(rng);
      for (long t = 0; t < kContext; ++t) {
        ids[b * kContext + t] = static_cast<unsigned char>(text[at + t]);
        next[b * kContext + t] = static_cast<unsigned char>(text[at + t + 1]);
      }
    }
    double warm = std::max(1.0, 0.1 * double(o.steps)), lr = o.lr;
    if (s < warm)
      lr *= double(s) / warm;
    else
      lr *= 0.1 + 0.45 * (1 + std::cos(M_PI * (double(s) - warm) / (double(o.steps) - warm + 1)));
    *tensors.at("lr").data<float>() = static_cast<float>(lr);
    *tensors.at("step").data<float>() = static_cast<float>(s);
    if (tfm::Status st = module->call("char_gpt_train_train_step", args); !st.ok())
      return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
    losses.push_back(*tensors.at("loss").data<float>());
    if (s % std::max(1L, o.steps / 10) == 0 || s == o.steps)
      std::printf("  step %4ld/%ld  loss %.4f  lr %.2e\n", s, o.steps, losses.back(), lr);
    if (!checkpoints.due(s, o.steps)) continue;
    if (tfm::Status st = checkpoints.save(s, losses, rng_text()); !st.ok())
      return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
  }
  std::size_t tail = std::min<std::size_t>(20, losses.size());
  double final_loss = 0;
  for (std::size_t i = losses.size() - tail; i < losses.size(); ++i)
    final_loss += losses[i] / double(tail);
  std::printf("final loss (mean of the last %zu steps) %.4f nats = %.2f of the unigram entropy\n",
              tail, final_loss, final_loss / entropy);
  std::string csv = o.out + "/char_gpt_loss.csv";
  if (tfm::Status st = tfm::metrics::write_csv(csv, "loss", losses); !st.ok())
    return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
  std::printf("loss curve: %s (plot: python3 examples/plot_metrics.py %s)\n", csv.c_str(),
              csv.c_str());
  bool below = o.expect_below <= 0 || final_loss < o.expect_below * entropy;
  if (o.expect_below > 0)
    std::printf("below %.2f of the unigram entropy: %s\n", o.expect_below, below ? "yes" : "no");

  // Sampling from the batch-1 model with the trained weights.
  auto traced_fwd = trace("char_gpt", char_gpt);
  if (!traced_fwd.ok()) return std::fprintf(stderr, "%s\n", traced_fwd.error.c_str()), 1;
  auto forward = tfm::jit::Module::compile(traced_fwd.mlir, {}, "char_gpt");
  if (!forward.ok()) return std::fprintf(stderr, "%s\n", forward.message().c_str()), 1;
  std::vector<tfm::TensorView> others;
  std::size_t tokens_index = 0;
  for (const tfm::TensorSpec& s : forward->signature("char_gpt")->args) {
    if (s.role == tfm::Role::output) continue;
    if (s.name == "ids") tokens_index = others.size();
    others.push_back(s.name == "ids" ? tfm::TensorView() : tensors.at(s.name).view());
  }
  // The trained weights packed once for the matmuls of every decoding step.
  std::vector<tfm::TensorView> params;
  for (const tfm::TensorSpec& s : forward->signature("char_gpt")->args)
    if (s.role == tfm::Role::param) params.push_back(tensors.at(s.name).view());
  auto packed = forward->pack("char_gpt", params);
  if (!packed.ok()) return std::fprintf(stderr, "%s\n", packed.message().c_str()), 1;
  auto run = [&](std::span<const tfm::TensorView> a) {
    return forward->run("char_gpt", a, *packed);
  };
  auto next = tfm::decode::forward_logits(run, others, tokens_index, kContext, ' ');
  std::string prompt = "This License";
  std::vector<std::int32_t> prefix(prompt.begin(), prompt.end());
  auto sample = tfm::decode::sample(next, prefix, {.end_id = -1, .max_tokens = 200},
                                    {.temperature = static_cast<float>(o.temperature),
                                     .top_k = static_cast<std::size_t>(o.top_k),
                                     .seed = static_cast<std::uint64_t>(o.seed)});
  if (!sample.ok()) return std::fprintf(stderr, "%s\n", sample.message().c_str()), 1;
  std::string generated(sample->begin(), sample->end());
  std::printf("\nsample (temperature %.2f, top-k %ld, prompt \"%s\"):\n%s\n", o.temperature,
              o.top_k, prompt.c_str(), generated.c_str());
  return below ? 0 : 1;
}
