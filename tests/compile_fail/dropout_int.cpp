// Tests that dropout of an integer tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<2, 6>, i32>("x");
#else
  auto x = f.input<Shape<2, 6> >("x");
#endif
  f.output("y", dropout(x, 0.1f));
}
