// Tests that a mask kind other than causal, sliding_window<W> or padding does
// not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

struct local_attention {};
void model(Function& f) {
  auto scores = f.input<Shape<2, 4, 6, 6>>("scores");
#ifdef TFM_KO
  f.output("masked", mask<local_attention>(scores));
#else
  f.output("masked", mask<causal>(scores));
#endif
}
