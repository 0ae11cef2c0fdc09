// Tests that two sliding windows in one mask do not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto scores = f.input<Shape<2, 4, 6, 6>>("scores");
#ifdef TFM_KO
  f.output("masked", mask<sliding_window<2>, sliding_window<3>>(scores));
#else
  f.output("masked", mask<sliding_window<2>, causal>(scores));
#endif
}
