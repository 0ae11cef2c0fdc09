// Tests that Function::output of something other than a Tensor does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 4>>("x");
#ifdef TFM_KO
  f.output("y", x.value());  // the traced value, not the Tensor
#else
  f.output("y", x);
#endif
}
