// Tests that transpose(x) of a rank-1 tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto x = f.input<Shape<6>>("x");
#else
  auto x = f.input<Shape<6, 1>>("x");
#endif
  f.output("y", transpose(x));
}
