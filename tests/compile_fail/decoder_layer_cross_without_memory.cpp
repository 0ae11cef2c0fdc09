// Tests that a decoder layer with cross-attention called without the
// encoder's memory does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

constexpr TransformerConfig cfg{.vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8};
void model(Function& f) {
  auto y = f.input<Shape<1, 3, 16>>("y");
#ifdef TFM_KO
  auto layer = declare<DecoderLayer<cfg, /*Cross=*/true>>(f, "dec");
#else
  auto layer = declare<DecoderLayer<cfg>>(f, "dec");
#endif
  f.output("out", layer(y, "dec"));
}
