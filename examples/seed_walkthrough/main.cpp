// The worked example, step by step: the corpus and its character vocabulary,
// then one encoder layer and one decoder layer of the paper's Transformer on
// 马无夜草不肥, compiled by tfm (JIT) with every intermediate tapped and printed:
// embeddings, positions, Q, K, V, QK^T, scaling, masking, softmax, attention,
// heads concatenated, projection, add & norm, feed-forward, then the decoder
// on <start> with masked self-attention and cross-attention, and the
// next-token probabilities.
//
//   seed_walkthrough [--d-model N] [--heads N] [--seed N] [--dump FILE.safetensors]
//   seed_walkthrough --train [--steps N] [--lr X] [--beam K] [--no-fuse] [--out DIR]
//                    [--checkpoint DIR [--every N] [--resume]] ...
//
// --train (train.cpp) trains the model to map the first half of each line
// to its second half and decodes with greedy and beam search; --checkpoint
// saves its state every N steps, and --resume continues from there.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <tfm/jit.hpp>
#include <tfm/tokenizer.hpp>
#include <tfm/weights.hpp>
#include <vector>

#include "cli_checks.hpp"
#include "corpus.hpp"
#include "model.hpp"
#include "train.hpp"

namespace {

struct Options {
  long d_model = 6, heads = 2, seed = 42;
  std::string dump;
  bool train = false, width_given = false, heads_given = false;
  seed::TrainOptions training;
};

// A usage error after parsing: the message, a hint at --help, exit code 2.
int usage(const std::string& error) {
  std::fprintf(stderr, "seed_walkthrough: %s ---> HINT: seed_walkthrough --help lists the flags\n",
               error.c_str());
  return 2;
}

// Seeded weights in signature order: matrices uniform in +-1/sqrt(rows), the
// embedding table in +-1, biases in +-0.1, layer-norm gains 1 and shifts 0.
std::vector<tfm::Tensor> seeded_params(const tfm::Signature& sig, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<tfm::Tensor> params;
  for (const tfm::TensorSpec& spec : sig.args) {
    if (spec.role != tfm::Role::param) continue;
    tfm::Tensor t(spec.dtype, spec.shape);
    float bound = spec.name == "embedding" ? 1.0f
                  : spec.shape.size() == 2 ? 1.0f / std::sqrt(static_cast<float>(spec.shape[0]))
                                           : 0.1f;
    std::uniform_real_distribution<float> dist(-bound, bound);
    for (float& v : t.values<float>())
      v = spec.name.ends_with(".gamma") ? 1.0f : spec.name.ends_with(".beta") ? 0.0f : dist(rng);
    params.push_back(std::move(t));
  }
  return params;
}

// Prints tensors as labelled matrices.
class Printer {
 public:
  explicit Printer(const std::map<std::string, const tfm::Tensor*>& taps) : taps_(taps) {}

  // A [.., rows, cols] tap as one matrix per leading index (e.g. per head).
  void step(const std::string& tap, const std::string& title, const std::vector<std::string>& rows,
            const std::vector<std::string>& cols = {}) {
    const tfm::Tensor& t = *taps_.at(tap);
    const auto& shape = t.shape();
    std::int64_t r = shape[shape.size() - 2], c = shape.back();
    std::int64_t blocks = t.size() / (r * c);
    std::printf("\n[%d] %s  %s\n", ++count_, title.c_str(), tfm::format_shape(shape).c_str());
    for (std::int64_t b = 0; b < blocks; ++b) {
      if (blocks > 1) std::printf("  head %lld:\n", static_cast<long long>(b + 1));
      if (!cols.empty()) {
        std::printf("  %10s", "");
        for (const std::string& col : cols) std::printf(" %*s", 8 + extra(col), col.c_str());
        std::printf("\n");
      }
      for (std::int64_t i = 0; i < r; ++i) {
        const std::string& label = rows[static_cast<std::size_t>(i)];
        std::printf("  %*s", 10 + extra(label), label.c_str());
        for (std::int64_t j = 0; j < c; ++j) {
          float v = t.data<float>()[(b * r + i) * c + j];
          if (std::isinf(v))
            std::printf(" %8s", v < 0 ? "-inf" : "inf");
          else
            std::printf(" %+8.4f", v);
        }
        std::printf("\n");
      }
    }
    steps_.push_back({tap, title});
  }

