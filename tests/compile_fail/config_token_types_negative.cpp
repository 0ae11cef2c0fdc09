// Tests that a negative number of token types does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

constexpr TransformerConfig cfg{.vocab = 64,
                                .d_model = 16,
                                .heads = 4,
                                .d_ff = 32,
                                .max_len = 8,
#ifdef TFM_KO
                                .token_types = -1};
#else
                                .token_types = 1};
#endif
void model(Function& f) { encoder_only<cfg, 1, 8>(f); }
