// Tests that a padding mask without lengths does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto scores = f.input<Shape<2, 4, 6, 6>>("scores");
#ifdef TFM_KO
  f.output("masked", mask<padding>(scores));
#else
  f.output("masked", mask<causal>(scores));
#endif
}
