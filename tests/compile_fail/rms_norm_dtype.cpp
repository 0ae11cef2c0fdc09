// Tests that rms_norm(x, gamma) with gamma of another element type does not
// compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<1, 6, 8>>("x");
#ifdef TFM_KO
  auto gamma = f.param<Shape<8>, f64>("gamma");
#else
  auto gamma = f.param<Shape<8>>("gamma");
#endif
  f.output("y", rms_norm(x, gamma));
}
