// Tests that segment embeddings (token_types) in a decoder-only model do not
// compile: they are an encoder's.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8, .token_types = 2};
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
#else
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8, .token_types = 2};
void model(Function& f) { encoder_only<cfg, 1, 8>(f); }
#endif
