// Tests that rms_norm of a scalar does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<>>("x");
#else
  auto x = f.input<Shape<1>>("x");
#endif
  auto gamma = f.param<Shape<1>>("gamma");
  f.output("y", rms_norm(x, gamma));
}
