// Tests that swiglu(x, gate, up, down) with gate and up of different widths
// does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
  auto gate = f.param<Shape<8, 16>>("gate");
#ifdef TFM_KO
  auto up = f.param<Shape<8, 12>>("up");  // a hidden width other than gate's
#else
  auto up = f.param<Shape<8, 16>>("up");
#endif
  auto down = f.param<Shape<16, 8>>("down");
  f.output("y", swiglu(x, gate, up, down));
}
