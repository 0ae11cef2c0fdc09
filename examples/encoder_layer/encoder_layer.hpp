// One Transformer encoder layer (post-norm, as in the paper), written with
// the tfm DSL. Shared by the model source that tfmc traces (model.cpp), the
// program that runs the compiled object (main.cpp) and the end-to-end test.
#pragma once

#include <tfm/dsl.hpp>

namespace encoder_example {

using namespace tfm::dsl;

// The worked example's sizes: one sentence of 6 characters, width 6, 2 heads.
inline constexpr dim_t kBatch = 1, kSeq = 6, kWidth = 6, kHeads = 2, kFfn = 24, kVocab = 64;

// x = embedding(ids)
// x = layer_norm(x + attention(x W_q, x W_k, x W_v) W_o)
// y = layer_norm(x + relu(x W_1 + b_1) W_2 + b_2)
inline void encoder_layer(Function& f) {
  auto ids = f.input<Shape<kBatch, kSeq>, i32>("ids");
  auto table = f.param<Shape<kVocab, kWidth>>("embedding");
  auto wq = f.param<Shape<kWidth, kWidth>>("attn.wq");
  auto wk = f.param<Shape<kWidth, kWidth>>("attn.wk");
  auto wv = f.param<Shape<kWidth, kWidth>>("attn.wv");
  auto wo = f.param<Shape<kWidth, kWidth>>("attn.wo");
  auto ln1_gamma = f.param<Shape<kWidth>>("ln1.gamma");
  auto ln1_beta = f.param<Shape<kWidth>>("ln1.beta");
  auto w1 = f.param<Shape<kWidth, kFfn>>("ffn.w1");
  auto b1 = f.param<Shape<kFfn>>("ffn.b1");
  auto w2 = f.param<Shape<kFfn, kWidth>>("ffn.w2");
  auto b2 = f.param<Shape<kWidth>>("ffn.b2");
  auto ln2_gamma = f.param<Shape<kWidth>>("ln2.gamma");
  auto ln2_beta = f.param<Shape<kWidth>>("ln2.beta");

  auto x = embedding(table, ids);  // [B, T, D]
  auto attn = attention<kHeads>(linear(x, wq), linear(x, wk), linear(x, wv));
  auto h = layer_norm(x + linear(attn, wo), ln1_gamma, ln1_beta);  // add & norm
  auto y = layer_norm(h + feed_forward(h, w1, b1, w2, b2), ln2_gamma, ln2_beta);
  f.output("out", y);  // [B, T, D]
}

}  // namespace encoder_example
