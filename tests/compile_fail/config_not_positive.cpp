// Tests that a config with no layers does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{
    .vocab = 41, .d_model = 6, .heads = 3, .layers = 0, .d_ff = 24, .max_len = 8};
#else
constexpr TransformerConfig cfg{
    .vocab = 41, .d_model = 6, .heads = 3, .layers = 1, .d_ff = 24, .max_len = 8};
#endif
void model(Function& f) { encoder_only<cfg, 1, 6>(f); }
