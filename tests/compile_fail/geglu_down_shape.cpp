// Tests that geglu(x, gate, up, down) with down not [hidden, in] does not
// compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
  auto gate = f.param<Shape<8, 16>>("gate");
  auto up = f.param<Shape<8, 16>>("up");
#ifdef TFM_KO
  auto down = f.param<Shape<8, 16>>("down");  // gate's shape, not its transpose
#else
  auto down = f.param<Shape<16, 8>>("down");
#endif
  f.output("y", geglu(x, gate, up, down));
}
