// Tests that a sliding window longer than the keys does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto scores = f.input<Shape<2, 4, 6, 6>>("scores");
#ifdef TFM_KO
  f.output("masked", mask<sliding_window<7>>(scores));
#else
  f.output("masked", mask<sliding_window<6>>(scores));
#endif
}
