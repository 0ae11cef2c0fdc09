// The three model families at small sizes, shared by the model source tfmc
// compiles (families_model.cpp) and the end-to-end test that links it.
#pragma once

#include <tfm/dsl.hpp>

namespace families {

using namespace tfm::dsl;

// The paper: post-norm, ReLU, sinusoidal positions, tied embeddings.
inline constexpr TransformerConfig kPaper{
    .vocab = 41, .d_model = 16, .heads = 4, .layers = 2, .d_ff = 48, .max_len = 16};
// GPT-2's choices: pre-norm, tanh GELU, learned positions; grouped-query.
inline constexpr TransformerConfig kGpt{.vocab = 64,
                                        .d_model = 32,
                                        .heads = 4,
                                        .kv_heads = 2,
                                        .layers = 2,
                                        .d_ff = 128,
                                        .max_len = 32,
                                        .norm_placement = NormPlacement::pre,
                                        .activation = Activation::gelu_tanh,
                                        .positions = Positions::learned};
// BERT-sized choices with RMS norm and rotary positions, no biases.
inline constexpr TransformerConfig kBert{.vocab = 48,
                                         .d_model = 32,
                                         .heads = 4,
                                         .layers = 2,
                                         .d_ff = 64,
                                         .max_len = 16,
                                         .norm = NormKind::rms_norm,
                                         .activation = Activation::gelu,
                                         .positions = Positions::rope,
                                         .bias = false};

inline constexpr dim_t kBatch = 2, kSrc = 7, kTgt = 5, kSeq = 12;

inline void paper_translate(Function& f) { encoder_decoder<kPaper, kBatch, kSrc, kTgt>(f); }
inline void gpt_lm(Function& f) { decoder_only<kGpt, kBatch, kSeq>(f); }
inline void bert_encode(Function& f) { encoder_only<kBert, kBatch, kSrc>(f); }

// GPT trained on next-token prediction: tfmc adds gpt_train_grad and
// gpt_train_train_step (AdamW) to the object.
inline void gpt_train(Function& f) {
  auto logits = decoder_only_logits<kGpt, kBatch, kSeq>(f);
  auto labels = f.input<Shape<kBatch, kSeq>, i32>("labels");
  f.minimize("loss", cross_entropy(logits, labels, {.label_smoothing = 0.1f, .ignore_index = 0}),
             AdamW{.weight_decay = 0.01f});
}

}  // namespace families
