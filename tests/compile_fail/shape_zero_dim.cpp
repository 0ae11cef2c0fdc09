// Tests that a Shape with a zero dimension does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<2, 0, 4>>("x");
#else
  auto x = f.input<Shape<2, 1, 4>>("x");
#endif
  f.output("y", relu(x));
}
