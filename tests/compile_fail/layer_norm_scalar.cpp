// Tests that layer_norm of a scalar does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<>>("x");
#else
  auto x = f.input<Shape<1>>("x");
#endif
  auto gamma = f.param<Shape<1>>("gamma");
  auto beta = f.param<Shape<1>>("beta");
  f.output("y", layer_norm(x, gamma, beta));
}
