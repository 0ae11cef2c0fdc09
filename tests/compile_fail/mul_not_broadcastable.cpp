// Tests that a * b (tfm::dsl::mul) of shapes that do not broadcast does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<2, 6, 4>>("a");
#ifdef TFM_KO
  auto b = f.param<Shape<3, 1, 4>>("b");  // batch 2 vs 3
#else
  auto b = f.param<Shape<2, 1, 4>>("b");
#endif
  f.output("y", a * b);
}
