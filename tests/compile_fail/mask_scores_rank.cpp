// Tests that masking scores without a query and a key dimension does not
// compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto scores = f.input<Shape<6>>("scores");
#else
  auto scores = f.input<Shape<6, 6>>("scores");
#endif
  f.output("y", mask<causal>(scores));
}
