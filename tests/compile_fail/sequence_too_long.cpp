// Tests that a sequence longer than the config's max_len does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

constexpr TransformerConfig cfg{.vocab = 64,
                                .d_model = 16,
                                .heads = 4,
                                .d_ff = 32,
                                .max_len = 8,
                                .positions = Positions::learned};
#ifdef TFM_KO
void model(Function& f) { decoder_only<cfg, 1, 9>(f); }
#else
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
#endif
