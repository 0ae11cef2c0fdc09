// Tests that rotary embedding of an integer tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto q = f.input<Shape<1, 4, 6, 8>, i32>("q");
#else
  auto q = f.input<Shape<1, 4, 6, 8> >("q");
#endif
  f.output("y", rope(q));
}
