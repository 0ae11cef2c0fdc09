// An encoder-decoder with grouped-query heads (4 query heads, 2 key/value
// heads) for ../attention.test: its three attentions (encoder self-attention
// with padding, causal decoder self-attention, cross-attention with Tq != Tk)
// are the chains tfm-fuse-attention must find in what the DSL traces.
#include <tfm/dsl.hpp>

using namespace tfm::dsl;

constexpr TransformerConfig kConfig{
    .vocab = 32, .d_model = 32, .heads = 4, .kv_heads = 2, .layers = 1, .d_ff = 64, .max_len = 16};

void seq2seq(Function& f) { encoder_decoder<kConfig, 2, 12, 8>(f); }
TFM_MODEL(seq2seq);
