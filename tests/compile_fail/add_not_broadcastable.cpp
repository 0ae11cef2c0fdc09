// Tests that add(a, b) of shapes that do not broadcast does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
  auto a = f.input<Shape<2, 6, 4>>("a");
#ifdef TFM_KO
  auto b = f.param<Shape<6, 3>>("b");  // 4 vs 3
#else
  auto b = f.param<Shape<6, 1>>("b");
#endif
  f.output("y", add(a, b));
}