  const std::vector<std::pair<std::string, std::string>>& steps() const { return steps_; }

 private:
  // Width correction for labels with multi-byte characters (a CJK character
  // is 3 bytes and 2 columns wide).
  static int extra(const std::string& s) {
    int bytes = static_cast<int>(s.size()), columns = 0;
    for (std::size_t i = 0; i < s.size();) {
      auto c = static_cast<unsigned char>(s[i]);
      std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      columns += n >= 3 ? 2 : 1;
      i += n;
    }
    return bytes - columns;
  }

  const std::map<std::string, const tfm::Tensor*>& taps_;
  std::vector<std::pair<std::string, std::string>> steps_;
  int count_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "The worked example, step by step: the encoder-decoder Transformer on one sentence "
      "(each step printed); with --train, trained on the corpus, then decoded.",
      "seed_walkthrough"};
  auto* width =
      app.add_option("--d-model", o.d_model,
                     "model width (built in: " + seed::supported_widths() + "; default 6)");
  auto* heads = app.add_option(
      "--heads", o.heads,
      "attention heads, dividing the width (built in: " + seed::supported_heads() + "; default 2)");
  app.add_option("--seed", o.seed, "seed of the weights")->capture_default_str();
  app.add_option("--dump", o.dump,
                 "write every weight and every printed step to a safetensors file");
  app.add_flag("--train", o.train,
               "train on the corpus's half-lines, then decode (width 16, 32 or 64; default 32 "
               "with 4 heads)");
  app.add_option("--steps", o.training.steps, "training steps")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--lr", o.training.lr, "AdamW learning rate after warm-up")
      ->check(examples::kPositive)
      ->capture_default_str();
  app.add_option("--beam", o.training.beam, "beam search width")
      ->check(examples::kPositive)
      ->capture_default_str();
  bool no_fuse = false;
  app.add_flag("--no-fuse", no_fuse, "train with unfused attention");
  app.add_option("--out", o.training.out_dir, "where seed_loss.csv goes")->capture_default_str();
  examples::add_checkpoint_options(app, o.training.checkpoints);
  CLI11_PARSE(app, argc, argv);
  o.training.fuse = !no_fuse;
  o.width_given = width->count() > 0;
  o.heads_given = heads->count() > 0;
  if (o.train) {
    if (o.width_given) o.training.d_model = o.d_model;
    if (o.heads_given) o.training.heads = o.heads;
    o.training.seed = o.seed;
    return seed::train(o.training);
  }
  if (o.heads <= 0 || o.d_model <= 0 || o.d_model % o.heads != 0)
    return usage("--heads " + std::to_string(o.heads) + " must divide --d-model " +
                 std::to_string(o.d_model));
  auto model = seed::select_model(o.d_model, o.heads);
  if (!model)
    return usage("no model built in for --d-model " + std::to_string(o.d_model) + " --heads " +
                 std::to_string(o.heads));

  // The corpus and its character vocabulary.
  std::printf("tfm seed walkthrough: d_model %ld, heads %ld (d_k = %ld), d_ff %ld, seed %ld\n",
              o.d_model, o.heads, o.d_model / o.heads, 4 * o.d_model, o.seed);
  std::printf("\ncorpus:\n");
  for (std::string_view line : seed::kCorpus)
    std::printf("  %.*s\n", int(line.size()), line.data());
  auto tokenizer = tfm::CharTokenizer::from_corpus(
      std::span<const std::string_view>(seed::kCorpus.data(), seed::kCorpus.size()));
  if (!tokenizer.ok()) return std::fprintf(stderr, "%s\n", tokenizer.message().c_str()), 1;
  std::printf("\nvocabulary: %zu tokens = %zu distinct characters + <pad> <start> <end>\n",
              tokenizer->size(), tokenizer->size() - 3);
  for (std::size_t id = 0; id < tokenizer->size(); ++id)
    std::printf("%s%s=%zu", id % 10 == 0 ? "\n  " : "  ", tokenizer->tokens()[id].c_str(), id);
  std::printf("\n");

