// Tests that a config's sliding window longer than max_len does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8, .sliding_window = 9};
#else
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8, .sliding_window = 8};
#endif
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
