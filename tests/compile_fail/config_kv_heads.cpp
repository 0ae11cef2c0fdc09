// Tests that kv_heads not dividing heads does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

#ifdef TFM_KO
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .kv_heads = 3, .d_ff = 32, .max_len = 8};
#else
constexpr TransformerConfig cfg{
    .vocab = 64, .d_model = 16, .heads = 4, .kv_heads = 2, .d_ff = 32, .max_len = 8};
#endif
void model(Function& f) { decoder_only<cfg, 1, 8>(f); }
