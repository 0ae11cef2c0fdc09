// Tests that tapping something other than a tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 4>>("x");
#ifdef TFM_KO
  tap("h", x.value());
#else
  tap("h", x);
#endif
  f.output("y", relu(x));
}
