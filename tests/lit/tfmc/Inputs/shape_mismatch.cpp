// matmul of [1, 6, 8] by [6, 16]: the inner dimensions differ.
#include <tfm/dsl.hpp>

using namespace tfm::dsl;

void bad(Function& f) {
  auto x = f.input<Shape<1, 6, 8>>("x");
  auto w = f.param<Shape<6, 16>>("w");
  f.output("y", matmul(x, w));
}
TFM_MODEL(bad);
