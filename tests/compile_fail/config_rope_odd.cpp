// Tests that rotary positions with an odd head width do not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 12, .heads = 4, .d_ff = 32, .max_len = 8, .positions = Positions::rope};
#else
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 12, .heads = 3, .d_ff = 32, .max_len = 8, .positions = Positions::rope};
#endif
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
