// Tests that layer_norm(x, gamma, beta) with gamma not [x.shape[-1]] does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
#ifdef TFM_KO
  auto gamma = f.param<Shape<6>>("gamma");  // the sequence length, not the width
#else
  auto gamma = f.param<Shape<8>>("gamma");
#endif
  auto beta = f.param<Shape<8>>("beta");
  f.output("y", layer_norm(x, gamma, beta));
}