  auto src = tokenizer->encode(seed::kSource);
  if (!src.ok()) return std::fprintf(stderr, "%s\n", src.message().c_str()), 1;
  std::printf("\nencoder input %.*s -> ids", int(seed::kSource.size()), seed::kSource.data());
  for (std::int32_t id : *src) std::printf(" %d", id);
  std::printf("\ndecoder input <start> -> id %d\n", tokenizer->start_id());

  // Trace with every intermediate as an output, compile, run.
  auto traced = tfm::dsl::trace("seed_model", *model, {.taps = true});
  if (!traced.ok()) return std::fprintf(stderr, "%s\n", traced.error.c_str()), 1;
  auto module = tfm::jit::Module::compile(traced.mlir, {}, "seed_model");
  if (!module.ok()) return std::fprintf(stderr, "%s\n", module.message().c_str()), 1;
  const tfm::Signature& sig = *module->signature("seed_model");

  tfm::Tensor src_ids = tfm::Tensor::of<std::int32_t>({1, seed::kSourceLength});
  std::copy(src->begin(), src->end(), src_ids.data<std::int32_t>());
  tfm::Tensor src_len =
      tfm::Tensor::from<std::int32_t>({1}, {static_cast<std::int32_t>(src->size())});
  tfm::Tensor tgt_ids =
      tfm::Tensor::from<std::int32_t>({1, seed::kTargetLength}, {tokenizer->start_id()});
  std::vector<tfm::Tensor> params = seeded_params(sig, static_cast<unsigned>(o.seed));
  std::vector<tfm::TensorView> inputs = {src_ids, src_len, tgt_ids};
  for (const tfm::Tensor& p : params) inputs.push_back(p);
  auto outputs = module->run("seed_model", inputs);
  if (!outputs.ok()) return std::fprintf(stderr, "%s\n", outputs.message().c_str()), 1;

  std::map<std::string, const tfm::Tensor*> taps;
  std::size_t k = 0;
  for (const tfm::TensorSpec& spec : sig.args)
    if (spec.role == tfm::Role::output) taps[spec.name] = &(*outputs)[k++];

  // Labels: the source characters, <start>, the head's dimensions.
  std::vector<std::string> chars;
  for (std::int32_t id : *src) chars.emplace_back(*tokenizer->token(id));
  const std::vector<std::string> start = {"<start>"};
  std::vector<std::string> dims, positions;
  for (long d = 0; d < o.d_model; ++d) dims.push_back("d" + std::to_string(d));
  for (std::size_t t = 0; t < chars.size(); ++t) positions.push_back("pos " + std::to_string(t));

  Printer p(taps);
  std::printf("\n===== encoder (layer 1 of 1) =====\n");
  p.step("encoder.embed.tokens", "word embeddings: a row of the embedding table per character",
         chars);
  p.step("encoder.embed.positions",
         "positional encodings PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)",
         positions, dims);
  p.step("encoder.embed.sum", "x = word embeddings + positional encodings", chars);
  const std::string enc = "encoder.layers.0.self_attn";
  p.step(enc + ".q", "Q = x W_q + b_q, split into heads", chars);
  p.step(enc + ".k", "K = x W_k + b_k", chars);
  p.step(enc + ".v", "V = x W_v + b_v", chars);
  p.step(enc + ".scores", "Q K^T: how much each query character attends to each key", chars, chars);
  p.step(enc + ".scaled", "Q K^T / sqrt(d_k)", chars, chars);
  p.step(enc + ".masked", "masked scores (padding mask: all 6 tokens are real, nothing masked)",
         chars, chars);
  p.step(enc + ".probs", "softmax over the keys: attention weights, rows sum to 1", chars, chars);
  p.step(enc + ".context", "attention output: softmax(...) V", chars);
  p.step(enc + ".concat", "multi-head concat", chars);
  p.step(enc + ".out", "output projection: concat W_o + b_o", chars);
  p.step("encoder.layers.0.add_norm1", "add & norm: LayerNorm(x + attention)", chars);
  p.step("encoder.layers.0.ffn", "feed-forward: ReLU(h W_1 + b_1) W_2 + b_2", chars);
  p.step("encoder.layers.0.add_norm2", "add & norm: LayerNorm(h + feed-forward) = encoder output",
         chars);

