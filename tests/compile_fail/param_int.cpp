// Tests that a parameter of an integer element type does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto x = f.input<Shape<2, 4>, i32>("x");  // integer inputs are fine (token ids)
#ifdef TFM_KO
  auto w = f.param<Shape<2, 4>, i32>("w");
#else
  auto w = f.param<Shape<2, 4>, f32>("w");
#endif
  f.output("x_out", x);
  f.output("w_out", w);
}
