// Tests that a rope_theta of 1 or less (every pair turning at the same rate,
// or backwards) does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{.vocab = 64,
                                .d_model = 16,
                                .heads = 4,
                                .d_ff = 32,
                                .max_len = 8,
                                .positions = Positions::rope,
                                .rope_theta = 1.0f};
#else
constexpr TransformerConfig cfg{.vocab = 64,
                                .d_model = 16,
                                .heads = 4,
                                .d_ff = 32,
                                .max_len = 8,
                                .positions = Positions::rope,
                                .rope_theta = 500000.0f};
#endif
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
