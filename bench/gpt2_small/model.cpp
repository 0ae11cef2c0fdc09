// GPT-2 small as a tfm model: 12 decoder-only layers, width 768, 12 heads,
// feed-forward 3072, vocabulary 50257, context 1024, pre-norm, tanh GELU,
// learned positions, tied embeddings. Used to measure compile times
// (bench/compile_gpt2.sh) and checked to compile by ctest.
#include <tfm/dsl.hpp>

using namespace tfm::dsl;

constexpr TransformerConfig kGpt2Small{.vocab = 50257,
                                       .d_model = 768,
                                       .heads = 12,
                                       .layers = 12,
                                       .d_ff = 3072,
                                       .max_len = 1024,
                                       .norm_placement = NormPlacement::pre,
                                       .activation = Activation::gelu_tanh,
                                       .positions = Positions::learned};

void gpt2_small(Function& f) { decoder_only<kGpt2Small, 1, 1024>(f); }
TFM_MODEL(gpt2_small);
