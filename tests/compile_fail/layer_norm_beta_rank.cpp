// Tests that layer_norm(x, gamma, beta) with a rank-2 beta does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
  auto gamma = f.param<Shape<8>>("gamma");
#ifdef TFM_KO
  auto beta = f.param<Shape<1, 8>>("beta");
#else
  auto beta = f.param<Shape<8>>("beta");
#endif
  f.output("y", layer_norm(x, gamma, beta));
}
