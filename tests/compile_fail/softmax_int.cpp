// Tests that softmax of an integer tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<2, 6>, i64>("x");
#else
  auto x = f.input<Shape<2, 6>, f64>("x");
#endif
  f.output("y", softmax(x));
}
