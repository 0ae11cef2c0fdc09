// The DSL's Transformer families (dsl/transformer.hpp), traced with taps on and
// JIT-compiled, against the plain-loop reference of
// tests/support/reference_transformer.hpp: the model's output and every block
// (embeddings, each attention step, add & norm, feed-forward) compared by tap
// name. Tolerance: maxdiff <= 1e-5 (relative above 1, absolute below).

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <tfm/dsl.hpp>
#include <tfm/jit.hpp>

#include "reference_transformer.hpp"

namespace {

using namespace tfm::dsl;
namespace ref = tfm::ref;

constexpr double kTolerance = 1e-5;

struct ModelRun {
  std::map<std::string, std::vector<float>> outputs;  // by name: the output and the taps
  ref::Params params;
};

// Traces `model` with taps, compiles it, and runs it with seeded parameters
// (layer-norm gains near 1) on the given int32 inputs.
ModelRun run_model(const std::string& name, const ModelFn& model,
                   const std::vector<std::pair<std::vector<std::int32_t>, tfm::Shape>>& inputs,
                   std::uint32_t seed) {
  ModelRun run;
  TraceResult traced = trace(name, model, {.taps = true});
  EXPECT_TRUE(traced.ok()) << traced.error;
  auto module = tfm::jit::Module::compile(traced.mlir, {}, name);
  EXPECT_TRUE(module.ok()) << module.message();
  if (!module.ok()) return run;
  const tfm::Signature& sig = *module->signature(name);

  std::mt19937 rng(seed);
  std::vector<tfm::Tensor> owned;
  std::vector<tfm::TensorView> args;
  std::size_t next_input = 0;
  for (const tfm::TensorSpec& spec : sig.args) {
    if (spec.role == tfm::Role::output) continue;
    if (spec.role == tfm::Role::input) {
      const auto& [values, shape] = inputs.at(next_input++);
      EXPECT_EQ(shape, spec.shape) << spec.name;
      owned.push_back(tfm::Tensor(tfm::DType::i32, spec.shape));
      std::copy(values.begin(), values.end(), owned.back().data<std::int32_t>());
    } else {
      bool gain = spec.name.ends_with("gamma");
      std::uniform_real_distribution<float> dist(gain ? 0.8f : -0.5f, gain ? 1.2f : 0.5f);
      ref::Array a = ref::Array(spec.shape);
      for (float& v : a.data) v = dist(rng);
      owned.push_back(tfm::Tensor(tfm::DType::f32, spec.shape));
      std::copy(a.data.begin(), a.data.end(), owned.back().data<float>());
      run.params[spec.name] = std::move(a);
    }
    args.push_back(owned.back());
  }
  auto outputs = module->run(name, args);
  EXPECT_TRUE(outputs.ok()) << outputs.message();
  if (!outputs.ok()) return run;
  std::size_t i = 0;
  for (const tfm::TensorSpec& spec : sig.args)
    if (spec.role == tfm::Role::output) {
      auto v = (*outputs)[i++].values<float>();
      run.outputs[spec.name].assign(v.begin(), v.end());
    }
  return run;
}

// Compares every output of `run` with the reference's array of the same name.
void expect_matches(const ModelRun& run, const ref::Taps& want, const std::string& what) {
  double worst = 0.0;
  std::string worst_name;
  std::size_t compared = 0;
  for (const auto& [name, got] : run.outputs) {
    auto it = want.find(name);
    ASSERT_NE(it, want.end()) << "no reference for output '" << name << "'";
    double d = ref::maxdiff(got, it->second.data);
    EXPECT_LE(d, kTolerance) << what << ": " << name;
    if (d >= worst) worst = d, worst_name = name;
    ++compared;
  }
  std::printf("  %-48s %3zu tensors, maxdiff %.3g (%s)\n", what.c_str(), compared, worst,
              worst_name.c_str());
}

std::vector<std::int32_t> random_ids(std::size_t n, std::int64_t vocab, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> dist(0, static_cast<std::int32_t>(vocab - 1));
  std::vector<std::int32_t> ids(n);
  for (auto& id : ids) id = dist(rng);
  return ids;
}

std::vector<std::int64_t> widen(const std::vector<std::int32_t>& v) { return {v.begin(), v.end()}; }

// The paper: post-norm, ReLU, sinusoidal positions, tied embeddings.
constexpr TransformerConfig kPaper{
    .vocab = 41, .d_model = 12, .heads = 3, .layers = 2, .d_ff = 32, .max_len = 16};

TEST(TransformerFamilies, EncoderDecoderMatchesReference) {
  constexpr dim_t B = 2, Ts = 8, Tt = 6;
  auto src = random_ids(B * Ts, kPaper.vocab, 1), tgt = random_ids(B * Tt, kPaper.vocab, 2);
  std::vector<std::int32_t> src_len = {8, 5};
  ModelRun run = run_model("encoder_decoder", encoder_decoder<kPaper, B, Ts, Tt>,
                           {{src, {B, Ts}}, {src_len, {B}}, {tgt, {B, Tt}}}, 3);
  ref::TransformerConfig c{.vocab = 41,
                           .d_model = 12,
                           .heads = 3,
                           .kv_heads = 3,
                           .layers = 2,
                           .d_ff = 32,
                           .max_len = 16};
  ref::TransformerReference model(c, run.params);
  model.taps["logits"] = model.encoder_decoder(widen(src), widen(src_len), widen(tgt), B, Ts, Tt);
  expect_matches(run, model.taps, "encoder-decoder (post-norm, relu, sinusoid)");
}

// GPT-like: pre-norm, tanh GELU, learned positions, grouped-query attention
// (4 query heads on 2 key/value heads), an untied output projection.
constexpr TransformerConfig kGpt{.vocab = 50,
                                 .d_model = 16,
                                 .heads = 4,
                                 .kv_heads = 2,
                                 .layers = 2,
                                 .d_ff = 40,
                                 .max_len = 20,
                                 .norm_placement = NormPlacement::pre,
                                 .activation = Activation::gelu_tanh,
                                 .positions = Positions::learned,
                                 .tie_embeddings = false};

TEST(TransformerFamilies, DecoderOnlyMatchesReference) {
  constexpr dim_t B = 2, T = 9;
  auto ids = random_ids(B * T, kGpt.vocab, 4);
  ModelRun run = run_model("decoder_only", decoder_only<kGpt, B, T>, {{ids, {B, T}}}, 5);
  ref::TransformerConfig c{.vocab = 50,
                           .d_model = 16,
                           .heads = 4,
                           .kv_heads = 2,
                           .layers = 2,
                           .d_ff = 40,
                           .max_len = 20,
                           .pre_norm = true,
                           .activation = ref::TransformerConfig::gelu_tanh,
                           .positions = ref::TransformerConfig::learned,
                           .tie_embeddings = false};
  ref::TransformerReference model(c, run.params);
  model.taps["logits"] = model.decoder_only(widen(ids), B, T);
  expect_matches(run, model.taps, "decoder-only (pre-norm, GQA 4/2, learned)");
}

// BERT-like with today's choices: RMS norm, exact GELU, rotary positions,
// no biases, multi-query attention (one key/value head).
constexpr TransformerConfig kBert{.vocab = 30,
                                  .d_model = 16,
                                  .heads = 4,
                                  .kv_heads = 1,
                                  .layers = 2,
                                  .d_ff = 48,
                                  .max_len = 12,
                                  .norm = NormKind::rms_norm,
                                  .activation = Activation::gelu,
                                  .positions = Positions::rope,
                                  .bias = false,
                                  .rope_pairs = RopePairs::interleaved};

TEST(TransformerFamilies, EncoderOnlyMatchesReference) {
  constexpr dim_t B = 3, T = 7;
  auto ids = random_ids(B * T, kBert.vocab, 6);
  std::vector<std::int32_t> lengths = {7, 1, 4};
  ModelRun run =
      run_model("encoder_only", encoder_only<kBert, B, T>, {{ids, {B, T}}, {lengths, {B}}}, 7);
  ref::TransformerConfig c{.vocab = 30,
                           .d_model = 16,
                           .heads = 4,
                           .kv_heads = 1,
                           .layers = 2,
                           .d_ff = 48,
                           .max_len = 12,
                           .rms_norm = true,
                           .activation = ref::TransformerConfig::gelu,
                           .positions = ref::TransformerConfig::rope,
                           .bias = false,
                           .rope_interleaved = true};
  ref::TransformerReference model(c, run.params);
  model.taps["hidden"] = model.encoder_only(widen(ids), widen(lengths), B, T);
  expect_matches(run, model.taps, "encoder-only (RMS norm, MQA, interleaved rope, no bias)");
}

// Llama's layout: pre-norm RMS norm, SwiGLU, rotary positions (rotate-half
// pairs, Llama 3's rope_theta), no biases, grouped-query attention (4 query
// heads on 2 key/value heads), an untied output projection.
constexpr TransformerConfig kLlama{.vocab = 40,
                                   .d_model = 16,
                                   .heads = 4,
                                   .kv_heads = 2,
                                   .layers = 2,
                                   .d_ff = 24,
                                   .max_len = 16,
                                   .norm_placement = NormPlacement::pre,
                                   .norm = NormKind::rms_norm,
                                   .activation = Activation::swiglu,
                                   .positions = Positions::rope,
                                   .bias = false,
                                   .tie_embeddings = false,
                                   .rope_theta = 500000.0f};

TEST(TransformerFamilies, DecoderOnlySwiGluMatchesReference) {
  constexpr dim_t B = 2, T = 7;
  auto ids = random_ids(B * T, kLlama.vocab, 8);
  ModelRun run = run_model("decoder_only_swiglu", decoder_only<kLlama, B, T>, {{ids, {B, T}}}, 9);
  ASSERT_EQ(run.params.count("layers.0.ffn.gate.w"), 1u);
  ASSERT_EQ(run.params.count("layers.0.ffn.gate.b"), 0u);
  ref::TransformerConfig c{.vocab = 40,
                           .d_model = 16,
                           .heads = 4,
                           .kv_heads = 2,
                           .layers = 2,
                           .d_ff = 24,
                           .max_len = 16,
                           .pre_norm = true,
                           .rms_norm = true,
                           .activation = ref::TransformerConfig::swiglu,
                           .positions = ref::TransformerConfig::rope,
                           .bias = false,
                           .tie_embeddings = false,
                           .rope_theta = 500000.0};
  ref::TransformerReference model(c, run.params);
  model.taps["logits"] = model.decoder_only(widen(ids), B, T);
  expect_matches(run, model.taps,
                 "decoder-only (RMS norm, SwiGLU, rope theta 5e5, GQA 4/2, no bias)");
}

// Mistral's layout: Llama's with sliding-window self-attention (each token
// sees its last 3), over sequences of 9.
constexpr TransformerConfig kMistral{.vocab = 40,
                                     .d_model = 16,
                                     .heads = 4,
                                     .kv_heads = 2,
                                     .layers = 2,
                                     .d_ff = 24,
                                     .max_len = 16,
                                     .norm_placement = NormPlacement::pre,
                                     .norm = NormKind::rms_norm,
                                     .activation = Activation::swiglu,
                                     .positions = Positions::rope,
                                     .bias = false,
                                     .tie_embeddings = false,
                                     .sliding_window = 3};

TEST(TransformerFamilies, DecoderOnlySlidingWindowMatchesReference) {
  constexpr dim_t B = 2, T = 9;
  TraceResult traced = trace("decoder_only_window", decoder_only<kMistral, B, T>);
  ASSERT_TRUE(traced.ok()) << traced.error;
  EXPECT_NE(traced.mlir.find("causal, window = 3 : i64"), std::string::npos);
  auto ids = random_ids(B * T, kMistral.vocab, 12);
  ModelRun run =
      run_model("decoder_only_window", decoder_only<kMistral, B, T>, {{ids, {B, T}}}, 13);
  ref::TransformerConfig c{.vocab = 40,
                           .d_model = 16,
                           .heads = 4,
                           .kv_heads = 2,
                           .layers = 2,
                           .d_ff = 24,
                           .max_len = 16,
                           .pre_norm = true,
                           .rms_norm = true,
                           .activation = ref::TransformerConfig::swiglu,
                           .positions = ref::TransformerConfig::rope,
                           .bias = false,
                           .tie_embeddings = false,
                           .sliding_window = 3};
  ref::TransformerReference model(c, run.params);
  model.taps["logits"] = model.decoder_only(widen(ids), B, T);
  expect_matches(run, model.taps, "decoder-only (sliding window 3 over T 9, SwiGLU, GQA)");
}

// A window as long as the sequence leaves nothing out: plain causal.
TEST(TransformerFamilies, SlidingWindowAsLongAsTheSequenceIsCausal) {
  TraceResult traced = trace("decoder_only_short", decoder_only<kMistral, 1, 3>);
  ASSERT_TRUE(traced.ok()) << traced.error;
  EXPECT_EQ(traced.mlir.find("window ="), std::string::npos);
  EXPECT_NE(traced.mlir.find("{causal}"), std::string::npos);
}

// BERT's layout: post-norm layer norms, GELU (erf), learned positions, biases,
// two token types added to the embeddings and a layer norm of their sum.
constexpr TransformerConfig kBertBase{.vocab = 30,
                                      .d_model = 16,
                                      .heads = 2,
                                      .layers = 2,
                                      .d_ff = 32,
                                      .max_len = 12,
                                      .activation = Activation::gelu,
                                      .positions = Positions::learned,
                                      .embedding_norm = true,
                                      .norm_eps = 1e-12f,
                                      .token_types = 2};

TEST(TransformerFamilies, EncoderOnlyBertEmbeddingsMatchReference) {
  constexpr dim_t B = 2, T = 6;
  auto ids = random_ids(B * T, kBertBase.vocab, 14);
  std::vector<std::int32_t> lengths = {6, 4}, types = {0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0};
  ModelRun run = run_model("encoder_only_bert", encoder_only<kBertBase, B, T>,
                           {{ids, {B, T}}, {lengths, {B}}, {types, {B, T}}}, 15);
  ASSERT_EQ(run.params.count("token_type_embedding"), 1u);
  ASSERT_EQ(run.params.count("embed_norm.beta"), 1u);
  ref::TransformerConfig c{.vocab = 30,
                           .d_model = 16,
                           .heads = 2,
                           .kv_heads = 2,
                           .layers = 2,
                           .d_ff = 32,
                           .max_len = 12,
                           .activation = ref::TransformerConfig::gelu,
                           .positions = ref::TransformerConfig::learned,
                           .eps = 1e-12f,
                           .token_types = 2,
                           .embedding_norm = true};
  ref::TransformerReference model(c, run.params);
  model.taps["hidden"] = model.encoder_only(widen(ids), widen(lengths), B, T, widen(types));
  expect_matches(run, model.taps, "encoder-only (BERT embeddings: token types, norm)");
}

// The config as the families see it: the template parameter object the
// compiler emits, read at run time, holds the values written (a layout clang 19
// emits wrongly, a bool after floats at the end, would fail here).
template <TransformerConfig C>
const TransformerConfig& as_template_argument() {
  return C;
}

TEST(TransformerFamilies, ConfigFieldsSurviveAsTemplateArguments) {
  for (const auto& [seen, written] : {std::pair{&as_template_argument<kBertBase>(), &kBertBase},
                                      std::pair{&as_template_argument<kMistral>(), &kMistral},
                                      std::pair{&as_template_argument<kLlama>(), &kLlama}}) {
    EXPECT_EQ(seen->vocab, written->vocab);
    EXPECT_EQ(seen->bias, written->bias);
    EXPECT_EQ(seen->tie_embeddings, written->tie_embeddings);
    EXPECT_EQ(seen->embedding_norm, written->embedding_norm);
    EXPECT_EQ(seen->norm_eps, written->norm_eps);
    EXPECT_EQ(seen->rope_theta, written->rope_theta);
    EXPECT_EQ(seen->rope_pairs, written->rope_pairs);
    EXPECT_EQ(seen->sliding_window, written->sliding_window);
    EXPECT_EQ(seen->token_types, written->token_types);
  }
}

// A token type past the table is an error naming the input, as a token id is.
TEST(TransformerFamilies, TokenTypeOutOfRangeIsAnError) {
  TraceResult traced = trace("bert", encoder_only<kBertBase, 1, 3>);
  ASSERT_TRUE(traced.ok()) << traced.error;
  auto m = tfm::jit::Module::compile(traced.mlir, {}, "bert");
  ASSERT_TRUE(m.ok()) << m.message();
  const tfm::Signature& sig = *m->signature("bert");
  std::vector<tfm::Tensor> owned;
  std::vector<tfm::TensorView> args;
  for (const tfm::TensorSpec& spec : sig.args) {
    if (spec.role == tfm::Role::output) continue;
    owned.push_back(tfm::Tensor(spec.dtype, spec.shape));
    if (spec.name == "lengths") owned.back().data<std::int32_t>()[0] = 3;
    if (spec.name == "token_types") owned.back().data<std::int32_t>()[1] = 2;
    args.push_back(owned.back());
  }
  auto out = m->run("bert", args);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.message().find("tensor 'token_types' (input, argument 2) holds 2 at [0, 1], "
                               "outside [0, 2)"),
            std::string::npos)
      << out.message();
}

