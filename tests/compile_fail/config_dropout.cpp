// Tests that a config's dropout of 1 or more (nothing kept) does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8, .dropout = 1.0f};
#else
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8, .dropout = 0.1f};
#endif
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
