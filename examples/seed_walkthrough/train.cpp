// seed_walkthrough --train: the encoder-decoder learns to map the first half
// of each corpus line to its second half, with teacher forcing, through the
// compiled training step (forward, loss, backward and AdamW in one call);
// then greedy decoding and beam search of each first half.

#include "train.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <tfm/decode.hpp>
#include <tfm/jit.hpp>
#include <tfm/metrics.hpp>
#include <tfm/tokenizer.hpp>
#include <vector>

#include "corpus.hpp"
#include "model.hpp"

namespace seed {
namespace {

struct Pair {
  std::string source, target;
};

// Splits "马无夜草不肥,人无横财不富。" into its halves (see corpus.hpp).
std::vector<Pair> training_pairs(std::string& error) {
  std::vector<Pair> pairs;
  for (std::string_view line : kCorpus) {
    std::string_view body = line.substr(0, line.rfind("。"));
    // Byte offsets of every ',' and the character count before it.
    std::size_t best = std::string_view::npos, chars = 0, total = 0, best_gap = ~std::size_t{0};
    std::vector<std::pair<std::size_t, std::size_t>> commas;
    for (std::size_t i = 0; i < body.size(); ++total) {
      if (body[i] == ',') commas.push_back({i, total});
      auto c = static_cast<unsigned char>(body[i]);
      i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    for (auto [at, before] : commas) {
      std::size_t after = total - before - 1;
      std::size_t gap = before > after ? before - after : after - before;
      if (gap < best_gap) best_gap = gap, best = at, chars = before;
    }
    if (best == std::string_view::npos || chars > static_cast<std::size_t>(kMaxHalf) ||
        total - chars - 1 > static_cast<std::size_t>(kMaxHalf)) {
      error = "corpus line '" + std::string(line) + "' has no halves of at most " +
              std::to_string(kMaxHalf) + " characters";
      return {};
    }
    pairs.push_back({std::string(body.substr(0, best)), std::string(body.substr(best + 1))});
  }
  return pairs;
}

// Seeded initial weights, by name: matrices uniform in +-sqrt(6 / (rows +
// cols)) (Glorot), the embedding table N(0, 1/d) scaled, norm gains 1,
// shifts and biases 0.
std::map<std::string, tfm::Tensor> initial_params(const tfm::Signature& sig, unsigned seed) {
  std::mt19937 rng(seed);
  std::map<std::string, tfm::Tensor> params;
  for (const tfm::TensorSpec& spec : sig.args) {
    if (spec.role != tfm::Role::param) continue;
    tfm::Tensor t(spec.dtype, spec.shape);
    auto v = t.values<float>();
    if (spec.name.ends_with(".gamma")) {
      std::fill(v.begin(), v.end(), 1.0f);
    } else if (spec.shape.size() == 2) {
      float bound = std::sqrt(6.0f / static_cast<float>(spec.shape[0] + spec.shape[1]));
      std::uniform_real_distribution<float> dist(-bound, bound);
      for (float& x : v) x = dist(rng);
    } else {
      std::fill(v.begin(), v.end(), 0.0f);
    }
    params.emplace(spec.name, std::move(t));
  }
  return params;
}

// A progress bar redrawn in place on a terminal; in a log, a line per tenth.
void progress(long step, long steps, float loss) {
  static const bool terminal = isatty(fileno(stdout));
  long every = terminal ? std::max(1L, steps / 100) : std::max(1L, steps / 10);
  if (step % every != 0 && step != steps) return;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * step / steps);
  std::printf("%s  [%s%s] step %4ld/%ld  loss %.4f%s", terminal ? "\r" : "",
              std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(), step,
              steps, loss, !terminal || step == steps ? "\n" : "");
  std::fflush(stdout);
}

}  // namespace

int train(const TrainOptions& o) {
  auto models = select_train_models(o.d_model, o.heads);
  if (!models) {
    std::fprintf(stderr,
                 "seed_walkthrough: --train has no model for --d-model %ld --heads %ld "
                 "---> HINT: widths 16, 32 or 64 with heads dividing them\n",
                 o.d_model, o.heads);
    return 2;
  }
  auto tokenizer = tfm::CharTokenizer::from_corpus(
      std::span<const std::string_view>(kCorpus.data(), kCorpus.size()));
  if (!tokenizer.ok()) return std::fprintf(stderr, "%s\n", tokenizer.message().c_str()), 1;
  std::string error;
  std::vector<Pair> pairs = training_pairs(error);
  if (pairs.empty()) return std::fprintf(stderr, "seed_walkthrough: %s\n", error.c_str()), 1;

  std::printf(
      "tfm seed walkthrough, training: d_model %ld, heads %ld, d_ff %ld, %ld steps of "
      "AdamW (lr %g), seed %ld\n\npairs (source -> target):\n",
      o.d_model, o.heads, 4 * o.d_model, o.steps, o.lr, o.seed);
  for (const Pair& p : pairs) std::printf("  %s -> %s\n", p.source.c_str(), p.target.c_str());

  // The batch: src and its lengths; tgt = <start> + target (teacher
  // forcing: the decoder reads the true previous token); labels = target +
  // <end>. <pad> (0) fills the rest and is ignored by the loss.
  const std::int64_t n = kPairs, ts = kMaxHalf, tt = kDecodeLength;
  tfm::Tensor src = tfm::Tensor::of<std::int32_t>({n, ts});
  tfm::Tensor src_lengths = tfm::Tensor::of<std::int32_t>({n});
  tfm::Tensor tgt = tfm::Tensor::of<std::int32_t>({n, tt});
  tfm::Tensor labels = tfm::Tensor::of<std::int32_t>({n, tt});
  for (std::int64_t i = 0; i < n; ++i) {
    auto s = tokenizer->encode(pairs[i].source);
    auto t = tokenizer->encode(pairs[i].target);
    if (!s.ok() || !t.ok()) return std::fprintf(stderr, "cannot encode pair %ld\n", long(i)), 1;
    std::copy(s->begin(), s->end(), src.data<std::int32_t>() + i * ts);
    src_lengths.data<std::int32_t>()[i] = static_cast<std::int32_t>(s->size());
    std::int32_t* tg = tgt.data<std::int32_t>() + i * tt;
    std::int32_t* lb = labels.data<std::int32_t>() + i * tt;
    tg[0] = tokenizer->start_id();
    std::copy(t->begin(), t->end(), tg + 1);
    std::copy(t->begin(), t->end(), lb);
    lb[t->size()] = tokenizer->end_id();
  }

  // Trace and compile the training model: seed_train (the loss),
  // seed_train_grad and seed_train_train_step.
  auto traced = tfm::dsl::trace("seed_train", models->train);
  if (!traced.ok()) return std::fprintf(stderr, "%s\n", traced.error.c_str()), 1;
  tfm::jit::Options jit_options;
  jit_options.fuse_attention = o.fuse;
  auto module = tfm::jit::Module::compile(traced.mlir, jit_options, "seed_train");
  if (!module.ok()) return std::fprintf(stderr, "%s\n", module.message().c_str()), 1;
  const tfm::Signature* step_sig = module->signature("seed_train_train_step");
  if (!step_sig) return std::fprintf(stderr, "seed_walkthrough: no training step compiled\n"), 1;

  // Parameters and AdamW moments (zero), updated in place by each step.
  std::map<std::string, tfm::Tensor> state =
      initial_params(*module->signature("seed_train"), static_cast<unsigned>(o.seed));
  std::size_t num_params = 0, num_values = 0;
  for (const auto& [name, t] : state)
    num_params++, num_values += static_cast<std::size_t>(t.size());
  tfm::Tensor lr = tfm::Tensor::of<float>({}), step = tfm::Tensor::of<float>({});
  tfm::Tensor loss = tfm::Tensor::of<float>({});
  const std::map<std::string, const tfm::Tensor*> inputs = {
      {"src", &src}, {"src_lengths", &src_lengths},
      {"tgt", &tgt}, {"labels", &labels},
      {"lr", &lr},   {"step", &step}};
  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& spec : step_sig->args) {
    if (spec.role == tfm::Role::output) {
      args.push_back(loss);
    } else if (spec.role == tfm::Role::state) {
      auto it = state.find(spec.name);
      if (it == state.end())
        it = state.emplace(spec.name, tfm::Tensor(spec.dtype, spec.shape)).first;
      args.push_back(it->second);
    } else {
      args.push_back(*inputs.at(spec.name));
    }
  }
  std::printf("\n%zu parameter tensors, %zu values; training step compiled (%s attention)\n\n",
              num_params, num_values, o.fuse ? "fused" : "unfused");

