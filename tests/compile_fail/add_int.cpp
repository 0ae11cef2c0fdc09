// Tests that adding integer tensors does not compile.
#include <tfm/dsl.hpp>
using namespace tfm::dsl;

void model(Function& f) {
#ifdef TFM_KO
  auto a = f.input<Shape<2, 4>, i32>("a");
  auto b = f.input<Shape<2, 4>, i32>("b");
#else
  auto a = f.input<Shape<2, 4> >("a");
  auto b = f.input<Shape<2, 4> >("b");
#endif
  f.output("y", add(a, b));
}