// Dropout (GPT-2's residual and embedding dropout) is in the gradient and the
// training step, drawn by their step input, and not in the model itself: its
// logits are those of the same model without dropout.
constexpr TransformerConfig kNoDropout{.vocab = 20,
                                       .d_model = 8,
                                       .heads = 2,
                                       .layers = 2,
                                       .d_ff = 16,
                                       .max_len = 6,
                                       .norm_placement = NormPlacement::pre,
                                       .activation = Activation::gelu_tanh,
                                       .positions = Positions::learned};
constexpr TransformerConfig kDropout = [] {
  TransformerConfig c = kNoDropout;
  c.dropout = 0.2f;
  return c;
}();

template <TransformerConfig C>
void dropout_lm(Function& f) {
  auto logits = decoder_only_logits<C, 2, 6>(f);
  f.output("logits", logits);
  auto next = f.input<Shape<2, 6>, i32>("next");
  f.minimize("loss", cross_entropy(logits, next), Sgd{});
}

TEST(TransformerFamilies, DropoutInTrainingOnly) {
  auto traced = trace("lm", dropout_lm<kDropout>), plain = trace("lm", dropout_lm<kNoDropout>);
  ASSERT_TRUE(traced.ok() && plain.ok()) << traced.error << plain.error;
  EXPECT_NE(traced.mlir.find("tfm.dropout"), std::string::npos);
  auto m = tfm::jit::Module::compile(traced.mlir, {}, "lm");
  auto p = tfm::jit::Module::compile(plain.mlir, {}, "lm");
  ASSERT_TRUE(m.ok() && p.ok()) << m.message() << p.message();
  const tfm::Signature& grad = *m->signature("lm_grad");
  ASSERT_EQ(grad.args.back().role, tfm::Role::output);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::map<std::string, tfm::Tensor> tensors;
  for (const tfm::TensorSpec& s : grad.args) {
    if (s.role == tfm::Role::output) continue;
    tfm::Tensor t(s.dtype, s.shape);
    if (s.dtype == tfm::DType::i32)
      for (auto& v : t.values<std::int32_t>()) v = static_cast<std::int32_t>(rng() % 20);
    else
      for (auto& v : t.values<float>()) v = dist(rng);
    tensors.emplace(s.name, std::move(t));
  }
  ASSERT_EQ(tensors.count("step"), 1u) << "lm_grad takes the step of its dropout";
  auto call = [&](const tfm::jit::Module& mod, const std::string& entry, float step) {
    *tensors.at("step").data<float>() = step;
    std::vector<tfm::TensorView> args;
    for (const tfm::TensorSpec& s : mod.signature(entry)->args)
      if (s.role != tfm::Role::output) args.push_back(tensors.at(s.name).view());
    auto out = mod.run(entry, args);
    EXPECT_TRUE(out.ok()) << out.message();
    auto v = (*out)[0].values<float>();
    return std::vector<float>(v.begin(), v.end());
  };
  // Inference: no dropout, exactly.
  std::vector<float> with = call(*m, "lm", 1), without = call(*p, "lm", 1);
  double d = ref::maxdiff(with, without);
  std::printf("  logits of the model with dropout 0.2 vs without: maxdiff %.3g\n", d);
  EXPECT_EQ(d, 0.0);
  // Training: a step's masks are the same every time, and another step's
  // differ; the loss without dropout is neither.
  float a = call(*m, "lm_grad", 1)[0], b = call(*m, "lm_grad", 1)[0], c = call(*m, "lm_grad", 2)[0];
  float none = call(*p, "lm_grad", 1)[0];
  std::printf("  loss at step 1: %.6f, again %.6f, at step 2: %.6f, without dropout %.6f\n", a, b,
              c, none);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, none);
  ASSERT_NE(m->signature("lm_train_step"), nullptr);
  bool step_input = false;
  for (const tfm::TensorSpec& s : m->signature("lm_train_step")->args)
    step_input |= s.name == "step" && s.role == tfm::Role::input;
  EXPECT_TRUE(step_input) << "an SGD step with dropout takes the step";
}