  // The training state: the step's states (parameters and AdamW moments)
  // and the losses so far; every step sees the whole batch, so there is no
  // RNG or data position to keep.
  std::vector<examples::Checkpoints::Named> saved;
  for (const tfm::TensorSpec& spec : step_sig->args)
    if (spec.role == tfm::Role::state) saved.emplace_back(spec.name, state.at(spec.name).view());
  examples::Checkpoints checkpoints("seed_walkthrough", o.checkpoints, std::move(saved),
                                    {{"model", step_sig->name},
                                     {"d_model", std::to_string(o.d_model)},
                                     {"heads", std::to_string(o.heads)},
                                     {"attention", o.fuse ? "fused" : "unfused"},
                                     {"steps", std::to_string(o.steps)},
                                     {"lr", examples::exact(o.lr)},
                                     {"seed", std::to_string(o.seed)}});
  std::vector<double> losses;
  tfm::Metadata resumed;
  auto done = checkpoints.start(losses, resumed);
  if (!done.ok()) return std::fprintf(stderr, "%s\n", done.message().c_str()), 1;

  // Linear warm-up over the first 10% of the steps, then constant.
  for (long s = *done + 1; s <= o.steps; ++s) {
    long warmup = std::max(1L, o.steps / 10);
    *lr.data<float>() = static_cast<float>(o.lr * std::min(1.0, double(s) / double(warmup)));
    *step.data<float>() = static_cast<float>(s);
    if (tfm::Status st = module->call("seed_train_train_step", args); !st.ok())
      return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
    losses.push_back(*loss.data<float>());
    progress(s, o.steps, *loss.data<float>());
    if (!checkpoints.due(s, o.steps)) continue;
    if (tfm::Status st = checkpoints.save(s, losses); !st.ok())
      return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
  }
  // With label smoothing e the best loss is the entropy of the smoothed
  // target: (1 - e + e/V) on the answer, e/V on each other token.
  const double e = 0.1, v = static_cast<double>(kVocab), on = 1 - e + e / v, off = e / v;
  const double floor = -(on * std::log(on) + (v - 1) * off * std::log(off));
  std::printf(
      "final loss %.4f (step 1: %.4f; the least possible with label smoothing %.1f: %.4f)\n",
      losses.back(), losses.front(), e, floor);

