// Tests that a residual add of different shapes does not compile, although add would broadcast.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<1, 6, 8>>("x");
#ifdef TFM_KO
  auto fx = f.input<Shape<1, 6, 1>>("fx");
#else
  auto fx = f.input<Shape<1, 6, 8>>("fx");
#endif
  f.output("y", residual(x, fx));
}
