// Tests that reshape<S>(x) to a different element count does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 4>>("x");
#ifdef TFM_KO
  f.output("y", reshape<Shape<2, 25>>(x));
#else
  f.output("y", reshape<Shape<2, 24>>(x));
#endif
}
