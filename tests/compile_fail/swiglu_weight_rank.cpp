// Tests that swiglu(x, gate, up, down) with a weight that is not a matrix
// does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
#ifdef TFM_KO
  auto gate = f.param<Shape<1, 8, 16>>("gate");  // a batch of one matrix
#else
  auto gate = f.param<Shape<8, 16>>("gate");
#endif
  auto up = f.param<Shape<8, 16>>("up");
  auto down = f.param<Shape<16, 8>>("down");
  f.output("y", swiglu(x, gate, up, down));
}
