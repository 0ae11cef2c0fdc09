// Tests that linear(x, w, b) with b not [w.shape[1]] does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
  auto w = f.param<Shape<8, 16>>("w");
#ifdef TFM_KO
  auto b = f.param<Shape<8>>("b");  // the input width, not the output width
#else
  auto b = f.param<Shape<16>>("b");
#endif
  f.output("y", linear(x, w, b));
}