  std::string csv = o.out_dir + "/seed_loss.csv";
  if (tfm::Status st = tfm::metrics::write_csv(csv, "loss", losses); !st.ok())
    return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
  std::printf("loss curve: %s (plot: python3 examples/plot_metrics.py %s)\n", csv.c_str(),
              csv.c_str());

  // Decoding: the trained weights in the batch-1 model, one source at a time.
  auto decode_traced = tfm::dsl::trace("seed_decode", models->decode);
  if (!decode_traced.ok()) return std::fprintf(stderr, "%s\n", decode_traced.error.c_str()), 1;
  auto decoder = tfm::jit::Module::compile(decode_traced.mlir, jit_options, "seed_decode");
  if (!decoder.ok()) return std::fprintf(stderr, "%s\n", decoder.message().c_str()), 1;
  const tfm::Signature& dsig = *decoder->signature("seed_decode");

  tfm::Tensor one_src = tfm::Tensor::of<std::int32_t>({1, ts});
  tfm::Tensor one_len = tfm::Tensor::of<std::int32_t>({1});
  std::vector<tfm::TensorView> others;
  std::size_t tokens_index = 0;
  for (const tfm::TensorSpec& spec : dsig.args) {
    if (spec.role == tfm::Role::output) continue;
    if (spec.name == "tgt") tokens_index = others.size();
    others.push_back(spec.name == "src"           ? one_src.view()
                     : spec.name == "src_lengths" ? one_len.view()
                     : spec.name == "tgt"         ? tfm::TensorView()
                                                  : state.at(spec.name).view());
  }
  // The trained weights packed once for the matmuls of every decoding step.
  std::vector<tfm::TensorView> params;
  for (const tfm::TensorSpec& spec : dsig.args)
    if (spec.role == tfm::Role::param) params.push_back(state.at(spec.name).view());
  auto packed = decoder->pack("seed_decode", params);
  if (!packed.ok()) return std::fprintf(stderr, "%s\n", packed.message().c_str()), 1;
  auto run = [&](std::span<const tfm::TensorView> in) {
    return decoder->run("seed_decode", in, *packed);
  };
  tfm::decode::NextLogits next =
      tfm::decode::forward_logits(run, others, tokens_index, tt, tokenizer->pad_id());
  const tfm::decode::Stop stop{.end_id = tokenizer->end_id(),
                               .max_tokens = static_cast<std::size_t>(tt)};

  auto text = [&](const std::vector<std::int32_t>& ids) {
    std::vector<std::int32_t> body;
    for (std::size_t i = 1; i < ids.size() && ids[i] != tokenizer->end_id(); ++i)
      body.push_back(ids[i]);
    auto s = tokenizer->decode(body);
    return s.ok() ? *s : std::string("<undecodable>");
  };
  std::printf("\ndecoding (greedy, and beam search with width %ld):\n", o.beam);
  for (const Pair& p : pairs) {
    auto ids = tokenizer->encode(p.source);
    if (!ids.ok()) return 1;
    std::fill(one_src.data<std::int32_t>(), one_src.data<std::int32_t>() + ts, tokenizer->pad_id());
    std::copy(ids->begin(), ids->end(), one_src.data<std::int32_t>());
    *one_len.data<std::int32_t>() = static_cast<std::int32_t>(ids->size());
    auto greedy = tfm::decode::greedy(next, {tokenizer->start_id()}, stop);
    if (!greedy.ok()) return std::fprintf(stderr, "%s\n", greedy.message().c_str()), 1;
    auto beams = tfm::decode::beam_search(next, {tokenizer->start_id()}, stop,
                                          {.width = static_cast<std::size_t>(o.beam)});
    if (!beams.ok()) return std::fprintf(stderr, "%s\n", beams.message().c_str()), 1;
    std::printf("  %s\n    greedy: %s\n    beam:   %s  (log p = %.4f)\n", p.source.c_str(),
                text(*greedy).c_str(), text(beams->front().tokens).c_str(),
                beams->front().log_prob);
  }
  return 0;
}

}  // namespace seed