// GeGLU (tanh GELU) with biases in a post-norm encoder.
constexpr TransformerConfig kGeglu{.vocab = 20,
                                   .d_model = 8,
                                   .heads = 2,
                                   .layers = 1,
                                   .d_ff = 12,
                                   .max_len = 8,
                                   .activation = Activation::geglu_tanh,
                                   .positions = Positions::learned};

TEST(TransformerFamilies, EncoderOnlyGegluMatchesReference) {
  constexpr dim_t B = 2, T = 5;
  auto ids = random_ids(B * T, kGeglu.vocab, 10);
  std::vector<std::int32_t> lengths = {5, 3};
  ModelRun run = run_model("encoder_only_geglu", encoder_only<kGeglu, B, T>,
                           {{ids, {B, T}}, {lengths, {B}}}, 11);
  ASSERT_EQ(run.params.count("layers.0.ffn.gate.b"), 1u);
  ref::TransformerConfig c{.vocab = 20,
                           .d_model = 8,
                           .heads = 2,
                           .kv_heads = 2,
                           .layers = 1,
                           .d_ff = 12,
                           .max_len = 8,
                           .activation = ref::TransformerConfig::geglu_tanh,
                           .positions = ref::TransformerConfig::learned};
  ref::TransformerReference model(c, run.params);
  model.taps["hidden"] = model.encoder_only(widen(ids), widen(lengths), B, T);
  expect_matches(run, model.taps, "encoder-only (post-norm, GeGLU tanh, learned)");
}

// The parameter names and their order are the checkpoint's layout.
TEST(TransformerFamilies, ParameterNamesFollowTheLayers) {
  constexpr TransformerConfig c{
      .vocab = 8, .d_model = 4, .heads = 2, .layers = 1, .d_ff = 8, .max_len = 4};
  TraceResult traced = trace("ed", encoder_decoder<c, 1, 3, 2>);
  ASSERT_TRUE(traced.ok()) << traced.error;
  std::vector<std::string> names;
  for (std::size_t at = traced.mlir.find("tfm.param = \""); at != std::string::npos;
       at = traced.mlir.find("tfm.param = \"", at + 1)) {
    std::size_t begin = at + 13;
    names.push_back(traced.mlir.substr(begin, traced.mlir.find('"', begin) - begin));
  }
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "embedding");
  EXPECT_EQ(names[1], "encoder.layers.0.self_attn.q.w");
  EXPECT_EQ(names[2], "encoder.layers.0.self_attn.q.b");
  EXPECT_NE(std::find(names.begin(), names.end(), "decoder.layers.0.cross_attn.k.w"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "decoder.layers.0.norm3.beta"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "lm_head.w"), names.end());  // tied
}

}  // namespace
