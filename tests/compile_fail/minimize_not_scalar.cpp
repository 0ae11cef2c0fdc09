// Tests that Function::minimize with a loss that is not a scalar (here the
// logits instead of their cross-entropy) does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 8>>("x");
  auto t = f.input<Shape<2>, i32>("t");
  auto w = f.param<Shape<8, 4>>("w");
  auto logits = matmul(x, w);
#ifdef TFM_KO
  f.minimize("loss", logits, AdamW{});
#else
  f.minimize("loss", cross_entropy(logits, t), AdamW{});
#endif
}
