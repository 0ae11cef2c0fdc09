// The two training benchmarks' models (bench/train/models.cpp), traced to
// tfm MLIR by the DSL. The same models, layer for layer, are written in
// PyTorch and JAX in bench/peers/train_torch.py and train_jax.py, which
// take these sizes from bench/peers/train_models.py.
#pragma once

#include <string>
#include <string_view>
#include <tfm/status.hpp>

namespace tfm::bench {

struct TrainModel {
  std::string_view name;  // the traced function; its step is <name>_train_step
  long batch, seq, vocab, d_model, heads, layers, d_ff;
};

// "small": decoder-only, d_model 256, 4 heads, 4 layers, d_ff 1024, T 256,
// batch 8, vocabulary 256. "gpt2_block": one GPT-2-small block (d_model 768,
// 12 heads, d_ff 3072), T 512, batch 4, under the same embedding, final norm
// and tied vocabulary-256 head, so that the block is nearly all the work.
// Both: pre-norm layer norm, tanh GELU, learned positions, biases, causal
// self-attention, cross-entropy over the vocabulary, AdamW (0.9, 0.999,
// 1e-8, weight decay 0.01).
inline constexpr TrainModel kSmall{"small", 8, 256, 256, 256, 4, 4, 1024};
inline constexpr TrainModel kGpt2Block{"gpt2_block", 4, 512, 256, 768, 12, 1, 3072};

// The model's tfm MLIR (loss function with its train attributes), or the
// DSL's error.
Result<std::string> train_model_mlir(const TrainModel& model);

}  // namespace tfm::bench