  std::printf("\n===== decoder on <start> (layer 1 of 1) =====\n");
  p.step("decoder.embed.tokens", "word embedding of <start>", start);
  p.step("decoder.embed.positions", "positional encoding of position 0", {"pos 0"}, dims);
  p.step("decoder.embed.sum", "y = embedding + positional encoding", start);
  const std::string self = "decoder.layers.0.self_attn", cross = "decoder.layers.0.cross_attn";
  p.step(self + ".scaled", "masked self-attention: Q K^T / sqrt(d_k)", start, start);
  p.step(self + ".masked", "causal mask: no key after the query (here only <start> itself)", start,
         start);
  p.step(self + ".probs", "softmax", start, start);
  p.step(self + ".out", "self-attention output, projected", start);
  p.step("decoder.layers.0.add_norm1", "add & norm", start);
  p.step(cross + ".q", "cross-attention Q from the decoder", start);
  p.step(cross + ".k", "cross-attention K from the encoder output", chars);
  p.step(cross + ".v", "cross-attention V from the encoder output", chars);
  p.step(cross + ".scaled", "Q K^T / sqrt(d_k): <start> against each source character", start,
         chars);
  p.step(cross + ".probs", "softmax: which source characters the decoder reads", start, chars);
  p.step(cross + ".out", "cross-attention output, projected", start);
  p.step("decoder.layers.0.add_norm2", "add & norm", start);
  p.step("decoder.layers.0.ffn", "feed-forward", start);
  p.step("decoder.layers.0.add_norm3", "add & norm: decoder output", start);

  // Next-token probabilities over the vocabulary.
  const tfm::Tensor& probs = *taps.at("probs");
  std::vector<std::int32_t> order(tokenizer->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return probs.data<float>()[a] > probs.data<float>()[b];
  });
  std::printf("\n[%zu] next-token probabilities: softmax(decoder output E^T) over %zu tokens\n",
              p.steps().size() + 1, tokenizer->size());
  for (std::size_t i = 0; i < order.size(); ++i)
    std::printf("%s%s %.4f", i % 8 == 0 ? "\n  " : "   ",
                tokenizer->tokens()[static_cast<std::size_t>(order[i])].c_str(),
                probs.data<float>()[order[i]]);
  std::printf("\n\nmost likely next character: %s (p = %.4f); untrained, the weights are random\n",
              tokenizer->tokens()[static_cast<std::size_t>(order[0])].c_str(),
              probs.data<float>()[order[0]]);

  if (!o.dump.empty()) {
    std::vector<std::pair<std::string, tfm::TensorView>> entries;
    std::size_t pi = 0;
    for (const tfm::TensorSpec& spec : sig.args)
      if (spec.role == tfm::Role::param) entries.emplace_back("weights." + spec.name, params[pi++]);
    int n = 0;
    for (const auto& [tap, title] : p.steps()) {
      char key[16];
      std::snprintf(key, sizeof key, "steps.%02d.", ++n);
      entries.emplace_back(key + tap, *taps.at(tap));
    }
    entries.emplace_back("steps.next_token_probs", probs);
    tfm::Metadata metadata = {{"d_model", std::to_string(o.d_model)},
                              {"heads", std::to_string(o.heads)},
                              {"seed", std::to_string(o.seed)}};
    if (tfm::Status s = tfm::save_safetensors(o.dump, entries, metadata); !s.ok())
      return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
    std::printf("wrote %zu tensors to %s\n", entries.size(), o.dump.c_str());
  }
  return 0;
}
