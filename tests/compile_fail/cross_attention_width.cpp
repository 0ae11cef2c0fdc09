// Tests that cross-attention over a memory of another width does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

constexpr TransformerConfig cfg{.vocab = 64, .d_model = 16, .heads = 4, .d_ff = 32, .max_len = 8};
void model(Function& f) {
  auto y = f.input<Shape<1, 3, 16>>("y");
#ifdef TFM_KO
  auto memory = f.input<Shape<1, 5, 8>>("memory");
#else
  auto memory = f.input<Shape<1, 5, 16>>("memory");
#endif
  auto lengths = f.input<Shape<1>, i32>("lengths");
  auto layer = declare<DecoderLayer<cfg, /*Cross=*/true>>(f, "dec");
  f.output("out", layer(y, "dec", memory, lengths));
}
