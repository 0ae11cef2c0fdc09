// Tests that layer_norm(x, gamma, beta) with gamma of another element type does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 8>>("x");
#ifdef TFM_KO
  auto gamma = f.param<Shape<8>, f64>("gamma");
#else
  auto gamma = f.param<Shape<8>, f32>("gamma");
#endif
  auto beta = f.param<Shape<8>>("beta");
  f.output("y", layer_norm(x, gamma, beta));
}
