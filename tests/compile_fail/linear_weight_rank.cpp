// Tests that linear(x, w) with a weight not of rank 2 does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
#ifdef TFM_KO
  auto w = f.param<Shape<1, 8, 4>>("w");
#else
  auto w = f.param<Shape<8, 4>>("w");
#endif
  f.output("y", linear(x, w));
}
