// Tests that matmul(a, b) whose batch dimensions do not broadcast does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<2, 6, 4>>("a");
#ifdef TFM_KO
  auto b = f.param<Shape<3, 4, 5>>("b");  // batch 2 vs 3
#else
  auto b = f.param<Shape<1, 4, 5>>("b");
#endif
  f.output("y", matmul(a, b));
}
