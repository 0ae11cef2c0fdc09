// Tests that a mask kind other than causal or padding does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

struct sliding_window {};
void model(Function& f) {
  auto scores = f.input<Shape<2, 4, 6, 6>>("scores");
#ifdef TFM_KO
  f.output("masked", mask<sliding_window>(scores));
#else
  f.output("masked", mask<causal>(scores));
#endif
}
