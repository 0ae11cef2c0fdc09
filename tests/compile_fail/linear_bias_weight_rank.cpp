// Tests that linear(x, w, b) with w not [in, out] does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 6, 8>>("x");
#ifdef TFM_KO
  auto w = f.param<Shape<1, 8, 16>>("w");
#else
  auto w = f.param<Shape<8, 16>>("w");
#endif
  auto b = f.param<Shape<16>>("b");
  f.output("y", linear(x, w, b));
}
